"""Wires WhatsApp onto the engine: Twilio webhooks, the inbox handlers (messages normalised here, at the edge,
and status callbacks), the delivery worker, and WhatsApp's side of the media bridge."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import partial

import aiohttp
import structlog
from aiohttp import web

from bot.engine_runtime import ENGINE, EngineRuntime
from bot.keys import SETTINGS
from bot.signatures import twilio_signatures
from bot.workers.tasks import Background
from bot.workers.whatsapp_deliveries import WhatsAppDeliveryWorker, WhatsAppHooks
from channels.whatsapp.inbound import normalise
from channels.whatsapp.media import TwilioMedia
from channels.whatsapp.sender import WhatsAppSender
from engine.clients import page as client_page
from engine.conversation import whatsapp as whatsapp_flow
from storage.inbox import InboxItem
from webhooks import health
from webhooks.media import LIFETIME_SECONDS, MEDIA_SOURCE, MediaSource, sign
from webhooks.twilio import TWILIO_INTAKE, TwilioIntake

log = structlog.get_logger(__name__)

TWILIO_API = "https://api.twilio.com"
WHATSAPP = web.AppKey("whatsapp", WhatsAppDeliveryWorker)


def _media_key(auth_token: str) -> bytes:
    return hmac.new(auth_token.encode(), b"concierge-media-links", hashlib.sha256).digest()


async def _message(engine: EngineRuntime, item: InboxItem) -> None:
    person, inbound = normalise(item.payload)
    await whatsapp_flow.message(engine.deps, person, inbound, item.id)


async def _status(engine: EngineRuntime, item: InboxItem) -> None:
    form = item.payload
    await whatsapp_flow.status(
        engine.deps, form.get("MessageSid", ""), form.get("MessageStatus", ""), form.get("ErrorCode")
    )


def whatsapp_ctx(start_workers: bool):
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        tw = settings.twilio
        if not tw.enabled:
            yield
            return
        engine = app[ENGINE]
        deps, token = engine.deps, tw.twilio_auth_token.get_secret_value()
        public = settings.http.public_base_url
        key = _media_key(token)

        def media_url(file_id: str) -> str:
            expires = int((deps.clock.now() + timedelta(seconds=LIFETIME_SECONDS)).timestamp())
            return f"{public}/media/{sign(key, file_id, expires)}"

        sender = WhatsAppSender(
            tw.twilio_account_sid,
            token,
            tw.twilio_whatsapp_from,
            tw.twilio_api_base,
            f"{public}/webhooks/twilio/status",
            media_url,
            page_url=partial(client_page.page_url, deps),  # a client's one-time link, made as it is sent
        )
        hooks = WhatsAppHooks(
            window_open=partial(whatsapp_flow.window_open, deps),
            window_closed=partial(whatsapp_flow.window_closed, deps, templates=tw.reopen_templates),
            uncertain=partial(whatsapp_flow.uncertain, deps),
            refused=partial(whatsapp_flow.refused, deps),
            lapsed=partial(whatsapp_flow.lapsed, deps),
        )
        worker = WhatsAppDeliveryWorker(deps.store.deliveries, sender, deps.clock, hooks)
        app[WHATSAPP] = worker
        engine.add_sender(worker)
        engine.register("whatsapp", partial(_message, engine))
        engine.register("twilio-status", partial(_status, engine))

        async def store_message(form: dict[str, str]) -> bool:
            return await engine.store_inbound(
                f"wa:{form['MessageSid']}", "whatsapp", f"wa:{form['From']}", form
            )

        async def store_status(form: dict[str, str]) -> bool:
            # one callback per message and status: a repeat is a duplicate, and statuses only move forward
            sid, state = form["MessageSid"], form["MessageStatus"]
            return await engine.store_inbound(
                f"wa-status:{sid}:{state}", "twilio-status", f"wa-status:{sid}", form
            )

        app[TWILIO_INTAKE] = TwilioIntake(
            twilio_signatures(tw), public, store_message, normalise, store_status
        )
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        media = TwilioMedia(session, tw.twilio_api_base or TWILIO_API, tw.twilio_account_sid, token)
        engine.media.whatsapp_media = media.fetch
        app[MEDIA_SOURCE] = MediaSource(key, deps.clock.now, engine.media.fetch_file)
        tasks = Background()
        if start_workers:
            tasks.spawn(worker.run(tasks.stopping), "whatsapp-deliveries")
        app[health.READINESS_CHECKS]["whatsapp"] = tasks.readiness
        try:
            yield
        finally:
            await tasks.stop()
            await sender.close()
            await session.close()

    return ctx
