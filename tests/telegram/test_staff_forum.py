"""The staff forum: one topic per client, relays both ways, commands, recovery."""

import asyncio
from datetime import timedelta

import pytest

from domain.outbound import CreateTopic, from_doc
from engine.team import admin as staff_admin
from tests.harness import STAFF_CHAT, Harness, user

MEDIA = {
    "photo": {
        "photo": [{"file_id": "AgAD-photo", "file_unique_id": "p1", "width": 800, "height": 600}],
        "caption": "this one",
    },
    "document": {"document": {"file_id": "BQAD-doc", "file_unique_id": "d1", "file_name": "passport.pdf"}},
    "voice": {"voice": {"file_id": "AwAD-voice", "file_unique_id": "v1", "duration": 4}},
    "video": {
        "video": {"file_id": "BAAD-video", "file_unique_id": "m1", "width": 640, "height": 480, "duration": 9}
    },
    "location": {"location": {"latitude": 55.7539, "longitude": 37.6208}},
    "contact": {"contact": {"phone_number": "+74951234567", "first_name": "Hotel"}},
    "sticker": {
        "sticker": {
            "file_id": "CAAD-sticker",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
}
ANNA = {"id": 9001, "is_bot": False, "first_name": "Anna"}


async def opened(tg: Harness, name: str = "Layla", language: str = "en") -> tuple[dict, int]:
    client = user(name, language)
    await tg.send(tg.fake.user_message(client, text="/start"), tg.fake.user_message(client, text="Hello"))
    await tg.settle()
    return client, await tg.thread_of(client)


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru", lead=True)
    await tg.add_staff(9002, "Omar", "ar,en")
    return tg


async def test_twenty_concurrent_first_messages_make_one_topic_and_arrive_in_order(team: Harness) -> None:
    tg = team
    layla = user("Layla", "en")
    updates = [tg.fake.user_message(layla, text=f"message {i:02d}") for i in range(20)]
    responses = await asyncio.gather(*(tg.post(u) for u in updates))
    assert all(r.status == 200 for r in responses)
    await tg.settle()
    assert len(tg.fake.sent("createForumTopic")) == 1
    thread = await tg.thread_of(layla)
    relayed = "\n\n".join(tg.topic_texts(thread)).split("\n\n")
    assert relayed == [f"message {i:02d}" for i in range(20)]
    card = tg.fake.chats[STAFF_CHAT].messages[tg.fake.chats[STAFF_CHAT].pinned[0]]
    assert card["message_thread_id"] == thread and card["text"].startswith("👤 Layla")
    assert tg.fake.limit_violations == []


async def test_the_topic_is_named_and_carded_for_the_assistant(team: Harness) -> None:
    tg = team
    _layla, thread = await opened(tg, "Layla", "ar")
    assert tg.fake.chats[STAFF_CHAT].topics[thread] == "Layla · AR"
    card = tg.fake.chats[STAFF_CHAT].messages[tg.fake.chats[STAFF_CHAT].pinned[0]]["text"]
    assert "🌐 Arabic" in card and "Assistant: Omar" in card and "Open requests: none" in card


@pytest.mark.parametrize("kind", list(MEDIA))
async def test_every_media_kind_is_relayed_both_ways(team: Harness, kind: str) -> None:
    tg = team
    layla, thread = await opened(tg)
    sent = tg.fake.user_message(layla, **MEDIA[kind])
    await tg.send(sent)
    await tg.settle()
    copy = tg.fake.sent("copyMessage", STAFF_CHAT)[-1]
    assert copy.params["from_chat_id"] == layla["id"]
    assert copy.params["message_id"] == sent["message"]["message_id"]
    assert copy.params["message_thread_id"] == thread
    assert kind in tg.fake.topic_messages(STAFF_CHAT, thread)[-1]

    reply = tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, **MEDIA[kind])
    await tg.send(reply)
    await tg.settle()
    back = tg.fake.sent("copyMessage", layla["id"])[-1]
    assert (
        back.params["from_chat_id"] == STAFF_CHAT
        and back.params["message_id"] == reply["message"]["message_id"]
    )
    assert kind in tg.to_user(layla)[-1]


async def test_text_is_relayed_both_ways_and_replies_stay_threaded(team: Harness) -> None:
    tg = team
    layla, thread = await opened(tg)
    hello_in_topic = tg.fake.topic_messages(STAFF_CHAT, thread)[-1]
    answer = tg.fake.user_message(
        ANNA,
        chat_id=STAFF_CHAT,
        thread_id=thread,
        reply_to=hello_in_topic["message_id"],
        text="Good evening! Where shall the car wait?",
    )
    await tg.send(answer)
    await tg.settle()
    delivered = tg.to_user(layla)[-1]
    assert delivered["text"] == "Good evening! Where shall the car wait?"
    first_hello = next(m for m in tg.fake.chats[layla["id"]].messages.values() if m.get("text") == "Hello")
    assert delivered["reply_to_message"]["message_id"] == first_hello["message_id"]
    # and the client's reply to it lands as a reply to Anna's message in the topic
    await tg.send(tg.fake.user_message(layla, reply_to=delivered["message_id"], text="At the Ritz entrance"))
    await tg.settle()
    last = next(
        m for m in tg.fake.topic_messages(STAFF_CHAT, thread) if m.get("text") == "At the Ritz entrance"
    )
    assert last["reply_to_message"]["message_id"] == answer["message"]["message_id"]


async def test_a_note_stays_internal(team: Harness) -> None:
    tg = team
    layla, thread = await opened(tg)
    before = len(tg.to_user(layla))
    await tg.send(
        tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="/note prefers a quiet car")
    )
    await tg.settle()
    assert len(tg.to_user(layla)) == before
    notes = await tg.store.events.read(f"conversation:{(await tg.client_of(layla)).id}")
    assert notes[-1].type.value == "NoteAdded" and notes[-1].data["text"] == "prefers a quiet car"


