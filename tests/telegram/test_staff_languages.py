"""Staff texts in the reader's language: a client's topic speaks its assistant's interface language (the
request card, the client card, replies to commands, the clock's reminders), a command's answer the language
of whoever typed it."""

from datetime import timedelta

import pytest
from babel.dates import format_datetime

from engine import queries as q
from engine.team import admin as staff_admin
from tests.console_client import signed_in
from tests.harness import STAFF_CHAT, Harness, user
from tests.telegram.test_lifecycle import order_of, pay, quote_message

IRINA = {"id": 9003, "is_bot": False, "first_name": "Irina"}


@pytest.fixture
async def russian(tg: Harness) -> Harness:
    await staff_admin.add(tg.engine.deps, 9003, "Irina", "ru,en", lead=True, ui_language="ru")
    return tg


async def test_a_russian_speaking_assistants_topic_is_in_russian(russian: Harness) -> None:
    tg = russian
    client = user("Pavel", "ru")
    await tg.send(tg.fake.user_message(client, text="/start"))
    await tg.send(tg.fake.user_message(client, text="Забронируйте столик на двоих завтра в 20:00"))
    await tg.settle()
    thread = await tg.thread_of(client)
    (card,) = tg.request_cards(thread)
    assert card.startswith("📋 R-1001 · Рестораны · новая"), card
    chat = tg.fake.chats[STAFF_CHAT]
    pinned = chat.messages[min(chat.pinned)]["text"]
    assert (
        "🌐 русский" in pinned
        and "🧑‍💼 Ассистент: Irina" in pinned
        and "Открытые заявки: R-1001 (новая)" in pinned
    )
    await tg.send(tg.fake.user_message(IRINA, chat_id=STAFF_CHAT, thread_id=thread, text="/done"))
    await tg.send(tg.fake.user_message(IRINA, chat_id=STAFF_CHAT, thread_id=thread, text="/frobnicate"))
    await tg.settle()
    lines = tg.topic_texts(thread)
    assert (
        "⚠️ У Pavel нет заявки в статусе «оплачена» / «в работе». /new открывает новую." in lines
    )  # a refusal
    assert any(line.startswith("Неизвестная команда /frobnicate.\nКоманды в теме клиента:") for line in lines)
    tg.clock.advance(minutes=16)
    await tg.engine.clock_runner.run_once()
    await tg.settle()
    assert any(line.startswith("⏰ Irina, Pavel ждёт ответа уже 16 мин.") for line in tg.topic_texts(thread))


async def test_a_command_is_answered_in_the_language_of_whoever_typed_it(russian: Harness) -> None:
    tg = russian
    await staff_admin.add(tg.engine.deps, 9001, "Anna", "en")
    await tg.send(tg.fake.user_message(IRINA, text="/away for 2h"))
    await tg.send(tg.fake.user_message({"id": 9001, "is_bot": False, "first_name": "Anna"}, text="/start"))
    await tg.settle()
    (away,) = [m["text"] for m in tg.fake.bot_messages(9003)]
    assert away.startswith("🌙 Irina — не на месте до ")
    until = tg.clock.now() + timedelta(hours=2)  # the date in Russian too: it said "до 09 Dec, 09:14"
    assert (
        f"до {format_datetime(until, 'd MMMM, HH:mm', tzinfo=tg.engine.deps.policy.tz, locale='ru')}." in away
    )
    (welcome,) = [m["text"] for m in tg.fake.bot_messages(9001)]
    assert welcome.startswith("Hello Anna") and "Commands here:" in welcome


async def quoted(tg: Harness, asked: str, quote: str) -> tuple[dict, int | None]:
    """Pavel, a Russian-speaking client, asks; Irina quotes in his topic."""
    client = user("Pavel", "ru")
    await tg.send(tg.fake.user_message(client, text=asked))
    await tg.settle()
    thread = await tg.thread_of(client)
    await tg.send(tg.fake.user_message(IRINA, chat_id=STAFF_CHAT, thread_id=thread, text=quote))
    await tg.settle()
    return client, thread


