"""The staff console: server-rendered pages under /console, a sub-application of the service with its own
middleware (sessions, CSRF, security headers, HTML errors). Pages call the engine's reads and use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

import aiohttp_jinja2
from aiohttp import web

from bot.console import actions, auth, media, merge, pages, replies, search
from bot.console.keys import LIVE
from bot.console.live import LiveLog
from bot.console.render import render_card, setup_templates
from bot.engine_runtime import ENGINE


def setup(app: web.Application) -> None:
    console = web.Application(middlewares=[auth.console_middleware], client_max_size=64 * 1024)
    setup_templates(console)
    auth.routes(console)
    pages.routes(console)
    actions.routes(console)
    merge.routes(console)
    replies.routes(console)
    search.routes(console)
    media.routes(console)
    app.add_subapp("/console", console)
    app.cleanup_ctx.append(partial(_live_ctx, console=console))
    app.on_shutdown.append(_end_streams)  # before aiohttp waits for open requests: a live tab is one


async def _end_streams(app: web.Application) -> None:
    if (live := app.get(LIVE)) is not None:
        live.close_all()


async def _live_ctx(app: web.Application, console: web.Application) -> AsyncIterator[None]:
    """One reader of the log for every open tab; this instance's writes wake it at once (a listener)."""
    engine = app[ENGINE]
    live = LiveLog(engine.deps, partial(render_card, aiohttp_jinja2.get_env(console), engine.deps))
    app[LIVE] = live
    engine.deps.listeners.add(live.on_recorded)  # (after the timers, which the engine runtime added first)
    engine.tasks.spawn(live.run(engine.tasks.stopping), "console-live")
    yield
