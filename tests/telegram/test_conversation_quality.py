"""What a new user tried in the sandbox: a Russian client with a quoted dinner answers "yes, that works,
thanks" — and it stays one request, one card, no news of a request that does not exist."""

import pytest

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
    assert await tg.store.db["requests"].count_documents({}) == 1
    request = await tg.store.db["requests"].find_one({"_id": "R-1001"})
    assert request["details"]["category"] == "dining" and request["state"] == "quoted"
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
    categories = [d["details"]["category"] async for d in tg.store.db["requests"].find({}).sort("_id", 1)]
    assert categories == ["dining", "chauffeur"]