async def test_a_paid_request_cancelled_tells_the_topic_in_its_language_how_to_refund(
    russian: Harness,
) -> None:
    tg = russian
    client, thread = await quoted(
        tg, "Нужна машина до Большого театра сегодня в 19:00", "/quote 12000 Maybach"
    )
    await pay(tg, order_of(tg, quote_message(tg, client)))
    await tg.send(tg.fake.user_message(IRINA, chat_id=STAFF_CHAT, thread_id=thread, text="/cancel передумал"))
    await tg.settle()
    lines = tg.topic_texts(thread)
    assert "✖️ R-1001 отменена: передумал" in lines
    assert (
        "💸 Заявка была оплачена (12\u00a0000\u00a0RUB). Руководитель может вернуть деньги: "
        "/refund или /refund <сумма>." in lines
    )
    await tg.send(tg.fake.user_message(IRINA, chat_id=STAFF_CHAT, thread_id=thread, text="/refund 2000"))
    await tg.settle()
    said = tg.topic_texts(thread)[-1]  # (it said "остаётся в состоянии cancelled")
    assert "Возвращено 2\u00a0000\u00a0RUB из 12\u00a0000\u00a0RUB; статус заявки прежний: отменена." in said


async def test_a_cancellations_reason_the_service_wrote_is_in_the_readers_language(russian: Harness) -> None:
    """The client declined the quote: the topic's line and the card said "declined by the client" in
    English, in a Russian-speaking assistant's topic."""
    tg = russian
    client, thread = await quoted(tg, "Машина в Шереметьево завтра в 7", "/quote 9000 RUB SVO")
    offer = quote_message(tg, client)
    await tg.send(tg.fake.callback(client, offer["message_id"], "decline:R-1001:1"))
    await tg.settle()
    assert "✖️ R-1001 отменена: клиент отказался от предложения" in tg.topic_texts(thread)
    (card,) = tg.request_cards(thread)
    assert "клиент отказался от предложения" in card and "declined" not in card


async def test_a_category_is_edited_by_the_name_the_card_shows(russian: Harness) -> None:
    """'/edit category рестораны' was refused ('это не категория; используйте одну из: chauffeur, dining, …')
    while the card named the category 'Рестораны'."""
    tg = russian
    client = user("Pavel", "ru")
    await tg.send(tg.fake.user_message(client, text="/start"))
    await tg.send(tg.fake.user_message(client, text="Машина в Шереметьево завтра в 7"))
    await tg.settle()
    thread = await tg.thread_of(client)
    for typed, shown in (
        ("рестораны", "Рестораны"),
        ("Экскурсии и гиды", "Экскурсии и гиды"),
        ("hotel", "Отель"),
    ):
        await tg.send(
            tg.fake.user_message(IRINA, chat_id=STAFF_CHAT, thread_id=thread, text=f"/edit category {typed}")
        )
        await tg.settle()
        (card,) = tg.request_cards(thread)
        assert card.startswith(f"📋 R-1001 · {shown} · новая"), card
    assert not [line for line in tg.topic_texts(thread) if line.startswith("⚠️")]


async def test_the_russian_console_writes_its_dates_in_russian(russian: Harness) -> None:
    # the board and the request page said "Tue 08 Dec 14:30" to a Russian-speaking assistant
    tg = russian
    client = user("Pavel", "ru")
    await tg.send(tg.fake.user_message(client, text="Нужна машина из Ритца завтра в 8 утра"))
    await tg.settle()
    when = (await q.request(tg.store, "R-1001")).details.when
    tz = tg.engine.deps.policy.tz
    irina = await signed_in(tg, 9003)
    board = await (await irina.get("/console/")).text()
    assert format_datetime(when, "EEE dd MMM HH:mm", tzinfo=tz, locale="ru") in board
    assert when.astimezone(tz).strftime("%a %d %b") not in board
    page = await (await irina.get("/console/requests/R-1001")).text()
    assert format_datetime(when, "EEE dd MMM y HH:mm", tzinfo=tz, locale="ru") in page
    activity = await (await irina.get("/console/activity")).text()  # ("28 Nov 17:00:00")
    assert f">{format_datetime(tg.clock.now(), 'dd MMM', tzinfo=tz, locale='ru')} " in activity
