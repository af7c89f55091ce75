"""Translation between a client and an assistant who do not share a language, through the real webhooks and
the real DeepL and Yandex adapters talking to the local translator (sandbox/interpreter.py), which checks
each request as the providers document it."""

import json

import pytest

from domain.events import ActorKind, EventType
from engine import queries as q
from tests import reads
from tests.console_client import signed_in
from tests.harness import STAFF_CHAT, Harness, start_harness, user
from tests.telegram.test_console import staff_says
from tests.telegram.test_miniapp import App
from tests.telegram.test_whatsapp import wa

DMITRI = {"id": 9003, "is_bot": False, "first_name": "Dmitri"}  # reads Russian only


@pytest.fixture(params=["deepl", "yandex"])
async def interpreted(
    request, aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> Harness:
    harness = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, translation=request.param
    )
    await harness.add_staff(DMITRI["id"], "Dmitri", "ru")
    yield harness
    await harness.store.client.drop_database(db_name)


def folded_quote(message: dict, field: str = "text") -> str | None:
    """What is folded beneath a message's text (or `field`: "caption")."""
    entities = message.get("entities" if field == "text" else f"{field}_entities") or []
    entities = json.loads(entities) if isinstance(entities, str) else entities
    (quote,) = [e for e in entities if e["type"] == "expandable_blockquote"] or [None]
    if quote is None:
        return None
    text = message[field].encode("utf-16-le")
    return text[2 * quote["offset"] : 2 * (quote["offset"] + quote["length"])].decode("utf-16-le")


def card_of(tg: Harness, thread: int) -> str:
    chat = tg.fake.chats[STAFF_CHAT]
    (card,) = [
        chat.messages[m]["text"] for m in chat.pinned if chat.messages[m].get("message_thread_id") == thread
    ]
    return card


def topic_messages(tg: Harness, thread: int) -> list[dict]:
    return [m for m in tg.fake.topic_messages(STAFF_CHAT, thread) if "text" in m]


async def test_an_arabic_client_and_a_russian_assistant_read_each_other(interpreted: Harness) -> None:
    tg = interpreted
    layla = user("Layla", "ar")
    await tg.send(tg.fake.user_message(layla, text="احجز لي طاولة الليلة الساعة 9 من فضلك"))
    await tg.settle()
    client = await tg.client_of(layla)
    thread = reads.thread(client)
    # the words that opened the request are carried by its card: translated, the original beneath
    (card,) = tg.request_cards(thread)
    assert "💬 🌐 AR→RU: “[ru] " in card and " 9 " in card  # the number as written
    assert "↳ as written: “احجز لي طاولة الليلة الساعة 9 من فضلك”" in card
    assert not [m for m in topic_messages(tg, thread) if m["text"].startswith("🌐")]  # one post, not two
    assert "Arabic · translated for you into Russian" in card_of(tg, thread)
    # what adds to it is relayed: translated, the original folded beneath
    await tg.send(tg.fake.user_message(layla, text="بجانب النافذة من فضلك"))
    await tg.settle()
    (relay,) = [m for m in topic_messages(tg, thread) if m["text"].startswith("🌐")]
    assert relay["text"].startswith("🌐 [ru] ")
    assert folded_quote(relay) == "بجانب النافذة من فضلك"
    received = await reads.events(tg.store, EventType.MESSAGE_RECEIVED)
    assert received[0].data["message"]["text"] == "احجز لي طاولة الليلة الساعة 9 من فضلك"  # what is kept
    provider, body = tg.interpreter.calls[-1]
    if provider == "deepl":
        assert body["target_lang"] == "RU" and body["source_lang"] == "AR" and body["tag_handling"] == "xml"
    else:
        assert body["targetLanguageCode"] == "ru" and body["sourceLanguageCode"] == "ar"
        assert body["format"] == "HTML" and body["folderId"]

    reply = "Конечно! Столик на 21:00, депозит 45 000 RUB, заявка R-1001: https://example.com/menu"
    await staff_says(tg, thread, reply, who=DMITRI)
    (sent,) = tg.to_user(layla)[-1:]
    assert sent["text"].startswith("[ar] ")
    for token in ("21:00", "45 000 RUB", "R-1001", "https://example.com/menu"):
        assert token in sent["text"], token
    # the assistant's words: their language is detected, not assumed
    _provider, asked = tg.interpreter.calls[-1]
    assert "source_lang" not in asked and "sourceLanguageCode" not in asked
    said = [m["text"] for m in topic_messages(tg, thread) if m["text"].startswith("🌐 Sent in")]
    assert said and "[ar]" in said[-1]
    translated = await reads.events(tg.store, EventType.MESSAGE_TRANSLATED)
    assert [e.data["direction"] for e in translated] == ["to_assistant", "to_assistant", "to_client"]
    (staff,) = await reads.events(tg.store, EventType.STAFF_MESSAGE_SENT)
    assert staff.data["message"]["text"] == reply  # the assistant's own words are what is kept

    # the console's search finds a message by its translation too (the local translator marks its own: [ar])
    dmitri = await signed_in(tg, DMITRI["id"])
    found = await (await dmitri.post("/console/search", {"q": "ar"}, "/console/search")).text()
    hits = found.split('id="found-messages"', 1)[1]
    assert hits.count('class="open"') == 1 and "found in its translation" in hits
    assert f"#e-conversation-{client.id}-{staff.seq}" in hits and "Конечно" in hits


