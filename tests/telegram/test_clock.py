"""The clock acts, on the real store with the frozen clock moved by the test: reminders, escalation and
reassignment at their times and once; presence; quotes that lapse; a paid request's time; restarts and two
runners on one store."""

import asyncio
from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from bot.workers import deadlines as deadlines_worker
from bot.workers.deadlines import DeadlineRunner
from domain.clients import Channel
from domain.events import SYSTEM, Event, EventType
from engine import queries as q
from engine.clock.timers import response_id
from engine.deps import Listeners
from engine.team import admin as staff_admin
from storage.timefmt import from_ms
from tests import reads
from tests.harness import STAFF_CHAT, Harness, start_harness, user
from tests.telegram.test_lifecycle import order_of, pay, quote_message
from tests.telegram.test_whatsapp import NUMBER, thread, wa

ANNA = {"id": 9001, "is_bot": False, "first_name": "Anna"}
OMAR = {"id": 9002, "is_bot": False, "first_name": "Omar"}
ESCALATIONS = "⚠️ Escalations"


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "en,ar")
    return tg


async def tick(tg: Harness, runner: DeadlineRunner | None = None) -> None:
    """The runner looks at what is due now; what it decided is sent."""
    await (runner or tg.engine.clock_runner).run_once()
    await tg.settle()


async def at(tg: Harness, start, minutes: float) -> None:
    tg.clock.advance_to(start + timedelta(minutes=minutes))
    await tick(tg)


async def writes(tg: Harness, client: dict, text: str) -> None:
    await tg.send(tg.fake.user_message(client, text=text))
    await tg.settle()


async def staff_says(tg: Harness, thread: int | None, text: str, who: dict = ANNA, reply_to=None) -> None:
    await tg.send(
        tg.fake.user_message(who, chat_id=STAFF_CHAT, thread_id=thread, text=text, reply_to=reply_to)
    )
    await tg.settle()


def escalations_thread(tg: Harness) -> int | None:
    chat = tg.fake.chats[STAFF_CHAT]
    alive = [t for t, name in chat.topics.items() if name == ESCALATIONS and t not in chat.deleted_topics]
    return alive[-1] if alive else None


def escalation_lines(tg: Harness) -> list[str]:
    thread = escalations_thread(tg)
    return [m["text"] for m in tg.fake.topic_messages(STAFF_CHAT, thread)] if thread else []


def mentioned(message: dict) -> list[int]:
    return [e["user"]["id"] for e in message.get("entities", []) if e["type"] == "text_mention"]


async def overdue(tg: Harness, client_id: str) -> list[str]:
    events = await tg.store.events.read(f"conversation:{client_id}")
    return [e.data["action"] for e in events if e.type is EventType.RESPONSE_OVERDUE]


async def new_client(
    tg: Harness, name: str, text: str, language: str = "en", with_: str | None = "Anna"
) -> tuple[dict, int, str]:
    """A client who wrote `text`, with `with_` (a lead moved them there if the rotation chose another)."""
    client = user(name, language)
    await tg.send(tg.fake.user_message(client, text="/start"))
    await writes(tg, client, text)
    found = await tg.client_of(client)
    if with_ and found.assistant_id != f"A-{ {'Anna': 9001, 'Omar': 9002}[with_] }".replace(" ", ""):
        await staff_says(tg, reads.thread(found), f"/assign {with_}")
    return client, reads.thread(found), found.id


