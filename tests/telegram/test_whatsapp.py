"""WhatsApp through Twilio: the same concierge, the same assistant, one conversation per person."""

from datetime import timedelta

import pytest

from domain.clients import Client, Language
from domain.events import EventType
from engine import queries as q
from engine.clients.outbox import to_client
from engine.team import admin as staff_admin
from sandbox.twilio import Failure
from tests import reads
from tests.harness import REOPEN_TEMPLATE, STAFF_CHAT, Harness, start_harness, user
from tests.telegram.test_lifecycle import ANNA, pay, staff_says

NUMBER = "+971501234567"


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    return tg


async def wa(tg: Harness, number: str, body: str, name: str = "Layla", **options) -> None:
    response = await tg.wa(number, body, name, **options)
    assert response.status == 200
    assert response.content_type == "text/xml" and "<Response></Response>" in await response.text()
    await tg.settle()


async def client_of(tg: Harness, number: str) -> Client | None:
    return await q.client_by_identity_key(tg.store, f"whatsapp:{number}")


async def thread(tg: Harness, number: str) -> int:
    return reads.thread(await client_of(tg, number))


async def test_a_forged_or_unsigned_request_is_refused_and_a_duplicate_is_recognised(team: Harness) -> None:
    tg = team
    for signature in ("", "bm90IGEgc2lnbmF0dXJl"):
        response = await tg.wa(NUMBER, "Hello", signature=signature)
        assert response.status == 403
        assert (await response.json())["error"]["request_id"] == response.headers["X-Request-ID"]
    assert await tg.store.inbox.count() == 0
    params, headers = tg.tw.signed(
        "https://concierge.example/webhooks/twilio/whatsapp",
        tg.tw.inbound(NUMBER, "A car tonight at 8", "Layla"),
    )
    for _ in range(2):
        response = await tg.http.post("/webhooks/twilio/whatsapp", data=params, headers=headers)
        assert response.status == 200
    tampered = params | {"Body": "A car tonight at 9"}
    assert (await tg.http.post("/webhooks/twilio/whatsapp", data=tampered, headers=headers)).status == 403
    await tg.settle()
    assert await tg.store.inbox.count(source="whatsapp") == 1
    assert await tg.topic_words(await thread(tg, NUMBER)) == ["🟢 WhatsApp · A car tonight at 8"]


async def test_a_telegram_client_writing_on_whatsapp_is_the_same_conversation(team: Harness) -> None:
    tg = team
    layla = user("Layla", "en")
    contact = {"phone_number": NUMBER.lstrip("+"), "first_name": "Layla", "user_id": layla["id"]}
    await tg.send(
        tg.fake.user_message(layla, text="/start"),
        tg.fake.user_message(layla, contact=contact),
        tg.fake.user_message(layla, text="A car tonight at 8 from the Ritz"),
    )
    await tg.settle()
    topic = await tg.thread_of(layla)
    await wa(tg, NUMBER, "Make it a Maybach please")
    assert len(await reads.clients(tg.store)) == 1
    client = await client_of(tg, NUMBER)
    assert [i.key for i in client.identities] == [f"telegram:{layla['id']}", f"whatsapp:{NUMBER}"]
    assert reads.thread(client) == topic and len(tg.fake.sent("createForumTopic")) == 1
    assert tg.topic_texts(topic)[-1] == "🟢 WhatsApp · Make it a Maybach please"
    assert len(await reads.requests(tg.store)) == 1  # the same open request, continued
    assert "Make it a Maybach please" in (await q.request(tg.store, "R-1001")).text
    # the assistant answers in the topic: it goes back on the channel the client last used
    telegram_before = len(tg.to_user(layla))
    await staff_says(tg, topic, "Of course — a Maybach at 20:00 at the Ritz.")
    assert tg.wa_texts(NUMBER)[-1] == "Of course — a Maybach at 20:00 at the Ritz."
    assert len(tg.to_user(layla)) == telegram_before


