"""Forums of their own (issue 26, goal 5): a team that adds forums spreads its new clients over them, so no
one forum's 20 posts a minute binds while another has room."""

import itertools
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.deps import TELEGRAM_LIMITS
from domain.events import EventType
from domain.requests import RequestState, ServiceRequest
from engine import queries as q
from engine.clients import registry
from engine.forum import cards
from engine.forum.cards import AsRead
from engine.outbox import WORDS_IN_CARD
from engine.requests import intake
from engine.team import admin as staff_admin
from storage.budgets import Budgets
from tests import reads
from tests.harness import STAFF_CHAT, Harness, user
from tests.telegram.test_lifecycle import order_of, pay, quote_message, staff_says

OWN_FORUM = -1007770000001


async def team_of_two_forums(tg: Harness) -> dict[str, str]:
    """Anna posts in the default forum, Omar in a forum of his own; both speak English."""
    tg.fake.forum(OWN_FORUM, "Omar's forum")
    anna = await staff_admin.add(tg.engine.deps, 9001, "Anna", "en")
    omar = await staff_admin.add(tg.engine.deps, 9002, "Omar", "en", staff_chat_id=OWN_FORUM)
    return {anna.id: "Anna", omar.id: "Omar"}


PEOPLE: dict[str, dict] = {}


async def writes(tg: Harness, name: str, text: str = "Book a car tonight at 8 from the Ritz") -> str:
    person = PEOPLE.setdefault(f"{id(tg)}:{name}", user(name, "en"))
    await tg.send(tg.fake.user_message(person, text=text))
    await tg.settle()
    return (await tg.client_of(person)).assistant_id or ""


async def busy(tg: Harness, forum: int, posts: int) -> None:
    """`posts` messages went to the forum (another instance's, say): its budget in the store says so."""
    budgets, now = Budgets(tg.store.db, TELEGRAM_LIMITS), tg.clock.now()
    for k in range(posts):  # (a chat takes one a second)
        assert await budgets.take(str(forum), now + timedelta(seconds=1.2 * k))


async def test_a_new_client_goes_to_the_assistant_whose_forum_has_room(tg: Harness) -> None:
    names = await team_of_two_forums(tg)
    # quiet forums: the fewest open conversations, taking turns
    first = names[await writes(tg, "Layla")]
    second = names[await writes(tg, "James")]
    assert {first, second} == {"Anna", "Omar"}
    # Anna's forum is busy (15 of its 19 posts a minute used), Omar's is not: Omar takes the next two,
    # though he has as many open conversations as she does, then more
    tg.clock.advance(seconds=61)
    await busy(tg, STAFF_CHAT, 15)
    assert names[await writes(tg, "Irina")] == "Omar"
    tg.clock.advance(seconds=61)
    await busy(tg, STAFF_CHAT, 15)
    assert names[await writes(tg, "Fatima")] == "Omar"
    # both busy: the less used forum
    tg.clock.advance(seconds=61)
    await busy(tg, STAFF_CHAT, 19)
    await busy(tg, OWN_FORUM, 15)
    assert names[await writes(tg, "Khalid")] == "Omar"
    # a minute later both are quiet again: the fewest open conversations (Anna: 1, Omar: 4)
    tg.clock.advance(seconds=61)
    assert names[await writes(tg, "Maria")] == "Anna"
    # each client's topic is in their assistant's forum
    for name in ("Irina", "Fatima"):
        client = await tg.client_of(PEOPLE[f"{id(tg)}:{name}"])
        assert client.topic is not None and client.topic.chat_id == OWN_FORUM


async def test_one_forum_is_not_read_for_its_load(tg: Harness) -> None:
    """With every assistant in one forum its load cannot tell them apart: nothing is read for it."""
    await tg.add_staff(9001, "Anna")
    await tg.add_staff(9002, "Omar")
    asked: list[list[str]] = []
    load = tg.engine.deps.forum_load
    assert load is not None

    async def counted(chats: list[str], now):
        asked.append(chats)
        return await load(chats, now)

    object.__setattr__(tg.engine.deps, "forum_load", counted)
    await busy(tg, STAFF_CHAT, 19)
    await writes(tg, "Layla", "/start")
    assert asked == []
    assert len(await reads.events(tg.store, EventType.CLIENT_ASSIGNED)) == 1
    await writes(tg, "Layla", "Book a car tonight at 8 from the Ritz")
    assert asked == []


