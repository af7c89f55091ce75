"""The console's saved replies: everyone reads the library; leads add, change and remove replies, each in
English, Arabic and Russian (engine/conversation/saved_replies.py)."""

from __future__ import annotations

from aiohttp import web

from bot.console.actions import _back, _field, viewer
from bot.console.auth import deps_of
from bot.console.render import page
from domain.saved_replies import LANGUAGES, VARIABLES
from engine.console import actions as act
from engine.conversation import saved_replies


async def library(request: web.Request) -> web.Response:
    replies = await saved_replies.library(deps_of(request))
    shown = ", ".join("{" + v + "}" for v in VARIABLES)
    return page(request, "replies.html", {"replies": replies, "languages": LANGUAGES, "variables": shown})


async def keep(request: web.Request) -> web.Response:
    me, deps = viewer(request), deps_of(request)
    form = await request.post()
    texts = {lang: _field(form, f"text_{lang}", 2100) for lang in LANGUAGES}
    await act.keep_reply(deps, me, _field(form, "name", 40), texts, _field(form, "action", 64))
    return _back("/console/replies")


async def remove(request: web.Request) -> web.Response:
    me, deps = viewer(request), deps_of(request)
    form = await request.post()
    await act.remove_reply(deps, me, request.match_info["name"][:40], _field(form, "action", 64))
    return _back("/console/replies")


def routes(app: web.Application) -> None:
    app.router.add_get("/replies", library)
    app.router.add_post("/replies", keep)
    app.router.add_post("/replies/{name}/remove", remove)
