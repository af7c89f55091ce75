"""What the Telegram delivery worker reads of the store (issue 26, goal 1): a pass it timed itself — the next
message of a lane whose head just went, a budget's slot — trusts the copy of the queue and the budgets it
read a moment ago, kept with its own claims and sends; a wake, an idle poll, a copy older than FRESH, or a
write of its own whose result the copy does not show, reads again. Nothing goes twice: a claim refuses what
another instance took meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.metrics import REGISTRY
from bot.whatsapp_runtime import WHATSAPP
from bot.workers.telegram_deliveries import TelegramDeliveryWorker
from channels.telegram.limits import CARD_INTERVAL
from storage.budgets import Budgets
from storage.deliveries import DeliveryStatus
from storage.heartbeats import BEAT, Heartbeats, Peers
from tests.harness import STAFF_CHAT, Harness, user
from tests.round_trips import Commands, counted_harness

LAYLA = user("Layla")
ANNA = {"id": 9001, "is_bot": False, "first_name": "Anna"}
READS = (("find", "deliveries"), ("find", "budgets"))


async def new_client_asks(tg: Harness) -> None:
    """A new client's /start (all sent), then their first request handled, nothing of it sent yet."""
    await tg.add_staff(9001, "Anna", "en", lead=True)
    await tg.send(tg.fake.user_message(LAYLA, text="/start"))
    await tg.settle()
    tg.clock.advance(seconds=30)
    await tg.send(tg.fake.user_message(LAYLA, text="Book a car tonight at 8 from the Ritz"))
    await tg.process_inbox()


