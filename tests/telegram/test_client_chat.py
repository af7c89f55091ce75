"""The client's private chat: registration, language, assignment, contact."""

import asyncio

import pytest

from domain.clients import Language
from domain.events import EventType
from tests import reads
from tests.harness import STAFF_CHAT, Harness, user


async def test_start_registers_and_greets_in_the_clients_language_by_their_assistant(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en,ru")
    await tg.add_staff(9002, "Omar", "ar,en")
    layla = user("Layla", "ar", "layla_m", last_name="Al Mansouri")
    await tg.send(tg.fake.user_message(layla, text="/start"))
    await tg.settle()
    client = await tg.client_of(layla)
    assert client.name == "Layla Al Mansouri" and client.username == "layla_m"
    assert client.language == "ar" and client.assistant_id == "A-9002"
    (greeting,) = tg.to_user(layla)
    assert greeting["text"] == tg.engine.deps.t(Language.AR, "welcome", name="Layla", assistant="Omar")
    assert "أهلاً" in greeting["text"]
    # /start again: welcomed back, not registered twice
    await tg.send(tg.fake.user_message(layla, text="/start"))
    await tg.settle()
    assert len(await reads.clients(tg.store)) == 1
    assert "أهلاً بعودتكم" in tg.to_user(layla)[-1]["text"]


async def test_an_unsupported_telegram_language_is_asked_with_buttons(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en,ru")
    hans = user("Hans", "de")
    await tg.send(tg.fake.user_message(hans, text="/start"))
    await tg.settle()
    (question,) = tg.to_user(hans)
    buttons = [b["callback_data"] for b in question["reply_markup"]["inline_keyboard"][0]]
    assert buttons == ["lang:en", "lang:ar", "lang:ru"]
    assert (
        "Which language" in question["text"]
        and "بأي لغة" in question["text"]
        and "На каком" in question["text"]
    )
    assert (await tg.client_of(hans)).language is None

    await tg.send(tg.fake.callback(hans, question["message_id"], "lang:ru"))
    await tg.settle()
    confirmation, welcome = (m["text"] for m in tg.to_user(hans)[1:])
    assert confirmation == "Теперь я буду писать вам по-русски."
    assert welcome.startswith("Добро пожаловать, Hans. Я Anna")
    assert (await tg.client_of(hans)).language == "ru"
    assert any(c.method == "answerCallbackQuery" for c in tg.fake.calls)


async def test_language_command_changes_the_language(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en")
    omar = user("Omar", "en")
    await tg.send(tg.fake.user_message(omar, text="/start"), tg.fake.user_message(omar, text="/language"))
    await tg.settle()
    question = tg.to_user(omar)[-1]
    assert question["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "lang:ar"
    await tg.send(tg.fake.callback(omar, question["message_id"], "lang:ar"))
    await tg.settle()
    assert tg.to_user(omar)[-1]["text"] == "سأكتب إليكم بالعربية من الآن فصاعداً."
    assert (await tg.client_of(omar)).language == "ar"


async def test_a_language_switch_renames_the_clients_topic(tg: Harness) -> None:
    """The topic's name tells the team which language the client writes: a switch renames it (once)."""
    await tg.add_staff(9001, "Anna", "en,ru")
    omar = user("Omar", "en")
    await tg.send(tg.fake.user_message(omar, text="/start"), tg.fake.user_message(omar, text="A car at 8"))
    await tg.settle()
    thread = await tg.thread_of(omar)
    topics = tg.fake.chats[STAFF_CHAT].topics
    assert topics[thread] == "Omar · EN"
    for choice in ("lang:ru", "lang:ru"):  # (the second changes nothing: renamed once)
        await tg.send(tg.fake.user_message(omar, text="/language"))
        await tg.settle()
        await tg.send(tg.fake.callback(omar, tg.to_user(omar)[-1]["message_id"], choice))
        await tg.settle()
    assert topics[thread] == "Omar · RU"
    assert [c.params["name"] for c in tg.fake.calls if c.method == "editForumTopic"] == ["Omar · RU"]


async def test_a_language_switch_handled_again_after_a_crash_still_renames_the_topic(
    tg: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between the switch's event and its deliveries, the step is handled again: the client read then
    speaks the new language already, and the rename is decided from what the event recorded it replaced."""
    await tg.add_staff(9001, "Anna", "en,ru")
    omar = user("Omar", "en")
    await tg.send(tg.fake.user_message(omar, text="/start"), tg.fake.user_message(omar, text="A car at 8"))
    await tg.settle()
    thread = await tg.thread_of(omar)
    await tg.send(tg.fake.user_message(omar, text="/language"))
    await tg.settle()
    calls = tg.dies_before_storing_deliveries(monkeypatch)
    await tg.send(tg.fake.callback(omar, tg.to_user(omar)[-1]["message_id"], "lang:ru"))
    await tg.settle()
    assert calls["n"] > 1  # (it died once, and was handled again)
    changed = await reads.events(tg.store, EventType.CLIENT_LANGUAGE_CHANGED)
    assert len(changed) == 1 and changed[0].data["was"] == "en"
    assert tg.fake.chats[STAFF_CHAT].topics[thread] == "Omar · RU"
    assert tg.to_user(omar)[-1]["text"] == "Теперь я буду писать вам по-русски."


async def test_assignment_prefers_the_language_then_the_lightest_load(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en,ru")
    await tg.add_staff(9002, "Omar", "ar,en")
    await tg.add_staff(9003, "Fatima", "ar")
    arabic = [user(f"Client{i}", "ar") for i in range(4)]
    for person in arabic:
        # each client opens a conversation before the next one arrives: load grows as they come
        await tg.send(tg.fake.user_message(person, text="/start"), tg.fake.user_message(person, text="Hello"))
        await tg.settle()
    russian = user("Ivan", "ru")
    await tg.send(tg.fake.user_message(russian, text="/start"))
    await tg.settle()
    assigned = [(await tg.client_of(p)).assistant_id for p in arabic]
    assert sorted(assigned[:2]) == ["A-9002", "A-9003"]  # both Arabic speakers, one each
    assert sorted(assigned[2:]) == ["A-9002", "A-9003"]  # then again one each: ties rotate
    assert (await tg.client_of(russian)).assistant_id == "A-9001"  # only Anna speaks Russian


async def test_a_deactivated_assistant_gets_no_new_clients(tg: Harness) -> None:
    from engine.team import admin as staff_admin

    await tg.add_staff(9002, "Omar", "ar")
    await tg.add_staff(9001, "Anna", "en")
    await staff_admin.deactivate(tg.engine.deps, 9002)
    nour = user("Nour", "ar")
    await tg.send(tg.fake.user_message(nour, text="/start"))
    await tg.settle()
    assert (await tg.client_of(nour)).assistant_id == "A-9001"  # nobody active speaks Arabic: anyone active


async def test_a_shared_contact_stores_the_phone_in_e164(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en")
    sara = user("Sara", "en")
    contact = {"phone_number": "971501234567", "first_name": "Sara", "user_id": sara["id"]}
    await tg.send(tg.fake.user_message(sara, text="/start"), tg.fake.user_message(sara, contact=contact))
    await tg.settle()
    assert (await tg.client_of(sara)).phone == "+971501234567"
    card = tg.fake.chats[-1001000000001].messages[tg.fake.chats[-1001000000001].pinned[-1]]["text"]
    assert "+971•••••4567" in card and "501234567" not in card


async def test_someone_elses_contact_is_relayed_but_not_taken_as_the_clients_phone(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en")
    sara = user("Sara", "en")
    contact = {"phone_number": "+79161234567", "first_name": "Driver"}
    await tg.send(tg.fake.user_message(sara, contact=contact))
    await tg.settle()
    assert (await tg.client_of(sara)).phone is None
    assert [c.method for c in tg.fake.sent(chat_id=-1001000000001)][-1] == "copyMessage"


async def test_the_command_menus_fit_each_audience(tg: Harness) -> None:
    await asyncio.wait_for(tg.rt.menus_set.wait(), 10)  # set at start (retried until Telegram answers)
    menus = tg.fake.commands
    assert [c for c, _ in menus[("all_private_chats", None, None)]] == ["start", "app", "language", "help"]
    assert menus[("all_private_chats", None, "ru")][3] == ("help", "Чем я могу помочь")
    assert menus[("all_private_chats", None, "ar")][1] == ("app", "طلباتي وتفضيلاتي")
    assert menus[("all_private_chats", None, "ar")][2] == ("language", "اختيار اللغة")
    staff = dict(menus[("chat", STAFF_CHAT, None)])
    assert {"quote", "done", "refund", "note", "take", "away", "back", "stats", "assign"} <= set(staff)
    assert all(3 <= len(text) <= 256 for text in staff.values())
    russian = dict(menus[("chat", STAFF_CHAT, "ru")])  # staff whose Telegram speaks Russian
    assert set(russian) == set(staff) and russian["done"] == "заявка выполнена (клиента поблагодарят)"


async def test_help_answers_in_the_clients_language(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    nadia = user("Nadia", "ru")
    await tg.send(tg.fake.user_message(nadia, text="/help"))
    await tg.settle()
    assert tg.to_user(nadia)[-1]["text"].startswith("Я ваш консьерж в Москве")
    assert await reads.requests(tg.store) == []


async def test_a_message_the_client_edits_reaches_the_topic_as_an_edit(tg: Harness) -> None:
    """Found by hand: Layla corrected 'at 8' to 'at 9' by editing her message; Telegram sent the edit (we ask
    for edited_message) and nothing happened — the assistant booked the car for 8."""
    await tg.add_staff(9002, "Amira", "ar,en")
    layla = user("Layla", "ar", last_name="Al Mansouri")
    first = tg.fake.user_message(layla, text="أريد سيارة الليلة الساعة 8 من فندق ريتز")
    await tg.send(tg.fake.user_message(layla, text="/start"), first)
    await tg.settle()
    thread = await tg.thread_of(layla)
    before = len(await reads.requests(tg.store))
    mine = first["message"]["message_id"]
    await tg.send(tg.fake.edit(layla, mine, "أريد سيارة الليلة الساعة 9 من فندق ريتز"))
    await tg.settle()
    assert tg.topic_texts(thread)[-1] == "✏️ أريد سيارة الليلة الساعة 9 من فندق ريتز"
    assert len(await reads.requests(tg.store)) == before  # the correction opens no second request
