"""Twins: every first-contact webhook posted twice at the same moment, on real HTTP and signed as the
provider signs it, makes one client and one topic and answers 2xx to both."""

import asyncio
from collections.abc import Callable
from functools import partial

import pytest

from bot.workers.retention import RetentionLoop
from domain.clients import Client
from domain.events import SYSTEM, EventType, NewEvent
from engine import queries as q
from engine.forum.quarantine import tell_leads_of_quarantine
from engine.team import admin as staff_admin
from storage.audit import verify
from storage.counters import next_value
from tests import reads
from tests.harness import PUBLIC, STAFF_CHAT, Harness, start_harness, user
from tests.telegram.test_calls import ANNA_PHONE, OMAR_PHONE, call_form
from tests.telegram.test_clock import escalation_lines
from tests.telegram.test_lifecycle import client_asks, order_of, quote_message, staff_says

TRIALS = 8


@pytest.fixture
async def phone(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock) -> Harness:
    tg = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, voice=True)
    await staff_admin.add(tg.engine.deps, 9001, "Anna", "en,ru,ar", lead=True, phone=ANNA_PHONE)
    await staff_admin.add(tg.engine.deps, 9002, "Omar", "ar,en", phone=OMAR_PHONE)
    yield tg
    await tg.store.client.drop_database(db_name)


async def twins(tg: Harness, path: str, params: dict[str, str]) -> list[int]:
    params, headers = tg.tw.signed(PUBLIC + path, params)
    answers = await asyncio.gather(*(tg.http.post(path, data=params, headers=headers) for _ in range(2)))
    return [a.status for a in answers]


def with_phone(number: str) -> Callable[[Client], bool]:
    return lambda client: client.phone == number


def known_as(key: str) -> Callable[[Client], bool]:
    """A client with this channel identity ("telegram:<id>", "whatsapp:<number>")."""
    return lambda client: key in [identity.key for identity in client.identities]


async def one_client_one_topic(
    tg: Harness, who: Callable[[Client], bool], topic: bool = True, quarantined: int = 0
) -> None:
    await tg.settle()
    everyone = await reads.clients(tg.store)
    clients = [client for client in everyone if who(client)]
    assert len(clients) == 1, clients
    assert clients[0].assistant_id is not None
    assert (reads.thread(clients[0]) is not None) is topic
    registered = await reads.event_count(tg.store, EventType.CLIENT_REGISTERED)
    assert registered == len(everyone)  # no stray registration
    assert len(await tg.store.projector.quarantined()) == quarantined


def topics(tg: Harness) -> int:
    return len(tg.fake.sent("createForumTopic", STAFF_CHAT))


async def test_a_new_callers_webhook_twice_at_once_makes_one_client(phone: Harness) -> None:
    tg = phone
    for trial in range(TRIALS):
        number = f"+97150000{trial:04d}"
        before = topics(tg)
        statuses = await twins(tg, "/webhooks/twilio/voice", call_form(f"CA-twin-{trial}", number))
        assert statuses == [200, 200]
        await one_client_one_topic(tg, with_phone(number))
        assert topics(tg) == before + 1


async def test_a_new_whatsapp_message_twice_at_once_makes_one_client(phone: Harness) -> None:
    tg = phone
    for trial in range(TRIALS):
        number = f"+97150001{trial:04d}"
        before = topics(tg)
        statuses = await twins(tg, "/webhooks/twilio/whatsapp", tg.tw.inbound(number, "Hello", "Layla"))
        assert statuses == [200, 200]
        await one_client_one_topic(tg, known_as(f"whatsapp:{number}"))
        assert topics(tg) == before + 1


async def test_a_new_caller_and_their_first_whatsapp_at_once_are_one_client(phone: Harness) -> None:
    tg = phone
    for trial in range(TRIALS):
        number = f"+97150002{trial:04d}"
        before = topics(tg)
        voice, voice_headers = tg.tw.signed(
            PUBLIC + "/webhooks/twilio/voice", call_form(f"CA-both-{trial}", number)
        )
        text, text_headers = tg.tw.signed(
            PUBLIC + "/webhooks/twilio/whatsapp", tg.tw.inbound(number, "Hello", "Layla")
        )
        answers = await asyncio.gather(
            tg.http.post("/webhooks/twilio/voice", data=voice, headers=voice_headers),
            tg.http.post("/webhooks/twilio/whatsapp", data=text, headers=text_headers),
            tg.engine.inbox_worker.run_once(),
        )
        assert [a.status for a in answers[:2]] == [200, 200]
        await one_client_one_topic(tg, with_phone(number))
        assert topics(tg) == before + 1