async def test_a_handover_puts_the_request_card_in_the_new_assistants_language(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en", lead=True)
    await staff_admin.add(tg.engine.deps, 9003, "Dmitri", "en,ru", ui_language="ru")
    start = tg.clock.now()
    layla, thread, _ = await new_client(tg, "Layla", "Could you book a table for two tonight?", with_=None)
    first = (await tg.client_of(layla)).assistant_id
    (before,) = tg.request_cards(thread)
    await at(tg, start, 45.5)
    now_with = (await tg.client_of(layla)).assistant_id
    (card,) = tg.request_cards(thread)  # edited in place
    assert now_with != first and {first, now_with} == {"A-9001", "A-9003"}
    assert ("новая" in before, "новая" in card) == (first == "A-9003", now_with == "A-9003")


async def test_remind_escalate_reassign_each_at_its_time_and_once(team: Harness) -> None:
    tg = team
    start = tg.clock.now()
    layla, thread, layla_id = await new_client(tg, "Layla", "Could you book a table for two tonight?")
    assert (await tg.client_of(layla)).assistant_id == "A-9001"
    await at(tg, start, 14)
    assert await overdue(tg, layla_id) == []

    await at(tg, start, 15.5)
    reminder = tg.fake.topic_messages(STAFF_CHAT, thread)[-1]
    assert reminder["text"] == "⏰ Anna, Layla has been waiting 15 min for an answer."
    assert mentioned(reminder) == [9001]  # her phone rings
    await tick(tg)
    assert await overdue(tg, layla_id) == ["reminded"]

    await at(tg, start, 29)
    assert escalations_thread(tg) is None  # created only when first needed
    await at(tg, start, 30.5)
    (line,) = escalation_lines(tg)
    assert line.startswith("⚠️ Layla has been waiting 30 min for Anna (the promise is 15 min).")
    assert line.endswith(f"https://t.me/c/{str(STAFF_CHAT)[4:]}/{thread}")

    before = len(tg.to_user(layla))
    await at(tg, start, 45.5)
    assert (await tg.client_of(layla)).assistant_id == "A-9002"
    assert [m["text"] for m in tg.to_user(layla)[before:]] == ["Omar is now taking care of you."]
    handover = tg.fake.topic_messages(STAFF_CHAT, thread)[-2:]
    assert any(
        m.get("text", "").startswith("🔁 Layla is now with Omar: waiting 45 min, Anna has not")
        for m in handover
    )
    assert 9002 in mentioned(next(m for m in handover if m.get("text", "").startswith("🔁")))
    assert len(escalation_lines(tg)) == 2
    await tick(tg)
    assert await overdue(tg, layla_id) == ["reminded", "escalated", "reassigned"]
    # the ladder starts again for Omar: he is reminded a promise later, once
    await at(tg, start, 61)
    assert await overdue(tg, layla_id) == ["reminded", "escalated", "reassigned", "reminded"]
    assert mentioned(tg.fake.topic_messages(STAFF_CHAT, thread)[-1]) == [9002]


async def test_an_answer_stops_the_clock_a_note_does_not(team: Harness) -> None:
    tg = team
    start = tg.clock.now()
    _, noted_thread, noted = await new_client(tg, "Layla", "I need a car to the Bolshoi tomorrow evening")
    _, answered_thread, answered = await new_client(tg, "Sara", "Can you arrange a guide for Saturday?")
    await staff_says(tg, noted_thread, "/note she prefers a Maybach")
    await staff_says(tg, answered_thread, "Certainly, Sara — one moment.")
    await at(tg, start, 16)
    assert await overdue(tg, noted) == ["reminded"]
    assert await overdue(tg, answered) == []
    # she writes again: the clock runs from that message, not from the first one
    sara = (await q.client(tg.store, answered)).identity(Channel.TELEGRAM).external_id
    await writes(tg, {"id": int(sara), "is_bot": False, "first_name": "Sara"}, "Also a table at 8")
    second = tg.clock.now()
    await at(tg, second, 14)
    assert await overdue(tg, answered) == []
    await at(tg, second, 15.5)
    assert await overdue(tg, answered) == ["reminded"]


async def test_a_vip_is_promised_five_minutes(team: Harness) -> None:
    tg = team
    layla, thread, layla_id = await new_client(tg, "Layla", "Please book the Pushkin for tonight")
    await staff_says(tg, thread, "Of course.")
    # (tags are set by the console; here the event it records)
    await tg.engine.deps.record(
        f"client:{layla_id}", EventType.CLIENT_TAGGED, {"tags": ["vip"]}, SYSTEM, "test:vip"
    )
    await writes(tg, layla, "And a car there")
    second = tg.clock.now()
    await at(tg, second, 4.5)
    assert await overdue(tg, layla_id) == []
    await at(tg, second, 5.5)
    assert await overdue(tg, layla_id) == ["reminded"]


async def test_an_away_assistant_is_skipped_at_once(team: Harness) -> None:
    tg = team
    await staff_says(tg, None, "/away for 2h")  # in the General topic
    general = [m["text"] for m in tg.fake.chats[STAFF_CHAT].messages.values() if "🌙" in m.get("text", "")]
    assert general and general[0].startswith("🌙 Anna is away until")
    start = tg.clock.now()
    layla, thread, layla_id = await new_client(
        tg, "Layla", "Could you book a table for two tonight?", with_=None
    )
    assert (await tg.client_of(layla)).assistant_id == "A-9002"  # no new clients while away
    await staff_says(tg, thread, "/assign Anna")
    assert (await tg.client_of(layla)).assistant_id == "A-9001"
    await at(tg, start, 16)
    # Anna is away: no reminder for her, the client goes to Omar and the leads hear of it
    assert await overdue(tg, layla_id) == ["reassigned"]
    assert (await tg.client_of(layla)).assistant_id == "A-9002"
    assert "Anna is away" in escalation_lines(tg)[-1]
    topic = [m.get("text", "") for m in tg.fake.topic_messages(STAFF_CHAT, thread)]
    # Omar finds the conversation in the topic (the words that opened the request, in its card)
    assert "Could you book a table for two tonight?" in await tg.topic_words(thread)
    assert any(t.startswith("🔁 Layla is now with Omar: waiting 16 min, Anna is away.") for t in topic)
    # /away with an end time comes back by itself
    await at(tg, start, 121)
    anna = await q.assistant(tg.store, "A-9001")
    assert anna.away is False


async def test_away_and_back_from_a_private_chat(team: Harness) -> None:
    tg = team
    await tg.send(tg.fake.user_message(OMAR, text="/away until 18:00"))
    await tg.settle()
    assert tg.to_user(OMAR)[-1]["text"].startswith("🌙 Omar is away until")
    assert (await q.assistant(tg.store, "A-9002")).away is True
    assert await reads.clients(tg.store) == []  # not taken for a client
    await tg.send(tg.fake.user_message(OMAR, text="/back"))
    await tg.settle()
    assert tg.to_user(OMAR)[-1]["text"] == "☀️ Welcome back, Omar."
    assert (await q.assistant(tg.store, "A-9002")).away is False
    await tg.send(tg.fake.user_message(OMAR, text="/away for ever"))
    await tg.settle()
    assert tg.to_user(OMAR)[-1]["text"].startswith("⚠️ Write /away, /away for 2h")


async def test_a_lead_takes_a_client_from_the_escalations_topic(team: Harness) -> None:
    tg = team
    await tg.add_staff(9003, "Dmitri", "en,ru")
    start = tg.clock.now()
    # Omar has Layla, and does not answer
    layla, thread, _ = await new_client(tg, "Layla", "Could you book a table for two tonight?", with_="Omar")
    await at(tg, start, 31)
    escalation = tg.fake.topic_messages(STAFF_CHAT, escalations_thread(tg))[-1]
    await staff_says(tg, escalations_thread(tg), "/take", who=OMAR, reply_to=escalation["message_id"])
    assert "Only a lead can take a client." in escalation_lines(tg)[-1]
    await staff_says(tg, escalations_thread(tg), "/take", reply_to=escalation["message_id"])
    assert escalation_lines(tg)[-1] == "➡️ Layla is now with Anna."
    assert (await tg.client_of(layla)).assistant_id == "A-9001"
    assert tg.fake.topic_messages(STAFF_CHAT, thread)[-1]["text"] == "➡️ Layla is now with Anna."


async def test_restarted_between_the_deadline_and_its_time_it_still_fires_once(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> None:
    first = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock)
    await first.add_staff(9001, "Anna", "en", lead=True)
    start = clock.now()
    _, _thread, layla_id = await new_client(first, "Layla", "Could you book a table for two tonight?")
    await first.http.close()  # the service stops (its timers were never in it)
    second = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock)
    try:
        await at(second, start, 16)
        await at(second, start, 17)
        assert await overdue(second, layla_id) == ["reminded"]
    finally:
        await second.store.client.drop_database(db_name)