async def test_a_lead_merging_by_hand_is_not_said_to_be_the_same_phone(team: Harness) -> None:
    """/merge of a Telegram client who never shared a phone: the closed topic said '(the same phone)', and the
    live one '(Whatsapp, Telegram)'."""
    tg = team
    await wa(tg, NUMBER, "A car tonight at 8 from the Ritz")
    whatsapp = await client_of(tg, NUMBER)
    layla = user("Layla", "en")
    await tg.send(tg.fake.user_message(layla, text="/start"), tg.fake.user_message(layla, text="Hello"))
    await tg.settle()
    old_topic = await tg.thread_of(layla)
    await staff_says(tg, reads.thread(whatsapp), f"/merge {(await tg.client_of(layla)).id}")
    assert tg.topic_texts(old_topic)[-1].startswith(
        "🔗 Layla is Layla (merged by a lead): the conversation goes on"
    )
    said = "🔗 Layla now also writes from Layla's account (WhatsApp, Telegram)."
    assert said in tg.topic_texts(reads.thread(whatsapp))


async def test_whatsapp_first_then_the_same_person_on_telegram_is_one_client(team: Harness) -> None:
    tg = team
    await wa(tg, NUMBER, "A car tonight at 8 from the Ritz")
    whatsapp = await client_of(tg, NUMBER)
    card = tg.fake.chats[STAFF_CHAT].messages[tg.fake.chats[STAFF_CHAT].pinned[0]]["text"]
    assert "💬 WhatsApp" in card
    layla = user("Layla", "en")
    await tg.send(tg.fake.user_message(layla, text="/start"))
    await tg.send(tg.fake.user_message(layla, text="Hello"))
    await tg.settle()
    duplicate = await tg.client_of(layla)
    assert duplicate.id != whatsapp.id  # not known yet: a new client with a topic of their own
    contact = {"phone_number": NUMBER.lstrip("+"), "first_name": "Layla", "user_id": layla["id"]}
    await tg.send(tg.fake.user_message(layla, contact=contact))
    await tg.send(tg.fake.user_message(layla, text="Make it a Maybach please"))
    await tg.settle()
    survivor = await client_of(tg, NUMBER)
    assert survivor.id == whatsapp.id
    assert [i.key for i in survivor.identities] == [f"whatsapp:{NUMBER}", f"telegram:{layla['id']}"]
    assert (await tg.client_of(layla)).id == whatsapp.id  # Telegram now finds the earlier client
    old_topic, topic = reads.thread(duplicate), reads.thread(survivor)
    merged = await q.client(tg.store, duplicate.id)
    assert merged.merged_into == whatsapp.id
    assert await q.client_by_topic(tg.store, STAFF_CHAT, old_topic) is None  # its topic leads to nobody
    live = [c for c in await reads.clients(tg.store) if reads.thread(c) and not c.merged_into]
    assert len(live) == 1  # one live topic
    assert tg.topic_texts(old_topic)[-1].startswith(
        "🔗 Layla is Layla (the same phone): the conversation goes on in"
    )
    assert old_topic in tg.fake.chats[STAFF_CHAT].closed_topics
    assert tg.topic_texts(topic)[-1] == "Make it a Maybach please"  # the next message lands in the live topic
    assert "Make it a Maybach please" in (await q.request(tg.store, "R-1001")).text
    pinned = [tg.fake.chats[STAFF_CHAT].messages[m]["text"] for m in tg.fake.chats[STAFF_CHAT].pinned]
    assert any("💬 WhatsApp, Telegram" in text for text in pinned)  # the card was refreshed
    await staff_says(tg, topic, "Of course — a Maybach at 20:00.")
    assert tg.to_user(layla)[-1]["text"] == "Of course — a Maybach at 20:00."  # the channel they last used


