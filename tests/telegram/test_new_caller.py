"""A new number is answered before it is registered: the call names the client id its claim drew and the
assistant who will take them (whose phone rings first); the registration follows through the inbox, or
through whichever of the call's callbacks comes first. Whatever order they come in, twice at once, or with the
service dead in between, there is one client, registered and assigned once, to the assistant who was rung."""

import asyncio

import pytest

from domain.events import EventType
from engine import queries as q
from engine.clients.registry import client_actor
from engine.conversation import callers, calls
from storage.claims import phone_claimed_for
from tests import reads
from tests.harness import Harness
from tests.telegram.test_calls import ANNA_PHONE, OMAR_PHONE, call_form, twilio, twiml
from tests.telegram.test_calls import phone as phone  # the fixture: the team of two with their phones

NEW = "+971500000077"


async def received(tg: Harness, sid: str) -> dict:
    (first,) = [e for e in await tg.store.events.read(f"call:{sid}") if e.type is EventType.CALL_RECEIVED]
    return first.data


async def the_one_client(tg: Harness, number: str, call: dict) -> None:
    """One client for the number: the id the call named, registered and assigned once, to whom it rang."""
    (client,) = await q.clients_with_phone(tg.store, number)
    assert client.id == call["client_id"] and client.assistant_id == call["assigns"] == call["ring"][0]
    assert client.language == "ar" and client.name == "+971•••••0077"
    kinds = [e.type for e in await tg.store.events.read(f"client:{client.id}")]
    assert kinds.count(EventType.CLIENT_REGISTERED) == kinds.count(EventType.CLIENT_ASSIGNED) == 1, kinds


async def died_after_the_answer(tg: Harness, sid: str) -> dict:
    """The call answered, then the service died before its inbox item was stored."""
    assert tg.engine.deps.calls is not None
    await calls.incoming(tg.engine.deps, tg.engine.deps.calls.line, call_form(sid, NEW))
    assert await tg.store.inbox.get(f"voice-call:{sid}") is None
    return await received(tg, sid)


async def test_a_new_number_is_answered_first_and_registered_after_through_the_inbox(phone: Harness) -> None:
    tg = phone
    root = await twiml(tg, "/webhooks/twilio/voice", call_form("CA50", NEW))
    say, dial = list(root)
    call = await received(tg, "CA50")
    rung = {"A-9001": ANNA_PHONE, "A-9002": OMAR_PHONE}[call["assigns"]]
    assert say.get("voice") == "Polly.Hala-Neural" and dial[0].text == rung  # in Arabic, their assistant
    assert await q.clients_with_phone(tg.store, NEW) == []  # answered before registered …
    assert await phone_claimed_for(tg.store.db, call["client_id"]) == NEW  # … its id claimed
    again = await twiml(tg, "/webhooks/twilio/voice", call_form("CA50", NEW))  # Twilio retried meanwhile
    assert (
        [e.tag for e in again] == ["Say", "Dial"] and again[1][0].text == rung and again[0].text == say.text
    )
    await tg.settle()
    await the_one_client(tg, NEW, call)
    client = await q.client_by_phone(tg.store, NEW)
    lines = tg.topic_texts(reads.thread(client))
    assert sum(line.startswith("📞 Incoming call from +971•••••0077 → ringing") for line in lines) == 1
    after = await twiml(tg, "/webhooks/twilio/voice", call_form("CA50", NEW))  # and after: the same answer
    assert after[1][0].text == rung and after[0].text == say.text


CALLBACKS = {
    "the assistant answers": ("/webhooks/twilio/voice/dial?leg=0", {"DialCallStatus": "completed"}),
    "the assistant does not": ("/webhooks/twilio/voice/dial?leg=0", {"DialCallStatus": "no-answer"}),
    "the caller hangs up at the tone": ("/webhooks/twilio/voice/voicemail", {"RecordingDuration": "0"}),
    "a voicemail is ready": ("/webhooks/twilio/voice/recording", {"RecordingDuration": "9"}),
    "the call ends": ("/webhooks/twilio/voice/status", {"CallStatus": "completed", "CallDuration": "3"}),
}