# --- the request card carries the words that opened it ---

ANNA = {"id": 9001, "is_bot": False, "first_name": "Anna"}


async def anna_says(tg: Harness, thread: int | None, text: str, reply_to: int | None = None) -> None:
    await tg.send(
        tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, reply_to=reply_to, text=text)
    )
    await tg.settle()


def said_by(tg: Harness, person: dict) -> list[dict]:
    return [m for m in tg.fake.chats[person["id"]].messages.values() if "text" in m]


async def layla_writes_to_anna(tg: Harness, text: str) -> tuple[dict, int | None]:
    """Anna's client Layla writes her first message: (Layla, her topic)."""
    await tg.add_staff(9001, "Anna")
    layla = user("Layla", "en")
    await tg.send(tg.fake.user_message(layla, text=text))
    await tg.settle()
    return layla, await tg.thread_of(layla)


def posts_in(tg: Harness, thread: int | None) -> list[dict]:
    return [m for m in tg.fake.topic_messages(STAFF_CHAT, thread) if "text" in m]


async def test_a_new_request_is_one_post_its_card_carrying_the_client_s_words(tg: Harness) -> None:
    layla, thread = await layla_writes_to_anna(tg, "Book a car tonight at 8 from the Ritz")
    client_card, request_card = posts_in(tg, thread)  # two posts (and the topic): not three
    assert client_card["text"].startswith("👤 Layla")
    assert request_card["text"].startswith("📋 R-1001 · Chauffeur & transport · new")
    assert "💬 “Book a car tonight at 8 from the Ritz”" in request_card["text"]
    assert tg.topic_texts(thread) == []  # no relay besides it
    # a reply to the card is a reply to the client's message
    (asked,) = [
        m for m in tg.fake.chats[layla["id"]].messages.values() if m.get("text", "").startswith("Book")
    ]
    reply = "Of course. Which entrance?"
    await tg.send(
        tg.fake.user_message(
            {"id": 9001, "is_bot": False, "first_name": "Anna"},
            chat_id=STAFF_CHAT,
            thread_id=thread,
            reply_to=request_card["message_id"],
            text=reply,
        )
    )
    await tg.settle()
    delivered = tg.to_user(layla)[-1]
    assert delivered["text"] == reply and delivered["reply_to_message"]["message_id"] == asked["message_id"]
    # what the client adds is relayed on its own, and the card shows it after the first words
    await tg.send(tg.fake.user_message(layla, text="We will be 4 people"))
    await tg.settle()
    assert tg.topic_texts(thread)[-1] == "We will be 4 people"
    (card,) = tg.request_cards(thread)
    assert "💬 “Book a car tonight at 8 from the Ritz”\n➕ “We will be 4 people”" in card
    assert "👥 4" in card