async def test_a_request_opened_before_the_merge_moves_with_the_person(team: Harness) -> None:
    tg = team
    await wa(tg, NUMBER, "Hello")
    layla = user("Layla", "en")
    await tg.send(tg.fake.user_message(layla, text="Book a table for two tonight at the Pushkin"))
    await tg.settle()
    contact = {"phone_number": NUMBER.lstrip("+"), "first_name": "Layla", "user_id": layla["id"]}
    await tg.send(tg.fake.user_message(layla, contact=contact))
    await tg.settle()
    survivor = await client_of(tg, NUMBER)
    moved = await q.request(tg.store, "R-1001")
    assert moved.client_id == survivor.id
    kinds = [e.type for e in await tg.store.events.read("request:R-1001")]
    assert EventType.REQUEST_MOVED in kinds
    assert sum((await q.open_load(tg.store)).values()) == 1  # one open conversation


async def test_the_whole_quote_pay_receipt_flow_on_whatsapp(team: Harness) -> None:
    tg = team
    await wa(tg, NUMBER, "Book a car to Sheremetyevo tomorrow at 7")
    greeting, ack = tg.wa_texts(NUMBER)
    assert greeting.startswith("Welcome, Layla. I'm Anna") and ack.startswith(
        "Your request R-1001 is with Anna"
    )
    topic = await thread(tg, NUMBER)
    await staff_says(tg, topic, "/quote 45000 RUB Car to SVO, Mercedes S-Class")
    offer = tg.wa_texts(NUMBER)[-1]
    assert offer.startswith("Your quote for request R-1001:") and "Total: RUB\u00a045,000" in offer
    pay_line = next(line for line in offer.splitlines() if line.startswith("Pay RUB"))
    url = pay_line.split(": ", 1)[1]
    assert url.startswith(tg.cp.base_url + "/pay/")
    assert "1 — Ask a question" in offer and "2 — Decline" in offer
    assert offer.endswith("Reply with the number of your choice.")
    order = tg.cp.orders[url.rsplit("/", 1)[1]]
    await pay(tg, order)
    receipt = tg.wa_texts(NUMBER)[-1]
    assert receipt.startswith("Receipt RC-10001\nRequest R-1001") and "Paid: RUB\u00a045,000" in receipt
    assert tg.topic_texts(topic)[-1].startswith("✅ Paid: R-1001")
    await wa(tg, NUMBER, "2")  # the paid quote's Decline: said to be spent, and nothing changes
    assert tg.wa_texts(NUMBER)[-1] == "This quote is already paid — nothing more to do here."
    assert tg.topic_texts(topic)[-1].startswith("✅ Paid: R-1001")
    await staff_says(tg, topic, "/done")
    assert tg.wa_texts(NUMBER)[-2].startswith("Your request R-1001 is complete.")


async def test_a_numbered_choice_answers_a_button(team: Harness) -> None:
    tg = team
    await wa(tg, NUMBER, "Book a car to Sheremetyevo tomorrow at 7")
    topic = await thread(tg, NUMBER)
    await staff_says(tg, topic, "/quote 45000 Car to SVO")
    await wa(tg, NUMBER, "1")
    assert tg.wa_texts(NUMBER)[-1].startswith("Of course — write your question here")
    assert tg.topic_texts(topic)[-1] == "❓ The client has a question about R-1001."
    await wa(tg, NUMBER, "2")  # a choice from the same list: decline
    assert tg.wa_texts(NUMBER)[-1].startswith("Understood, the quote for request R-1001 is declined.")


async def test_a_numbered_choice_typed_in_arabic_indic_digits_answers_a_button(team: Harness) -> None:
    """Found by hand: an Arabic client answering a quote's choices with '٢' (her keyboard's 2) had it relayed
    to the topic as a message; the quote stayed open and nothing was said to her."""
    tg = team
    await wa(tg, NUMBER, "أحتاج سيارة إلى المطار غداً الساعة 7")
    topic = await thread(tg, NUMBER)
    await staff_says(tg, topic, "/quote 45000 Car to SVO")
    await wa(tg, NUMBER, "١")
    assert tg.topic_texts(topic)[-1] == "❓ The client has a question about R-1001."
    await wa(tg, NUMBER, "۲")  # (the Persian keyboard's 2)
    assert tg.wa_texts(NUMBER)[-1] == tg.engine.deps.t(Language.AR, "quote-declined", number="R-1001")
    assert (await q.request(tg.store, "R-1001")).state.value == "cancelled"


