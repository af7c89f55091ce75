"""How did we do? Asked once after /done, answered by a tap (Telegram) or a number (WhatsApp); the first
answer counts; a low score reaches the leads; the next message is its comment, not a new request."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.deadlines import RATING
from domain.events import ActorKind, EventType
from engine import queries as q
from tests import reads
from tests.harness import STAFF_CHAT, Harness
from tests.telegram.test_clock import escalation_lines, new_client, staff_says, tick
from tests.telegram.test_lifecycle import order_of, pay, quote_message
from tests.telegram.test_miniapp import App
from tests.telegram.test_whatsapp import NUMBER, thread, wa

MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    return tg


async def fulfilled(tg: Harness, language: str = "en") -> tuple[dict, int]:
    layla, topic, _ = await new_client(
        tg, "Layla", "Book a Mercedes S-Class tomorrow at 8 from the Ritz", language
    )
    await staff_says(tg, topic, "/quote 45000 RUB Mercedes S-Class")
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    await staff_says(tg, topic, "/done")
    return layla, topic


async def ratings(tg: Harness, request_id: str = "R-1001") -> list:
    events = await tg.store.events.read(f"request:{request_id}")
    return [e for e in events if e.type in (EventType.REQUEST_RATED, EventType.RATING_COMMENTED)]


async def test_a_tap_rates_once_a_low_score_reaches_the_leads_and_the_next_message_is_its_comment(
    team: Harness,
) -> None:
    tg = team
    layla, topic = await fulfilled(tg)
    ask = tg.to_user(layla)[-1]
    assert ask["text"].startswith("How did we do with request R-1001?")
    buttons = ask["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == [f"rate:R-1001:{n}" for n in range(1, 6)]
    await tg.send(tg.fake.callback(layla, ask["message_id"], "rate:R-1001:2"))
    await tg.settle()
    assert tg.to_user(layla)[-1]["text"].startswith("Thank you for your rating.")
    assert tg.topic_texts(topic)[-1] == "★★☆☆☆ Layla rated R-1001 2/5."
    assert escalation_lines(tg)[-1].startswith("⭐ Layla rated R-1001 2/5 (Anna).")
    sent = len(tg.to_user(layla))
    await tg.send(tg.fake.callback(layla, ask["message_id"], "rate:R-1001:5"))  # a second tap
    await tg.settle()
    assert len(tg.to_user(layla)) == sent
    assert [e.data["score"] for e in await ratings(tg)] == [2]

    await tg.send(tg.fake.user_message(layla, text="The driver was late and the car was not clean"))
    await tg.settle()
    assert [e.type for e in await ratings(tg)] == [EventType.REQUEST_RATED, EventType.RATING_COMMENTED]
    assert (await q.request(tg.store, "R-1001")).rating_comment.startswith("The driver")
    assert len(await reads.requests(tg.store)) == 1  # not a new request
    assert (
        tg.topic_texts(topic)[-1] == "The driver was late and the car was not clean"
    )  # relayed all the same
    assert len(tg.request_cards(topic)) == 1 or all("R-1002" not in c for c in tg.request_cards(topic))


async def test_a_good_score_stays_in_the_topic_and_the_question_is_asked_once(team: Harness) -> None:
    tg = team
    layla, topic = await fulfilled(tg, "ru")
    ask = tg.to_user(layla)[-1]
    assert ask["text"].startswith("Как мы справились с запросом R-1001?")
    await tg.send(tg.fake.callback(layla, ask["message_id"], "rate:R-1001:5"))
    await tg.settle()
    assert tg.topic_texts(topic)[-1] == "★★★★★ Layla rated R-1001 5/5."
    assert escalation_lines(tg) == []
    asked = [e for e in await tg.store.events.read("request:R-1001") if e.type is EventType.RATING_ASKED]
    assert len(asked) == 1


async def test_on_whatsapp_the_rating_is_a_number(team: Harness) -> None:
    tg = team
    await wa(tg, NUMBER, "Book a car to Sheremetyevo tomorrow at 7")
    topic = await thread(tg, NUMBER)
    await staff_says(tg, topic, "/quote 45000 RUB Car to SVO")
    offer = tg.wa_texts(NUMBER)[-1]
    url = next(line for line in offer.splitlines() if line.startswith("Pay RUB")).split(": ", 1)[1]
    await pay(tg, tg.cp.orders[url.rsplit("/", 1)[1]])
    await staff_says(tg, topic, "/done")
    ask = tg.wa_texts(NUMBER)[-1]
    assert ask.startswith("How did we do with request R-1001?")
    assert "1 — 1 ⭐" in ask and "5 — 5 ⭐" in ask and ask.endswith("Reply with the number of your choice.")
    await wa(tg, NUMBER, "3")
    assert tg.wa_texts(NUMBER)[-1].startswith("Thank you for your rating.")
    assert tg.topic_texts(topic)[-1] == "★★★☆☆ Layla rated R-1001 3/5."
    assert escalation_lines(tg)[-1].startswith("⭐ Layla rated R-1001 3/5")
    assert [e.data["score"] for e in await ratings(tg)] == [3]
    assert STAFF_CHAT


async def fulfilled_at(
    tg: Harness, moscow: str, quiet: tuple[str, str] | None = None, dies: pytest.MonkeyPatch | None = None
) -> tuple[dict, int]:
    """A request paid, then /done at `moscow` ("HH:MM[:SS]", business time, on the test's first day or the
    next morning), the client's quiet hours set in their app first when `quiet` is given; `dies`: the
    /done's step dies before storing its deliveries."""
    layla, topic, _ = await new_client(tg, "Layla", "Book a Mercedes S-Class tomorrow at 8 from the Ritz")
    if quiet is not None:
        status, _ = await App(tg, layla).post(
            "/app/preferences", {"language": "en", "quiet_from": quiet[0], "quiet_to": quiet[1]}, page="/app/"
        )
        assert status == 303
    await staff_says(tg, topic, "/quote 45000 RUB Mercedes S-Class")
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    moment = time.fromisoformat(moscow)
    day = tg.clock.now().astimezone(MOSCOW).date() + timedelta(days=1 if moment.hour < 12 else 0)
    tg.clock.advance_to(datetime.combine(day, moment, MOSCOW))
    if dies is not None:
        tg.dies_before_storing_deliveries(dies)
    await staff_says(tg, topic, "/done")
    return layla, topic


