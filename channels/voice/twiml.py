"""What Twilio is told to do with a call, as TwiML built with the SDK's VoiceResponse: greet the caller in
their language, ring an assistant (the concierge number as caller id, 20 seconds), and when nobody answers,
take a voicemail of at most two minutes. Callback URLs are the service's public ones (they are signed)."""

from __future__ import annotations

from dataclasses import dataclass

from twilio.twiml.voice_response import Dial, VoiceResponse

from domain.calls import VOICES
from domain.clients import Language

RING_SECONDS = 20
VOICEMAIL_SECONDS = 120
LEG_EVENTS = "initiated ringing answered completed"


@dataclass(frozen=True, slots=True)
class Spoken:
    """A sentence and the language it is in (the voice follows from it)."""

    text: str
    language: Language


def _say(response: VoiceResponse, spoken: Spoken) -> None:
    voice, code = VOICES[spoken.language]
    response.say(spoken.text, voice=voice, language=code)


def ring(say: list[Spoken], number: str, caller_id: str, action: str, status_callback: str) -> str:
    """Say what there is to say, then ring `number`; `action` hears how the ringing ended."""
    response = VoiceResponse()
    for spoken in say:
        _say(response, spoken)
    dial = Dial(
        caller_id=caller_id, timeout=RING_SECONDS, answer_on_bridge=True, action=action, method="POST"
    )
    dial.number(
        number,
        status_callback=status_callback,
        status_callback_event=LEG_EVENTS,
        status_callback_method="POST",
    )
    response.append(dial)
    return str(response)


def voicemail(prompt: Spoken, action: str, recording_callback: str) -> str:
    """Nobody answered: the caller leaves a message after the tone."""
    response = VoiceResponse()
    _say(response, prompt)
    response.record(
        max_length=VOICEMAIL_SECONDS,
        play_beep=True,
        action=action,
        method="POST",
        recording_status_callback=recording_callback,
        recording_status_callback_event="completed",
        recording_status_callback_method="POST",
    )
    return str(response)


def hang_up() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)
