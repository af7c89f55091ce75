"""A voicemail — or, with CALL_RECORDING=on, a recorded call — in writing: the recording recognised
(deps.speech) and its words put in the topic under the audio — translated, with the words as said folded
beneath, when the assistant does not read the client's language (as their messages are). The words are kept as
an event (personal: erased with the client), once."""

from __future__ import annotations

from domain.clients import Client
from domain.errors import Unavailable
from domain.events import SYSTEM, Event, EventType
from engine.conversation import interpreting
from engine.deps import Deps
from engine.forum.topics import staff_chat_for, tell_topic
from engine.outbox import to_topic
from engine.staff_texts import for_client


async def write_down(
    deps: Deps, client: Client, kept: Event, audio_url: str, seconds: int, cause: str
) -> None:
    """`kept`: the VoicemailRecorded (of a voicemail or a call); `cause`: its recording callback's (a retry
    finds the words kept)."""
    if deps.speech is None:
        return
    call = bool(kept.data.get("conversation"))
    done = await deps.store.events.by_cause(f"{cause}/written")
    if done is None:
        language = client.language.value if client.language else None
        try:
            words = await deps.speech.transcribe(audio_url, seconds, language)
        except (Unavailable, LookupError, OSError) as error:
            reason = str(error) if isinstance(error, Unavailable) else type(error).__name__
            await tell_topic(
                deps,
                client,
                kept,
                lambda t: (
                    t("call-not-written", reason=reason)
                    if call
                    else t("voicemail-not-written", reason=reason)
                ),
                2,
            )
            return
        data = {"of": kept.seq, "text": words, "provider": deps.speech.recognizer.name}
        done = (
            await deps.record(kept.stream, EventType.VOICEMAIL_TRANSCRIBED, data, SYSTEM, f"{cause}/written")
        ).event
    words = done.data["text"]
    if not words:
        await tell_topic(
            deps, client, done, lambda t: t("call-no-words" if call else "voicemail-no-words"), 0
        )
        return
    staff_chat = await staff_chat_for(deps, client)
    if staff_chat is None:
        return
    translated = await interpreting.for_assistant(deps, client, done, words)
    t = await for_client(deps, client)
    if translated is None:
        await deps.deliver(to_topic(done, 0, staff_chat, client.id, t("voicemail-written", text=words)))
        return
    line = t("voicemail-written", text=translated.text)
    await deps.deliver(to_topic(done, 0, staff_chat, client.id, line, folded=words))
