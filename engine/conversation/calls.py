"""A client calls the concierge number: the call is one more way into the same conversation. The caller is
found by their number (or becomes a client named by it), greeted in their language, and their assistant's
phone rings, then the next present assistant who speaks the language (a lead last), then voicemail. Every step
is an event in the call's stream (`call:<CallSid>`, naming the client), caused by the CallSid: a retried
webhook gets the same answer and changes nothing."""

from __future__ import annotations

from typing import Any

from domain.calls import (
    ANSWERED,
    ENDED,
    RANKS,
    WITHHELD_LANGUAGE,
    Answer,
    Ring,
    Spoken,
    VoiceLine,
    Voicemail,
    caller_language,
    duration_text,
    moves_forward,
    seconds,
    withheld,
)
from domain.clients import Assistant, Client, Language
from domain.events import SYSTEM, Actor, ActorKind, Event, EventType
from domain.phones import to_e164
from engine import queries as q
from engine.clients.registry import choose, claim_for, client_actor, client_number
from engine.conversation import call_back, callers, voicemail_text, withheld_calls
from engine.deps import Deps
from engine.forum.topics import ensure_topic, staff_chat_for, tell_topic
from engine.outbox import to_topic_upload
from engine.staff_texts import for_client, language_of


async def _call(deps: Deps, sid: str) -> Event | None:
    """How a call began (inbound or placed by /call): the first event of its stream."""
    first = await deps.store.events.read(f"call:{sid}")
    return first[0] if first and first[0].type is EventType.CALL_RECEIVED else None


async def ringing_order(deps: Deps, own: str | None, language: Language | None) -> list[Assistant]:
    """Whose phones ring, in turn: the client's assistant (`own`), then present assistants who speak the
    client's language (the fewest open conversations first, leads last). Only active assistants with a
    phone."""
    now, load = deps.clock.now(), await q.open_load(deps.store)
    team = [a for a in await q.assistants(deps.store) if a.active and a.phone]
    others = [a for a in team if a.id != own and a.present_at(now) and a.speaks(language)]
    others.sort(key=lambda a: (a.lead, load.get(a.id, 0), a.id))
    return [a for a in team if a.id == own] + others


async def incoming(deps: Deps, line: VoiceLine, form: dict[str, str]) -> Answer:
    """What a new call is told to do; the same to the same CallSid: nothing is read first (the caller waits in
    silence), a retry decides again and its record finds the first one's, which is answered. A new number is
    answered before it is registered: the call names the id its claim drew and the assistant who will take
    them (their phone rings first); the registration follows through the inbox, or whichever of the call's
    callbacks comes first (`_client`)."""
    sid, cause = form["CallSid"], f"voice:{form['CallSid']}"
    if withheld(form["From"]):  # an unknown caller: nobody's client
        return await _answer(deps, line, await withheld_calls.received(deps, form), WITHHELD_LANGUAGE)
    number = to_e164(form["From"])
    data: dict[str, Any] = {"call_sid": sid, "direction": "inbound"}
    client = await callers.known(deps, number)
    if client is None:  # a new number, or one a twin (or an attempt before a crash) claimed a moment ago
        data["client_id"], client = await claim_for(deps, f"phone:{number}")
    if client is not None:
        data["client_id"], language = client.id, _language(client)
        order = await ringing_order(deps, client.assistant_id, client.language)
    else:  # (not registered yet: who takes them is chosen now, and the registration assigns them)
        language = caller_language(number)
        chosen = await choose(deps, language, turn=client_number(data["client_id"]))  # (no draw: its id's)
        data["assigns"] = chosen.id if chosen else None
        order = await ringing_order(deps, data["assigns"], language)
    data["ring"] = [a.id for a in order]
    received = (
        await deps.record(
            f"call:{sid}",
            EventType.CALL_RECEIVED,
            data,
            client_actor(data["client_id"]),
            f"{cause}/received",
            expected_seq=0,  # the call's first event: no head to read
        )
    ).event
    return await _answer(deps, line, received, language)


async def told(deps: Deps, sid: str) -> None:
    """The topic hears of a call that came in: the caller registered when they were new, the conversation
    opened, the topic asked for when there is none, a line naming whose phone rings first. After the answer,
    through the inbox (the caller hears silence until the answer goes); again when the call ends, as a repair
    for a crash between the answer's record and the inbox: idempotent, by the call's causes and the
    delivery's id."""
    received = await _call(deps, sid)
    if received is None or received.data.get("direction") != "inbound" or not received.data.get("client_id"):
        return  # (placed by /call, or a withheld number: told as they come, by their own flows)
    client = await callers.of_call(deps, received)
    if client is None:
        return
    if not client.conversation_open:
        await deps.record(
            f"client:{client.id}", EventType.CONVERSATION_OPENED, {}, SYSTEM, f"voice:{sid}/open"
        )
        client = await q.known_client(deps.store, client.id)
    await ensure_topic(deps, client)
    ring = received.data.get("ring") or []
    first = (await q.assistant(deps.store, ring[0])) if ring else None
    name = first.name if first else None
    await tell_topic(
        deps,
        client,
        received,
        lambda t: t("call-incoming", client=client.name, assistant=name or t("call-voicemail-only")),
    )


