"""The phone: Twilio Programmable Voice on the concierge number (TWILIO_VOICE_NUMBER). The webhooks Twilio
waits on answer with TwiML made at once from the store, within the webhook's store deadline; a leg's state and
a recording owe no answer, so they are stored in the inbox (once each) and processed by its handlers, in
arrival order per call: a crash after the 204 loses nothing, and a repeat records nothing twice."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from bot.engine_runtime import ENGINE, EngineRuntime, answering_in_time
from bot.keys import SETTINGS
from bot.signatures import twilio_signatures
from channels.voice.caller import TwilioCaller
from channels.voice.twiml import render
from engine.conversation import call_back, calls
from storage import step_reads
from storage.inbox import InboxItem
from webhooks.twilio import VOICE_INTAKE, VoiceIntake


def _lane(form: dict[str, str]) -> str:
    """One call's callbacks, its legs' too, are processed one after another, in the order they arrived (a late
    state is harmless: states only move forward)."""
    return f"call:{form.get('ParentCallSid') or form['CallSid']}"


def _status_id(form: dict[str, str]) -> str:
    """One callback per leg and state (a repeat is a duplicate); the id is the cause of what it records."""
    return f"voice-status:{form['CallSid']}:{form['CallStatus']}"


def _recording_id(form: dict[str, str]) -> str:
    return f"voice-recording:{form['RecordingSid']}"


def register(engine: EngineRuntime) -> None:
    """The inbox handlers, even with the phone off now: what was stored before a restart is finished."""

    async def status(item: InboxItem) -> None:
        await calls.leg_status(engine.deps, item.payload, item.id)

    async def came_in(item: InboxItem) -> None:
        await calls.told(engine.deps, item.payload["CallSid"])

    async def recording(item: InboxItem) -> None:
        await calls.recording(engine.deps, item.payload, item.id)

    engine.register("voice-call", came_in)
    engine.register("voice-status", status)
    engine.register("voice-recording", recording)


async def voice_ctx(app: web.Application) -> AsyncIterator[None]:
    tw, http = app[SETTINGS].twilio, app[SETTINGS].http
    engine = app[ENGINE]
    register(engine)
    deps = engine.deps
    if deps.calls is None:  # (decided when the engine was built: settings.voice_line)
        yield
        return
    line = deps.calls.line
    token = tw.twilio_auth_token.get_secret_value()
    caller = TwilioCaller(tw.twilio_account_sid, token, tw.twilio_api_base)
    deps.calls.connect(caller.call)

    async def incoming(form: dict[str, str]) -> str:
        with engine.admission.answering(), answering_in_time(), step_reads.step(share=True):
            answer = render(await calls.incoming(deps, line, form))
        # the topic is told through the inbox, so that the caller is answered first
        await engine.store_inbound(f"voice-call:{form['CallSid']}", "voice-call", _lane(form), form)
        return answer

    async def dialled(leg: int, form: dict[str, str]) -> str:
        with engine.admission.answering(), answering_in_time(), step_reads.step(share=True):
            return render(await calls.dialled(deps, line, leg, form))

    async def voicemail(form: dict[str, str]) -> str:
        with engine.admission.answering(), answering_in_time(), step_reads.step(share=True):
            return render(await calls.voicemail_left(deps, form))

    async def status(form: dict[str, str]) -> bool:
        return await engine.store_inbound(_status_id(form), "voice-status", _lane(form), form)

    async def recording(form: dict[str, str]) -> bool:
        return await engine.store_inbound(_recording_id(form), "voice-recording", _lane(form), form)

    async def bridge(form: dict[str, str]) -> str:
        with engine.admission.answering(), answering_in_time(), step_reads.step(share=True):
            return render(await call_back.bridge(deps, line, form))

    app[VOICE_INTAKE] = VoiceIntake(
        twilio_signatures(tw),
        http.public_base_url,
        incoming,
        dialled,
        voicemail,
        status,
        recording,
        bridge,
    )
    try:
        yield
    finally:
        await caller.close()