async def test_a_client_handed_to_an_assistant_who_cannot_read_them_has_their_cards_translated(
    interpreted: Harness,
) -> None:
    tg = interpreted
    omar = {"id": 9002, "is_bot": False, "first_name": "Omar"}
    await tg.add_staff(omar["id"], "Omar", "ar,en", lead=True)
    layla = user("Layla", "ar")
    await tg.send(tg.fake.user_message(layla, text="احجز لي طاولة الليلة الساعة 9 من فضلك"))
    await tg.settle()
    thread = reads.thread(await tg.client_of(layla))
    (card,) = tg.request_cards(thread)
    assert "🌐" not in card  # Omar reads it
    assert not await reads.events(tg.store, EventType.MESSAGE_TRANSLATED)
    await staff_says(tg, thread, "/assign Dmitri", who=omar)
    (card,) = tg.request_cards(thread)  # edited in place: Dmitri reads Russian only
    assert "💬 🌐 AR→RU: “[ru] " in card and "احجز لي طاولة الليلة الساعة 9 من فضلك" in card
    (made,) = await reads.events(tg.store, EventType.MESSAGE_TRANSLATED)
    assert made.data["target"] == "ru" and made.data["direction"] == "to_assistant"
    # back to Omar and to Dmitri again: the card as each reads it, the translation made once
    await staff_says(tg, thread, "/assign Omar", who=omar)
    assert "🌐" not in tg.request_cards(thread)[0]
    await staff_says(tg, thread, "/assign Dmitri", who=omar)
    assert "💬 🌐 AR→RU: “[ru] " in tg.request_cards(thread)[0]
    assert len(await reads.events(tg.store, EventType.MESSAGE_TRANSLATED)) == 1


@pytest.fixture
async def deepl(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock) -> Harness:
    harness = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, translation="deepl"
    )
    await harness.add_staff(DMITRI["id"], "Dmitri", "ru")
    yield harness
    await harness.store.client.drop_database(db_name)


async def layla_writes(tg: Harness, text: str, layla: dict | None = None) -> tuple[dict, int]:
    layla = layla or user("Layla", "ar")
    await tg.send(tg.fake.user_message(layla, text=text))
    await tg.settle()
    return layla, reads.thread(await tg.client_of(layla))


