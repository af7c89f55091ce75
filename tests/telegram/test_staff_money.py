"""Money in staff texts reads in the reader's locale, in the form the figures use: a Russian-speaking
assistant's topic says "45 000 RUB", not "RUB 45,000" (the quote sent, the payment, the request card)."""

import pytest

from engine.team import admin as staff_admin
from tests.console_client import signed_in
from tests.harness import STAFF_CHAT, Harness, user
from tests.telegram.test_lifecycle import order_of, pay, quote_message

IRINA = {"id": 9003, "is_bot": False, "first_name": "Irina"}
RU = "45\u00a0000\u00a0RUB"


@pytest.fixture
async def russian(tg: Harness) -> Harness:
    await staff_admin.add(tg.engine.deps, 9003, "Irina", "ru,en", lead=True, ui_language="ru")
    return tg


async def test_a_russian_speaking_assistant_reads_money_in_russian(russian: Harness) -> None:
    tg = russian
    client = user("Pavel", "ru")
    await tg.send(tg.fake.user_message(client, text="/start"))
    await tg.send(tg.fake.user_message(client, text="Нужна машина из Ритца завтра в 8 утра"))
    await tg.settle()
    thread = await tg.thread_of(client)
    quote = "/quote 45000 RUB Mercedes S-Class"
    await tg.send(tg.fake.user_message(IRINA, chat_id=STAFF_CHAT, thread_id=thread, text=quote))
    await tg.settle()
    assert f"🧾 Цена v1 по R-1001 отправлена клиенту: {RU}." in tg.topic_texts(thread)
    await pay(tg, order_of(tg, quote_message(tg, client)))
    assert any(line.startswith(f"✅ Оплачено: R-1001 · {RU} · ") for line in tg.topic_texts(thread))
    card = tg.request_cards(thread)[-1]
    assert f"🧾 Цена v1: {RU}\n" in card and f"✅ Оплачено {RU} · " in card  # (paid: no "действует до")
    assert "RUB\u00a045,000" not in "\n".join(tg.topic_texts(thread) + tg.request_cards(thread))
    # a partial refund, and the Russian console, read the same way
    await tg.send(tg.fake.user_message(IRINA, chat_id=STAFF_CHAT, thread_id=thread, text="/refund 5000"))
    await tg.settle()
    five = "5\u00a0000\u00a0RUB"
    assert any(f"{five}" in line and "R-1001" in line for line in tg.topic_texts(thread))
    assert f"{five} из {RU}" in tg.request_cards(thread)[-1]
    lead = await signed_in(tg, 9003)
    page = await (await lead.get("/console/requests/R-1001")).text()
    assert RU in page and "RUB\u00a045,000" not in page
