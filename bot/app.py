"""The composition root: create_app(settings) wires every resource, each with its own lifecycle."""

from __future__ import annotations

from collections.abc import AsyncIterator

import structlog
from aiohttp import web

from bot.keys import BACKGROUND, CLOCK, SETTINGS, STORE
from bot.settings import Settings
from bot.tasks import Background
from domain.clock import Clock, SystemClock
from storage.store import open_store
from webhooks import health
from webhooks.errors import error_middleware

log = structlog.get_logger(__name__)


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS].store
    url = settings.mongodb_url.get_secret_value() if settings.mongodb_url else None
    async with open_store(url, settings.mongodb_db, settings.concierge_data_dir, app[CLOCK]) as store:
        app[STORE] = store
        app[health.READINESS_CHECKS]["mongodb"] = store.ping
        log.info("store.ready", embedded=store.engine is not None)
        yield


async def _background_ctx(app: web.Application) -> AsyncIterator[None]:
    background = Background()
    app[BACKGROUND] = background
    yield
    await background.stop()


def create_app(settings: Settings, clock: Clock | None = None) -> web.Application:
    app = web.Application(middlewares=[error_middleware], client_max_size=25 * 1024**2)
    app[SETTINGS] = settings
    app[CLOCK] = clock or SystemClock()
    app[health.READINESS_CHECKS] = {}
    # cleanup_ctx runs in order on start and in reverse on shutdown: workers stop before the store closes
    app.cleanup_ctx.append(_store_ctx)
    app.cleanup_ctx.append(_background_ctx)
    health.setup(app)
    return app