async def test_outsiders_the_general_topic_and_other_chats_never_act_as_staff(team: Harness) -> None:
    tg = team
    layla, thread = await opened(tg)
    before = len(tg.to_user(layla))
    stranger = {"id": 777, "is_bot": False, "first_name": "Mallory"}
    other = tg.fake.forum(-1009999999999, "Someone else's forum")
    other.topics[thread] = "same number, other chat"
    await tg.send(
        tg.fake.user_message(stranger, chat_id=STAFF_CHAT, thread_id=thread, text="send me your passport"),
        tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, text="in General, no thread"),
        tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=1, text="a reply in General"),
        tg.fake.user_message(ANNA, chat_id=-1009999999999, thread_id=thread, text="wrong forum"),
    )
    await tg.settle()
    assert len(tg.to_user(layla)) == before


async def test_a_deleted_topic_is_recreated_with_its_card_and_nothing_is_lost(team: Harness) -> None:
    tg = team
    layla, thread = await opened(tg)
    tg.fake.delete_topic(STAFF_CHAT, thread)
    await tg.send(
        tg.fake.user_message(layla, text="Are you there?"), tg.fake.user_message(layla, text="Hello?")
    )
    await tg.settle()
    new_thread = await tg.thread_of(layla)
    assert new_thread != thread and len(tg.fake.sent("createForumTopic")) == 2
    assert "\n\n".join(tg.topic_texts(new_thread)).split("\n\n") == ["Are you there?", "Hello?"]
    card = tg.fake.chats[STAFF_CHAT].messages[tg.fake.chats[STAFF_CHAT].pinned[-1]]
    assert card["message_thread_id"] == new_thread and card["text"].startswith("👤 Layla")
    # the assistant answers in the new topic
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=new_thread, text="Yes, here"))
    await tg.settle()
    assert tg.to_user(layla)[-1]["text"] == "Yes, here"


async def test_card_close_and_unknown_commands(team: Harness) -> None:
    tg = team
    layla, thread = await opened(tg, "Layla", "ru")
    cards_before = len(tg.fake.chats[STAFF_CHAT].pinned)
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="/card"))
    await tg.settle()
    assert len(tg.fake.chats[STAFF_CHAT].pinned) == cards_before + 1
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="/close"))
    await tg.settle()
    assert tg.to_user(layla)[-1]["text"].startswith("Спасибо, Layla.")
    assert (await tg.client_of(layla)).conversation_open is False
    assert tg.topic_texts(thread)[-1].startswith("✅ Conversation closed by Anna")
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="/frobnicate"))
    await tg.settle()
    assert tg.topic_texts(thread)[-1].startswith("Unknown command /frobnicate")
    # writing again reopens the conversation
    await tg.send(tg.fake.user_message(layla, text="One more thing"))
    await tg.settle()
    assert (await tg.client_of(layla)).conversation_open is True


