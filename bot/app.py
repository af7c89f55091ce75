"""The composition root: create_app(settings) wires every resource, each with its own lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from aiohttp import web

from bot import console, home, metrics, miniapp, preflight
from bot.engine_runtime import engine_ctx, engine_workers_ctx
from bot.keys import CLOCK, SETTINGS, STORE
from bot.sandbox_mode import sandbox_ctx, sandbox_team_ctx
from bot.settings import Settings
from bot.telegram_runtime import telegram_ctx
from bot.voice_runtime import voice_ctx
from bot.whatsapp_runtime import whatsapp_ctx
from domain.clock import Clock, ShiftedClock, SystemClock
from sandbox import web as sandbox_web
from storage.store import open_store
from webhooks import cloudpayments as cloudpayments_webhook
from webhooks import health
from webhooks import media as media_webhook
from webhooks import telegram as telegram_webhook
from webhooks import twilio as twilio_webhook
from webhooks.errors import error_middleware

log = structlog.get_logger(__name__)


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS].store
    url = settings.mongodb_url.get_secret_value() if settings.mongodb_url else None
    listeners = [metrics.StoreCommands()]
    async with open_store(
        url, settings.mongodb_db, settings.concierge_data_dir, app[CLOCK], listeners=listeners
    ) as store:
        app[STORE] = store
        app[health.READINESS_CHECKS]["mongodb"] = store.ping
        app[health.READINESS_CHECKS]["store-writes"] = store.writable
        log.info("store.ready", embedded=store.engine is not None)
        yield


def _preflight_ctx(start_workers: bool):
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        """What `concierge check` says, as warnings once the service is up (it never delays the start)."""
        task = asyncio.create_task(_preflight(app[SETTINGS])) if start_workers else None
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return ctx


async def _preflight(settings: Settings) -> None:
    findings = await preflight.check(settings, starting=True)
    for finding in findings:
        if finding.verdict is preflight.Verdict.FAIL:
            log.warning("preflight.failed", what=finding.what, problem=finding.line)
    failed = sum(f.verdict is preflight.Verdict.FAIL for f in findings)
    metrics.PREFLIGHT_FAILURES.set(failed)
    log.info("preflight.done", checked=len(findings), failed=failed)


def create_app(
    settings: Settings, clock: Clock | None = None, *, start_workers: bool = True
) -> web.Application:
    """`start_workers=False` leaves the inbox and delivery loops to the caller (tests drive them by hand)."""
    app = web.Application(
        middlewares=[error_middleware, metrics.middleware], client_max_size=1024**2
    )  # each webhook bounds its own body below this
    app[SETTINGS] = settings
    # the sandbox's clock can be fast-forwarded (to watch a reminder fall due); the real one cannot
    app[CLOCK] = clock or (ShiftedClock(SystemClock()) if settings.sandbox else SystemClock())
    app[health.READINESS_CHECKS] = {}
    # cleanup_ctx runs in order on start and in reverse on shutdown: workers stop before the store closes
    app.cleanup_ctx.append(_store_ctx)
    if settings.sandbox:  # before the channels: it hands them the sandbox's credentials
        app.cleanup_ctx.append(sandbox_ctx)
        sandbox_web.setup(app)
    app.cleanup_ctx.append(engine_ctx)
    if settings.sandbox:
        app.cleanup_ctx.append(sandbox_team_ctx)  # (its team is written through the engine's Deps)
    app.cleanup_ctx.append(telegram_ctx(start_workers))
    app.cleanup_ctx.append(whatsapp_ctx(start_workers))
    app.cleanup_ctx.append(voice_ctx)
    app.cleanup_ctx.append(engine_workers_ctx(start_workers))  # last: every channel has registered
    if not settings.sandbox:  # (the sandbox's stand-ins are set up as the service needs by construction)
        app.cleanup_ctx.append(_preflight_ctx(start_workers))
    health.setup(app)
    metrics.setup(app)
    home.setup(app, settings.sandbox)
    telegram_webhook.setup(app)
    cloudpayments_webhook.setup(app)
    twilio_webhook.setup(app)
    media_webhook.setup(app)
    console.setup(app)  # (its live reader listens to every event the engine records)
    miniapp.setup(app)  # the client's own page
    return app