async def test_a_provider_that_is_down_costs_the_translation_only(deepl: Harness) -> None:
    tg = deepl
    tg.interpreter.down = True
    layla, thread = await layla_writes(tg, "مرحبا، أحتاج سيارة غدا")
    (relay,) = [m["text"] for m in topic_messages(tg, thread) if m["text"].startswith("⚠️ 🌐")]
    assert relay.startswith("⚠️ 🌐 Translation is unavailable") and relay.endswith("مرحبا، أحتاج سيارة غدا")
    await staff_says(tg, thread, "Добрый день! Машина будет в 10:00.", who=DMITRI)
    assert tg.to_user(layla)[-1]["text"] == "Добрый день! Машина будет в 10:00."  # as written
    assert any("went to the client as you wrote it" in m["text"] for m in topic_messages(tg, thread))
    assert await reads.events(tg.store, EventType.MESSAGE_TRANSLATED) == []


async def test_a_revoked_key_costs_the_translation_only(interpreted: Harness) -> None:
    """The provider refuses the key with its documented status (DeepL 403, Yandex 401): as when it is down,
    the message still reaches the topic, untranslated, and the topic is told."""
    tg = interpreted
    tg.interpreter.deepl_key = tg.interpreter.yandex_key = "rotated"  # the service's key no longer holds
    layla, thread = await layla_writes(tg, "مرحبا، أحتاج سيارة غدا")
    (relay,) = [m["text"] for m in topic_messages(tg, thread) if m["text"].startswith("⚠️ 🌐")]
    assert relay.startswith("⚠️ 🌐 Translation is unavailable") and relay.endswith("مرحبا، أحتاج سيارة غدا")
    await staff_says(tg, thread, "Добрый день!", who=DMITRI)
    assert tg.to_user(layla)[-1]["text"] == "Добрый день!"
    assert tg.interpreter.calls == [] and await reads.events(tg.store, EventType.MESSAGE_TRANSLATED) == []


async def test_a_translation_that_loses_a_placeholder_is_not_used(deepl: Harness) -> None:
    tg = deepl
    layla, thread = await layla_writes(tg, "مرحبا")
    tg.interpreter.breaks_placeholders = True
    await staff_says(tg, thread, "Стол на 21:00, R-1001.", who=DMITRI)
    assert tg.to_user(layla)[-1]["text"] == "Стол на 21:00, R-1001."  # never a mangled time or id


async def test_switches_cache_and_a_webhook_twice(deepl: Harness) -> None:
    tg = deepl
    layla, thread = await layla_writes(tg, "أريد سيارة")
    calls = len(tg.interpreter.calls)
    update = tg.fake.user_message(layla, text="أريد سيارة")  # the same words again: from the cache
    await tg.send(update, update)  # and the same webhook twice
    await tg.settle()
    assert len(tg.interpreter.calls) == calls
    assert len(await reads.events(tg.store, EventType.MESSAGE_TRANSLATED)) == 2  # one per message
    await staff_says(tg, thread, "/translate off", who=DMITRI)  # this client prefers the original
    assert any("Translation for Layla is off" in m["text"] for m in topic_messages(tg, thread))
    assert "translated for you" not in card_of(tg, thread)
    await staff_says(tg, thread, "Хорошо", who=DMITRI)
    assert tg.to_user(layla)[-1]["text"] == "Хорошо"
    await staff_says(tg, thread, "/translate вкл", who=DMITRI)  # (in Russian too: it was refused)
    await staff_says(tg, thread, "Добрый вечер", who=DMITRI)
    assert tg.to_user(layla)[-1]["text"] == "[ar] Добрый вечер"
    await staff_says(tg, None, "/translate off", who=DMITRI)  # in General: for every client of Dmitri's
    await staff_says(tg, thread, "Отлично", who=DMITRI)
    assert tg.to_user(layla)[-1]["text"] == "Отлично"
    bad = await tg.post(
        tg.fake.user_message(DMITRI, chat_id=STAFF_CHAT, thread_id=thread, text="/translate x")
    )
    assert bad.status == 200
    await tg.settle()
    assert any("Write /translate on or /translate off" in m["text"] for m in topic_messages(tg, thread))


