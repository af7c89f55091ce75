"""A paid booking's client is reminded of it in their language and on their channel — the evening before and
two hours before — with "All good" / "I need a change" (the second opens a line in the topic and starts the
response clock); on WhatsApp outside its 24 hours only the approved template goes, or nothing."""

import json
from datetime import datetime, timedelta

import pytest

from domain.events import EventType
from engine import queries as q
from sandbox.twilio import Failure
from tests import reads
from tests.harness import REMINDER_TEMPLATE, Harness, start_harness
from tests.telegram.test_clock import new_client, tick
from tests.telegram.test_lifecycle import order_of, pay, quote_message, staff_says
from tests.telegram.test_whatsapp import NUMBER, wa

ARABIC_TEMPLATE = "HX" + "a" * 32
ENGLISH_TEMPLATE = "HX" + "e" * 32


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    return tg


async def paid(tg: Harness, person: dict, thread: int) -> datetime:
    await staff_says(tg, thread, "/quote 45000 RUB Table for two at Nobu")
    await pay(tg, order_of(tg, quote_message(tg, person)))
    request = await q.request(tg.store, "R-1001")
    assert request.details.when is not None and request.details.time_known
    return request.details.when


def buttons(message: dict) -> list[tuple[str, str]]:
    return [
        (b["text"], b["callback_data"]) for row in message["reply_markup"]["inline_keyboard"] for b in row
    ]


async def test_an_arabic_client_is_reminded_twice_confirms_then_asks_for_a_change(team: Harness) -> None:
    tg = team
    layla, thread, _ = await new_client(tg, "Layla", "احجز لي طاولة في نوبو غدا الساعة 9 مساء", language="ar")
    when = await paid(tg, layla, thread)
    evening = datetime.combine((when - timedelta(days=1)).date(), datetime.min.time(), when.tzinfo)
    tg.clock.advance_to(evening + timedelta(hours=19, seconds=5))  # 19:00 the evening before, Moscow time
    await tick(tg)
    reminder = tg.to_user(layla)[-1]
    assert reminder["text"].startswith("تذكير بموعد الغد: الطلب R-1001") and "21:00" in reminder["text"]
    assert buttons(reminder) == [
        ("كل شيء على ما يرام", "remind:R-1001:1:ok"),
        ("أحتاج إلى تغيير", "remind:R-1001:1:change"),
    ]
    assert "🔔 The client was reminded of R-1001 on Telegram." in tg.topic_texts(thread)
    await tg.send(tg.fake.callback(layla, reminder["message_id"], "remind:R-1001:1:ok"))
    await tg.settle()
    assert tg.to_user(layla)[-1]["text"].startswith("رائع")
    assert tg.topic_texts(thread)[-1].startswith("✅ The client confirmed R-1001")

    tg.clock.advance_to(when - timedelta(hours=2) + timedelta(seconds=5))
    await tick(tg)
    soon = [m for m in tg.to_user(layla) if m["text"].startswith("اقترب الموعد")]
    assert len(soon) == 1
    await tg.send(tg.fake.callback(layla, soon[0]["message_id"], "remind:R-1001:2:change"))
    await tg.send(tg.fake.callback(layla, soon[0]["message_id"], "remind:R-1001:2:change"))  # tapped twice
    await tg.settle()
    asked = [t for t in tg.topic_texts(thread) if t.startswith("🔁 The client needs a change to R-1001")]
    assert len(asked) == 1
    tg.clock.advance(minutes=15, seconds=30)  # nobody answers: the response clock reminds the assistant
    await tick(tg)
    assert tg.topic_texts(thread)[-1].startswith("⏰ Anna, Layla has been waiting")
    reminded = await reads.events(tg.store, EventType.CLIENT_REMINDED)
    assert [(e.data["step"], e.data["action"]) for e in reminded] == [(1, "message"), (2, "message")]
    await tick(tg)  # nothing more is due: each reminder went once
    assert len(await reads.events(tg.store, EventType.CLIENT_REMINDED)) == 2


async def test_a_moved_booking_is_reminded_at_its_new_time_and_a_done_one_opens_nothing(
    team: Harness,
) -> None:
    tg = team
    layla, thread, _ = await new_client(tg, "Layla", "A table at Nobu tomorrow at 9pm")
    when = await paid(tg, layla, thread)
    await staff_says(tg, thread, f"/edit when {(when + timedelta(days=1)):%Y-%m-%d %H:%M}")  # a day later
    tg.clock.advance_to(when - timedelta(hours=2) + timedelta(seconds=5))
    await tick(tg)
    assert not [m for m in tg.to_user(layla) if m["text"].startswith("Coming up")]
    tg.clock.advance_to(when + timedelta(days=1) - timedelta(hours=2) + timedelta(seconds=5))
    await tick(tg)
    (soon,) = [m for m in tg.to_user(layla) if m["text"].startswith("Coming up")]
    await staff_says(tg, thread, "/done")
    assert (await q.request(tg.store, "R-1001")).state == "fulfilled"  # (its stream took the reminders)
    await tg.send(tg.fake.callback(layla, soon["message_id"], "remind:R-1001:2:change"))
    await tg.settle()
    assert not [t for t in tg.topic_texts(thread) if t.startswith("🔁")]  # a closed booking: nothing opened


