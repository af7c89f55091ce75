"""The phone: Twilio Programmable Voice on the concierge number (TWILIO_VOICE_NUMBER). Its webhooks answer
with TwiML made at once from the store (Twilio waits for it), within the webhook's store deadline."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from twilio.request_validator import RequestValidator

from bot.engine_runtime import ENGINE, answering_in_time
from bot.keys import SETTINGS
from channels.voice.caller import TwilioCaller
from channels.voice.twiml import render
from engine.conversation import call_back, calls
from webhooks.twilio import VOICE_INTAKE, VoiceIntake


async def voice_ctx(app: web.Application) -> AsyncIterator[None]:
    tw, http = app[SETTINGS].twilio, app[SETTINGS].http
    deps = app[ENGINE].deps
    if deps.calls is None:  # (decided when the engine was built: settings.voice_line)
        yield
        return
    line = deps.calls.line
    token = tw.twilio_auth_token.get_secret_value()
    caller = TwilioCaller(tw.twilio_account_sid, token, tw.twilio_api_base)
    deps.calls.connect(caller.call)

    async def incoming(form: dict[str, str]) -> str:
        with answering_in_time():
            return render(await calls.incoming(deps, line, form))

    async def dialled(leg: int, form: dict[str, str]) -> str:
        with answering_in_time():
            return render(await calls.dialled(deps, line, leg, form))

    async def voicemail(form: dict[str, str]) -> str:
        with answering_in_time():
            return render(await calls.voicemail_left(deps, form))

    async def status(form: dict[str, str]) -> None:
        with answering_in_time():
            await calls.leg_status(deps, form)

    async def recording(form: dict[str, str]) -> None:
        with answering_in_time():
            await calls.recording(deps, form)

    async def bridge(form: dict[str, str]) -> str:
        with answering_in_time():
            return render(await call_back.bridge(deps, line, form))

    app[VOICE_INTAKE] = VoiceIntake(
        RequestValidator(token), http.public_base_url, incoming, dialled, voicemail, status, recording, bridge
    )
    try:
        yield
    finally:
        await caller.close()