async def test_two_runners_at_the_due_time_fire_once(team: Harness) -> None:
    tg = team
    start = tg.clock.now()
    _, thread, layla_id = await new_client(tg, "Layla", "Could you book a table for two tonight?")
    tg.clock.advance_to(start + timedelta(minutes=16))
    one = DeadlineRunner(tg.engine.deps, "instance-one")
    two = DeadlineRunner(tg.engine.deps, "instance-two")
    await asyncio.gather(one.run_once(), two.run_once(), one.run_once(), two.run_once())
    await tg.settle()
    assert one.fired + two.fired == 1
    assert await overdue(tg, layla_id) == ["reminded"]
    reminders = [m for m in tg.fake.topic_messages(STAFF_CHAT, thread) if m.get("text", "").startswith("⏰")]
    assert len(reminders) == 1


async def test_a_quote_lapses_once_and_its_order_is_cancelled(team: Harness) -> None:
    tg = team
    layla, thread, _ = await new_client(tg, "Layla", "Book a Mercedes S-Class on Tuesday at 8 from the Ritz")
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")  # (Tuesday: past the 24 hours)
    quoted = tg.clock.now()
    offer = quote_message(tg, layla)
    order = order_of(tg, offer)
    before = len(tg.to_user(layla))
    await at(tg, quoted, 20 * 60)
    assert len(tg.to_user(layla)) == before  # not yet: three hours before it lapses
    await at(tg, quoted, 21 * 60 + 1)
    reminder = tg.to_user(layla)[-1]
    assert reminder["text"].startswith("A gentle reminder: your quote for request R-1001 (RUB\u00a045,000)")
    assert (
        reminder["reply_markup"]["inline_keyboard"][0][0]["url"]
        == offer["reply_markup"]["inline_keyboard"][0][0]["url"]
    )
    await at(tg, quoted, 24 * 60 + 1)
    await tick(tg)
    assert tg.to_user(layla)[-1]["text"].startswith("The quote for request R-1001 has lapsed")
    cancels = [c for c in tg.cp.api_calls("orders/cancel") if not c.replayed]
    assert [c.request_id for c in cancels] == [f"expire:{order['Id']}"]
    assert tg.cp.orders[order["Id"]]["Status"] == "Cancelled"
    assert any("lapsed unpaid" in t for t in tg.topic_texts(thread))
    reminders = [m for m in tg.to_user(layla) if m["text"].startswith("A gentle reminder")]
    assert len(reminders) == 1
    # the payment page would still ask: CloudPayments' check is told the quote expired
    transaction = tg.cp.pay_order(order["Id"])
    body, headers = tg.cp.notification("check", transaction)
    assert await (await tg.notify("check", body, headers)).json() == {"code": 20}