def _language(client: Client) -> Language:
    return client.language or caller_language(client.phone or "")


async def _answer(deps: Deps, line: VoiceLine, received: Event, language: Language) -> Answer:
    ring_ids: list[str] = received.data["ring"]
    order = [a for i in ring_ids if (a := await q.assistant(deps.store, i)) and a.active and a.phone]
    said = []
    if order:
        greeting = deps.t(language, "voice-greeting", assistant=order[0].name.split()[0])
        said.append(Spoken(greeting, language))
    if line.recording:
        said.append(Spoken(deps.t(language, "voice-recording-notice"), language))
    if not order:  # nobody's phone can ring: straight to voicemail
        said.append(Spoken(deps.t(language, "voice-voicemail-prompt"), language))
        return Answer(tuple(said), voicemail=Voicemail(line.voicemail_action, line.recording_status))
    return Answer(tuple(said), ring=_ring(line, order[0], ring_ids))


def _ring(line: VoiceLine, who: Assistant, ring_ids: list[str]) -> Ring:
    """Ring `who`, one of the ring order's assistants that have a phone (the leg is their place in it)."""
    if who.phone is None:
        raise ValueError(f"assistant {who.id} is in the ring order without a phone")
    return line.ring(who.phone, ring_ids.index(who.id))


async def dialled(deps: Deps, line: VoiceLine, leg: int, form: dict[str, str]) -> Answer:
    """How ringing one assistant ended (the <Dial> action): answered → a line in the topic and goodbye;
    otherwise the next phone, then voicemail."""
    sid = form["CallSid"]
    received = await _call(deps, sid)
    if received is None:
        return Answer()  # not a call of ours: hang up
    client = await callers.of_call(deps, received)
    ring_ids: list[str] = received.data["ring"]
    status, talked_for = form.get("DialCallStatus", "failed"), seconds(form, "DialCallDuration")
    who = ring_ids[leg] if 0 <= leg < len(ring_ids) else None
    ended = (
        await deps.record(
            f"call:{sid}",
            EventType.CALL_LEG_ENDED,
            {
                "leg": leg,
                "assistant_id": who,
                "status": status,
                "seconds": talked_for,
                "client_id": received.data["client_id"],
            },
            SYSTEM,
            f"voice:{sid}/leg{leg}",
        )
    ).event
    assistant = await q.assistant(deps.store, who)
    if status in ANSWERED and assistant is not None and client is None:
        await withheld_calls.answered(deps, ended, assistant, talked_for)
        return Answer()
    if status in ANSWERED and assistant is not None and client is not None:  # (a withheld caller: above)
        talked = (
            await deps.record(  # the client's own stream: they were answered (the clock stops)
                f"conversation:{client.id}",
                EventType.CALL_ANSWERED,
                {"call_sid": sid, "assistant_id": assistant.id, "seconds": talked_for},
                Actor(ActorKind.ASSISTANT, assistant.id),
                f"voice:{sid}/answered",
            )
        ).event
        await tell_topic(
            deps,
            client,
            talked,
            lambda t: t(
                "call-answered", assistant=assistant.name, length=duration_text(talked_for, language_of(t))
            ),
        )
        return Answer()
    if received.data.get("direction") == "outbound" and client is not None:  # /call: no pick-up
        return await call_back.unanswered(deps, client, ended, status)
    following = [
        a for i in ring_ids[leg + 1 :] if (a := await q.assistant(deps.store, i)) and a.active and a.phone
    ]
    if following:
        nxt = following[0]
        name = assistant.name if assistant else "—"
        if client is not None:
            await tell_topic(deps, client, ended, lambda t: t("call-next", assistant=name, next=nxt.name))
        return Answer(ring=_ring(line, nxt, ring_ids))
    language = _language(client) if client is not None else WITHHELD_LANGUAGE
    if client is not None:
        await tell_topic(deps, client, ended, lambda t: t("call-to-voicemail"))
    prompt = Spoken(deps.t(language, "voice-voicemail-prompt"), language)
    return Answer((prompt,), voicemail=Voicemail(line.voicemail_action, line.recording_status))