@pytest.fixture(params=[None, "template"])
async def on_whatsapp(
    request, aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> Harness:
    template = "HX" + "fedcba9876543210" * 2 if request.param else None
    harness = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, template_sid=template
    )
    await harness.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    yield harness
    await harness.store.client.drop_database(db_name)


async def test_outside_whatsapps_24_hours_only_the_template_goes_or_nothing(on_whatsapp: Harness) -> None:
    tg = on_whatsapp
    await wa(tg, NUMBER, "A table at Nobu in 3 days at 9pm")
    client = await q.client_by_identity_key(tg.store, f"whatsapp:{NUMBER}")
    thread = client.topic.thread_id
    await staff_says(tg, thread, "/quote 45000 RUB Table at Nobu")
    link = [m for m in tg.tw.to(NUMBER) if "/pay/" in (m.body or "")][-1]
    order = tg.cp.orders[link.body.split("/pay/")[1].split()[0].rstrip(".")]
    await pay(tg, order)
    request = await q.request(tg.store, "R-1001")
    sent = len(tg.tw.to(NUMBER))
    tg.clock.advance_to(request.details.when - timedelta(hours=2) + timedelta(seconds=5))  # days later
    await tick(tg)
    (reminded,) = [e for e in await reads.events(tg.store, EventType.CLIENT_REMINDED) if e.data["step"] == 2]
    new = tg.tw.to(NUMBER)[sent:]
    if tg.engine.deps.policy.reminder_templates.any_language:
        assert reminded.data["action"] == "template"
        assert [m.content_sid for m in new if m.content_sid] == [REMINDER_TEMPLATE]
        assert "by the approved WhatsApp template" in "\n".join(tg.topic_texts(thread))
    else:
        assert reminded.data["action"] == "none" and new == []  # never a paid message by accident
        assert "no reminder template is set" in tg.topic_texts(thread)[-1]


async def paid_on_whatsapp(tg: Harness, text: str) -> tuple[int, datetime]:
    """A WhatsApp client books by `text` (at 15:00 Moscow time) and pays: their topic, the booking's time."""
    await wa(tg, NUMBER, text)
    client = await q.client_by_identity_key(tg.store, f"whatsapp:{NUMBER}")
    thread = client.topic.thread_id
    await staff_says(tg, thread, "/quote 45000 RUB Table at Nobu")
    link = [m for m in tg.tw.to(NUMBER) if "/pay/" in (m.body or "")][-1]
    await pay(tg, tg.cp.orders[link.body.split("/pay/")[1].split()[0].rstrip(".")])
    when = (await q.request(tg.store, "R-1001")).details.when
    assert when is not None
    return thread, when


def the_evening_before(when: datetime) -> datetime:
    """19:00 the evening before `when`, in its (the business) time zone."""
    midnight = datetime.combine((when - timedelta(days=1)).date(), datetime.min.time(), when.tzinfo)
    return midnight + timedelta(hours=19)


def lapsed_as_it_should(tg: Harness, thread: int, new: list) -> None:
    """Outside the 24 hours the reminder went as its own template (when one is set), else not at all: never a
    free-form message, never the (paid) re-open template."""
    assert all(m.body is None for m in new)
    notes = "\n".join(tg.topic_texts(thread))
    if tg.engine.deps.policy.reminder_templates.any_language:
        assert [m.content_sid for m in new] == [REMINDER_TEMPLATE]
        assert json.loads(new[0].content_variables)["2"] == "R-1001"
        assert "the approved reminder template went instead" in notes
    else:
        assert new == []
        assert "no reminder template is set for the client's language" in notes and "not sent" in notes