async def test_a_paid_quote_is_not_reminded_and_its_time_is(team: Harness) -> None:
    tg = team
    layla, thread, _ = await new_client(
        tg, "Layla", "Book a Mercedes S-Class tomorrow at 20:00 from the Ritz"
    )
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")
    quoted = tg.clock.now()
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    request = await q.request(tg.store, "R-1001")
    when = request.details.when.isoformat()
    await at(tg, quoted, 22 * 60)
    assert not [m for m in tg.to_user(layla) if m["text"].startswith("A gentle reminder")]
    moment = datetime.fromisoformat(when)
    tg.clock.advance_to(moment - timedelta(hours=2) + timedelta(seconds=5))
    await tick(tg)
    # (the client is reminded at the same moment: tests/telegram/test_client_reminders.py)
    assert [t for t in tg.topic_texts(thread)[-2:] if t.startswith("⏰ Anna, R-1001 is at")]
    tg.clock.advance_to(moment - timedelta(minutes=30) + timedelta(seconds=5))
    await tick(tg)
    assert tg.topic_texts(thread)[-1].startswith("⏰ Anna, R-1001 is at")
    tg.clock.advance_to(moment + timedelta(hours=6, seconds=5))
    await tick(tg)
    assert escalation_lines(tg)[-1].startswith("⚠️ R-1001 of Layla was due at")
    await tick(tg)
    assert len(escalation_lines(tg)) == 1