async def voicemail_left(deps: Deps, form: dict[str, str]) -> Answer:
    """The caller hung up after (or instead of) a message: a missed call, waiting for an answer like a
    message would (the first-response clock starts)."""
    sid = form["CallSid"]
    received = await _call(deps, sid)
    if received is not None and received.data["client_id"] is None:
        await withheld_calls.missed(deps, form)
    elif received is not None and (client := await callers.of_call(deps, received)) is not None:
        client_id = received.data["client_id"]
        length = seconds(form, "RecordingDuration")
        missed = (
            await deps.record(
                f"conversation:{client_id}",
                EventType.CALL_MISSED,
                {"call_sid": sid, "voicemail_seconds": length},
                client_actor(client_id),
                f"voice:{sid}/missed",
            )
        ).event
        if not form.get("RecordingUrl"):  # (a voicemail is posted, with this line, when it is ready)
            await tell_topic(deps, client, missed, lambda t: t("call-missed"))
    return Answer()


async def leg_status(deps: Deps, form: dict[str, str], cause: str) -> None:
    """A leg's state, kept only when it moves forward (callbacks arrive late and out of order: a `ringing`
    after `completed` changes nothing). The call's state is the furthest one recorded. `cause`: the stored
    callback's id (one per leg and state), so processing it again records nothing new."""
    parent = form.get("ParentCallSid") or form["CallSid"]
    if await _call(deps, parent) is None:
        return
    leg, state = form["CallSid"], form["CallStatus"]
    if leg == parent and state in ENDED:
        await told(deps, parent)  # (a repair, once a call: told before what became of it, crash or not)
        await _missed_if_unanswered(deps, parent)
    known = [
        e.data["state"]
        for e in await deps.store.events.read(f"call:{parent}")
        if e.type is EventType.CALL_LEG_STATUS and e.data["leg_sid"] == leg
    ]
    current = max(known, key=lambda s: RANKS.get(s, -1)) if known else None
    if not moves_forward(current, state):
        return
    await deps.record(
        f"call:{parent}",
        EventType.CALL_LEG_STATUS,
        {"leg_sid": leg, "state": state, "seconds": seconds(form, "CallDuration")},
        SYSTEM,
        cause,
    )


async def _missed_if_unanswered(deps: Deps, sid: str) -> None:
    """The client's call ended unanswered without a voicemail callback (they hung up while it rang): a missed
    call all the same, the clock started as for one left on voicemail — once, by the same cause, whichever of
    this and a later voicemail callback comes first."""
    received = await _call(deps, sid)
    if received is None or received.data.get("direction") != "inbound" or not received.data.get("client_id"):
        return
    for outcome in ("answered", "missed"):
        if await deps.store.events.by_cause(f"voice:{sid}/{outcome}") is not None:
            return
    client = await callers.of_call(deps, received)
    if client is None:
        return
    missed = (
        await deps.record(
            f"conversation:{client.id}",
            EventType.CALL_MISSED,
            {"call_sid": sid, "voicemail_seconds": 0},
            client_actor(client.id),
            f"voice:{sid}/missed",
        )
    ).event
    await tell_topic(deps, client, missed, lambda t: t("call-missed"))


async def recording(deps: Deps, form: dict[str, str], cause: str) -> None:
    """A voicemail (or, with CALL_RECORDING=on, a conversation) is ready: kept once by `cause` (the stored
    callback's id: a retried callback, or one processed again, changes nothing) and posted into the topic as
    audio, fetched from Twilio with the account's credentials when it is sent."""
    sid = form["CallSid"]
    received = await _call(deps, sid)
    url = form.get("RecordingUrl") or ""
    if received is None or not url:
        return
    if received.data["client_id"] is None:
        await withheld_calls.voicemail(deps, form, url, cause)
        return
    client = await callers.of_call(deps, received)
    if client is None:
        return
    recorded_for = seconds(form, "RecordingDuration")
    conversation = form.get("RecordingSource") == "DialVerb"  # (a voicemail comes from RecordVerb)
    kept = (
        await deps.record(
            f"conversation:{client.id}",
            EventType.VOICEMAIL_RECORDED,
            {
                "call_sid": sid,
                "recording_sid": form["RecordingSid"],
                "seconds": recorded_for,
                "conversation": conversation,
            },
            client_actor(client.id),
            cause,
        )
    ).event
    staff_chat = await staff_chat_for(deps, client)
    if staff_chat is None:
        return
    t = await for_client(deps, client)
    length = f"{recorded_for // 60}:{recorded_for % 60:02d}"
    caption = t("call-recorded", length=length) if conversation else t("call-missed-voicemail", length=length)
    await deps.deliver(to_topic_upload(kept, 0, staff_chat, client.id, f"{url}.mp3", "audio/mpeg", caption))
    # in writing under it; a call is recorded in two channels (record-from-answer-dual), recognised as
    # Twilio mixes it into one (RequestedChannels=1): SpeechKit's synchronous recognition takes one channel
    heard = f"{url}.mp3?RequestedChannels=1" if conversation else f"{url}.mp3"
    await voicemail_text.write_down(deps, client, kept, heard, recorded_for, cause)
