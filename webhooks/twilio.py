"""Twilio webhooks: X-Twilio-Signature checked against the public URL and every form field, then
POST /webhooks/twilio/whatsapp stores the message (once per MessageSid) and answers empty TwiML at once;
POST /webhooks/twilio/status stores a status callback (once per MessageSid and status) for the inbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

import structlog
from aiohttp import web
from twilio.request_validator import RequestValidator

from domain.errors import InvalidValue
from domain.payloads import check_storable
from webhooks.bodies import MAX_FORM_FIELDS, TWILIO_MAX, TooLarge, read_bounded
from webhooks.errors import error

log = structlog.get_logger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@dataclass(frozen=True)
class TwilioIntake:
    validator: RequestValidator
    public_base_url: str
    store: Callable[[dict[str, str]], Awaitable[bool]]  # an inbound message → True when new
    check: Callable[[dict[str, str]], object]  # InvalidValue when a message cannot be read
    status: Callable[[dict[str, str]], Awaitable[bool]]  # a status callback → True when new


TWILIO_INTAKE = web.AppKey("twilio_intake", TwilioIntake)


@dataclass(frozen=True)
class VoiceIntake:
    """Calls: each callback is answered with TwiML made from the store at once (Twilio waits for it)."""

    validator: RequestValidator
    public_base_url: str
    incoming: Callable[[dict[str, str]], Awaitable[str]]  # a new call (or the same CallSid again)
    dialled: Callable[[int, dict[str, str]], Awaitable[str]]  # how ringing leg N ended
    voicemail: Callable[[dict[str, str]], Awaitable[str]]  # the caller hung up after the tone
    status: Callable[[dict[str, str]], Awaitable[None]]  # a leg's state
    recording: Callable[[dict[str, str]], Awaitable[None]]  # a voicemail is ready
    bridge: Callable[[dict[str, str]], Awaitable[str]]  # /call: the assistant answered, now the client


VOICE_INTAKE = web.AppKey("voice_intake", VoiceIntake)


def _forbidden(request: web.Request) -> web.Response:
    return error(request, 403, "forbidden", "bad or missing X-Twilio-Signature")


class _Refused(Exception):
    def __init__(self, response: web.Response) -> None:
        self.response = response


async def _verified(
    request: web.Request, key: web.AppKey = TWILIO_INTAKE
) -> tuple[TwilioIntake, dict[str, str]]:
    """The form, once its signature is checked over the public URL and every field; _Refused otherwise."""
    intake = request.app.get(key)
    if intake is None:
        raise web.HTTPNotFound(text="WhatsApp is not configured" if key is TWILIO_INTAKE else "calls are off")
    try:
        text = (await read_bounded(request, TWILIO_MAX)).decode("utf-8")
        params = dict(
            parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, errors="strict")
        )
    except TooLarge as problem:
        raise _Refused(error(request, 413, "too_large", str(problem))) from None
    except ValueError:  # not UTF-8 (Twilio signs text), or too many fields: it cannot be Twilio's
        raise _Refused(error(request, 400, "bad_request", "not a Twilio form")) from None
    # behind a proxy the URL we see differs from the one Twilio signed: always the public one
    url = intake.public_base_url + request.path_qs
    if not intake.validator.validate(url, params, request.headers.get("X-Twilio-Signature", "")):
        log.warning("twilio.rejected", path=request.path)
        raise _Refused(_forbidden(request))
    try:
        check_storable(params)
    except InvalidValue as problem:
        raise _Refused(error(request, 400, "bad_request", str(problem))) from None
    return intake, params


async def whatsapp(request: web.Request) -> web.Response:
    try:
        intake, params = await _verified(request)
    except _Refused as refused:
        return refused.response
    if not params.get("MessageSid") or not params.get("From"):
        return error(request, 400, "bad_request", "not a message")
    try:
        intake.check(params)
    except InvalidValue as problem:
        return error(request, 400, "bad_request", str(problem))
    new = await intake.store(params)
    log.info("twilio.stored", duplicate=not new)
    return web.Response(text=EMPTY_TWIML, content_type="text/xml")


async def status(request: web.Request) -> web.Response:
    try:
        intake, params = await _verified(request)
    except _Refused as refused:
        return refused.response
    if not params.get("MessageSid") or not params.get("MessageStatus"):
        return error(request, 400, "bad_request", "not a status")
    new = await intake.status(params)
    log.info("twilio.status_stored", duplicate=not new)
    return web.Response(status=204)


def _twiml(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/xml")


async def voice(request: web.Request) -> web.Response:
    try:
        intake, params = await _verified(request, VOICE_INTAKE)
    except _Refused as refused:
        return refused.response
    if not params.get("CallSid") or not params.get("From"):
        return error(request, 400, "bad_request", "not a call")
    return _twiml(await intake.incoming(params))


async def voice_dial(request: web.Request) -> web.Response:
    try:
        intake, params = await _verified(request, VOICE_INTAKE)
    except _Refused as refused:
        return refused.response
    leg = request.query.get("leg", "")
    if not params.get("CallSid") or not leg.isdigit() or int(leg) > 20:
        return error(request, 400, "bad_request", "not a dial result")
    return _twiml(await intake.dialled(int(leg), params))


async def voice_voicemail(request: web.Request) -> web.Response:
    try:
        intake, params = await _verified(request, VOICE_INTAKE)
    except _Refused as refused:
        return refused.response
    if not params.get("CallSid"):
        return error(request, 400, "bad_request", "not a call")
    return _twiml(await intake.voicemail(params))


async def voice_status(request: web.Request) -> web.Response:
    try:
        intake, params = await _verified(request, VOICE_INTAKE)
    except _Refused as refused:
        return refused.response
    if not params.get("CallSid") or not params.get("CallStatus"):
        return error(request, 400, "bad_request", "not a call status")
    await intake.status(params)
    return web.Response(status=204)


async def voice_recording(request: web.Request) -> web.Response:
    try:
        intake, params = await _verified(request, VOICE_INTAKE)
    except _Refused as refused:
        return refused.response
    if not params.get("CallSid") or not params.get("RecordingSid"):
        return error(request, 400, "bad_request", "not a recording")
    await intake.recording(params)
    return web.Response(status=204)


async def voice_bridge(request: web.Request) -> web.Response:
    try:
        intake, params = await _verified(request, VOICE_INTAKE)
    except _Refused as refused:
        return refused.response
    if not params.get("CallSid"):
        return error(request, 400, "bad_request", "not a call")
    return _twiml(await intake.bridge(params))


def setup(app: web.Application) -> None:
    app.router.add_post("/webhooks/twilio/voice/bridge", voice_bridge)
    app.router.add_post("/webhooks/twilio/voice", voice)
    app.router.add_post("/webhooks/twilio/voice/dial", voice_dial)
    app.router.add_post("/webhooks/twilio/voice/voicemail", voice_voicemail)
    app.router.add_post("/webhooks/twilio/voice/status", voice_status)
    app.router.add_post("/webhooks/twilio/voice/recording", voice_recording)
    app.router.add_post("/webhooks/twilio/whatsapp", whatsapp)
    app.router.add_post("/webhooks/twilio/status", status)