async def test_a_text_already_in_the_readers_language_is_asked_about_once(deepl: Harness) -> None:
    tg = deepl
    layla, thread = await layla_writes(tg, "مرحبا")
    calls = len(tg.interpreter.calls)
    await staff_says(tg, thread, "شكرا لك يا ليلى", who=DMITRI)  # Dmitri writes some Arabic himself
    await staff_says(tg, thread, "شكرا لك يا ليلى", who=DMITRI)  # the same words again: from the cache
    assert len(tg.interpreter.calls) == calls + 1
    assert [m["text"] for m in tg.to_user(layla)[-2:]] == ["شكرا لك يا ليلى"] * 2  # as written, both


async def test_the_console_shows_what_was_translated_and_translates_its_replies(deepl: Harness) -> None:
    tg = deepl
    layla, _thread = await layla_writes(tg, "أحتاج سيارة إلى المطار غدا الساعة 7")
    client = await tg.client_of(layla)
    dmitri = await signed_in(tg, DMITRI["id"])
    (request,) = await q.requests_of(tg.store, client.id)
    page = f"/console/requests/{request.id}"
    answered = await dmitri.post(f"{page}/reply", {"text": "Машина будет в 07:00."}, page)
    assert answered.status == 303
    await tg.settle()
    assert tg.to_user(layla)[-1]["text"] == "[ar] Машина будет в 07:00."
    timeline = await (await dmitri.get(f"{page}/timeline.part")).text()
    assert "🌐" in timeline and "[ru]" in timeline and "[ar] Машина будет в 07:00." in timeline


PHOTO = [{"file_id": "AgAC-photo", "file_unique_id": "p1", "width": 800, "height": 600}]


async def test_a_photos_caption_is_translated_both_ways(deepl: Harness) -> None:
    tg = deepl
    layla = user("Layla", "ar", last_name="Al Mansouri")
    caption = "هل هذه السيارة متاحة الساعة 9 PM؟"
    await tg.send(tg.fake.user_message(layla, photo=PHOTO, caption=caption))
    await tg.settle()
    thread = reads.thread(await tg.client_of(layla))
    (copy,) = [m for m in tg.fake.topic_messages(STAFF_CHAT, thread) if "photo" in m]
    assert copy["caption"] == f"🌐 [ru] {caption}\n\n{caption}"  # the photo, its caption translated
    assert folded_quote(copy, "caption") == caption  # and as written, folded beneath

    reply = "Layla, да, свободна в 21:00 за 45 000 рублей, заявка R-1001"
    await tg.send(
        tg.fake.user_message(DMITRI, chat_id=STAFF_CHAT, thread_id=thread, photo=PHOTO, caption=reply)
    )
    await tg.settle()
    (sent,) = tg.to_user(layla)[-1:]
    assert "photo" in sent and sent["caption"] == f"[ar] {reply}" and "caption_entities" not in sent
    (asked,) = tg.interpreter.calls[-1][1]["text"]  # her first name and the amount, as placeholders
    assert asked == '<x id="0"/>, да, свободна в <x id="1"/> за <x id="2"/>, заявка <x id="3"/>'
    assert any(m["text"] == f"🌐 Sent in Arabic: [ar] {reply}" for m in topic_messages(tg, thread))
    translated = await reads.events(tg.store, EventType.MESSAGE_TRANSLATED)
    assert [e.data["direction"] for e in translated] == ["to_assistant", "to_client"]

    # within Telegram's 1,024 characters: the translation whole, the words as written cut beneath it
    await tg.send(tg.fake.user_message(layla, photo=PHOTO, caption="سيارة " * 165))  # 990 characters
    await tg.settle()
    copy = [m for m in tg.fake.topic_messages(STAFF_CHAT, thread) if "photo" in m][-1]
    assert copy["caption"].startswith(f"🌐 [ru] {'سيارة ' * 164}سيارة\n\n") and len(copy["caption"]) <= 1024
    assert folded_quote(copy, "caption").endswith("…")
    # a translation that would not fit a caption is not used: the photo goes as written, the topic told
    long = ("Машина " * 146).strip()  # 1,021 characters: with "[ar] ", two too many
    await tg.send(
        tg.fake.user_message(DMITRI, chat_id=STAFF_CHAT, thread_id=thread, photo=PHOTO, caption=long)
    )
    await tg.settle()
    assert tg.to_user(layla)[-1]["caption"] == long
    assert "went to the client as you wrote it" in topic_messages(tg, thread)[-1]["text"]


