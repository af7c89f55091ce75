"""Twilio webhooks: X-Twilio-Signature checked against the public URL and every form field, then
POST /webhooks/twilio/whatsapp stores the message (once per MessageSid) and answers empty TwiML at once;
POST /webhooks/twilio/status stores a status callback (once per MessageSid and status) for the inbox.
The voice callbacks Twilio waits on for TwiML (the call, a dial result, the voicemail, /call's bridge) are
answered at once from the store; a call's state and a recording owe no answer: stored, then 204."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import parse_qsl

import structlog
from aiohttp import web
from twilio.request_validator import RequestValidator

from domain.calls import check_callback
from domain.errors import InvalidValue
from domain.payloads import check_storable
from webhooks.bodies import MAX_FORM_FIELDS, TWILIO_MAX, TooLarge, read_bounded
from webhooks.errors import error

log = structlog.get_logger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class Signatures:
    """Twilio's signature with the auth token, or while it is being rotated with the previous one too: a
    request signed by either is Twilio's (outbound calls use the current token only)."""

    def __init__(self, token: str, previous: str | None = None) -> None:
        self._validators = [RequestValidator(each) for each in (token, previous) if each]

    def validate(self, url: str, params: dict[str, str], signature: str) -> bool:
        return any(validator.validate(url, params, signature) for validator in self._validators)


@dataclass(frozen=True)
class TwilioIntake:
    validator: Signatures
    public_base_url: str
    store: Callable[[dict[str, str]], Awaitable[bool]]  # an inbound message → True when new
    check: Callable[[dict[str, str]], object]  # InvalidValue when a message cannot be read
    status: Callable[[dict[str, str]], Awaitable[bool]]  # a status callback → True when new


TWILIO_INTAKE = web.AppKey("twilio_intake", TwilioIntake)


@dataclass(frozen=True)
class VoiceIntake:
    """Calls: a callback Twilio waits on is answered with TwiML made from the store at once; a leg's state and
    a recording are only stored (once each) for the inbox, and acknowledged."""

    validator: Signatures
    public_base_url: str
    incoming: Callable[[dict[str, str]], Awaitable[str]]  # a new call (or the same CallSid again)
    dialled: Callable[[int, dict[str, str]], Awaitable[str]]  # how ringing leg N ended
    voicemail: Callable[[dict[str, str]], Awaitable[str]]  # the caller hung up after the tone
    status: Callable[[dict[str, str]], Awaitable[bool]]  # a leg's state, stored → True when new
    recording: Callable[[dict[str, str]], Awaitable[bool]]  # a recording is ready, stored → True when new
    bridge: Callable[[dict[str, str]], Awaitable[str]]  # /call: the assistant answered, now the client


VOICE_INTAKE = web.AppKey("voice_intake", VoiceIntake)


def _forbidden(request: web.Request) -> web.Response:
    return error(request, 403, "forbidden", "bad or missing X-Twilio-Signature")


class _Refused(Exception):
    def __init__(self, response: web.Response) -> None:
        self.response = response


Intake = TypeVar("Intake", TwilioIntake, VoiceIntake)  # messages and calls are verified alike


async def _verified(request: web.Request, key: web.AppKey[Intake]) -> tuple[Intake, dict[str, str]]:
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
    # behind a proxy the URL we see differs from the one Twilio signed: always the public one; Twilio signs
    # the URL as it was given (`%23` stays encoded), so the raw path is checked first
    signature = request.headers.get("X-Twilio-Signature", "")
    urls = dict.fromkeys(intake.public_base_url + path for path in (request.raw_path, request.path_qs))
    if not any(intake.validator.validate(url, params, signature) for url in urls):
        log.warning("twilio.rejected", path=request.path)
        raise _Refused(_forbidden(request))
    try:
        check_storable(params)
    except InvalidValue as problem:
        raise _Refused(error(request, 400, "bad_request", str(problem))) from None
    return intake, params


async def whatsapp(request: web.Request) -> web.Response:
    try:
        intake, params = await _verified(request, TWILIO_INTAKE)
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
        intake, params = await _verified(request, TWILIO_INTAKE)
    except _Refused as refused:
        return refused.response
    if not params.get("MessageSid") or not params.get("MessageStatus"):
        return error(request, 400, "bad_request", "not a status")
    new = await intake.status(params)
    log.info("twilio.status_stored", duplicate=not new)
    return web.Response(status=204)


def _voice(
    required: tuple[str, ...],
    what: str,
    answer: Callable[[VoiceIntake, web.Request, dict[str, str]], Awaitable[object]],
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A voice callback: signed, its fields there, then answered with TwiML (text), or stored for the inbox
    (True when new, False for a repeat) and acknowledged."""

    async def handler(request: web.Request) -> web.Response:
        try:
            intake, params = await _verified(request, VOICE_INTAKE)
        except _Refused as refused:
            return refused.response
        if any(not params.get(name) for name in required):
            return error(request, 400, "bad_request", f"not {what}")
        try:
            check_callback(params)
        except InvalidValue as problem:
            return error(request, 400, "bad_request", str(problem))
        said = await answer(intake, request, params)
        if isinstance(said, str):
            return web.Response(text=said, content_type="text/xml")
        log.info("twilio.voice_stored", path=request.path, duplicate=said is False)
        return web.Response(status=204)

    return handler


async def _dialled(intake: VoiceIntake, request: web.Request, params: dict[str, str]) -> str:
    leg = request.query.get("leg", "")
    if not leg.isdigit() or int(leg) > 20:
        raise web.HTTPBadRequest(text="not a dial result")
    return await intake.dialled(int(leg), params)


def setup(app: web.Application) -> None:
    voice = "/webhooks/twilio/voice"
    app.router.add_post(voice, _voice(("CallSid", "From"), "a call", lambda i, _r, p: i.incoming(p)))
    app.router.add_post(f"{voice}/dial", _voice(("CallSid",), "a dial result", _dialled))
    app.router.add_post(f"{voice}/voicemail", _voice(("CallSid",), "a call", lambda i, _r, p: i.voicemail(p)))
    app.router.add_post(f"{voice}/bridge", _voice(("CallSid",), "a call", lambda i, _r, p: i.bridge(p)))
    app.router.add_post(
        f"{voice}/status", _voice(("CallSid", "CallStatus"), "a call status", lambda i, _r, p: i.status(p))
    )
    app.router.add_post(
        f"{voice}/recording",
        _voice(("CallSid", "RecordingSid"), "a recording", lambda i, _r, p: i.recording(p)),
    )
    app.router.add_post("/webhooks/twilio/whatsapp", whatsapp)
    app.router.add_post("/webhooks/twilio/status", status)
