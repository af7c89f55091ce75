"""A caller who withholds their number (Twilio's From: `anonymous`, `restricted`, `+266696687`) is nobody's
client, so none is made: they are greeted in English, rung through to a present assistant who speaks it (a
lead last), and the call's outcome is one notice in ⚠️ Escalations — answered, missed, or its voicemail.
Every event stays in the call's own stream (`call:<CallSid>`, no client)."""

from __future__ import annotations

from domain.calls import WITHHELD_LANGUAGE, duration_text, seconds
from domain.clients import Assistant
from domain.events import SYSTEM, Event, EventType
from engine import queries as q
from engine.deps import Deps
from engine.forum.escalations import ESCALATIONS, ensure_forum_topic, tell_leads
from engine.outbox import to_forum_topic_upload
from engine.staff_texts import for_leads, language_of


async def ringing_order(deps: Deps) -> list[Assistant]:
    now, load = deps.clock.now(), await q.open_load(deps.store)
    team = [
        a
        for a in await q.assistants(deps.store)
        if a.active and a.phone and a.present_at(now) and a.speaks(WITHHELD_LANGUAGE)
    ]
    return sorted(team, key=lambda a: (a.lead, load.get(a.id, 0), a.id))


async def received(deps: Deps, form: dict[str, str]) -> Event:
    """The call, kept once per CallSid (a retried webhook finds it and gets the same answer)."""
    sid = form["CallSid"]
    order = await ringing_order(deps)
    return (
        await deps.record(
            f"call:{sid}",
            EventType.CALL_RECEIVED,
            {"call_sid": sid, "client_id": None, "ring": [a.id for a in order], "direction": "inbound"},
            SYSTEM,
            f"voice:{sid}/received",
            expected_seq=0,  # the call's first event (a retry finds the first one's by its cause)
        )
    ).event


async def answered(deps: Deps, ended: Event, assistant: Assistant, talked_for: int) -> None:
    await tell_leads(
        deps,
        None,
        ended,
        0,
        lambda t: t(
            "call-withheld-answered",
            assistant=assistant.name,
            length=duration_text(talked_for, language_of(t)),
        ),
    )


async def missed(deps: Deps, form: dict[str, str]) -> None:
    """The caller hung up after the tone: told when the voicemail is ready, or now when there is none."""
    sid = form["CallSid"]
    event = (
        await deps.record(
            f"call:{sid}",
            EventType.CALL_MISSED,
            {"call_sid": sid, "voicemail_seconds": seconds(form, "RecordingDuration")},
            SYSTEM,
            f"voice:{sid}/missed",
        )
    ).event
    if not form.get("RecordingUrl"):
        await tell_leads(deps, None, event, 0, lambda t: t("call-withheld-missed"))


async def voicemail(deps: Deps, form: dict[str, str], url: str, cause: str) -> None:
    """Posted into ⚠️ Escalations as audio, once by `cause` however often Twilio retries."""
    sid, recorded_for = form["CallSid"], seconds(form, "RecordingDuration")
    kept = (
        await deps.record(
            f"call:{sid}",
            EventType.VOICEMAIL_RECORDED,
            {"call_sid": sid, "recording_sid": form["RecordingSid"], "seconds": recorded_for},
            SYSTEM,
            cause,
        )
    ).event
    chat = deps.staff_chat_id
    if chat is None:
        return
    t = await for_leads(deps)
    length = f"{recorded_for // 60}:{recorded_for % 60:02d}"
    conversation = form.get("RecordingSource") == "DialVerb"  # CALL_RECORDING=on: the talk, not a voicemail
    caption = t("call-recorded" if conversation else "call-withheld-voicemail", length=length)
    await ensure_forum_topic(deps, chat, ESCALATIONS)
    await deps.deliver(to_forum_topic_upload(kept, 0, chat, ESCALATIONS, f"{url}.mp3", "audio/mpeg", caption))