async def test_a_whatsapp_clients_caption_is_translated_both_ways(deepl: Harness) -> None:
    tg = deepl
    number = "+971501234567"
    photo = b"\xff\xd8\xff\xe0" + b"jpeg-bytes" * 100
    await wa(tg, number, "هذا هو الفستان", media=[(photo, "image/jpeg")])
    client = await q.client_by_identity_key(tg.store, f"whatsapp:{number}")
    upload = tg.fake.sent("sendPhoto", STAFF_CHAT)[-1]
    assert upload.params["caption"] == "🟢 WhatsApp · 🌐 [ru] هذا هو الفستان\n\nهذا هو الفستان"
    assert (
        folded_quote(
            {"caption": upload.params["caption"], "caption_entities": upload.params["caption_entities"]},
            "caption",
        )
        == "هذا هو الفستان"
    )
    await tg.send(
        tg.fake.user_message(
            DMITRI, chat_id=STAFF_CHAT, thread_id=reads.thread(client), photo=PHOTO, caption="Красивое платье"
        )
    )
    await tg.settle()
    assert tg.tw.to(number)[-1].body == "[ar] Красивое платье"


async def test_the_request_card_shows_the_words_as_the_assistant_read_them(deepl: Harness) -> None:
    tg = deepl
    asked = "أحتاج سيارة إلى المطار غدا الساعة 7"
    _layla, thread = await layla_writes(tg, asked)
    (card,) = tg.request_cards(thread)
    assert f"💬 🌐 AR→RU: “[ru] {asked}”" in card, card  # the translation the topic showed, marked
    assert f"↳ as written: “{asked}”" in card  # and the client's own words beneath

    karim, karims = await layla_writes(tg, "مرحبا", user("Karim", "ar"))
    await staff_says(tg, karims, "/translate off", who=DMITRI)  # Karim prefers his own words read
    await layla_writes(tg, "أحتاج سيارة إلى المطار غدا الساعة 9", karim)
    (plain,) = tg.request_cards(karims)
    assert "💬 “أحتاج سيارة إلى المطار غدا الساعة 9”" in plain and "🌐" not in plain and "↳" not in plain


async def test_a_client_chooses_in_their_page_whether_their_words_are_translated(deepl: Harness) -> None:
    tg = deepl
    layla, thread = await layla_writes(tg, "مرحبا")
    app = App(tg, layla)
    _status, page = await app.get("/app/preferences")
    assert "أفضّل أن يقرأ مساعدي كلماتي كما كتبتها" in page  # offered, in her language
    status, _ = await app.post(
        "/app/preferences", {"language": "ar", "translated": "off"}, "/app/preferences"
    )
    assert status == 303
    await tg.settle()
    (chosen,) = await reads.events(tg.store, EventType.TRANSLATION_SET)  # as the staff's /translate records
    assert chosen.data == {"on": False} and chosen.actor.kind is ActorKind.CLIENT
    told = tg.topic_texts(thread)[-1]
    assert told.endswith("in their page: machine translation off (they prefer you read their own words).")
    assert "translated for you" not in card_of(tg, thread)
    calls = len(tg.interpreter.calls)
    await layla_writes(tg, "أحتاج سيارة", layla)
    assert len(tg.interpreter.calls) == calls and (await tg.topic_words(thread))[-1] == "أحتاج سيارة"

    status, _ = await app.post("/app/preferences", {"language": "ar", "translated": "on"}, "/app/preferences")
    await tg.settle()
    assert "translated for you into Russian" in card_of(tg, thread)
    assert (await tg.client_of(layla)).translated

    ivan, _ivans = await layla_writes(tg, "Здравствуйте", user("Ivan", "ru"))  # Dmitri reads him: no choice
    _status, page = await App(tg, ivan).get("/app/preferences")
    assert 'name="language"' in page and 'name="translated"' not in page