@pytest.fixture
async def counted(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> AsyncIterator[tuple[Harness, Commands]]:
    """The service, every store command it sends counted (by a listener registered before its client)."""
    fixtures = (aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock)
    async with counted_harness(*fixtures, payments=False, whatsapp=False) as harness:
        yield harness


async def test_the_topic_s_cards_follow_its_creation_each_a_second_behind_on_passes_that_read_nothing(
    counted: tuple[Harness, Commands],
) -> None:
    tg, commands = counted
    await new_client_asks(tg)
    worker = tg.rt.delivery_worker
    before = commands.sent.copy()
    due = await worker.run_once()  # woken: reads the queue and the budgets; the topic is created
    assert all((commands.sent - before)[read] == 1 for read in READS)
    assert len(tg.fake.sent("createForumTopic")) == 1
    # the pinned card follows when the forum's second allows, not at the next poll (2 s)
    assert due is not None and due - tg.clock.now() <= timedelta(seconds=1.2)
    for _ in range(2):  # the pinned card, then the request card
        tg.clock.advance_to(due)
        before = commands.sent.copy()
        due = await worker.run_once()
        assert worker.trusted and not any((commands.sent - before)[read] for read in READS)
    thread = await tg.thread_of(LAYLA)
    assert thread is not None and len(tg.request_cards(thread)) == 1
    assert len(tg.fake.chats[STAFF_CHAT].pinned) == 1  # (the client's card)
    await tg.settle()
    assert len(tg.request_cards(thread)) == 1 and len(tg.fake.sent("createForumTopic")) == 1


async def test_a_trusted_pass_s_sends_begin_with_what_the_last_pass_s_ended_with_and_a_woken_pass_reads(
    counted: tuple[Harness, Commands],
) -> None:
    """The topic's creation reads the client and writes their topic; the pinned card, on the pass it timed,
    reads the client no more (nor their topic), the request card neither the client, nor the assistant, nor
    the request the pinned card's list found. A pass the engine woke reads them again."""
    tg, commands = counted
    await new_client_asks(tg)
    worker = tg.rt.delivery_worker
    due = await worker.run_once()  # the topic created: the client read, their topic written
    cards = []
    for _ in range(2):  # the pinned card, then the request card
        assert due is not None
        tg.clock.advance_to(due)
        before = commands.sent.copy()
        due = await worker.run_once()
        assert worker.trusted
        cards.append(commands.sent - before)
    assert cards[0][("find", "clients")] == 0
    assert cards[0][("find", "assistants")] == 1 and cards[0][("find", "requests")] == 1  # (the list)
    assert not any(cards[1][("find", what)] for what in ("clients", "assistants", "requests"))
    thread = await tg.thread_of(LAYLA)
    assert thread is not None and len(tg.request_cards(thread)) == 1
    chat = tg.fake.chats[STAFF_CHAT]
    pinned = [m["text"] for m in tg.fake.topic_messages(STAFF_CHAT, thread) if m["message_id"] in chat.pinned]
    assert "Anna" in pinned[0] and "R-1001 (new)" in pinned[0]  # (what the step before read, as it was)
    tg.clock.advance(seconds=30)
    await tg.send(tg.fake.user_message(LAYLA, text="We will be 4 people"))
    await tg.process_inbox()
    before = commands.sent.copy()
    await worker.run_once()
    assert not worker.trusted  # woken: the relay, then the card's edit read what they show from the store
    await tg.settle()
    assert (commands.sent - before)[("find", "requests")] >= 1
    assert "👥 4" in tg.request_cards(thread)[0]  # (not the request the pass before knew)


async def test_a_trusted_pass_sends_nothing_another_instance_took_and_the_next_pass_reads(
    counted: tuple[Harness, Commands],
) -> None:
    tg, commands = counted
    await new_client_asks(tg)
    worker = tg.rt.delivery_worker
    due = await worker.run_once()
    assert due is not None
    waiting = [
        d
        for d in await tg.store.deliveries.unfinished("telegram")
        if d.chat == str(STAFF_CHAT) and d.status is DeliveryStatus.PENDING
    ]
    head = min(waiting, key=lambda d: (d.prio, d.n))  # what this worker sends next: the pinned card
    # another instance takes it and sends it before this worker's timed pass
    assert await tg.store.deliveries.claim_id(head.id, "other/telegram", timedelta(seconds=60), True)
    assert await tg.store.deliveries.sent(head.id, "other/telegram", f"{STAFF_CHAT}:999")
    posts = len(tg.fake.sent("sendMessage", STAFF_CHAT))
    tg.clock.advance_to(due)
    await worker.run_once()
    assert worker.trusted  # (it read nothing: its copy still showed the card waiting)
    assert len(tg.fake.sent("sendMessage", STAFF_CHAT)) == posts  # its claim was refused: not sent
    before = commands.sent.copy()
    await worker.run_once()
    assert not worker.trusted and (commands.sent - before)[("find", "deliveries")] == 1
    await tg.settle()
    thread = await tg.thread_of(LAYLA)
    assert thread is not None and len(tg.request_cards(thread)) == 1  # the request's, once
    assert not await tg.store.deliveries.unfinished("telegram")


async def test_a_timed_pass_reads_again_once_its_copy_is_older_than_fresh(
    counted: tuple[Harness, Commands],
) -> None:
    tg, commands = counted
    await new_client_asks(tg)
    worker = tg.rt.delivery_worker
    assert await worker.run_once() is not None
    tg.clock.advance(seconds=6)  # (FRESH is 5 s: what other instances wrote meanwhile is read)
    before = commands.sent.copy()
    await worker.run_once()
    assert not worker.trusted and all((commands.sent - before)[read] == 1 for read in READS)


async def test_a_telegram_message_wakes_the_telegram_worker_only(tg: Harness) -> None:
    """A worker woken reads its channel's changes: a WhatsApp worker woken by a Telegram message read for
    nothing."""
    whatsapp, telegram = tg.app[WHATSAPP], tg.rt.delivery_worker
    await tg.add_staff(9001, "Anna", "en", lead=True)
    await tg.settle()
    whatsapp.wake.clear()
    telegram.wake.clear()
    await tg.send(tg.fake.user_message(LAYLA, text="/start"))
    await tg.process_inbox()
    assert telegram.wake.is_set() and not whatsapp.wake.is_set()
    await tg.wa("+971500000001", "Hello, I need a car tonight", name="Omar")
    await tg.process_inbox()
    assert whatsapp.wake.is_set()


async def test_a_pass_s_sends_take_their_budgets_are_claimed_and_settled_in_one_write_each(
    counted: tuple[Harness, Commands],
) -> None:
    """A new client's /start: the welcome and the menu button go in one pass, in three writes, not six."""
    tg, commands = counted
    await tg.add_staff(9001, "Anna", "en", lead=True)
    await tg.settle()
    await tg.send(tg.fake.user_message(LAYLA, text="/start"))
    await tg.process_inbox()
    before = commands.sent.copy()
    await tg.rt.delivery_worker.run_once()
    sent = commands.sent - before
    assert len(tg.fake.sent("setChatMenuButton")) == 1 and len(tg.to_user(LAYLA)) == 1
    assert sent[("update", "budgets")] == 1  # (both sends' slots)
    assert sent[("findAndModify", "deliveries")] == 0 and sent[("update", "deliveries")] == 2  # claim, settle
    assert not await tg.store.deliveries.unfinished("telegram")


async def test_two_workers_racing_for_a_pass_s_sends_send_each_once(tg: Harness) -> None:
    """Two instances' workers on one store, their passes at the same moment, each claiming several sends in
    one write: every message goes once, by one of them."""
    one = tg.rt.delivery_worker
    other = TelegramDeliveryWorker(
        tg.store.deliveries, one._sender, tg.clock, one._hooks, Budgets(tg.store.db, one._budgets.limits)
    )
    await tg.add_staff(9001, "Anna", "en", lead=True)
    await tg.settle()
    clients = [user(name) for name in ("Layla", "Omar", "Sara", "Huda")]
    for client in clients:
        await tg.send(tg.fake.user_message(client, text="/start"))
    await tg.process_inbox()
    for _ in range(20):
        await asyncio.gather(one.run_once(), other.run_once())
        tg.clock.advance(seconds=2)
    for client in clients:
        assert len(tg.to_user(client)) == 1  # the welcome, once
    assert sorted(tg.fake.menu_buttons) == sorted(c["id"] for c in clients)
    assert len(tg.fake.sent("setChatMenuButton")) == len(clients)
    assert not await tg.store.deliveries.unfinished("telegram")


async def test_alone_on_the_store_a_woken_pass_reads_no_budgets_and_still_keeps_them(
    counted: tuple[Harness, Commands],
) -> None:
    """The instance's heartbeat found no other: a pass the engine woke reads its queue's changes but not the
    budgets — the view it keeps counts its own sends, so a message to a chat that just had one still waits
    its second."""
    tg, commands = counted
    await new_client_asks(tg)
    assert tg.engine.heartbeat is not None
    await tg.engine.heartbeat.run_once()
    worker = tg.rt.delivery_worker
    before = commands.sent.copy()
    due = await worker.run_once()  # woken: the topic is created
    read = commands.sent - before
    assert read[("find", "deliveries")] == 1 and read[("find", "budgets")] == 0
    assert len(tg.fake.sent("createForumTopic")) == 1 and due is not None
    tg.clock.advance(seconds=0.5)
    worker.poke()  # (new work: a pass that reads the queue's changes)
    before = commands.sent.copy()
    assert await worker.run_once() == due  # the forum's second is not over: nothing goes before it
    assert not worker.trusted and (commands.sent - before)[("find", "budgets")] == 0
    assert not tg.fake.sent("sendMessage", STAFF_CHAT)
    await tg.settle()
    thread = await tg.thread_of(LAYLA)
    assert thread is not None and len(tg.request_cards(thread)) == 1


async def test_alone_a_slot_the_store_refuses_makes_the_next_pass_read_the_budgets(
    counted: tuple[Harness, Commands],
) -> None:
    """Alone as far as the last beat knew, yet another instance sent to the forum meanwhile (it started
    since): the store refuses the slot the view thought free, nothing is sent, and the next pass reads."""
    tg, commands = counted
    await new_client_asks(tg)
    assert tg.engine.heartbeat is not None
    await tg.engine.heartbeat.run_once()
    worker = tg.rt.delivery_worker
    other = Budgets(tg.store.db, worker._budgets.limits)
    assert await other.take(str(STAFF_CHAT), tg.clock.now()) is not None  # the forum's second, theirs
    due = await worker.run_once()
    assert not tg.fake.sent("createForumTopic")  # refused by the store: not sent
    assert due is not None and due > tg.clock.now()  # (when the forum's second, theirs, is over)
    tg.clock.advance_to(due)
    before = commands.sent.copy()
    await worker.run_once()
    assert (commands.sent - before)[("find", "budgets")] == 1
    assert len(tg.fake.sent("createForumTopic")) == 1


async def test_beside_another_instance_a_woken_pass_reads_the_budgets(
    counted: tuple[Harness, Commands],
) -> None:
    tg, commands = counted
    await new_client_asks(tg)
    assert tg.engine.heartbeat is not None
    await Heartbeats(tg.store.db).beat("another", [], tg.clock.now(), tg.store.projector.format)
    await tg.engine.heartbeat.run_once()
    before = commands.sent.copy()
    await tg.rt.delivery_worker.run_once()
    assert (commands.sent - before)[("find", "budgets")] == 1
    assert len(tg.fake.sent("createForumTopic")) == 1


async def test_alone_a_read_of_one_chat_keeps_what_the_view_counted_of_others(
    tg: Harness,
) -> None:
    """Alone, a pass reads the budgets only after a surprise, and then only those of its heads: the card it
    edited a moment before, not among them, is still busy for its interval — the view keeps it so, and the
    next edit of that card waits for it instead of being refused by the store (nobody else sends)."""
    await new_client_asks(tg)
    await tg.settle()
    worker, thread = tg.rt.delivery_worker, await tg.thread_of(LAYLA)
    refusals = REGISTRY.get_sample_value("concierge_telegram_budget_refusals_total") or 0.0
    tg.clock.advance(seconds=30)
    assert tg.engine.heartbeat is not None
    await tg.engine.heartbeat.run_once()
    await tg.send(tg.fake.user_message(LAYLA, text="We will be 4 people"))
    await tg.process_inbox()
    due = await worker.run_once()  # the relay, then the card's edit a second behind it
    assert due is not None
    tg.clock.advance_to(due)
    await worker.run_once()
    edited = tg.clock.now()
    assert len(tg.fake.sent("editMessageText")) == 1
    tg.clock.advance(seconds=1)
    tg.fake.fail_5xx(chat_id=LAYLA["id"])  # the assistant's reply to Layla fails once: the pass after reads
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="Certainly"))
    await tg.process_inbox()
    await worker.run_once()
    tg.clock.advance(seconds=2)
    await worker.run_once()  # the reply again, on a read of Layla's budgets only
    assert "Certainly" in tg.to_user(LAYLA)[-1]["text"]
    tg.clock.advance(seconds=1)
    await tg.engine.heartbeat.run_once()
    await tg.send(tg.fake.user_message(LAYLA, text="And a child seat"))
    await tg.process_inbox()
    await tg.settle()
    edits = tg.fake.sent("editMessageText")
    assert len(edits) == 2 and edits[1].at - edited >= CARD_INTERVAL
    assert REGISTRY.get_sample_value("concierge_telegram_budget_refusals_total") == refusals


def test_a_beat_tells_whether_the_instance_is_alone_for_two_beats() -> None:
    peers, at = Peers(), datetime(2026, 12, 6, 12, tzinfo=UTC)
    assert not peers.alone(at)  # (no beat yet: not known)
    peers.beat(at, others=0)
    assert peers.alone(at) and peers.alone(at + 2 * BEAT - timedelta(milliseconds=1))
    assert not peers.alone(at + 2 * BEAT)  # (the beat may be stuck)
    assert not peers.alone(at - timedelta(seconds=1))
    peers.beat(at, others=1)
    assert not peers.alone(at)
