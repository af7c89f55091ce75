"""One person, one client across Telegram and the phone: a Telegram client is asked once, politely, to share
their own number (a request_contact keyboard) when it matters, so their call finds them; a lead can merge two
clients by hand with /merge C-…; the client id shows where /take asks for it."""

import pytest

from domain.events import EventType
from engine import queries as q
from engine.clients.merging import client_id_said
from engine.team import admin as staff_admin
from tests import reads
from tests.console_client import signed_in
from tests.harness import STAFF_CHAT, Harness, start_harness, user
from tests.telegram.test_calls import ANNA_PHONE, call_form, twiml
from tests.telegram.test_clock import at, escalation_lines, new_client

NUMBER = "+971501234567"
ANNA = {"id": 9001, "is_bot": False, "first_name": "Anna"}


@pytest.fixture
async def phone(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock) -> Harness:
    tg = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, voice=True)
    await staff_admin.add(tg.engine.deps, 9001, "Anna", "en,ru,ar", lead=True, phone=ANNA_PHONE)
    yield tg
    await tg.store.client.drop_database(db_name)


def contact_asks(tg: Harness, person: dict) -> list[str]:
    """The texts sent to `person` with a keyboard that shares their own contact."""
    asks = []
    for call in tg.fake.sent("sendMessage"):
        rows = (call.params.get("reply_markup") or {}).get("keyboard") or []
        if int(call.params["chat_id"]) == person["id"] and any(
            b.get("request_contact") for r in rows for b in r
        ):
            asks.append(call.params["text"])
    return asks


async def test_a_telegram_client_is_asked_once_for_their_number_and_then_their_call_finds_them(
    phone: Harness,
) -> None:
    tg = phone
    layla = user("Layla", "en")
    await tg.send(tg.fake.user_message(layla, text="I need a car to the airport tomorrow at 8"))
    await tg.settle()
    asked = contact_asks(tg, layla)
    assert len(asked) == 1 and "phone number" in asked[0]
    await tg.send(tg.fake.user_message(layla, text="And a table for two at Pushkin tonight at 20:00"))
    await tg.send(tg.fake.user_message(layla, text="Could you call me about it?"))
    await tg.settle()
    assert len(contact_asks(tg, layla)) == 1  # once
    someone = {"phone_number": "+79161234567", "first_name": "Driver", "user_id": layla["id"] + 1}
    await tg.send(tg.fake.user_message(layla, contact=someone))  # not their own: not their number
    own = {"phone_number": NUMBER.lstrip("+"), "first_name": "Layla", "user_id": layla["id"]}
    await tg.send(tg.fake.user_message(layla, contact=own))
    await tg.settle()
    doc = await tg.client_of(layla)
    assert doc.phone == NUMBER
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA40", NUMBER))
    await tg.settle()
    assert len(await reads.clients(tg.store)) == 1  # the caller is Layla, not a second client
    (received,) = [e for e in await tg.store.events.read("call:CA40") if e.type is EventType.CALL_RECEIVED]
    assert received.data["client_id"] == doc.id


async def test_asking_to_be_called_asks_for_the_number_in_the_clients_language(phone: Harness) -> None:
    tg = phone
    irina = user("Irina", "ru")
    await tg.send(tg.fake.user_message(irina, text="Перезвоните мне, пожалуйста"))
    await tg.settle()
    (asked,) = contact_asks(tg, irina)
    assert "номер" in asked


async def staff_says(tg: Harness, who: dict, thread: int, text: str) -> None:
    await tg.send(tg.fake.user_message(who, chat_id=STAFF_CHAT, thread_id=thread, text=text))
    await tg.settle()