def asked(tg: Harness, person: dict) -> list[str]:
    return [m["text"] for m in tg.to_user(person) if m["text"].startswith("How did we do")]


async def test_a_request_done_at_night_is_rated_in_the_morning_not_at_once(team: Harness) -> None:
    tg = team
    layla, _ = await fulfilled_at(tg, "23:30")
    assert any(m["text"].startswith("Your request R-1001 is complete") for m in tg.to_user(layla))
    assert asked(tg, layla) == []  # how it went can wait for the morning
    tg.clock.advance_to(tg.clock.now() + timedelta(hours=8, minutes=29))  # 07:59
    await tick(tg)
    assert asked(tg, layla) == []
    tg.clock.advance(minutes=1)  # 08:00
    await tick(tg)
    (question,) = asked(tg, layla)
    assert question.startswith("How did we do with request R-1001?")
    await tick(tg)  # asked once
    assert len(asked(tg, layla)) == 1
    (event,) = await reads.events(tg.store, EventType.RATING_ASKED)
    assert event.actor.kind is ActorKind.SYSTEM


async def test_a_request_done_in_the_client_s_quiet_hours_is_rated_when_they_end(team: Harness) -> None:
    tg = team
    layla, _ = await fulfilled_at(tg, "16:00", quiet=("15:00", "18:00"))
    assert asked(tg, layla) == []
    tg.clock.advance(hours=2)  # 18:00: their quiet hours are over
    await tick(tg)
    assert len(asked(tg, layla)) == 1


async def test_a_request_refunded_before_the_morning_is_not_asked_about(team: Harness) -> None:
    tg = team
    layla, topic = await fulfilled_at(tg, "23:30")
    await staff_says(tg, topic, "/refund")
    tg.clock.advance(hours=9)
    await tick(tg)
    assert asked(tg, layla) == []
    assert await reads.events(tg.store, EventType.RATING_ASKED) == []


async def test_a_request_done_by_day_is_asked_at_once_and_no_timer_is_left(team: Harness) -> None:
    tg = team
    layla, _ = await fulfilled_at(tg, "16:00")
    assert len(asked(tg, layla)) == 1
    assert await tg.store.deadlines.current(f"{RATING}:R-1001") is None


async def test_a_crash_after_the_morning_question_is_recorded_still_asks_it_once(
    team: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = team
    layla, _ = await fulfilled_at(tg, "23:30")
    calls = tg.dies_before_storing_deliveries(monkeypatch)  # the question is recorded, then the process dies
    tg.clock.advance(hours=8, minutes=30)  # 08:00
    await tick(tg)
    assert calls["n"] == 1 and asked(tg, layla) == []
    tg.clock.advance(minutes=2)  # the runner tries again
    await tick(tg)
    await tick(tg)
    assert len(asked(tg, layla)) == 1
    assert len(await reads.events(tg.store, EventType.RATING_ASKED)) == 1


async def test_a_partial_refund_overnight_leaves_the_question_unasked(team: Harness) -> None:
    tg = team
    layla, topic = await fulfilled_at(tg, "23:30")
    await staff_says(tg, topic, "/refund 5000")
    assert (await q.known_request(tg.store, "R-1001")).partly_refunded
    tg.clock.advance(hours=9)
    await tick(tg)
    assert asked(tg, layla) == []


async def test_a_done_retried_at_night_after_a_crash_is_rated_in_the_morning(
    team: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/done at 21:59:58 (a decent hour) dies before asking; the inbox retries it two seconds later, at 22:00:
    how it went is asked at 08:00, not at night."""
    tg = team
    layla, _ = await fulfilled_at(tg, "21:59:58", dies=monkeypatch)  # (retried within)
    assert tg.clock.now().astimezone(MOSCOW).time() >= time(22, 0)
    assert any(m["text"].startswith("Your request R-1001 is complete") for m in tg.to_user(layla))
    assert asked(tg, layla) == []
    tg.clock.advance_to(tg.clock.now().replace(hour=5, minute=0, second=0) + timedelta(days=1))  # 08:00
    await tick(tg)
    assert len(asked(tg, layla)) == 1