async def test_language_from_the_script_and_switched_by_its_name(team: Harness) -> None:
    tg = team
    await wa(tg, NUMBER, "مرحبا، أحتاج سيارة الليلة الساعة 9", "Nour")
    assert (await client_of(tg, NUMBER)).language == "ar"
    assert tg.wa_texts(NUMBER)[0].startswith("أهلاً وسهلاً Nour")
    await wa(tg, NUMBER, "Русский")
    assert (await client_of(tg, NUMBER)).language == "ru"
    assert tg.wa_texts(NUMBER)[-1] == "Теперь я буду писать вам по-русски."
    said = len(tg.wa_texts(NUMBER))
    await wa(tg, NUMBER, "Русский")  # the language they write in already: an answer, for the assistant
    assert len(tg.wa_texts(NUMBER)) == said  # no "from now on" again
    assert "Русский" in tg.topic_texts(await thread(tg, NUMBER))[-1]
    other = "+79161234567"
    await wa(tg, other, "👋", "Ivan")
    question = tg.wa_texts(other)[-1]
    assert "1 — English" in question and "2 — العربية" in question and "3 — Русский" in question
    await wa(tg, other, "3")
    assert (await client_of(tg, other)).language == "ru"


async def test_a_first_message_without_words_leaves_the_language_to_the_words_that_follow(
    team: Harness,
) -> None:
    """A voice note (or an emoji) first: the language is asked; the client does not answer but writes in
    Arabic — they were answered in English ("Your request R-1001 is with Anna"), and every quote and receipt
    after it, the topic named "· ?"."""
    tg = team
    await wa(tg, NUMBER, "", "Nour", media=[(b"OggS" + b"voice" * 50, "audio/ogg")])
    assert "2 — العربية" in tg.wa_texts(NUMBER)[-1]
    await wa(tg, NUMBER, "مرحبا، أحتاج سيارة غداً الساعة ٩ صباحاً")
    assert (await client_of(tg, NUMBER)).language == "ar"
    welcome, acknowledged = tg.wa_texts(NUMBER)[-2:]
    assert welcome.startswith("أهلاً وسهلاً Nour. معكم Anna")
    assert acknowledged.startswith("طلبكم رقم R-1001 لدى Anna")
    assert tg.fake.chats[STAFF_CHAT].topics[await thread(tg, NUMBER)] == "Nour · AR"
    await wa(tg, NUMBER, "Thank you")  # said once: a word in another script changes nothing
    assert (await client_of(tg, NUMBER)).language == "ar"
    other = "+79161234567"  # an emoji first, then Russian
    await wa(tg, other, "👋", "Ivan")
    await wa(tg, other, "Нужен столик на двоих сегодня в 20:00")
    assert (await client_of(tg, other)).language == "ru"
    assert tg.wa_texts(other)[-1].startswith("Ваш запрос R-1002 принят")


async def test_language_alone_asks_which_and_the_topic_follows_the_choice(team: Harness) -> None:
    """WhatsApp has no /language: the word alone (in any of the three) asks, with numbered choices, and is not
    relayed to the topic as part of a request; the choice renames the topic, whose name says the language."""
    tg = team
    await wa(tg, NUMBER, "Нужен столик в Турандоте на завтра в 19:30", "Irina")
    topic = await thread(tg, NUMBER)
    assert tg.fake.chats[STAFF_CHAT].topics[topic] == "Irina · RU"
    relayed = len(tg.topic_texts(topic))
    for word in ("Язык", "language", "اللغة"):
        await wa(tg, NUMBER, word)
        question = tg.wa_texts(NUMBER)[-1]
        assert "1 — English" in question and "3 — Русский" in question, word
    assert len(tg.topic_texts(topic)) == relayed  # (asked, not relayed: no "➕ язык" on the card either)
    await wa(tg, NUMBER, "1")
    assert (await client_of(tg, NUMBER)).language == "en"
    assert tg.fake.chats[STAFF_CHAT].topics[topic] == "Irina · EN"
    await wa(tg, NUMBER, "What language do you speak?")  # (not the word alone: a message like any other)
    assert tg.topic_texts(topic)[-1].endswith("What language do you speak?")