@pytest.mark.parametrize("callback", list(CALLBACKS))
async def test_with_the_service_dead_after_the_answer_each_callback_registers_the_caller_once(
    phone: Harness, callback: str
) -> None:
    tg = phone
    call = await died_after_the_answer(tg, "CA51")
    path, fields = CALLBACKS[callback]
    url = f"{tg.tw.base_url}/2010-04-01/Accounts/{tg.tw.account_sid}/Recordings/RE51"
    tg.tw.recordings["RE51"] = b"ID3 fake mp3"
    recorded = {"RecordingSid": "RE51", "RecordingUrl": url} if path.endswith("/recording") else {}
    form = call_form("CA51", NEW, **recorded, **fields)
    for _ in range(2):  # (Twilio may post it twice)
        response = await twilio(tg, path, form)
        assert response.status in (200, 204), await response.text()
    if path.endswith(("/dial?leg=0", "/voicemail")):  # (answered at once: registered by then)
        await the_one_client(tg, NEW, call)
    ended = call_form("CA51", NEW, CallStatus="completed", CallDuration="3")
    assert (await twilio(tg, "/webhooks/twilio/voice/status", ended)).status == 204  # (as Twilio ends any)
    await tg.settle()
    await the_one_client(tg, NEW, call)
    lines = tg.topic_texts(reads.thread(await q.client_by_phone(tg.store, NEW)))
    assert sum(line.startswith("📞 Incoming call from") for line in lines) == 1, lines  # the repair, once
    if callback != "the call ends":  # and what the callback told
        assert any(line.startswith("📞") and "Incoming" not in line for line in lines) or any(
            c.params.get("caption", "").startswith("📞") for c in tg.fake.sent("sendAudio")
        ), lines


async def test_the_inbox_and_a_callback_registering_at_the_same_moment_make_one_client(
    phone: Harness,
) -> None:
    tg = phone
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA52", NEW))
    call = await received(tg, "CA52")
    dial = twilio(tg, "/webhooks/twilio/voice/dial?leg=0", call_form("CA52", NEW, DialCallStatus="busy"))
    twin = twilio(tg, "/webhooks/twilio/voice/dial?leg=0", call_form("CA52", NEW, DialCallStatus="busy"))
    said = await asyncio.gather(calls.told(tg.engine.deps, "CA52"), dial, twin)
    assert [r.status for r in said[1:]] == [200, 200]
    await tg.settle()
    await the_one_client(tg, NEW, call)
    lines = tg.topic_texts(reads.thread(await q.client_by_phone(tg.store, NEW)))
    assert sum(line.startswith("📞 Incoming call from") for line in lines) == 1, lines


async def test_a_registration_cut_short_is_finished_with_the_assistant_who_was_rung(phone: Harness) -> None:
    """The service died after recording the registration and before the assignment."""
    tg = phone
    call = await died_after_the_answer(tg, "CA53")
    await tg.engine.deps.record(
        f"client:{call['client_id']}",
        EventType.CLIENT_REGISTERED,
        {"client_id": call["client_id"], **callers.details(NEW), "first_contact": "voice:CA53"},
        client_actor(call["client_id"]),
        f"register:{call['client_id']}",
    )
    ended = call_form("CA53", NEW, CallStatus="completed", CallDuration="0")
    assert (await twilio(tg, "/webhooks/twilio/voice/status", ended)).status == 204
    await tg.settle()
    await the_one_client(tg, NEW, call)


async def test_a_whatsapp_message_between_the_answer_and_the_registration_is_the_same_client(
    phone: Harness,
) -> None:
    tg = phone
    call = await died_after_the_answer(tg, "CA54")
    await tg.wa(NEW, "السلام عليكم", name="Huda")
    await tg.settle()  # (WhatsApp registered them under the call's claim, as any first contact)
    ended = call_form("CA54", NEW, CallStatus="completed", CallDuration="0")
    assert (await twilio(tg, "/webhooks/twilio/voice/status", ended)).status == 204
    await tg.settle()
    (client,) = await q.clients_with_phone(tg.store, NEW)
    assert client.id == call["client_id"] and client.assistant_id
    kinds = [e.type for e in await tg.store.events.read(f"client:{client.id}")]
    assert kinds.count(EventType.CLIENT_REGISTERED) == kinds.count(EventType.CLIENT_ASSIGNED) == 1, kinds
    lines = tg.topic_texts(reads.thread(client))
    assert sum(line.startswith("📞 Incoming call from") for line in lines) == 1, lines


async def test_new_callers_tied_between_assistants_take_turns_by_their_own_numbers(phone: Harness) -> None:
    """Anna and Omar both speak Arabic and have no clients: each new caller's id (drawn for the claim) takes
    the turn — no draw of the rotation's, one write fewer before the answer."""
    tg = phone
    for n, sid in enumerate(("CA70", "CA71")):
        await twiml(tg, "/webhooks/twilio/voice", call_form(sid, f"+97150000008{n}"))
    first, second = [await received(tg, sid) for sid in ("CA70", "CA71")]
    assert {first["assigns"], second["assigns"]} == {"A-9001", "A-9002"}  # one each (nobody registered yet)
    assert first["ring"][0] == first["assigns"] and second["ring"][0] == second["assigns"]
    assert await tg.store.db["counters"].find_one({"_id": "assignment_rotation"}) is None
