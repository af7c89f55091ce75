"""What a new user tried in the sandbox: a Russian client with a quoted dinner answers "yes, that works,
thanks" — and it stays one request, one card, no news of a request that does not exist."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine import queries as q
from tests import reads
from tests.harness import Harness, user
from tests.telegram.test_lifecycle import ANNA, quote_message, staff_says


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    return tg


async def test_yes_that_works_thanks_is_no_new_request(team: Harness) -> None:
    tg = team
    nadia = user("Nadia", "ru")
    await tg.send(tg.fake.user_message(nadia, text="/start"))
    await tg.send(tg.fake.user_message(nadia, text="Забронируйте ужин на двоих в Пушкине завтра в 20:00"))
    await tg.settle()
    thread = await tg.thread_of(nadia)
    await staff_says(tg, thread, "/quote 30000 RUB Ужин в Кафе Пушкин")
    told = len(tg.to_user(nadia))
    assert quote_message(tg, nadia)
    for answer in ("Да, подходит, спасибо", "👍", "а чаевые включены?", "СПАСИБО!"):
        await tg.send(tg.fake.user_message(nadia, text=answer))
        await tg.settle()
    assert len(await reads.requests(tg.store)) == 1
    request = await q.request(tg.store, "R-1001")
    assert request.details.category == "dining" and request.state == "quoted"
    assert len(tg.request_cards(thread)) == 1  # no second card
    assert len(tg.to_user(nadia)) == told  # nothing said back, least of all "your request R-1002"
    texts = tg.topic_texts(thread)
    assert "Да, подходит, спасибо" in texts and "а чаевые включены?" in texts  # the assistant reads them all
    assert ANNA


async def test_a_second_real_need_still_opens_a_request(team: Harness) -> None:
    tg = team
    omar = user("Omar", "ar")
    await tg.send(tg.fake.user_message(omar, text="احجز لي طاولة لشخصين في مطعم بوشكين غدا الساعة 8 مساء"))
    await tg.send(tg.fake.user_message(omar, text="شكراً جزيلاً"))
    await tg.send(tg.fake.user_message(omar, text="وأحتاج سيارة مع سائق من الفندق إلى المطعم"))
    await tg.settle()
    categories = [r.details.category for r in await reads.requests(tg.store)]
    assert categories == ["dining", "chauffeur"]


@pytest.mark.parametrize(
    ("opening", "follow_ups"),
    [
        (
            "Book a table for 2 at White Rabbit tonight at 9pm",
            ("Also, is there parking near the restaurant?", "Could we also have flowers on the table?"),
        ),
        ("Машину к White Rabbit сегодня в 21:00", ("А есть ли парковка рядом с рестораном?",)),
        ("احجز طاولة في مطعم بوشكين الليلة الساعة 9 مساء", ("وممكن كمان ورد على الطاولة؟",)),
    ],
)
async def test_a_question_or_an_also_about_the_open_request_stays_in_it(
    team: Harness, opening: str, follow_ups: tuple[str, ...]
) -> None:
    tg = team
    james = user("James", "en")
    await tg.send(tg.fake.user_message(james, text=opening))
    await tg.settle()
    for text in follow_ups:
        await tg.send(tg.fake.user_message(james, text=text))
        await tg.settle()
    assert len(await reads.requests(tg.store)) == 1
    request = await q.request(tg.store, "R-1001")
    assert request.text.splitlines()[1:] == list(follow_ups)  # each one kept on the open request


@pytest.mark.parametrize(
    "messages",
    [
        ("Book a table for 2 at White Rabbit tonight at 8",),
        ("A table for 2 at White Rabbit please", "tonight at 8"),
    ],
)
async def test_a_time_already_past_is_never_written_silently(
    team: Harness, messages: tuple[str, ...]
) -> None:
    tg = team
    james = user("James", "en")
    tg.clock.advance_to(datetime(2026, 11, 28, 21, 18, tzinfo=ZoneInfo("Europe/Moscow")))
    for text in messages:
        await tg.send(tg.fake.user_message(james, text=text))
        await tg.settle()
    thread = await tg.thread_of(james)
    request = await q.request(tg.store, "R-1001")
    assert request.details.when.isoformat().startswith("2026-11-28T20:00") and request.details.time_past
    assert "⚠️ already past when said: confirm" in tg.request_cards(thread)[-1]
    told = [text for text in tg.topic_texts(thread) if text.startswith("⚠️ R-1001")]
    assert told == [
        "⚠️ R-1001: the time the client gave, Sat 28 Nov, 20:00, had already passed when they "
        "wrote. Please confirm the time with the client, then /edit when …"
    ]


async def test_arabic_and_russian_in_latin_letters_are_read_as_clients_mean_them(team: Harness) -> None:
    """A Gulf client writes Arabizi, a Russian one translit: each gets a chauffeur request for tomorrow at the
    hour said, the card names the place, and thanks in Arabizi for yesterday's car opens nothing."""
    tg = team
    moscow = ZoneInfo("Europe/Moscow")
    tomorrow = (tg.clock.now().astimezone(moscow) + timedelta(days=1)).date()
    omar, igor = user("Omar", "ar"), user("Igor", "ru")
    await tg.send(tg.fake.user_message(omar, text="abi sayyara bukra el sa3a 7 el sob7 min el ritz"))
    await tg.send(tg.fake.user_message(igor, text="nuzhna mashina zavtra v 8 utra v Sheremetyevo"))
    await tg.send(tg.fake.user_message(omar, text="mashkoor 3la el sayyara ams, el sawwa8 kan wayed zain"))
    await tg.settle()
    requests = await reads.requests(tg.store)
    assert [r.details.category for r in requests] == ["chauffeur", "chauffeur"]
    said = {r.client_id: r.details for r in requests}
    omar_asked = said[(await tg.client_of(omar)).id]
    igor_asked = said[(await tg.client_of(igor)).id]
    assert omar_asked.when is not None and omar_asked.when.astimezone(moscow) == datetime(
        tomorrow.year, tomorrow.month, tomorrow.day, 7, 0, tzinfo=moscow
    )
    assert igor_asked.when is not None and igor_asked.when.astimezone(moscow).hour == 8
    assert "The Ritz-Carlton" in omar_asked.places and "Sheremetyevo (SVO)" in igor_asked.places
    card = tg.request_cards(await tg.thread_of(omar))[-1]
    assert "The Ritz-Carlton" in card and "07:00" in card