async def outside_window(tg: Harness) -> int:
    await wa(tg, NUMBER, "Hello, I am in Moscow next week")
    topic = await thread(tg, NUMBER)
    tg.clock.advance(hours=25)
    await staff_says(tg, topic, "Welcome back! Your usual suite is ready.")
    await staff_says(tg, topic, "And the car is booked for 10:00.")
    return topic


async def test_outside_the_window_messages_wait_for_the_template_and_the_reply(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> None:
    tg = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, template_sid=REOPEN_TEMPLATE
    )
    await tg.add_staff(9001, "Anna", "en", lead=True)
    topic = await outside_window(tg)
    sent = tg.tw.to(NUMBER)
    assert sent[-1].content_sid == REOPEN_TEMPLATE and sent[-1].body is None  # the template, only
    assert "re-open template was sent" in tg.topic_texts(topic)[-1]
    await wa(tg, NUMBER, "Yes, hello!")
    assert tg.wa_texts(NUMBER)[-2:] == [
        "Welcome back! Your usual suite is ready.",
        "And the car is booked for 10:00.",
    ]
    assert tg.tw.refused == []  # nothing was tried outside the window
    await tg.store.client.drop_database(db_name)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (f"ru={REOPEN_TEMPLATE},ar={'HX' + 'a' * 32}", "HX" + "a" * 32),  # the one approved in Arabic
        (f"ru={REOPEN_TEMPLATE}", None),  # none in Arabic: the assistant is told, nothing is sent
    ],
)
async def test_the_re_open_template_is_the_one_in_the_clients_language(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, setting: str, expected: str | None
) -> None:
    tg = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, template_sid=setting
    )
    await tg.add_staff(9001, "Anna", "en,ar", lead=True)
    await wa(tg, NUMBER, "مرحبا، أنا في موسكو الأسبوع المقبل")
    assert (await client_of(tg, NUMBER)).language == "ar"
    topic = await thread(tg, NUMBER)
    tg.clock.advance(hours=25)
    await staff_says(tg, topic, "Welcome back!")
    templates = [m.content_sid for m in tg.tw.to(NUMBER) if m.content_sid]
    if expected:
        assert templates == [expected] and "re-open template was sent" in tg.topic_texts(topic)[-1]
    else:
        assert templates == []
        assert "no re-open template is configured for the client's language" in tg.topic_texts(topic)[-1]
    await tg.store.client.drop_database(db_name)


async def test_without_a_template_the_assistant_is_told_the_client_must_write_first(team: Harness) -> None:
    tg = team
    topic = await outside_window(tg)
    assert "no re-open template is configured" in tg.topic_texts(topic)[-1]
    assert sum("no re-open template" in t for t in tg.topic_texts(topic)) == 1
    await wa(tg, NUMBER, "Hi!")
    assert tg.wa_texts(NUMBER)[-2:] == [
        "Welcome back! Your usual suite is ready.",
        "And the car is booked for 10:00.",
    ]


