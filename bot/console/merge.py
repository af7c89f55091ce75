"""The leads' merge in the console (one person who became two clients: a call before their number was
shared, another channel): the topic command /merge, run for the client page it was asked from."""

from __future__ import annotations

from aiohttp import web

from bot.console.actions import _back, _field, living, viewer
from bot.console.auth import deps_of
from domain.errors import InvalidValue
from engine.commands.dispatch import console_may
from engine.console import actions as act
from engine.console import reads


async def merge(request: web.Request) -> web.Response:
    me, deps = viewer(request), deps_of(request)
    console_may(me, "merge")  # (refused before the client is looked up: 403, not 404)
    client = await reads.visible_client(deps, me, request.match_info["id"])
    living(me, client)
    form = await request.post()
    other = _field(form, "other", 20)
    refused = await act.command(deps, me, client, "merge", other, None, _field(form, "action", 64))
    if refused:
        raise InvalidValue(refused)
    return _back(f"/console/clients/{client.id}")


def routes(app: web.Application) -> None:
    app.router.add_post("/clients/{id}/merge", merge)