async def test_the_console_switches_a_clients_translation(deepl: Harness) -> None:
    """The client's page in the console gives /translate's switch: off, the client reads the assistant's own
    words; a wrong value is refused and changes nothing."""
    tg = deepl
    layla, thread = await layla_writes(tg, "أريد سيارة")
    client = await tg.client_of(layla)
    dmitri = await signed_in(tg, DMITRI["id"])
    page = f"/console/clients/{client.id}"
    wrong = await dmitri.post(f"{page}/translate", {"args": "maybe"}, page)
    assert wrong.status == 400 and "on or /translate off" in await wrong.text()
    assert (await q.client(tg.store, client.id)).translated  # (the command is kept, refused: nothing set)
    assert not await reads.events(tg.store, EventType.TRANSLATION_SET)
    assert (await dmitri.post(f"{page}/translate", {"args": "off"}, page)).status == 303
    await tg.settle()
    assert not (await q.client(tg.store, client.id)).translated
    assert any("Translation for Layla is off" in m["text"] for m in topic_messages(tg, thread))
    await staff_says(tg, thread, "Хорошо", who=DMITRI)
    assert tg.to_user(layla)[-1]["text"] == "Хорошо"


async def test_a_saved_reply_only_in_english_reaches_an_arabic_client_translated(deepl: Harness) -> None:
    tg = deepl
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    anna = await signed_in(tg, 9001)
    texts = {
        "name": "on-way",
        "text_en": "{client}, your driver is on the way.",
        "text_ar": "",
        "text_ru": "",
    }
    assert (await anna.post("/console/replies", texts, "/console/replies")).status == 303
    layla, thread = await layla_writes(tg, "أين السائق؟")
    await staff_says(tg, thread, "/r on-way", who=DMITRI)
    assert tg.to_user(layla)[-1]["text"] == "[ar] Layla, your driver is on the way."
    (asked,) = tg.interpreter.calls[-1][1]["text"]
    assert asked == '<x id="0"/>, your driver is on the way.'  # her name kept as a placeholder
    (used,) = await reads.events(tg.store, EventType.SAVED_REPLY_USED)
    assert used.data["language"] == "en"


