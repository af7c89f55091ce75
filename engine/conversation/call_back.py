"""Calling a client back: /call in their topic rings the assistant's phone first and, when they answer,
connects them to the client, who sees the concierge number. A client who does not answer is told to the
assistant on the line and in the topic (no voicemail: that is for callers)."""

from __future__ import annotations

from domain.calls import Answer, Spoken, VoiceLine
from domain.clients import Client, Language
from domain.errors import InvalidValue
from domain.events import Event, EventType
from engine import queries as q
from engine.deps import Deps
from engine.forum.topics import tell_topic
from engine.invocation import Invocation
from engine.staff_texts import st


async def call_client(deps: Deps, cmd: Invocation) -> None:
    """/call in a client's topic: the assistant's phone rings first, and when they answer Twilio connects
    them to the client, who sees the concierge number. Placed once: a command processed again after a crash
    never calls twice (an attempt whose outcome was lost is told, not repeated)."""
    client, assistant = cmd.client, cmd.assistant
    phone = deps.calls
    if phone is None:
        raise InvalidValue("Calls are not configured (TWILIO_VOICE_NUMBER).", key="calls-off")
    if not client.phone:
        raise InvalidValue(
            f"{client.name} has no phone number on file.", key="call-no-client-phone", client=client.name
        )
    if not assistant.phone:
        raise InvalidValue("Your phone is not on file: concierge staff set-phone.", key="call-no-own-phone")
    if await deps.store.events.by_cause(f"{cmd.cause}/placed") is not None:
        return  # placed before a crash; what followed is told by the call's own callbacks
    if await deps.store.events.by_cause(f"{cmd.cause}/call") is not None:
        await tell_topic(deps, client, cmd.recorded, lambda t: t("call-uncertain"), 2)
        return
    asked = (
        await deps.record(
            f"conversation:{client.id}",
            EventType.CALL_REQUESTED,
            {"assistant_id": assistant.id},
            cmd.actor,
            f"{cmd.cause}/call",
        )
    ).event
    sid = await phone.place(assistant.phone, phone.line.bridge(asked.id))
    placed = (
        await deps.record(
            f"call:{sid}",
            EventType.CALL_RECEIVED,
            {"call_sid": sid, "client_id": client.id, "ring": [assistant.id], "direction": "outbound"},
            cmd.actor,
            f"{cmd.cause}/placed",
        )
    ).event
    await tell_topic(
        deps, client, placed, lambda t: t("call-outbound", assistant=assistant.name, client=client.name), 1
    )


async def bridge(deps: Deps, line: VoiceLine, form: dict[str, str]) -> Answer:
    """The assistant answered /call: connect them to the client (who sees the concierge number)."""
    placed = await deps.store.events.by_cause(f"voice:{form['CallSid']}/received")
    if placed is None:
        placed = next(
            (
                e
                for e in await deps.store.events.read(f"call:{form['CallSid']}")
                if e.type is EventType.CALL_RECEIVED
            ),
            None,
        )
    client = await q.client(deps.store, placed.data["client_id"]) if placed else None
    if client is None or not client.phone:
        return Answer()
    return Answer(ring=line.ring(client.phone, 0))


async def unanswered(deps: Deps, client: Client, ended: Event, status: str) -> Answer:
    """The client did not pick up (busy, no answer, failed): the assistant hears so, the topic says so."""
    assistant = await q.assistant(deps.store, ended.data["assistant_id"])
    await tell_topic(
        deps, client, ended, lambda t: t("call-client-no-answer", client=client.name, status=status)
    )
    language = Language(assistant.ui_language if assistant else "en")
    return Answer((Spoken(st(assistant, "voice-client-no-answer", client=client.name), language),))