async def test_status_callbacks_only_move_forward_and_failures_reach_the_assistant(team: Harness) -> None:
    tg = team
    await wa(tg, NUMBER, "Hello there, I need a car")
    topic = await thread(tg, NUMBER)
    await staff_says(tg, topic, "Right away.")
    sid = tg.tw.to(NUMBER)[-1].sid
    for status in ("read", "sent", "delivered", "queued"):
        assert (await tg.wa_status(sid, status)).status == 204
    for status in ("read", "sent", "delivered", "queued"):  # each kept, under its own id
        assert await tg.store.inbox.get(f"wa-status:{sid}:{status}") is not None
    await tg.settle()  # callbacks are stored first and processed from the inbox, like every webhook
    delivery = await tg.store.deliveries.by_provider_message("whatsapp", sid)
    assert delivery.provider_status == "read"
    await staff_says(tg, topic, "Your driver is Sergey.")
    failing = tg.tw.to(NUMBER)[-1].sid
    await tg.wa_status(failing, "sent")
    await tg.wa_status(failing, "undelivered", 63024)
    await tg.wa_status(failing, "undelivered", 63024)  # a repeated callback: told once
    await tg.settle()
    notes = [t for t in tg.topic_texts(topic) if "did not deliver" in t]
    assert notes == [
        "⚠️ WhatsApp did not deliver a message (undelivered, Twilio error 63024): “Your driver is Sergey.”"
    ]
    forged = await tg.http.post(
        "/webhooks/twilio/status", data={"MessageSid": sid, "MessageStatus": "failed"}
    )
    assert forged.status == 403


async def test_a_send_whose_answer_never_came_is_not_sent_again(team: Harness) -> None:
    tg = team
    await wa(tg, NUMBER, "Hello there, I need a car")
    topic = await thread(tg, NUMBER)
    before = len(tg.tw.to(NUMBER))
    tg.tw.failures.append(Failure(status=0, code=0, message="", drop=True))
    await staff_says(tg, topic, "The car will be there at 8.")
    tg.clock.advance(minutes=10)
    await tg.settle()
    assert len(tg.tw.to(NUMBER)) == before + 1  # Twilio has it once; we never tried again
    (delivery,) = [
        d for d in await reads.deliveries(tg.store) if d.payload.get("text") == "The car will be there at 8."
    ]
    assert delivery.status == "uncertain"
    assert tg.topic_texts(topic)[-1].startswith("❔ Twilio took a WhatsApp message but its answer never came")
    # an error Twilio answered is provably not a send: it is retried
    tg.tw.failures.append(Failure(status=429, code=20429, message="Too Many Requests"))
    await staff_says(tg, topic, "See you soon.")
    assert tg.wa_texts(NUMBER)[-1] == "See you soon."


async def test_media_both_ways(team: Harness) -> None:
    tg = team
    photo = b"\xff\xd8\xff\xe0" + b"jpeg-bytes" * 100
    await wa(tg, NUMBER, "This is the dress", media=[(photo, "image/jpeg")])
    topic = await thread(tg, NUMBER)
    upload = tg.fake.sent("sendPhoto", STAFF_CHAT)[-1]
    assert upload.params["caption"] == "🟢 WhatsApp · This is the dress"
    assert upload.params["message_thread_id"] == topic
    huge = b"0" * (21 * 1024 * 1024)
    await wa(tg, NUMBER, "", media=[(huge, "video/mp4")])
    assert "21 MB file (video/mp4); it is too large to show here" in tg.topic_texts(topic)[-1]
    # the assistant sends a document: Twilio fetches it from our short-lived link
    tg.fake.files["BQAD-menu"] = b"%PDF-1.7 menu"
    document = {
        "file_id": "BQAD-menu",
        "file_unique_id": "m1",
        "file_name": "menu.pdf",
        "mime_type": "application/pdf",
        "file_size": 13,
    }
    await tg.send(
        tg.fake.user_message(
            ANNA, chat_id=STAFF_CHAT, thread_id=topic, document=document, caption="Tonight's menu"
        )
    )
    await tg.settle()
    message = tg.tw.to(NUMBER)[-1]
    assert message.body == "Tonight's menu" and len(message.media_urls) == 1
    path = message.media_urls[0].removeprefix("https://concierge.example")
    fetched = await tg.http.get(path)
    assert fetched.status == 200 and await fetched.read() == b"%PDF-1.7 menu"
    assert (await tg.http.get(path[:-3] + "xyz")).status == 404  # forged
    tg.clock.advance(hours=2)
    assert (await tg.http.get(path)).status == 404  # expired
    sticker = {
        "file_id": "CAAD",
        "file_unique_id": "s",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
    }
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=topic, sticker=sticker))
    await tg.settle()
    assert tg.topic_texts(topic)[-1].startswith(
        "⚠️ Not sent to WhatsApp: a sticker cannot be sent on WhatsApp"
    )
    assert timedelta(hours=2)  # the clock moved in virtual time only