@pytest.mark.parametrize("first", ["/start", "Book a car tonight at 8"])
async def test_a_new_telegram_update_twice_at_once_makes_one_client(phone: Harness, first: str) -> None:
    tg = phone
    for _trial in range(TRIALS):
        person = user("James", "en")
        before = topics(tg)
        update = tg.fake.user_message(person, text=first)
        answers = await asyncio.gather(tg.post(update), tg.post(update))
        assert [a.status for a in answers] == [200, 200]
        await one_client_one_topic(tg, known_as(f"telegram:{person['id']}"), first != "/start")
        assert topics(tg) == before + (0 if first == "/start" else 1)


async def test_a_log_the_old_race_left_behind_does_not_stop_start_up(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> None:
    first = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, voice=True
    )
    await staff_admin.add(first.engine.deps, 9001, "Anna", "en,ru,ar", lead=True, phone=ANNA_PHONE)
    # what the loser of the old race wrote: its own client id, assigned, never registered
    stray_id = f"C-{await next_value(first.store.db, 'client', 1001)}"  # as the old code took it
    assert stray_id == "C-1001"
    stray = NewEvent(
        f"client:{stray_id}", EventType.CLIENT_ASSIGNED, {"assistant_id": "A-9001"}, SYSTEM, "old/assign"
    )
    await first.store.events.append(stray)
    await first.http.close()
    second = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, voice=True
    )
    last = second
    try:
        [kept] = await second.store.projector.quarantined()
        assert (kept["_id"], kept["type"], kept["reason"]) == (
            "client:C-1001#1",
            "ClientAssigned",
            "InvalidValue",
        )
        assert not await q.client(second.store, "C-1001")
        report = await verify(second.store.db, second.store.events)
        assert report.broken == "client:C-1001#1: ClientAssigned cannot be applied (InvalidValue)"
        statuses = await twins(second, "/webhooks/twilio/voice", call_form("CA-after", "+971500009999"))
        assert statuses == [200, 200]  # it serves
        await one_client_one_topic(second, with_phone("+971500009999"), quarantined=1)
        told = [line for line in escalation_lines(second) if "client:C-1001#1" in line]
        assert told == [
            "⚠️ An event in the log cannot be applied (client:C-1001#1, ClientAssigned: InvalidValue); its "
            "record stays as it was before it and everything else is served. Details: concierge audit verify"
        ]
        await second.http.close()
        last = third = await start_harness(
            aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
        )
        await third.settle()
        assert not [line for line in escalation_lines(third) if "client:C-1001#1" in line]  # told once
        assert await reads.event_count(third.store, EventType.PROJECTION_QUARANTINED) == 1
    finally:
        await last.store.client.drop_database(db_name)


async def test_a_payment_notified_twice_at_once_is_one_payment(phone: Harness) -> None:
    tg = phone
    layla, thread = await client_asks(tg, "Book a Mercedes S-Class tonight at 8 from the Ritz")
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class with chauffeur, 18:00–23:00")
    transaction = tg.cp.pay_order(order_of(tg, quote_message(tg, layla))["Id"])
    for kind in ("check", "pay"):
        body, headers = tg.cp.notification(kind, transaction)
        answers = await asyncio.gather(*(tg.notify(kind, body, headers) for _ in range(2)))
        assert [a.status for a in answers] == [200, 200]
        assert [await a.json() for a in answers] == [{"code": 0}, {"code": 0}]
    await tg.settle()
    paid = await reads.event_count(tg.store, EventType.REQUEST_PAID)
    assert paid == 1
    assert sum("Paid" in line for line in tg.topic_texts(thread)) == 1


async def test_an_event_quarantined_while_serving_reaches_the_leads_within_the_hour(phone: Harness) -> None:
    tg = phone
    stray = NewEvent("client:C-1500", EventType.CLIENT_TAGGED, {"tags": ["vip"]}, SYSTEM, "stray/tag")
    await tg.store.record(stray)  # projected as it is written: set apart, and the writer goes on
    assert sum(kept["_id"] == "client:C-1500#1" for kept in await tg.store.projector.quarantined()) == 1
    hourly = RetentionLoop(tg.store, tg.clock, "one", partial(tell_leads_of_quarantine, tg.engine.deps))
    await hourly.run_once()
    await tg.settle()
    assert [line for line in escalation_lines(tg) if "client:C-1500#1, ClientTagged: InvalidValue" in line]