async def test_a_reminder_whose_turn_comes_after_the_24_hours_goes_as_its_template_or_not_at_all(
    on_whatsapp: Harness,
) -> None:
    tg = on_whatsapp
    thread, when = await paid_on_whatsapp(tg, "A table at Nobu tomorrow at 9pm")
    sent = len(tg.tw.to(NUMBER))
    tg.clock.advance_to(the_evening_before(when) + timedelta(seconds=5))  # 4 h after the client wrote
    await tg.engine.clock_runner.run_once()  # decided and stored inside the window...
    (reminded,) = await reads.events(tg.store, EventType.CLIENT_REMINDED)
    assert reminded.data["action"] == "message"
    tg.clock.advance(hours=21)  # ...and its turn comes after it closed (a backlog, a restart)
    await tg.settle()
    lapsed_as_it_should(tg, thread, tg.tw.to(NUMBER)[sent:])
    assert tg.tw.refused == []  # nothing was tried outside the window


async def test_a_reminder_twilio_refuses_as_outside_the_window_goes_as_its_template_or_not_at_all(
    on_whatsapp: Harness,
) -> None:
    tg = on_whatsapp
    thread, when = await paid_on_whatsapp(tg, "A table at Nobu tomorrow at 9pm")
    sent = len(tg.tw.to(NUMBER))
    tg.tw.failures.append(Failure(400, 63016, "Failed to send freeform message: outside the allowed window"))
    tg.clock.advance_to(the_evening_before(when) + timedelta(seconds=5))  # our clock says the window is open
    await tick(tg)
    (reminded,) = await reads.events(tg.store, EventType.CLIENT_REMINDED)
    assert reminded.data["action"] == "message"
    assert tg.tw.refused == [{"to": f"whatsapp:{NUMBER}", "code": 63016}]  # Twilio knew better
    lapsed_as_it_should(tg, thread, tg.tw.to(NUMBER)[sent:])


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (f"ar={ARABIC_TEMPLATE},en={ENGLISH_TEMPLATE}", ARABIC_TEMPLATE),  # theirs, not the English one
        (f"en={ENGLISH_TEMPLATE}", None),  # none in Arabic: nothing, rather than English
        (f"{REMINDER_TEMPLATE},en={ENGLISH_TEMPLATE}", REMINDER_TEMPLATE),  # the one for any language
    ],
)
async def test_outside_the_24_hours_the_reminder_template_is_the_one_in_the_clients_language(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, setting: str, expected: str | None
) -> None:
    tg = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, reminder_sid=setting
    )
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    thread, when = await paid_on_whatsapp(tg, "احجز لي طاولة في نوبو غدا الساعة 9 مساء")
    assert (await q.client_by_identity_key(tg.store, f"whatsapp:{NUMBER}")).language == "ar"
    sent = len(tg.tw.to(NUMBER))
    tg.clock.advance_to(when - timedelta(hours=2) + timedelta(seconds=5))  # 28 h after they wrote
    await tick(tg)
    (soon,) = [e for e in await reads.events(tg.store, EventType.CLIENT_REMINDED) if e.data["step"] == 2]
    new = [m for m in tg.tw.to(NUMBER)[sent:] if m.body is None]
    if expected:
        assert soon.data["action"] == "template" and [m.content_sid for m in new] == [expected]
    else:
        assert soon.data["action"] == "none" and new == []
        assert "no reminder template is set for the client's language" in tg.topic_texts(thread)[-1]
    await tg.store.client.drop_database(db_name)


async def test_a_whatsapp_client_answers_the_reminders_by_number_all_good_then_a_change(
    team: Harness,
) -> None:
    tg = team
    thread, when = await paid_on_whatsapp(tg, "A table at Nobu tomorrow at 9pm")
    tg.clock.advance_to(the_evening_before(when) + timedelta(seconds=5))
    await tick(tg)
    evening = tg.wa_texts(NUMBER)[-1]
    assert evening.startswith("A reminder for tomorrow: request R-1001 is at")
    assert "1 — All good\n2 — I need a change" in evening
    tg.clock.advance(hours=1)
    await wa(tg, NUMBER, "1")  # through Twilio's webhook, signed as Twilio signs
    assert tg.topic_texts(thread)[-1].startswith("✅ The client confirmed R-1001")
    assert tg.wa_texts(NUMBER)[-1].startswith("Wonderful — Anna")

    tg.clock.advance_to(when - timedelta(hours=2) + timedelta(seconds=5))  # inside the 24 hours of the "1"
    await tick(tg)
    soon = tg.wa_texts(NUMBER)[-1]
    assert soon.startswith("Coming up: request R-1001") and "2 — I need a change" in soon
    await wa(tg, NUMBER, "2")
    assert tg.topic_texts(thread)[-1].startswith("🔁 The client needs a change to R-1001")
    assert tg.wa_texts(NUMBER)[-1].startswith("Of course — tell me what you would like to change")
    tg.clock.advance(minutes=15, seconds=30)  # nobody answers: the response clock reminds the assistant
    await tick(tg)
    assert tg.topic_texts(thread)[-1].startswith("⏰ Anna, Layla has been waiting")