async def test_a_retry_keeps_to_what_the_first_attempt_stored_though_the_translation_now_fails(
    deepl: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first attempt stored the card carrying Layla's words and died; before the retry she is moved to an
    assistant who needs a translation, and the translator is down. The retry keeps the card: her words once,
    one card (not a relay, a note and a second card)."""
    tg = deepl
    amal = {"id": 9004, "is_bot": False, "first_name": "Amal"}
    await tg.add_staff(amal["id"], "Amal", "ar", lead=True)
    layla = user("Layla", "ar")
    await tg.send(tg.fake.user_message(layla, text="مرحبا"))
    await tg.settle()
    thread = reads.thread(await tg.client_of(layla))
    calls = tg.dies_before_storing_deliveries(monkeypatch, at=2)
    asked = "احجز لي سيارة الليلة الساعة 8 من فندق ريتز"
    await tg.send(tg.fake.user_message(layla, text=asked))
    await tg.process_inbox()  # the card carrying her words is stored, then the process dies
    assert calls["n"] >= 2
    tg.interpreter.down = True
    await tg.send(tg.fake.user_message(amal, chat_id=STAFF_CHAT, thread_id=thread, text="/assign Dmitri"))
    await tg.settle()
    assert (await tg.client_of(layla)).assistant_id == f"A-{DMITRI['id']}"
    assert (await tg.topic_words(thread)).count(asked) == 1
    assert len(tg.request_cards(thread)) == 1


async def test_a_client_handed_to_an_assistant_who_reads_them_has_their_cards_as_written(
    interpreted: Harness,
) -> None:
    """The card's words were translated for the first assistant (Dmitri: Russian); handed to one who reads
    the client's Arabic, the card shows them as written, not Dmitri's Russian."""
    tg = interpreted
    layla = user("Layla", "ar")
    await tg.send(tg.fake.user_message(layla, text="احجز لي طاولة الليلة الساعة 9 من فضلك"))
    await tg.settle()
    thread = reads.thread(await tg.client_of(layla))
    assert "💬 🌐 AR→RU: “[ru] " in tg.request_cards(thread)[0]
    omar = {"id": 9002, "is_bot": False, "first_name": "Omar"}
    await tg.add_staff(omar["id"], "Omar", "ar,en", lead=True)
    await staff_says(tg, thread, "/take", who=omar)
    (card,) = tg.request_cards(thread)  # edited in place
    assert "🌐" not in card and "[ru]" not in card
    assert "احجز لي طاولة الليلة الساعة 9 من فضلك" in card


async def test_a_handover_while_the_provider_is_down_asks_it_once(interpreted: Harness) -> None:
    """Each message waits for the provider up to its deadline (10 s): a handover whose first translation finds
    it down asks no more (the cards show the words as written), and the next handover tries again."""
    tg = interpreted
    omar = {"id": 9002, "is_bot": False, "first_name": "Omar"}
    await tg.add_staff(omar["id"], "Omar", "ar,en", lead=True)
    layla = user("Layla", "ar")
    for said in ("احجز لي طاولة الليلة الساعة 9 من فضلك", "بجانب النافذة من فضلك", "ولشخصين من فضلك"):
        await tg.send(tg.fake.user_message(layla, text=said))
        await tg.settle()
    thread = reads.thread(await tg.client_of(layla))
    assert tg.interpreter.calls == []  # Omar reads her
    tg.interpreter.down = True
    await staff_says(tg, thread, "/assign Dmitri", who=omar)
    assert len(tg.interpreter.calls) == 1
    assert "🌐" not in tg.request_cards(thread)[0]
    tg.interpreter.down = False
    await staff_says(tg, thread, "/assign Omar", who=omar)
    await staff_says(tg, thread, "/assign Dmitri", who=omar)
    assert "💬 🌐 AR→RU: “[ru] " in tg.request_cards(thread)[0]
    assert len(await reads.events(tg.store, EventType.MESSAGE_TRANSLATED)) == 3


async def test_a_cancellations_reason_reaches_the_client_translated_as_the_assistants_words_do(
    deepl: Harness,
) -> None:
    # Dmitri's reason went to an Arabic-speaking client as he typed it, in Russian, beneath an Arabic line
    tg = deepl
    layla, thread = await layla_writes(tg, "أحتاج طاولة لشخصين الليلة")
    await staff_says(tg, thread, "/cancel все рестораны заняты", who=DMITRI)
    assert (await q.request(tg.store, "R-1001")).state.value == "cancelled"
    told = tg.to_user(layla)[-1]["text"]
    assert told == "تم إلغاء طلبكم رقم R-1001.\nالسبب: [ar] все рестораны заняты"
    assert "🌐 Sent in Arabic: [ar] все рестораны заняты" in tg.topic_texts(thread)  # what went, as ever
