"""Nothing lost, nothing twice, never over Telegram's limits."""

import asyncio
import itertools
from collections import Counter
from datetime import timedelta

import aiohttp
import pytest
from aiogram.exceptions import TelegramNetworkError

from bot.app import create_app
from bot.keys import SETTINGS
from sandbox.telegram import ApiError
from tests import reads
from tests.harness import STAFF_CHAT, Harness, settings, start_harness, user

ANNA = {"id": 9001, "is_bot": False, "first_name": "Anna"}


async def test_a_burst_of_300_messages_from_30_clients_under_429s(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en,ru,ar")
    clients = [user(f"Guest{i:02d}", "en") for i in range(30)]
    for i in range(0, 30, 10):  # Telegram's own 429s, on top of the limits the fake enforces
        tg.fake.fail_429(retry_after=3 + i // 10, method="sendMessage", chat_id=STAFF_CHAT)
    tg.fake.fail_429(retry_after=2, method="copyMessage")
    updates = [tg.fake.user_message(c, text=f"{c['first_name']} #{n}") for n in range(10) for c in clients]
    for batch in range(0, 300, 50):
        await asyncio.gather(*(tg.post(u) for u in updates[batch : batch + 50]))
    await tg.settle()

    delivered = Counter()
    for client in clients:
        thread = await tg.thread_of(client)
        parts = "\n\n".join(tg.topic_texts(thread)).split("\n\n")
        assert parts == [f"{client['first_name']} #{n}" for n in range(10)], client["first_name"]
        delivered.update(parts)
    assert len(delivered) == 300 and set(delivered.values()) == {1}  # every message exactly once
    assert tg.fake.limit_violations == []  # our sender never went over a limit
    assert len(tg.fake.sent("createForumTopic")) == 30
    assert tg.rt.delivery_worker.merged > 0  # over budget, relays were merged per topic
    bot_posts = len(tg.fake.sent(chat_id=STAFF_CHAT))
    assert bot_posts < 30 * 2 + 300  # topics + cards + fewer relay messages than client messages
    assert await tg.failed_deliveries() == 0


async def test_the_same_update_twice_is_processed_once(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    update = tg.fake.user_message(layla, text="Only once, please")
    first, second = await tg.post(update), await tg.post(update)
    assert (await first.json())["duplicate"] is False and (await second.json())["duplicate"] is True
    await tg.settle()
    await tg.send(update)
    await tg.settle()
    assert tg.topic_texts(await tg.thread_of(layla)) == ["Only once, please"]
    assert await tg.store.inbox.count(key=f"tg:{layla['id']}") == 1


async def test_a_missing_or_wrong_secret_is_refused_and_nothing_is_stored(tg: Harness) -> None:
    update = tg.fake.user_message(user("Mallory"), text="let me in")
    for secret in (None, "", "wrong-secret", "webhook-secret_0124", "WEBHOOK-SECRET_0123"):
        response = await tg.post(update, secret=secret)
        assert response.status == 401
        refusal = (await response.json())["error"]
        assert refusal["code"] == "unauthorized" and refusal["request_id"] == response.headers["X-Request-ID"]
    assert await tg.store.inbox.count() == 0
    response = await tg.http.post(
        "/webhooks/telegram",
        data=b"not json",
        headers={"X-Telegram-Bot-Api-Secret-Token": "webhook-secret_0123"},
    )
    assert response.status == 400 and await tg.store.inbox.count() == 0


async def test_an_update_stored_before_a_crash_is_processed_once_after_restart(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> None:
    first = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock)
    await first.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    stored = first.fake.user_message(layla, text="Stored, then the process died")
    await first.send(stored)
    # the process dies here: the update is in the inbox, nothing else happened
    await first.http.close()
    fake = first.fake

    api_base = first.app[SETTINGS].telegram.telegram_api_base
    app = create_app(settings(mongo_url, db_name, api_base, tmp_path), clock, start_workers=False)
    second = Harness(fake, await aiohttp_client(app), clock)
    await second.settle()
    await second.send(stored)  # Telegram retries the same update after the restart too
    await second.settle()
    assert second.topic_texts(await second.thread_of(layla)) == ["Stored, then the process died"]
    await second.store.client.drop_database(db_name)


async def test_a_crash_midway_through_processing_sends_nothing_twice(
    tg: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    calls = tg.dies_before_storing_deliveries(monkeypatch)  # the events are recorded; then it dies
    await tg.send(tg.fake.user_message(layla, text="/start"), tg.fake.user_message(layla, text="Hello"))
    await tg.settle()
    assert calls["n"] > 1
    assert len(tg.to_user(layla)) == 1  # one welcome, though /start was processed twice
    assert tg.topic_texts(await tg.thread_of(layla)) == ["Hello"]
    assert len(tg.fake.sent("createForumTopic")) == 1


async def test_a_worker_that_died_holding_an_update_is_taken_over(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    await tg.send(tg.fake.user_message(layla, text="Hello"))
    key = (await tg.store.inbox.keys_with_work())[0]
    assert await tg.store.inbox.claim_head(key, "a-worker-that-died", timedelta(minutes=2))
    tg.clock.advance(minutes=3)
    await tg.settle()
    assert tg.topic_texts(await tg.thread_of(layla)) == ["Hello"]


async def test_server_errors_are_retried_with_backoff_and_sent_once(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    tg.fake.fail(ApiError(502, "Bad Gateway"), method="sendMessage", chat_id=STAFF_CHAT, times=3)
    await tg.send(tg.fake.user_message(layla, text="Hello"))
    start = tg.clock.now()
    await tg.settle()
    assert tg.topic_texts(await tg.thread_of(layla)) == ["Hello"]
    failed = [c for c in tg.fake.calls if not c.ok and c.method == "sendMessage"]
    assert len(failed) == 3
    gaps = [(b.at - a.at).total_seconds() for a, b in itertools.pairwise(failed)]
    assert gaps == sorted(gaps) and gaps[-1] >= 4  # backing off, not hammering
    assert tg.clock.now() - start < timedelta(minutes=2)


async def test_a_client_who_blocked_the_bot_causes_no_retry_storm_and_the_assistant_is_told(
    tg: Harness,
) -> None:
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    await tg.send(tg.fake.user_message(layla, text="Hello"))
    await tg.settle()
    thread = await tg.thread_of(layla)
    tg.fake.blocked.add(layla["id"])
    for text in ("Your car is booked", "The driver is Sergey", "Call me if needed"):
        await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text=text))
    await tg.settle()
    attempts = [
        c
        for c in tg.fake.calls
        if int(c.params.get("chat_id", 0)) == layla["id"] and c.method == "sendMessage" and not c.ok
    ]
    assert len(attempts) == 1 and attempts[0].error.startswith("Forbidden")  # one try, no storm
    texts = tg.topic_texts(thread)
    assert sum(t.startswith("⚠️ The client has blocked the bot") for t in texts) == 1
    # an assistant who writes again is told at once, and nothing is tried
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="Hello?"))
    await tg.settle()
    assert tg.topic_texts(thread)[-1].startswith("⚠️ Not delivered")
    assert (
        len([c for c in tg.fake.calls if int(c.params.get("chat_id", 0)) == layla["id"]]) == len(attempts) + 1
    )
    assert "telegram" in (await tg.client_of(layla)).unreachable
    # when they write again, they are reachable again
    tg.fake.blocked.discard(layla["id"])
    await tg.send(tg.fake.user_message(layla, text="Sorry, I'm back"))
    await tg.settle()
    assert (await tg.client_of(layla)).unreachable == ()


async def test_polling_mode_uses_the_same_processing_path(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> None:
    tg = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, mode="polling"
    )
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    tg.fake.user_message(layla, text="/start")
    tg.fake.user_message(layla, text="Polling works too")
    offset = await tg.rt.poll_once(0, long_poll=0)
    assert offset == tg.fake.updates[-1]["update_id"] + 1
    assert await tg.rt.poll_once(offset, long_poll=0) == offset  # nothing new
    await tg.settle()
    assert tg.topic_texts(await tg.thread_of(layla)) == ["Polling works too"]
    assert tg.fake.webhook is None
    await tg.store.client.drop_database(db_name)


async def relay_held_by_a_dead_worker(tg: Harness) -> tuple[int, str]:
    """A client's second message, its relay taken by a worker that then died; (topic, delivery id)."""
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    await tg.send(tg.fake.user_message(layla, text="/start"), tg.fake.user_message(layla, text="A car at 8"))
    await tg.settle()
    await tg.send(tg.fake.user_message(layla, text="Pick us up from the Ritz, please"))
    await tg.process_inbox()
    (relay,) = [
        d
        for d in await tg.store.deliveries.unfinished("telegram")
        if d.payload.get("text") == "Pick us up from the Ritz, please"
    ]
    assert await tg.store.deliveries.claim_id(relay.id, "dead/telegram", timedelta(seconds=1))
    return await tg.thread_of(layla), relay.id


async def test_a_message_resent_after_its_worker_died_mid_send_is_told_to_the_assistant(tg: Harness) -> None:
    thread, relay_id = await relay_held_by_a_dead_worker(tg)
    # it had called Telegram, and died before recording the answer
    await tg.store.deliveries.calling(relay_id, "dead/telegram")
    tg.clock.advance(seconds=2)
    await tg.settle()
    texts = tg.topic_texts(thread)
    assert texts.count("Pick us up from the Ritz, please") == 1  # (the fake saw one: the first never left)
    assert texts[-1] == (
        "⚠️ After an interruption this may have been sent twice in this topic: "
        "“Pick us up from the Ritz, please”"
    )


@pytest.mark.parametrize("crash_at", [1, 2, 3, 4, 5])
async def test_a_message_processed_again_after_a_crash_finishes_what_it_decided(
    tg: Harness, crash_at: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first message of a new client records several decisions, each followed by its deliveries. The
    process dies before storing the `crash_at`-th batch; processed again, the message must finish: greeted
    once, one topic with the words once, the request opened once and acknowledged once."""
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    calls = tg.dies_before_storing_deliveries(monkeypatch, at=crash_at)
    await tg.send(tg.fake.user_message(layla, text="Book a car tonight at 8 from the Ritz"))
    await tg.settle()
    assert calls["n"] > crash_at  # it did die there, and was processed again
    texts = [m["text"] for m in tg.to_user(layla)]
    assert len([t for t in texts if t.startswith("Welcome")]) == 1, texts
    assert len([t for t in texts if "R-1001" in t]) == 1, texts
    thread = await tg.thread_of(layla)
    assert await tg.topic_words(thread) == ["Book a car tonight at 8 from the Ritz"]  # once: relay or card
    assert len(tg.request_cards(thread)) == 1
    assert len(tg.fake.sent("createForumTopic")) == 1
    assert len(await reads.requests(tg.store)) == 1


async def test_a_message_whose_worker_died_before_calling_telegram_is_sent_without_a_notice(
    tg: Harness,
) -> None:
    thread, _relay_id = await relay_held_by_a_dead_worker(tg)  # it never called Telegram
    tg.clock.advance(seconds=2)
    await tg.settle()
    assert tg.topic_texts(thread)[-1] == "Pick us up from the Ritz, please"  # sent, and no false alarm
    assert not [t for t in tg.topic_texts(thread) if t.startswith("⚠️")]


async def test_a_message_whose_answer_was_lost_is_sent_again_and_the_assistant_told(tg: Harness) -> None:
    """Telegram did it, and the connection dropped before its answer (a timeout, a network that failed on the
    way back): nobody can know whether it went. It is sent again — never lost — and, as after a worker that
    died mid-call, the assistant hears it may have arrived twice."""
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    await tg.send(tg.fake.user_message(layla, text="Hello"))
    await tg.settle()
    thread = await tg.thread_of(layla)
    tg.fake.lose_answer("sendMessage", chat_id=STAFF_CHAT)
    await tg.send(tg.fake.user_message(layla, text="Thank you, see you soon"))
    await tg.settle()
    texts = tg.topic_texts(thread)
    assert texts.count("Thank you, see you soon") == 2  # it did go twice: the first answer was lost
    assert texts[-1] == (
        "⚠️ After an interruption this may have been sent twice in this topic: “Thank you, see you soon”"
    )

    tg.fake.lose_answer("sendMessage", chat_id=layla["id"])  # the assistant's reply, to the client
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="Of course, at 8"))
    await tg.settle()
    assert [m["text"] for m in tg.to_user(layla)].count("Of course, at 8") == 2
    assert tg.topic_texts(thread)[-1].startswith("⚠️ After an interruption this may have been sent twice")
    assert "Of course, at 8" in tg.topic_texts(thread)[-1]
    assert await tg.failed_deliveries() == 0


def _refused() -> BaseException:
    key = aiohttp.client_reqrep.ConnectionKey("127.0.0.1", 1, False, True, None, None, None)
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "Connection refused"))


@pytest.mark.parametrize("cause", [_refused, asyncio.TimeoutError], ids=["refused", "timeout-connecting"])
async def test_a_message_whose_call_never_reached_telegram_is_sent_again_without_a_notice(
    tg: Harness, cause
) -> None:
    """A connection that could not be made, or a timeout before the request was sent (connecting, waiting for
    a free connection: an outage): nothing left, so sending it again is safe and silent — an outage does not
    leave a "may have been sent twice" under every message it held back."""
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    await tg.send(tg.fake.user_message(layla, text="Hello"))
    await tg.settle()
    thread = await tg.thread_of(layla)
    sender = tg.rt.delivery_worker._sender
    session = sender._bot.session
    real = session.make_request
    refused = {"n": 0}

    async def refuses_once(*args, **kwargs):
        if not refused["n"]:
            refused["n"] += 1
            error = cause()
            raise TelegramNetworkError(method=args[1], message=f"{type(error).__name__}: {error}") from error
        return await real(*args, **kwargs)

    session.make_request = refuses_once
    await tg.send(tg.fake.user_message(layla, text="Thank you, see you soon"))
    await tg.settle()
    assert refused["n"] == 1
    assert tg.topic_texts(thread)[-1] == "Thank you, see you soon"  # sent once, no false alarm
    assert tg.topic_texts(thread).count("Thank you, see you soon") == 1


async def test_a_topic_whose_creation_answer_was_lost_is_made_once(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    tg.fake.lose_answer("createForumTopic")
    await tg.send(tg.fake.user_message(layla, text="Hello"))
    await tg.settle()
    assert tg.fake.lost_answers[0].remaining == 0  # (Telegram made it; the answer never came)
    thread = await tg.thread_of(layla)
    assert tg.topic_texts(thread) == ["Hello"]
    live = [t for t in tg.fake.chats[STAFF_CHAT].topics if t not in tg.fake.chats[STAFF_CHAT].deleted_topics]
    assert live == [thread]  # the topic Telegram made was adopted, or its twin deleted: one topic


async def test_a_send_telegram_refused_as_too_large_is_not_an_answer_lost(tg: Harness) -> None:
    """aiogram raises a 413 as a network error (TelegramEntityTooLarge): Telegram answered, and did nothing.
    It is a refusal — not retried for ever, never said to have gone twice."""
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    await tg.send(tg.fake.user_message(layla, text="Hello"))
    await tg.settle()
    thread = await tg.thread_of(layla)
    tg.fake.fail(ApiError(413, "Request Entity Too Large"), "sendMessage", chat_id=STAFF_CHAT)
    await tg.send(tg.fake.user_message(layla, text="Thank you, see you soon"))
    await tg.settle()
    assert await tg.failed_deliveries() == 1
    assert not [t for t in tg.topic_texts(thread) if t.startswith("⚠️")]


def client_cards(tg: Harness, thread: int) -> list[dict]:
    return [m for m in tg.fake.topic_messages(STAFF_CHAT, thread) if m.get("text", "").startswith("👤 ")]


async def test_a_client_card_whose_answer_was_lost_is_posted_again_and_the_assistant_told(
    tg: Harness,
) -> None:
    """The pinned card went, its answer lost: it is posted (and pinned) again; the first copy stays in the
    topic, never edited again — so the assistant hears a copy may be above, as for a message."""
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    tg.fake.lose_answer("sendMessage", chat_id=STAFF_CHAT)
    await tg.send(tg.fake.user_message(layla, text="Hello"))
    await tg.settle()
    thread = await tg.thread_of(layla)
    assert len(client_cards(tg, thread)) == 2
    assert tg.topic_texts(thread)[-1] == (
        "⚠️ After an interruption this may have been sent twice in this topic: “👤 Layla”"
    )


async def test_a_pin_whose_answer_was_lost_leaves_one_card(tg: Harness) -> None:
    """The card was posted (Telegram answered) and only the pin's answer was lost: the whole post was retried,
    a second card posted and pinned beside the first. The card stands; the pin may or may not have gone."""
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    tg.fake.lose_answer("pinChatMessage")
    await tg.send(tg.fake.user_message(layla, text="Hello"))
    await tg.settle()
    thread = await tg.thread_of(layla)
    assert len(client_cards(tg, thread)) == 1
    assert not [t for t in tg.topic_texts(thread) if t.startswith("⚠️")]
