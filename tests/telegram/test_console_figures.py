"""The console's Team page in the viewer's locale: the periods, the figures and the charts' values read in
Russian for a Russian-speaking lead ("7 дней", "45 000 RUB", "4 мин"), in English for the others."""

import pytest

from engine.team import admin as staff_admin
from tests.console_client import signed_in
from tests.harness import STAFF_CHAT, Harness, user
from tests.telegram.test_lifecycle import order_of, pay, quote_message

IRINA = {"id": 9003, "is_bot": False, "first_name": "Irina"}


@pytest.fixture
async def russian(tg: Harness) -> Harness:
    await staff_admin.add(tg.engine.deps, 9003, "Irina", "ru,en", lead=True, ui_language="ru")
    await staff_admin.add(tg.engine.deps, 9001, "Anna", "en,ru", lead=True)
    return tg


async def test_the_team_page_reads_in_the_viewers_locale(russian: Harness) -> None:
    tg = russian
    client = user("Pavel", "ru")
    await tg.send(tg.fake.user_message(client, text="/start"))
    await tg.send(tg.fake.user_message(client, text="Нужна машина из Ритца завтра в 8 утра"))
    await tg.settle()
    thread = await tg.thread_of(client)
    tg.clock.advance(minutes=4)
    quote = "/quote 45000 RUB Mercedes S-Class"
    await tg.send(tg.fake.user_message(IRINA, chat_id=STAFF_CHAT, thread_id=thread, text=quote))
    await tg.settle()
    await pay(tg, order_of(tg, quote_message(tg, client)))

    irina = await signed_in(tg, 9003)
    page = await (await irina.get("/console/team?period=7d")).text()
    assert ">7 дней</a>" in page and ">24 часа</a>" in page and ">90 дней</a>" in page
    assert "45\u00a0000\u00a0RUB" in page and "4 мин" in page and "100\u00a0%" in page
    assert "RUB\u00a045,000" not in page and " min<" not in page and "4 min " not in page
    assert "выручка (RUB): максимум 45\u00a0000\u00a0RUB" in page and "per day" not in page  # the charts
    anna = await signed_in(tg, 9001)
    page = await (await anna.get("/console/team?period=7d")).text()
    assert ">7 days</a>" in page and "RUB\u00a045,000" in page and "4 min" in page and "100%" in page