async def test_only_a_lead_reassigns(team: Harness) -> None:
    tg = team
    layla, thread = await opened(tg, "Layla", "en")
    omar = {"id": 9002, "is_bot": False, "first_name": "Omar"}
    current = (await tg.client_of(layla)).assistant_id
    await tg.send(tg.fake.user_message(omar, chat_id=STAFF_CHAT, thread_id=thread, text="/assign Anna"))
    await tg.settle()
    # the one refusal every lead-only command gives
    assert tg.topic_texts(thread)[-1] == "⚠️ Only a lead can reassign a client."
    assert (await tg.client_of(layla)).assistant_id == current
    target = "Omar" if current == "A-9001" else "Anna"
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text=f"/assign {target}"))
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="/assign Nobody"))
    await tg.settle()
    assert (await tg.client_of(layla)).assistant_id == ("A-9002" if target == "Omar" else "A-9001")
    texts = tg.topic_texts(thread)
    assert f"now with {target}" in texts[-2] and "No active assistant is called “Nobody”" in texts[-1]
    card = tg.fake.chats[STAFF_CHAT].messages[tg.fake.chats[STAFF_CHAT].pinned[-1]]["text"]
    assert f"Assistant: {target}" in card


async def topic_created_then_crash(tg: Harness, name: str = "Layla") -> tuple[dict, int]:
    """The first message; the worker creates the topic in Telegram and dies before recording it."""
    layla = user(name, "en")
    await tg.send(tg.fake.user_message(layla, text="/start"), tg.fake.user_message(layla, text="Hello"))
    await tg.process_inbox()
    create = next(
        d
        for d in await tg.store.deliveries.unfinished("telegram")
        if isinstance(from_doc(d.payload), CreateTopic)
    )
    assert await tg.store.deliveries.claim_id(create.id, "dead/telegram", timedelta(seconds=60))
    made = tg.fake._api_createForumTopic({"chat_id": STAFF_CHAT, "name": from_doc(create.payload).name})
    tg.clock.advance(seconds=61)
    return layla, made["message_thread_id"]


async def test_a_topic_created_just_before_a_crash_is_adopted_not_made_twice(team: Harness) -> None:
    tg = team
    layla, made = await topic_created_then_crash(tg)
    await tg.settle()
    assert await tg.thread_of(layla) == made
    assert list(tg.fake.chats[STAFF_CHAT].topics.values()).count("Layla · EN") == 1
    assert tg.topic_texts(made) == ["Hello"]


async def test_a_twin_topic_from_a_retry_is_deleted(team: Harness) -> None:
    tg = team
    layla, made = await topic_created_then_crash(tg)
    late = tg.fake.take_service_updates()  # Telegram's word on the first topic arrives after the retry
    await tg.settle()
    retried = await tg.thread_of(layla)
    assert retried != made and tg.topic_texts(retried) == ["Hello"]
    await tg.send(*late)
    await tg.settle()
    assert made in tg.fake.chats[STAFF_CHAT].deleted_topics
    assert retried not in tg.fake.chats[STAFF_CHAT].deleted_topics
    assert await tg.thread_of(layla) == retried


async def test_a_reassigned_clients_request_cards_read_in_the_new_assistants_language(team: Harness) -> None:
    tg = team
    await staff_admin.add(tg.engine.deps, 9003, "Dmitri", "ru,en", ui_language="ru")
    layla, thread = await opened(tg, "Layla", "en")
    await tg.send(tg.fake.user_message(layla, text="Book a table for four tonight at 8, please"))
    await tg.settle()
    (before,) = tg.request_cards(thread)
    assert "новая" not in before
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="/assign Dmitri"))
    await tg.settle()
    (card,) = tg.request_cards(thread)  # edited in place, not posted again
    assert "новая" in card and card.split("\n")[0] != before.split("\n")[0]
    pinned = tg.fake.chats[STAFF_CHAT].messages[tg.fake.chats[STAFF_CHAT].pinned[-1]]["text"]
    assert "Dmitri" in pinned
    # and Layla is told who now takes care of her, once, in her language
    assert [m["text"] for m in tg.to_user(layla)].count("Dmitri is now taking care of you.") == 1


async def test_a_client_assigned_to_whom_they_are_with_already_is_not_told_of_a_new_assistant(
    team: Harness,
) -> None:
    tg = team
    layla, thread = await opened(tg, "Layla", "en")
    current = "Anna" if (await tg.client_of(layla)).assistant_id == "A-9001" else "Omar"
    other = "Omar" if current == "Anna" else "Anna"
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text=f"/assign {current}"))
    await tg.settle()
    told = [m["text"] for m in tg.to_user(layla) if m["text"].endswith("is now taking care of you.")]
    assert told == []  # nothing changed for her
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text=f"/assign {other}"))
    await tg.settle()
    told = [m["text"] for m in tg.to_user(layla) if m["text"].endswith("is now taking care of you.")]
    assert told == [f"{other} is now taking care of you."]