async def test_a_reminder_of_a_paid_request_that_fires_after_its_time_says_so(team: Harness) -> None:
    """The service was down (or the sandbox's clock jumped) across the request's time: the reminder that fires
    then says how long ago it was, not "in 0 min" — once, the steps gone by skipped."""
    tg = team
    layla, thread, _ = await new_client(
        tg, "Layla", "Book a Mercedes S-Class tomorrow at 20:00 from the Ritz"
    )
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    request = await q.request(tg.store, "R-1001")
    assert request is not None and request.details.when is not None
    tg.clock.advance_to(request.details.when + timedelta(minutes=10))
    await tick(tg)
    reminders = [t for t in tg.topic_texts(thread) if t.startswith("⏰ Anna, R-1001")]
    assert len(reminders) == 1 and "(10 min ago): this reminder comes late." in reminders[0], reminders


async def _nobody_hears(_listeners: Listeners, _event: Event) -> None:
    pass


async def test_a_timer_lost_in_a_crash_is_set_again_by_the_sweep(
    team: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = team
    with monkeypatch.context() as crash:  # the process dies between the events and their timers
        crash.setattr(Listeners, "notify", _nobody_hears)
        start = tg.clock.now()
        _, _thread, layla_id = await new_client(tg, "Layla", "Could you book a table for two tonight?")
    assert await tg.store.deadlines.current(f"first-response:{layla_id}") is None
    assert await tg.engine.clock_runner.sweep() > 0
    assert (await tg.store.deadlines.current(f"first-response:{layla_id}"))["status"] == "waiting"
    await at(tg, start, 16)
    assert await overdue(tg, layla_id) == ["reminded"]
    assert await tg.engine.clock_runner.sweep() == 0  # one sweep per period, whoever runs it


async def test_a_timer_due_while_the_sweep_works_fires_between_its_events(
    team: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep goes over minutes of the log, a few store round trips an event: seconds under load. A timer
    that falls due meanwhile goes then, not after the sweep (bench/soak.py: timers up to 4 s late)."""
    tg = team
    _, _thread, layla_id = await new_client(tg, "Layla", "Could you book a table for two tonight?")
    await new_client(tg, "Omar", "A car to the airport tomorrow at 7, please")
    due = from_ms((await tg.store.deadlines.current(f"first-response:{layla_id}"))["due_ms"])
    tg.clock.advance_to(due - timedelta(seconds=2))  # (a sweep is due: the last one was minutes ago)
    on_event = deadlines_worker.timers.on_event

    async def slowly(deps, event: Event) -> None:  # each event's round trips take a second
        await on_event(deps, event)
        tg.clock.advance(seconds=1)

    monkeypatch.setattr(deadlines_worker.timers, "on_event", slowly)
    await tick(tg)
    monkeypatch.undo()
    assert tg.clock.now() - due > timedelta(seconds=5)  # (the sweep went on past the timer's time)
    fired = [
        e
        for e in await tg.store.events.read(f"conversation:{layla_id}")
        if e.type is EventType.RESPONSE_OVERDUE
    ]
    assert fired and fired[0].at - due <= timedelta(seconds=1)


async def test_the_escalations_topic_is_created_once_and_again_when_deleted(team: Harness) -> None:
    tg = team
    start = tg.clock.now()
    await new_client(tg, "Layla", "Could you book a table for two tonight?")
    await at(tg, start, 31)
    first = escalations_thread(tg)
    await new_client(tg, "Sara", "A guide for Saturday, please")
    await at(tg, start, 62)
    assert escalations_thread(tg) == first and len(escalation_lines(tg)) >= 2  # found again, not made twice
    tg.fake.delete_topic(STAFF_CHAT, first)
    await new_client(tg, "Mona", "Tickets to the Bolshoi tonight")
    await at(tg, start, 100)
    names = list(tg.fake.chats[STAFF_CHAT].topics.values())
    assert names.count(ESCALATIONS) == 2
    assert escalations_thread(tg) != first and any("Mona" in line for line in escalation_lines(tg))


async def test_on_whatsapp_a_lapse_outside_the_window_is_told_only_to_the_topic(team: Harness) -> None:
    tg = team
    await wa(tg, NUMBER, "Book a car to Sheremetyevo on Tuesday at 7")  # (past the quote's 24 hours)
    topic = await thread(tg, NUMBER)
    await staff_says(tg, topic, "/quote 45000 RUB Car to SVO")
    quoted, sent = tg.clock.now(), len(tg.wa_texts(NUMBER))
    await at(tg, quoted, 21 * 60 + 1)  # within the 24 hours: reminded
    assert tg.wa_texts(NUMBER)[-1].startswith("A gentle reminder: your quote for request R-1001")
    await at(tg, quoted, 24 * 60 + 1)  # the window closed with the quote: no paid template for a lapse
    assert len(tg.wa_texts(NUMBER)) == sent + 1
    assert any("The client was not told (WhatsApp's 24-hour window)" in t for t in tg.topic_texts(topic))


async def test_a_quote_lapses_at_the_time_of_what_it_is_for_but_gives_half_an_hour_to_pay(
    team: Harness,
) -> None:
    """A car at 8 tomorrow quoted today lapses at 8 tomorrow, not 24 hours after the quote (the client could
    pay for a ride gone by); a car wanted right now still gives half an hour to pay."""
    tg = team
    layla, thread, _ = await new_client(tg, "Layla", "Book a Mercedes S-Class tomorrow at 8 from the Ritz")
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")
    assert "Valid until 29 November, 08:00." in quote_message(tg, layla)["text"]
    omar, omars, _ = await new_client(tg, "Omar", "A car to the Bolshoi right now")
    quoted = tg.clock.now()
    await staff_says(tg, omars, "/quote 9000 RUB Car to the Bolshoi")
    offer = quote_message(tg, omar)
    assert "Valid until 28 November, 15:30." in offer["text"]  # (now is 15:00 in Moscow)
    assert not any(t.startswith("A gentle reminder") for t in (m["text"] for m in tg.to_user(omar)))
    await at(tg, quoted, 31)
    assert tg.to_user(omar)[-1]["text"].startswith("The quote for request R-1002 has lapsed")


async def test_a_quote_made_at_night_for_an_early_car_is_not_reminded_at_four_in_the_morning(
    team: Harness,
) -> None:
    """Quoted at 22:00 for a car at 7:00, the quote lapses at 7:00: its gentle reminder (three hours before)
    would land at 4:00 — left unsaid, as a booking's reminders outside decent hours are."""
    tg = team
    tg.clock.advance(hours=7)  # 22:00 in Moscow
    layla, thread, _ = await new_client(tg, "Layla", "Book a car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 9000 RUB Car to SVO")
    quoted = tg.clock.now()
    assert "Valid until 29 November, 07:00." in quote_message(tg, layla)["text"]
    await at(tg, quoted, 9 * 60 + 1)
    texts = [m["text"] for m in tg.to_user(layla)]
    assert not any(t.startswith("A gentle reminder") for t in texts)
    assert texts[-1].startswith("The quote for request R-1001 has lapsed")


async def test_a_quote_made_in_the_morning_is_reminded_the_evening_before_it_lapses(team: Harness) -> None:
    """Quoted at 9:00 with no time said, the quote lapses at 9:00 the next day: its nudge, three hours before,
    would fall at 6:00 — it comes the evening before at 19:00 instead (it was left unsaid)."""
    tg = team
    tg.clock.advance(hours=-6)  # 9:00 in Moscow
    layla, thread, _ = await new_client(tg, "Layla", "Could you arrange flowers for my mother, please?")
    await staff_says(tg, thread, "/quote 15000 RUB Roses, delivered")
    quoted = tg.clock.now()
    await at(tg, quoted, 10 * 60 - 1)  # 18:59
    assert not any(m["text"].startswith("A gentle reminder") for m in tg.to_user(layla))
    await at(tg, quoted, 10 * 60 + 1)  # 19:01
    assert tg.to_user(layla)[-1]["text"].startswith("A gentle reminder: your quote for request R-1001")


async def test_a_quote_for_a_day_without_a_time_lapses_when_that_day_ends(team: Harness) -> None:
    """Tickets for tonight quoted at 15:00 were payable until 15:00 tomorrow, the show long over."""
    tg = team
    layla, thread, _ = await new_client(tg, "Layla", "Two tickets to the Bolshoi today please")
    request = await q.known_request(tg.store, "R-1001")
    assert request.details.when is not None and not request.details.time_known
    await staff_says(tg, thread, "/quote 30000 RUB Two tickets, stalls")
    assert "Valid until 28 November, 23:59." in quote_message(tg, layla)["text"]


async def test_a_lapse_interrupted_after_its_event_is_finished_once(
    team: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = team
    layla, thread, _ = await new_client(tg, "Layla", "Book a Mercedes S-Class on Tuesday at 8 from the Ritz")
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")  # (Tuesday: past the 24 hours)
    quoted = tg.clock.now()
    await at(tg, quoted, 22 * 60)  # (the reminder is sent)
    calls = tg.dies_before_storing_deliveries(monkeypatch)  # the lapse is recorded, then the process dies
    await at(tg, quoted, 24 * 60 + 1)
    assert calls["n"] == 1 and not tg.to_user(layla)[-1]["text"].startswith("The quote for request R-1001")
    await at(tg, quoted, 24 * 60 + 2)  # the runner tries again
    lapsed = [m for m in tg.to_user(layla) if m["text"].startswith("The quote for request R-1001 has lapsed")]
    assert len(lapsed) == 1
    expired = [e for e in await tg.store.events.read("request:R-1001") if e.type is EventType.QUOTE_EXPIRED]
    assert len(expired) == 1
    assert len([c for c in tg.cp.api_calls("orders/cancel") if not c.replayed]) == 1  # CloudPayments: once


async def test_a_day_of_three_clients_and_two_assistants(team: Harness) -> None:
    """Each reminder, escalation and reassignment at its time, and once, over a working day of ticks."""
    tg = team
    start = tg.clock.now()
    layla, layla_thread, layla_id = await new_client(tg, "Layla", "A table for two tonight, please")
    _, sara_thread, sara_id = await new_client(tg, "Sara", "A guide for Saturday?", with_="Omar")
    mona, _, mona_id = await new_client(tg, "Mona", "Tickets to the Bolshoi tomorrow", "ar")
    await staff_says(tg, layla_thread, "Of course, Layla — which time?")  # answered at once
    tg.clock.advance_to(start + timedelta(minutes=10))
    await staff_says(tg, sara_thread, "/note looking for a guide who speaks Arabic")  # a note: still waiting
    await at(tg, start, 20)  # Sara is reminded (Omar's phone rings); Mona too
    await staff_says(tg, sara_thread, "Sara, I have two guides for you.", who=OMAR)
    await writes(tg, layla, "At 8, please")  # Layla waits again from here
    again = tg.clock.now()
    for minute in range(21, 8 * 60, 6):  # the rest of the working day, a tick every 6 minutes
        tg.clock.advance_to(start + timedelta(minutes=minute))
        await tick(tg)
        if tg.clock.now() >= again + timedelta(minutes=16) and await overdue(tg, layla_id) == ["reminded"]:
            await staff_says(tg, layla_thread, "Booked for 8.")
    assert await overdue(tg, sara_id) == ["reminded"]
    assert await overdue(tg, layla_id) == ["reminded"]
    # Mona was never answered: reminded, escalated, handed to Omar, then the ladder again for him …
    actions = await overdue(tg, mona_id)
    assert actions[:3] == ["reminded", "escalated", "reassigned"]
    assert actions[3:6] == ["reminded", "escalated", "reassigned"]  # … and back to Anna, and so on
    log = await tg.store.events.read(f"conversation:{mona_id}")
    times = [e.at for e in log if e.type is EventType.RESPONSE_OVERDUE]
    # each step a promise after the last one (the ladder starts again at a handover): never all at once
    every = timedelta(minutes=6)  # each step fires at the first tick after it is due
    assert all(later - earlier >= timedelta(minutes=15) - every for earlier, later in pairwise(times))
    first = times[0] - start
    assert timedelta(minutes=15) <= first < timedelta(minutes=22)  # at the first tick after its time
    assert len(times) == len(set(times))  # one firing per step
    assert (await tg.client_of(mona)).assistant_id in ("A-9001", "A-9002")


async def test_a_conversation_closed_at_once_stops_its_clock(team: Harness) -> None:
    """`/close` on a thank-you: the assistant judged nothing was owed: no reminder, no broken promise."""
    tg = team
    start = tg.clock.now()
    _, thread, layla_id = await new_client(tg, "Layla", "Thank you so much, all perfect!")
    await at(tg, start, 2)
    await staff_says(tg, thread, "/close")
    await at(tg, start, 40)
    assert await overdue(tg, layla_id) == []
    assert not any(m["text"].startswith("⏰") for m in tg.fake.topic_messages(STAFF_CHAT, thread))


async def test_a_second_message_before_the_topic_is_made_keeps_the_first_ones_wait(team: Harness) -> None:
    """A client's first wait is written without a read (engine/clock/timers.py `_first_wait`); a second
    message before their topic is made is refused by the wait's `_id` and keeps the first message's time."""
    tg = team
    layla = user("Layla")
    await tg.send(tg.fake.user_message(layla, text="/start"))
    await tg.settle()
    await tg.send(tg.fake.user_message(layla, text="I need a car to the Bolshoi tonight"))
    first = tg.clock.now()
    await tg.engine.inbox_worker.run_once()
    tg.clock.advance(minutes=1)
    await tg.send(tg.fake.user_message(layla, text="and a table at 8"))
    await tg.engine.inbox_worker.run_once()
    client = await tg.client_of(layla)
    assert client.topic is None  # (both before the topic was made)
    wait = await tg.store.deadlines.current(response_id(client.id))
    assert wait is not None and from_ms(wait["since_ms"]) == first
    assert wait["v"] == 1  # written once
    await tg.settle()
    assert await overdue(tg, client.id) == []


async def test_a_client_the_ladder_found_nobody_for_stays_waiting_on_the_board(tg: Harness) -> None:
    """The ladder ran out (🆘 nobody present speaks the language) and the board's card dropped the client's
    wait: it showed the quote's clock, 3 min overdue, for a client unanswered for 48 — or, quoted, no clock
    at all, and it left the top of its column. The card keeps the wait, breached, until someone answers."""
    from engine.console import reads as console

    await tg.add_staff(9001, "Anna", "en", lead=True)
    start = tg.clock.now()
    _, thread, _ = await new_client(tg, "Layla", "Could you book a table for two tonight?", with_=None)
    for minutes in (15.5, 30.5, 45.5):
        await at(tg, start, minutes)
    assert escalation_lines(tg)[-1].startswith("🆘 Layla has been waiting 45 min")
    anna = await q.assistant(tg.store, "A-9001")
    assert anna is not None
    (card,) = (await console.board(tg.engine.deps, anna))["new"]
    assert card.clock is not None and card.clock.what == "reply" and card.clock.since == start
    assert card.clock.breached(tg.clock.now())
    await staff_says(tg, thread, "Of course, one moment please.")
    (card,) = (await console.board(tg.engine.deps, anna))["new"]
    assert card.clock is None or card.clock.what == "quote"  # answered: her wait is over
