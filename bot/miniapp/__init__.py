"""The client's own page under /app: a Telegram Mini App (opened from the bot's menu button, signed by
Telegram's initData on every request) and, for WhatsApp clients, the same pages through a one-time link and a
short session. Rendered on the server (aiohttp-jinja2), one script and one stylesheet of our own."""

from __future__ import annotations

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.miniapp import pages
from bot.miniapp.auth import app_middleware

TEMPLATES = pages.HERE / "templates"


def setup(app: web.Application) -> None:
    miniapp = web.Application(middlewares=[app_middleware])  # (forms bounded by the middleware: MAX_FORM)
    aiohttp_jinja2.setup(
        miniapp,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"], default=True),
        undefined=jinja2.StrictUndefined,
    )
    pages.routes(miniapp)
    app.add_subapp("/app", miniapp)