async def test_words_the_card_cannot_carry_whole_are_relayed_as_before(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna")
    layla = user("Layla", "en")
    long = "Book a car tonight at 8 from the Ritz. " + "We have a lot of luggage, please mind it. " * 30
    await tg.send(tg.fake.user_message(layla, text=long.strip()))
    await tg.settle()
    thread = await tg.thread_of(layla)
    assert tg.topic_texts(thread) == [long.strip()]  # relayed whole
    (card,) = tg.request_cards(thread)
    assert "…”" in card and len(card) < 4096  # the card shows it cut
    assert await tg.topic_words(thread) == [long.strip()]  # once
    # a reply to the assistant's message is threaded to it in the topic: relayed, even when it opens a request
    await anna_says(tg, thread, "Noted. Anything else?")
    answer = tg.to_user(layla)[-1]
    await tg.send(
        tg.fake.user_message(layla, reply_to=answer["message_id"], text="A table at Pushkin at 9pm")
    )
    await tg.settle()
    relay = posts_in(tg, thread)[-2]
    assert relay["text"] == "A table at Pushkin at 9pm" and relay.get("reply_to_message")
    assert len(tg.request_cards(thread)) == 2
    assert "“A table at Pushkin at 9pm”" in tg.request_cards(thread)[-1]


async def test_a_forum_post_fewer_per_new_request(tg: Harness) -> None:
    """The figure the capacity table rests on: a new client's first request costs the forum 3 posts (the
    topic, its pinned card, the request's card with the words), a later request 1 (its card)."""
    await tg.add_staff(9001, "Anna")
    layla = user("Layla", "en")
    before = len(tg.fake.sent("sendMessage", STAFF_CHAT)) + len(tg.fake.sent("createForumTopic"))
    await tg.send(tg.fake.user_message(layla, text="Book a car tonight at 8 from the Ritz"))
    await tg.settle()
    to_forum = tg.fake.sent("sendMessage", STAFF_CHAT)
    assert len(to_forum) + len(tg.fake.sent("createForumTopic")) - before == 3
    edits = len(tg.fake.sent("editMessageText", STAFF_CHAT))
    await tg.send(tg.fake.user_message(layla, text="Also a table at Pushkin tomorrow at 9pm"))
    await tg.settle()
    again = tg.fake.sent("sendMessage", STAFF_CHAT)
    assert len(again) - len(to_forum) == 1
    assert len(tg.fake.sent("editMessageText", STAFF_CHAT)) - edits == 1  # the pinned card's open requests


async def test_a_new_client_s_request_costs_the_forum_9_posts_and_7_edits(tg: Harness) -> None:
    """The other figures the capacity table rests on: Telegram charges an edit like a message, so a request's
    card edits count against the forum's 19 a minute (each step edits its card and the pinned one; a known
    client's next request edits the pinned card once more: test_a_forum_post_fewer_per_new_request)."""
    await tg.add_staff(9001, "Anna")
    layla = user("Layla", "en")
    seen: list[tuple[int, int]] = []

    def count() -> None:
        calls = tg.fake.sent(chat_id=STAFF_CHAT)
        posts = sum(c.method in ("sendMessage", "createForumTopic") for c in calls)
        seen.append((posts, sum(c.method == "editMessageText" for c in calls)))

    async def later(act) -> None:
        tg.clock.advance(minutes=2)  # (as people write: no edit coalesces with the last step's)
        await act
        await tg.settle()
        count()

    count()
    for text in ("Book a car tomorrow at 8 pm from the Ritz", "We will be 4 people", "Thank you"):
        await later(tg.send(tg.fake.user_message(layla, text=text)))
    thread = await tg.thread_of(layla)
    await later(staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class with chauffeur"))
    await later(pay(tg, order_of(tg, quote_message(tg, layla))))
    await later(staff_says(tg, thread, "/done"))
    await later(tg.send(tg.fake.user_message(layla, text="It was perfect, thank you")))
    steps = [(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(seen)]
    # the request (topic, pinned card, its card with the words); a message that changes it; one that does
    # not; the quote, the payment, the fulfilment (a line, the request's card, the pinned card's list)
    assert steps == [(3, 0), (1, 1), (1, 0), (1, 2), (1, 2), (1, 2), (1, 0)]
    assert tg.fake.limit_violations == []


async def test_words_behind_a_waiting_relay_are_relayed_with_it_and_the_card_waits(tg: Harness) -> None:
    """A client writing faster than the forum may post: their words merge with the relay waiting in the topic
    (one post under pressure), so the card does not carry them and waits behind, as every card does."""
    layla, thread = await layla_writes_to_anna(tg, "Hello")
    await tg.send(
        tg.fake.user_message(layla, text="Good evening"),
        tg.fake.user_message(layla, text="Book a car tonight at 8 from the Ritz"),
    )
    await tg.process_inbox()  # both read before the first is posted
    await tg.settle()
    assert tg.topic_texts(thread)[-2:] == ["Good evening", "Book a car tonight at 8 from the Ritz"]
    (card,) = tg.request_cards(thread)
    last = posts_in(tg, thread)[-1]
    assert last["text"] == card and await tg.carried(last) is None  # after the relays, carrying nothing
    assert await tg.topic_words(thread) == ["Hello", "Good evening", "Book a car tonight at 8 from the Ritz"]


async def test_reading_that_fails_for_good_still_shows_the_words(tg: Harness, monkeypatch) -> None:
    """A message whose reading fails (a bug, say) is set aside — and its words are in the topic regardless."""
    layla, thread = await layla_writes_to_anna(tg, "Hello")
    read = intake.understand

    def fails_on_pushkin(text: str, *args, **kwargs):
        if "Pushkin" in text:
            raise ValueError("a reading that fails for good")
        return read(text, *args, **kwargs)

    monkeypatch.setattr(intake, "understand", fails_on_pushkin)
    await tg.send(tg.fake.user_message(layla, text="A table at Pushkin at 9pm"))
    await tg.settle()
    words = await tg.topic_words(thread)
    assert words[:2] == ["Hello", "A table at Pushkin at 9pm"]
    assert words[2].startswith("⚠️ Something the client sent could not be processed")


async def test_a_reply_to_the_card_threads_to_the_words_after_its_edits_and_the_archive(tg: Harness) -> None:
    """An edit of the card is recorded under the card's message id too: a reply to the card still finds the
    words it carries, also once the post is archived and only its later edit is in the queue."""
    layla, thread = await layla_writes_to_anna(tg, "Book a car tonight at 8 from the Ritz")
    _client_card, request_card = posts_in(tg, thread)
    (asked,) = [m for m in said_by(tg, layla) if m["text"].startswith("Book")]
    tg.clock.advance(days=2, minutes=5)
    await anna_says(tg, thread, "/edit guests 4")
    assert await tg.store.deliveries.archive_settled(tg.clock.now() - timedelta(days=2))
    await anna_says(tg, thread, "Of course. Which entrance?", reply_to=request_card["message_id"])
    assert tg.to_user(layla)[-1]["reply_to_message"]["message_id"] == asked["message_id"]


def test_a_card_stays_within_a_telegram_message_whatever_it_holds() -> None:
    """Words whole up to 1,000 characters, translated with the original beneath, more added since, a long
    cancellation reason: the reason is cut first, then the words, so the card is never refused."""
    words, since = "w" * WORDS_IN_CARD, "m" * 900
    request = ServiceRequest(
        "R-1001",
        "C-1001",
        f"{words}\n{since}",
        first_words=words,
        state=RequestState.CANCELLED,
        cancel_reason="r" * 3000,
    )
    read = AsRead("t" * WORDS_IN_CARD, "s" * 900, "AR→RU")
    card = cards.render(request, ZoneInfo("Europe/Moscow"), "/quote · /edit", None, read)
    assert len(card) <= 4096
    assert f"“{'t' * WORDS_IN_CARD}”" in card and f"“{words}”" in card  # the words whole
    assert "r" * (WORDS_IN_CARD + 1) not in card  # the reason cut
    open_one = replace(request, state=RequestState.NEW)  # (an open card shows its hint: a long one here)
    crowded = cards.render(open_one, ZoneInfo("Europe/Moscow"), "h" * 1200, None, read)
    assert len(crowded) <= 4096 and f"“{words}”" in crowded and "r" * 201 not in crowded  # the reason first
    short = replace(request, cancel_reason="plans changed")
    assert "plans changed" in cards.render(short, ZoneInfo("Europe/Moscow"), "", None, read)


async def test_an_assistant_with_no_forum_has_no_room(tg: Harness) -> None:
    """With no default forum, an assistant without one of their own takes no new client while others have
    room (their clients' words would reach no one)."""
    team = await team_of_two_forums(tg)  # Anna in the default forum, Omar in his own
    nadia = await staff_admin.add(tg.engine.deps, 9003, "Nadia", "en", staff_chat_id=OWN_FORUM - 1)
    deps = replace(tg.engine.deps, staff_chat_id=None)  # no default forum: Anna has none
    used = await registry._forum_load(deps, await q.assistants(tg.store))
    anna = next(a for a in team if team[a] == "Anna")
    assert used[anna] == 1.0 and used[nadia.id] == 0.0


async def test_a_card_carrying_words_sent_again_after_its_worker_died_mid_send_is_told(tg: Harness) -> None:
    """As a relay is: the card may be in the topic twice (the words with it), and the assistant hears so."""
    layla, thread = await layla_writes_to_anna(tg, "Hello")
    await tg.send(tg.fake.user_message(layla, text="Book a car tonight at 8 from the Ritz"))
    await tg.process_inbox()
    (card,) = [
        d for d in await tg.store.deliveries.unfinished("telegram") if d.meta.get("source") is not None
    ]
    assert await tg.store.deliveries.claim_id(card.id, "dead/telegram", timedelta(seconds=1))
    await tg.store.deliveries.calling(card.id, "dead/telegram")  # it called Telegram, then died
    tg.clock.advance(seconds=2)
    await tg.settle()
    assert tg.topic_texts(thread)[-1] == (
        "⚠️ After an interruption this may have been sent twice in this topic: “📋 R-1001”"
    )
    assert await tg.topic_words(thread) == [
        "Hello",
        "Book a car tonight at 8 from the Ritz",
        tg.topic_texts(thread)[-1],
    ]


async def test_a_card_someone_deleted_is_posted_again_when_it_next_changes(tg: Harness) -> None:
    """An assistant deletes a card by mistake: its next change posts it again (the client's pinned again),
    within the forum's budget, instead of failing on every edit from then on."""
    from tests.telegram.test_lifecycle import staff_says

    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla", "en")
    await tg.send(tg.fake.user_message(layla, text="Book a car tonight at 8 from the Ritz"))
    await tg.settle()
    client = await tg.client_of(layla)
    request = (await q.open_requests(tg.store, client.id))[0]
    assert client.topic is not None and request.card_message_id is not None
    pinned, card = client.topic.card_message_id, request.card_message_id
    for message_id in (pinned, card):  # (as an assistant deleting them in the forum)
        tg.fake._api_deleteMessage({"chat_id": STAFF_CHAT, "message_id": message_id})

    await tg.send(tg.fake.user_message(layla, text="We will be 4 people, with luggage"))
    await tg.settle()
    request = await q.known_request(tg.store, request.id)
    assert request.card_message_id not in (None, card)
    posts = {m["message_id"]: m.get("text", "") for m in tg.fake.bot_messages(STAFF_CHAT)}
    assert posts[request.card_message_id].startswith(f"📋 {request.id}")
    assert "👥 4" in posts[request.card_message_id]  # (the card as it is now)
    lost = [e.data for e in await tg.store.events.read(f"request:{request.id}") if e.data.get("lost")]
    assert lost == [{"message_id": None, "generation": 1, "lost": card}]

    await staff_says(tg, reads.thread(client), "/quote 45000 RUB Mercedes S-Class")  # the client card moves
    client = await tg.client_of(layla)
    assert client.topic is not None and client.topic.card_message_id not in (None, pinned)
    assert tg.fake.chats[STAFF_CHAT].pinned[-1] == client.topic.card_message_id
    # the next change edits the cards posted again: no third post of either
    await tg.send(tg.fake.user_message(layla, text="And a child seat, please"))
    await tg.settle()
    assert (await q.known_request(tg.store, request.id)).card_message_id == request.card_message_id
    cards = [t for t in (m.get("text", "") for m in tg.fake.bot_messages(STAFF_CHAT)) if t.startswith("📋 R")]
    assert len(cards) == 1


async def test_a_request_behind_a_waiting_relay_is_relayed_when_the_topic_was_asked_before(
    tg: Harness,
) -> None:
    """The step that asks for a client's first topic knows no relay of theirs waits (engine/requests/intake.py
    `_carries`); a later step, before the topic is made, still looks — and finds the first message's relay."""
    await tg.add_staff(9001, "Anna")
    layla = user("Layla", "en")
    await tg.send(tg.fake.user_message(layla, text="Hello"))
    await tg.engine.inbox_worker.run_once()  # her topic asked for, the greeting's relay waiting for it
    await tg.send(tg.fake.user_message(layla, text="Book a car tonight at 8 from the Ritz"))
    await tg.engine.inbox_worker.run_once()
    await tg.settle()
    thread = await tg.thread_of(layla)
    assert tg.topic_texts(thread)[-1].endswith("Book a car tonight at 8 from the Ritz")  # relayed behind
    assert await tg.topic_words(thread) == ["Hello", "Book a car tonight at 8 from the Ritz"]  # each once
    assert len(tg.request_cards(thread)) == 1
