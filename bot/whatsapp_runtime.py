"""Wires WhatsApp onto the running engine: Twilio webhooks, the inbox handler, the delivery worker, media both
ways. The staff side is the Telegram forum, so WhatsApp rides on the Telegram runtime's engine."""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import partial
from typing import Any

import aiohttp
import structlog
from aiohttp import web
from twilio.request_validator import RequestValidator

from bot.keys import SETTINGS
from bot.telegram_runtime import TELEGRAM, TelegramRuntime
from bot.workers.tasks import Background
from bot.workers.whatsapp_deliveries import WhatsAppDeliveryWorker, WhatsAppHooks
from channels.whatsapp.sender import WhatsAppSender
from engine import whatsapp_flow
from storage.inbox import InboxItem
from webhooks.media import LIFETIME_SECONDS, MEDIA_SOURCE, MediaSource, sign
from webhooks.twilio import TWILIO_INTAKE, TwilioIntake

log = structlog.get_logger(__name__)

MAX_MEDIA = 25 * 1024 * 1024


def _media_key(auth_token: str) -> bytes:
    return hmac.new(auth_token.encode(), b"concierge-media-links", hashlib.sha256).digest()


async def _fetch_limited(session: aiohttp.ClientSession, url: str, **options: Any) -> tuple[bytes, str]:
    async with session.get(url, **options) as response:
        response.raise_for_status()
        chunks, size = [], 0
        async for chunk in response.content.iter_chunked(1 << 16):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_MEDIA:  # enough to tell "too large" without holding all of it
                break
        return b"".join(chunks), response.headers.get("Content-Type", "")


def whatsapp_ctx(start_workers: bool):
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        tw = settings.twilio
        runtime: TelegramRuntime | None = app.get(TELEGRAM)
        if not tw.enabled or runtime is None:
            if tw.enabled:
                log.warning("whatsapp.disabled", reason="the staff forum needs TELEGRAM_BOT_TOKEN")
            yield
            return
        deps, token = runtime.deps, tw.twilio_auth_token.get_secret_value()
        public = settings.http.public_base_url
        key = _media_key(token)

        def media_url(payload: dict[str, Any]) -> str:
            expires = int((deps.clock.now() + timedelta(seconds=LIFETIME_SECONDS)).timestamp())
            return f"{public}/media/{sign(key, payload['file_id'], expires)}"

        sender = WhatsAppSender(
            tw.twilio_account_sid,
            token,
            tw.twilio_whatsapp_from,
            tw.twilio_api_base,
            f"{public}/webhooks/twilio/status",
            media_url,
        )
        hooks = WhatsAppHooks(
            window_open=partial(whatsapp_flow.window_open, deps),
            window_closed=partial(
                whatsapp_flow.window_closed, deps, template_sid=tw.twilio_template_reopen_sid
            ),
            uncertain=partial(whatsapp_flow.uncertain, deps),
            refused=partial(whatsapp_flow.refused, deps),
        )
        worker = WhatsAppDeliveryWorker(deps.store.deliveries, sender, deps.clock, hooks)
        runtime.whatsapp_worker = worker
        deps.wake_senders.append(worker.wake.set)

        async def handle(item: InboxItem) -> None:
            await whatsapp_flow.message(deps, item.payload, item.id)

        runtime.inbox_worker.register("whatsapp", handle)

        async def store(params: dict[str, str]) -> bool:
            new = await deps.store.inbox.put(
                f"wa:{params['MessageSid']}", "whatsapp", f"wa:{params['From']}", params
            )
            runtime.inbox_worker.wake.set()
            return new

        app[TWILIO_INTAKE] = TwilioIntake(
            RequestValidator(token), public, store, partial(whatsapp_flow.status, deps)
        )
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        twilio_auth = {"Authorization": aiohttp.encode_basic_auth(tw.twilio_account_sid, token)}
        runtime.sender.fetch_media = partial(_fetch_limited, session, headers=twilio_auth)

        async def telegram_file(file_id: str) -> tuple[bytes, str]:
            file = await runtime.bot.get_file(file_id)
            content = await runtime.bot.download_file(file.file_path)
            guessed = mimetypes.guess_type(file.file_path or "")[0]
            return content.read(), guessed or "application/octet-stream"

        app[MEDIA_SOURCE] = MediaSource(key, deps.clock.now, telegram_file)
        tasks = Background()
        if start_workers:
            tasks.spawn(worker.run(tasks.stopping), "whatsapp-deliveries")
        try:
            yield
        finally:
            await tasks.stop()
            await sender.close()
            await session.close()

    return ctx