async def test_a_poison_message_is_set_aside_the_assistant_is_told_and_the_next_one_goes_through(
    team: Harness,
) -> None:
    tg = team
    await wa(tg, NUMBER, "Hello there, I need a car")
    topic = await thread(tg, NUMBER)
    # stored before the webhook checked NumMedia: it can never be read, retrying would not help
    poison = {"MessageSid": "SMpoison", "From": f"whatsapp:{NUMBER}", "Body": "x", "NumMedia": "99"}
    await tg.engine.store_inbound("wa:SMpoison", "whatsapp", f"wa:whatsapp:{NUMBER}", poison)
    await wa(tg, NUMBER, "And a table for two at eight")
    item = await tg.store.inbox.get("wa:SMpoison")
    assert item["status"] == "failed" and item["attempts"] == 1  # not retried eight times
    texts = await tg.topic_words(topic)
    assert "🟢 WhatsApp · And a table for two at eight" in texts
    (notice,) = [t for t in texts if t.startswith("⚠️ Something the client sent")]
    assert (
        "InvalidValue at channels.whatsapp.inbound" in notice
        and "concierge inbox retry wa:SMpoison" in notice
    )


async def test_a_file_whose_answer_never_came_is_named_in_its_readers_language(tg: Harness) -> None:
    """The note's preview of a file sent without words is in the assistant's language (it was English)."""
    await staff_admin.add(tg.engine.deps, 9003, "Irina", "ru,en", lead=True, ui_language="ru")
    await wa(tg, NUMBER, "Hello there, I need a car")
    topic = await thread(tg, NUMBER)
    tg.tw.failures.append(Failure(status=0, code=0, message="", drop=True))
    document = {
        "file_id": "BQAD-map",
        "file_unique_id": "m2",
        "file_name": "map.pdf",
        "mime_type": "application/pdf",
    }
    irina = tg.staff_user(9003, "Irina")
    await tg.send(tg.fake.user_message(irina, chat_id=STAFF_CHAT, thread_id=topic, document=document))
    tg.clock.advance(minutes=10)
    await tg.settle()
    note = tg.topic_texts(topic)[-1]
    assert note.startswith("❔") and note.endswith("«файл»"), note


async def test_media_is_fetched_with_our_credentials_only_from_twilio(team: Harness) -> None:
    tg = team
    await wa(tg, NUMBER, "Hello there, I need a car")
    topic = await thread(tg, NUMBER)
    params = tg.tw.inbound(NUMBER, "my passport", "Layla", [(b"%PDF-1.7", "application/pdf")])
    params["MediaUrl0"] = "http://169.254.169.254/latest/meta-data/"  # signed, but not Twilio's host
    response = await tg._twilio_post("/webhooks/twilio/whatsapp", params)
    assert response.status == 200
    await tg.settle()
    assert tg.topic_texts(topic)[-1] == (
        "🟢 WhatsApp · my passport\n📎 A file arrived that cannot be shown here "
        "(its link is not on Twilio's media host)."
    )


