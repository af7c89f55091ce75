"""A call's next steps as TwiML, built with the SDK's VoiceResponse: say (each sentence in its language's
voice), ring an assistant (the concierge number as caller id, 20 seconds, every leg's states reported), or
take a voicemail of at most two minutes; nothing more to do: hang up."""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, VoiceResponse

from domain.calls import VOICES, Answer

RING_SECONDS = 20
VOICEMAIL_SECONDS = 120
LEG_EVENTS = "initiated ringing answered completed"


def render(answer: Answer) -> str:
    response = VoiceResponse()
    for spoken in answer.say:
        voice, code = VOICES[spoken.language]
        response.say(spoken.text, voice=voice, language=code)
    if answer.ring is not None:
        ring = answer.ring
        recorded = (
            {
                "record": "record-from-answer-dual",
                "recording_status_callback": ring.recording_callback,
                "recording_status_callback_event": "completed",
            }
            if ring.recording_callback
            else {}
        )
        dial = Dial(
            caller_id=ring.caller_id,
            timeout=RING_SECONDS,
            answer_on_bridge=True,
            action=ring.action,
            method="POST",
            **recorded,
        )
        dial.number(
            ring.number,
            status_callback=ring.status_callback,
            status_callback_event=LEG_EVENTS,
            status_callback_method="POST",
        )
        response.append(dial)
    elif answer.voicemail is not None:
        response.record(
            max_length=VOICEMAIL_SECONDS,
            play_beep=True,
            action=answer.voicemail.action,
            method="POST",
            recording_status_callback=answer.voicemail.recording_callback,
            recording_status_callback_event="completed",
            recording_status_callback_method="POST",
        )
    else:
        response.hangup()
    return str(response)