async def test_a_lead_merges_a_caller_into_the_telegram_client_by_id(phone: Harness) -> None:
    tg = phone
    await staff_admin.add(tg.engine.deps, 9002, "Omar", "ar,en", phone="+971500000009")
    layla = user("Layla", "en")
    await tg.send(tg.fake.user_message(layla, text="Hello, I need a driver tonight"))
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA41", NUMBER))  # she calls before sharing
    await tg.settle()
    telegram, caller = await tg.client_of(layla), await q.client_by_phone(tg.store, NUMBER)
    assert caller.id != telegram.id
    card = next(m for m in tg.fake.topic_messages(STAFF_CHAT, reads.thread(caller)) if "👤" in m["text"])
    assert caller.id in card["text"]  # the card names the id /merge and /take want
    omar = {"id": 9002, "is_bot": False, "first_name": "Omar"}
    await staff_says(tg, omar, reads.thread(telegram), f"/merge {caller.id}")
    assert (await q.client(tg.store, caller.id)).merged_into is None  # leads only
    for bad in ("/merge", "/merge C-9999", f"/merge {telegram.id}"):
        await staff_says(tg, ANNA, reads.thread(telegram), bad)
    told = tg.topic_texts(reads.thread(telegram))
    assert "⚠️ There is no client C-9999." in told  # (it said "Write /merge C-1042", as it was written)
    # the id as a lead types it on a Russian keyboard: lower case, without its hyphen, its C in Cyrillic (с)
    typed = "\u0441" + caller.id.removeprefix("C-")
    await staff_says(tg, ANNA, reads.thread(telegram), f"/merge {typed}")
    assert (await q.client(tg.store, caller.id)).merged_into == telegram.id
    merged = await q.client(tg.store, caller.id)
    survivor = await tg.client_of(layla)
    assert merged.merged_into == telegram.id and survivor.phone == NUMBER
    refusals = [t for t in tg.topic_texts(reads.thread(telegram)) if t.startswith("⚠️")]
    assert len(refusals) == 4  # Omar is no lead; no id; no such client; the same client
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA42", NUMBER))
    (received,) = [e for e in await tg.store.events.read("call:CA42") if e.type is EventType.CALL_RECEIVED]
    assert received.data["client_id"] == telegram.id  # her next call finds the one client


async def test_an_escalation_line_names_the_client_id_that_take_accepts(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    start = tg.clock.now()
    _layla, _thread, layla_id = await new_client(tg, "Layla", "Could you book a table for two tonight?")
    await at(tg, start, 30.5)
    (line,) = escalation_lines(tg)
    assert f"\n{layla_id} · https://t.me/c/" in line


async def test_a_lead_merges_two_clients_from_the_console_and_an_assistant_may_not(phone: Harness) -> None:
    tg = phone
    await staff_admin.add(tg.engine.deps, 9002, "Omar", "ar,en", phone="+971500000009")
    layla = user("Layla", "en")
    await tg.send(tg.fake.user_message(layla, text="Hello, I need a driver tonight"))
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA43", NUMBER))
    await tg.settle()
    telegram, caller = await tg.client_of(layla), await q.client_by_phone(tg.store, NUMBER)
    page = f"/console/clients/{telegram.id}"
    omar = await signed_in(tg, 9002)
    assert (await omar.post(f"{page}/merge", {"other": caller.id}, "/console/")).status == 403
    anna = await signed_in(tg, 9001)
    assert caller.id in await (await anna.get(f"/console/clients/{caller.id}")).text()
    assert (await anna.post(f"{page}/merge", {"other": "C-9999"}, page)).status == 400
    assert (await q.client(tg.store, caller.id)).merged_into is None
    theirs = f"/console/clients/{caller.id}"
    profile = {"tags": "", "preferences": "", "email": "layla@example.com"}
    assert (await anna.post(f"{theirs}/profile", profile, theirs)).status == 303
    response = await anna.post(f"{page}/merge", {"other": caller.id}, page)
    assert response.status == 303 and response.headers["Location"] == page
    assert (await q.client(tg.store, caller.id)).merged_into == telegram.id
    # the e-mail for their fiscal receipts goes on with the person (as the number does)
    assert (await q.client(tg.store, telegram.id)).email == "layla@example.com"
    issued = [
        e
        async for e in tg.store.events.all()
        if e.type is EventType.STAFF_COMMAND_ISSUED and e.data["command"] == "merge"
    ]
    assert [(e.actor.id, e.data["via"]) for e in issued][-1] == ("A-9001", "console")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("C-1042", "C-1042"), ("c1042", "C-1042"), ("С-1042", "C-1042"), ("1042", "C-1042")],
)
def test_a_client_id_is_read_as_a_lead_types_it(typed: str, meant: str) -> None:
    assert client_id_said(typed) == meant  # ("С-1042" with a Cyrillic С was no client at all)
    assert client_id_said("Layla") is None