async def test_a_whatsapp_message_whose_worker_died_mid_send_is_never_sent_again(team: Harness) -> None:
    tg = team
    await wa(tg, NUMBER, "Hello there, I need a car")
    topic = await thread(tg, NUMBER)
    before = len(tg.tw.to(NUMBER))
    await tg.send(
        tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=topic, text="Your driver is Sergey.")
    )
    await tg.process_inbox()
    (pending,) = await tg.store.deliveries.unfinished("whatsapp")
    assert await tg.store.deliveries.claim_id(pending.id, "dead/whatsapp", timedelta(seconds=1))
    await tg.store.deliveries.calling(pending.id, "dead/whatsapp")  # it had called Twilio
    tg.clock.advance(seconds=2)
    await tg.settle()
    assert len(tg.tw.to(NUMBER)) == before  # not sent a second time: it may have gone the first time
    assert (await tg.store.deliveries.get(pending.id)).status.value == "uncertain"
    assert tg.topic_texts(topic)[-1].startswith(
        "❔ Twilio took a WhatsApp message but its answer never came "
        "(the service was interrupted while sending it)"
    )


async def test_a_long_reply_reaches_whatsapp_as_ordered_parts(team: Harness) -> None:
    tg = team
    await wa(tg, NUMBER, "Could you plan three days in Moscow for my family?")
    topic = await thread(tg, NUMBER)
    days = [
        f"Day {n}: " + " ".join(f"Visit number {n}.{k} is arranged with a guide." for k in range(30))
        for n in (1, 2, 3)
    ]
    reply = "\n\n".join(days)
    assert 3000 < len(reply) <= 4096  # as long as a Telegram message can be
    before = len(tg.wa_texts(NUMBER))
    await staff_says(tg, topic, reply)
    got = tg.wa_texts(NUMBER)[before:]
    assert len(got) >= 3 and all(len(part) <= 1600 for part in got)
    assert [part[:6] for part in got if part.startswith("Day ")] == ["Day 1:", "Day 2:", "Day 3:"]
    assert " ".join(got).split() == reply.split()  # every word, in order
    assert not tg.tw.refused


async def test_five_thousand_characters_reach_whatsapp_as_ordered_parts(team: Harness) -> None:
    """(A staff reply on Telegram stops at 4,096 characters; what the service itself sends can be longer.)"""
    tg = team
    await wa(tg, NUMBER, "Could you plan my week in Moscow?")
    client = await client_of(tg, NUMBER)
    text = "\n\n".join(f"Day {n}. " + "Breakfast, a museum, a walk, dinner. " * 34 for n in range(1, 5))
    assert len(text) > 5000
    event = (await tg.store.events.read(f"conversation:{client.id}"))[-1]
    before = len(tg.wa_texts(NUMBER))
    await to_client(tg.engine.deps, client, event, 7, text)
    await tg.settle()
    got = tg.wa_texts(NUMBER)[before:]
    assert len(got) == 4 and [part.split(".")[0] for part in got] == ["Day 1", "Day 2", "Day 3", "Day 4"]
    assert all(len(part) <= 1600 for part in got) and not tg.tw.refused


async def test_a_whatsapp_message_longer_than_a_telegram_message_reaches_the_topic_whole(
    team: Harness,
) -> None:
    """Found by hand: a WhatsApp text as long as WhatsApp allows (4,096 characters) is longer than a Telegram
    message once marked "🟢 WhatsApp · ": Telegram refused it ("message is too long") for good and the
    assistant never read it. Now its rest follows in the topic, cut where a reader pauses."""
    tg = team
    await wa(tg, NUMBER, "Hello, I am in Moscow next week")
    paragraphs = [
        f"Day {d}: " + "we would like a quiet table by the window, please. " * 8 for d in range(1, 11)
    ]
    long = "\n\n".join(paragraphs)  # (4,000+ characters, ten paragraphs)
    assert 4096 - 20 < len(long) <= 4096 + 600
    await wa(tg, NUMBER, long)
    texts = tg.topic_texts(await thread(tg, NUMBER))
    first, rest = texts[-2], texts[-1]
    assert first.startswith("🟢 WhatsApp · Day 1:") and len(first) <= 4096 and len(rest) <= 4096
    assert rest.startswith("Day ") and first.endswith("please.")  # cut between two paragraphs
    assert f"{first} {rest}".split() == f"🟢 WhatsApp · {long}".split()  # every word, in order
    assert await tg.failed_deliveries() == 0
