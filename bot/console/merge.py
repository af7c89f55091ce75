"""The leads' merge in the console (one person who became two clients: a call before their number was
shared, another channel): the topic command /merge, run for the client page it was asked from."""

from __future__ import annotations

from aiohttp import web

from bot.console.actions import client_command


async def merge(request: web.Request) -> web.Response:
    return await client_command(request, "merge", "other", 20)


def routes(app: web.Application) -> None:
    app.router.add_post("/clients/{id}/merge", merge)
