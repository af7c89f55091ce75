"""Twilio webhooks: X-Twilio-Signature checked against the public URL and every form field, then
POST /webhooks/twilio/whatsapp stores the message (once per MessageSid) and answers empty TwiML at once;
POST /webhooks/twilio/status stores a status callback (once per MessageSid and status) for the inbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from aiohttp import web
from twilio.request_validator import RequestValidator

from webhooks.errors import error

log = structlog.get_logger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@dataclass(frozen=True)
class TwilioIntake:
    validator: RequestValidator
    public_base_url: str
    store: Callable[[dict[str, str]], Awaitable[bool]]  # an inbound message → True when new
    status: Callable[[dict[str, str]], Awaitable[bool]]  # a status callback → True when new


TWILIO_INTAKE = web.AppKey("twilio_intake", TwilioIntake)


def _forbidden(request: web.Request) -> web.Response:
    return error(request, 403, "forbidden", "bad or missing X-Twilio-Signature")


async def _verified(request: web.Request) -> tuple[TwilioIntake, dict[str, str]] | None:
    intake = request.app.get(TWILIO_INTAKE)
    if intake is None:
        raise web.HTTPNotFound(text="WhatsApp is not configured")
    form = await request.post()
    params = {key: str(value) for key, value in form.items()}
    # behind a proxy the URL we see differs from the one Twilio signed: always the public one
    url = intake.public_base_url + request.path_qs
    if not intake.validator.validate(url, params, request.headers.get("X-Twilio-Signature", "")):
        log.warning("twilio.rejected", path=request.path)
        return None
    return intake, params


async def whatsapp(request: web.Request) -> web.Response:
    verified = await _verified(request)
    if verified is None:
        return _forbidden(request)
    intake, params = verified
    if not params.get("MessageSid") or not params.get("From"):
        return error(request, 400, "bad_request", "not a message")
    new = await intake.store(params)
    log.info("twilio.stored", duplicate=not new)
    return web.Response(text=EMPTY_TWIML, content_type="text/xml")


async def status(request: web.Request) -> web.Response:
    verified = await _verified(request)
    if verified is None:
        return _forbidden(request)
    intake, params = verified
    if not params.get("MessageSid") or not params.get("MessageStatus"):
        return error(request, 400, "bad_request", "not a status")
    new = await intake.status(params)
    log.info("twilio.status_stored", duplicate=not new)
    return web.Response(status=204)


def setup(app: web.Application) -> None:
    app.router.add_post("/webhooks/twilio/whatsapp", whatsapp)
    app.router.add_post("/webhooks/twilio/status", status)
