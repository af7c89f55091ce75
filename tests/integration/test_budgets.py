"""Telegram's budgets live in the store: one instance or several on one store, together, keep them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from pymongo import monitoring

from bot.telegram_runtime import TELEGRAM_LIMITS
from storage.budgets import FORGET_OVER, Budgets, BudgetView, Taken
from storage.store import Store

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


async def send_all(
    instances: list[Budgets], chats: list[str], until: datetime, step_ms: int = 100
) -> list[tuple[datetime, str]]:
    """Greedy senders, each instance in turn sending to every chat whose slot has come, by its own view."""
    now, sent = T0, []
    while now < until:
        for budgets in instances:
            view = await budgets.view(set(chats), now)
            for chat in chats:
                if view.next_slot(chat) <= now and await budgets.take(chat, now):
                    view.use(chat)
                    sent.append((now, chat))
        now += timedelta(milliseconds=step_ms)
    return sent


def most_in_any(sent: list[tuple[datetime, str]], window: timedelta) -> int:
    return max(len([t for t, _ in sent if timedelta(0) <= at - t < window]) for at, _ in sent)


async def test_one_message_per_second_per_chat(store: Store) -> None:
    sent = await send_all([Budgets(store.db, TELEGRAM_LIMITS)], ["42"], T0 + timedelta(seconds=10))
    assert len(sent) == 10  # one a second with a margin against network jitter: every 1.1 s
    assert all((b[0] - a[0]) >= timedelta(seconds=1.1) for a, b in itertools.pairwise(sent))


async def test_nineteen_per_minute_per_group_then_pressure(store: Store) -> None:
    """Telegram allows 20 a minute in a group; we keep one of them as a margin."""
    budgets = Budgets(store.db, TELEGRAM_LIMITS)
    sent = await send_all([budgets], ["-1001"], T0 + timedelta(minutes=2), step_ms=500)
    assert most_in_any(sent, timedelta(minutes=1)) == 19
    assert len(sent) == 38
    assert (await budgets.view({"-1001"}, T0 + timedelta(minutes=2) - timedelta(seconds=1))).under_pressure(
        "-1001"
    )
    assert not (await Budgets(store.db, TELEGRAM_LIMITS).view({"-1002"}, T0)).under_pressure("-1002")


async def test_two_instances_on_one_store_keep_a_group_s_limit_together(store: Store) -> None:
    instances = [Budgets(store.db, TELEGRAM_LIMITS), Budgets(store.db, TELEGRAM_LIMITS)]
    sent = await send_all(instances, ["-1001", "-1002"], T0 + timedelta(minutes=2), step_ms=500)
    for group in ("-1001", "-1002"):
        mine = [(t, c) for t, c in sent if c == group]
        assert most_in_any(mine, timedelta(minutes=1)) == 19 and len(mine) == 38
        assert all((b[0] - a[0]) >= timedelta(seconds=1) for a, b in itertools.pairwise(mine))


async def test_thirty_per_second_overall(store: Store) -> None:
    chats = [str(1000 + i) for i in range(50)]
    sent = await send_all([Budgets(store.db, TELEGRAM_LIMITS)] * 2, chats, T0 + timedelta(seconds=3))
    assert most_in_any(sent, timedelta(seconds=1)) <= 30
    assert len(sent) >= 85


async def test_a_429_blocks_the_chat_until_retry_after_for_every_instance(store: Store) -> None:
    one, other = Budgets(store.db, TELEGRAM_LIMITS), Budgets(store.db, TELEGRAM_LIMITS)
    await one.block("42", T0 + timedelta(seconds=7))
    await one.block("42", T0 + timedelta(seconds=2))  # a shorter wait never shortens a longer one
    view = await other.view({"42", "43"}, T0)
    assert view.next_slot("42") == T0 + timedelta(seconds=7)
    assert view.next_slot("43") == T0
    await other.block(None, T0 + timedelta(seconds=3))
    assert (await one.view({"43"}, T0)).next_slot("43") == T0 + timedelta(seconds=3)


async def test_a_429_refuses_a_take_made_on_a_view_read_before_it(store: Store) -> None:
    """A worker trusts its last view for a few seconds (bot/workers/lanes.py FRESH): the chat's own slot is
    kept busy until the 429's end, so the store refuses a send to it whatever view it was decided on."""
    one, other = Budgets(store.db, TELEGRAM_LIMITS), Budgets(store.db, TELEGRAM_LIMITS)
    stale = await other.view({"42"}, T0)  # (read before the 429)
    await one.block("42", T0 + timedelta(seconds=7))
    assert stale.next_slot("42") == T0
    assert await other.take("42", T0 + timedelta(seconds=2)) is None
    assert await other.take("43", T0 + timedelta(seconds=2))  # (another chat's send goes)
    assert await other.take("42", T0 + timedelta(seconds=7))
    await one.block("42", T0 + timedelta(seconds=3))  # (an earlier end never shortens the slot's wait)
    at_seven = await one.view({"42"}, T0 + timedelta(seconds=7))
    assert at_seven.next_slot("42") == T0 + timedelta(seconds=7) + TELEGRAM_LIMITS.per_chat


def test_a_view_kept_by_a_worker_sees_its_slots_kept_busy_from_the_answer() -> None:
    """`moved`: the view a trusted pass keeps counts a send's slots from when Telegram answered, as the
    store does (Budgets.sent): a slow call pushes the chat's next send back on it too."""
    view, at = BudgetView(T0, TELEGRAM_LIMITS), int(T0.timestamp() * 1000)
    view.use("-1001")
    slow = at + 400 + int(TELEGRAM_LIMITS.per_chat.total_seconds() * 1000)
    window = int(TELEGRAM_LIMITS.group_window.total_seconds() * 1000)
    view.moved(Taken("chat:-1001", "free_at_ms", at, slow - 400, 1000), slow)
    view.moved(Taken("pool:-1001", "s0", 0, at + window, window), at + 400 + window)
    assert view.next_slot("-1001") == T0 + timedelta(milliseconds=400) + TELEGRAM_LIMITS.per_chat
    assert view.group_slots["-1001"] == [at + 400 + window]


async def test_a_pass_s_sends_take_their_slots_in_one_write_all_or_none_each(store: Store) -> None:
    """Budgets.take_all: each send's slots all or none, never the same slot for two; a send whose own slot
    is busy takes nothing, one whose pool slot another instance took meanwhile is taken again on its own."""
    budgets, other = Budgets(store.db, TELEGRAM_LIMITS), Budgets(store.db, TELEGRAM_LIMITS)
    await budgets.view({"-1001", "42", "43"}, T0)  # (every global slot free, as this instance last read)
    assert await other.take("43", T0)  # (then another instance sends to 43: its global slot is the first)
    taken = await budgets.take_all([("-1001", None, False), ("42", None, False), ("43", None, False)], T0)
    assert taken[2] is None and taken[0] and taken[1]  # (43's own second is spent)
    slots = [(s.id, s.field) for t in taken if t for s in t]
    assert len(slots) == len(set(slots)) == 5  # two chats, the group's, two global ones
    view = await Budgets(store.db, TELEGRAM_LIMITS).view({"-1001", "42", "43"}, T0)
    assert sum(free > int(T0.timestamp() * 1000) for free in view.global_slots) == 3  # (43's and our two)
    assert view.next_slot("-1001") > T0 and view.next_slot("42") > T0


async def test_a_slot_taken_for_a_send_that_could_not_go_is_handed_back(store: Store) -> None:
    budgets = Budgets(store.db, TELEGRAM_LIMITS)
    assert await budgets.take("-1001", T0)
    # the group has slots left, but the chat's own 1/s is spent: nothing is taken from the group
    assert not await budgets.take("-1001", T0 + timedelta(milliseconds=500))
    view = await budgets.view({"-1001"}, T0 + timedelta(milliseconds=500))
    window, t0 = int(TELEGRAM_LIMITS.group_window.total_seconds() * 1000), int(T0.timestamp() * 1000)
    assert sorted(view.group_slots["-1001"])[-2:] == [t0 + 500, t0 + window]  # (free again: as of the take)


async def test_slots_count_from_when_the_call_came_back(store: Store) -> None:
    """Telegram counts a message when it arrives: a slow call pushes the next send back by as much."""
    budgets = Budgets(store.db, TELEGRAM_LIMITS)
    taken = await budgets.take("42", T0)
    await budgets.sent(taken, T0 + timedelta(milliseconds=400))
    view = await budgets.view({"42"}, T0 + timedelta(seconds=1))
    assert view.next_slot("42") == T0 + timedelta(milliseconds=400) + TELEGRAM_LIMITS.per_chat


async def test_edits_share_the_group_s_allowance_and_one_card_is_edited_at_most_every_interval(
    store: Store,
) -> None:
    """Telegram charges an edit like a message: the group's 20 a minute are messages and edits together."""
    budgets = Budgets(store.db, TELEGRAM_LIMITS)
    until, now = T0 + timedelta(minutes=1), T0
    messages = edits = 0
    cards = [f"lane-{i}#client" for i in range(30)]
    while now < until:
        view = await budgets.view({"-1001"}, now, set(cards))
        if messages < 10 and view.next_slot("-1001") <= now and await budgets.take("-1001", now):
            messages += 1
        else:
            for card in cards:
                if view.next_slot("-1001", card) <= now and await budgets.take("-1001", now, card):
                    edits += 1
                    break
        now += timedelta(milliseconds=100)
    assert (messages, edits) == (10, 9)  # 19 sends in any minute, whichever kind
    assert not await budgets.take("-1001", until - timedelta(seconds=1))  # a message finds none left either
    # one card is edited at most once per CARD_INTERVAL (the changes in between coalesce)
    later = until + timedelta(minutes=1)
    assert await budgets.take("-1002", later, "lane-x#client")
    assert not await budgets.take("-1002", later + TELEGRAM_LIMITS.card_interval / 2, "lane-x#client")
    assert await budgets.take("-1002", later + TELEGRAM_LIMITS.card_interval, "lane-x#client")


async def test_a_send_refused_with_429_gives_its_reservation_back(store: Store) -> None:
    budgets = Budgets(store.db, TELEGRAM_LIMITS)
    for i in range(19):
        taken = await budgets.take("-1001", T0 + timedelta(seconds=2 * i))
        assert taken
        if i == 18:
            await budgets.give_back(taken)  # Telegram answered 429: it did not count
    assert await budgets.take("-1001", T0 + timedelta(seconds=40))  # the 19th slot is free again
    assert not await budgets.take("-1001", T0 + timedelta(seconds=42))


async def test_a_card_post_leaves_slots_to_the_relays(store: Store) -> None:
    """What can wait (a request card posted again) goes only while a few of the group's slots stay free."""
    budgets = Budgets(store.db, TELEGRAM_LIMITS)
    for i in range(16):
        assert await budgets.take("-1001", T0 + timedelta(seconds=2 * i))
    now = T0 + timedelta(seconds=40)
    view = await budgets.view({"-1001"}, now)
    assert view.next_slot("-1001") == now  # three slots are free: a relay goes at once
    assert view.next_slot("-1001", reserve=3) == T0 + timedelta(minutes=1)  # a card waits for the fourth
    assert view.next_slot("-1001", reserve=2) == now


async def test_two_instances_that_read_the_same_free_slot_both_send(store: Store) -> None:
    """Each takes the pool slot its view showed free earliest: the same one. The second is refused that
    slot, and asks the pool for any other free one instead of waiting a round."""
    a, b = Budgets(store.db, TELEGRAM_LIMITS), Budgets(store.db, TELEGRAM_LIMITS)
    assert await a.take("1", T0 - timedelta(minutes=5))  # (the pools' slots exist)
    for budgets in (a, b):
        await budgets.view({"100", "200"}, T0)
    assert await a.take("100", T0) is not None
    taken = await b.take("200", T0)
    assert taken is not None and len({(slot.id, slot.field) for slot in taken}) == len(taken)
    chosen = [slot.field for slot in taken if slot.id == "pool:global"]
    assert chosen and chosen != ["s0"]  # (a has that one)


async def test_the_forums_budgets_are_made_at_start_so_a_first_message_costs_no_more(
    mongo_url, db_name, tmp_path
) -> None:
    """`ready` (at start, with the staff forums): every pool in one read and one write; a take then makes
    none and reads none (the read told where the slots stand), and an instance that finds them made (another
    made them) writes nothing."""
    from domain.clock import FrozenClock
    from storage.store import open_store
    from tests.round_trips import Commands

    commands = Commands()
    async with open_store(mongo_url, db_name, tmp_path, FrozenClock(T0), listeners=[commands]) as store:
        try:
            commands.sent.clear()
            budgets = Budgets(store.db, TELEGRAM_LIMITS)
            await budgets.ready(["-1001", "42"])  # (a private chat has no pool)
            assert dict(commands.sent) == {("find", "budgets"): 1, ("update", "budgets"): 1}
            commands.sent.clear()
            later = T0 + timedelta(seconds=2)
            assert await budgets.take("-1001", T0) and await budgets.take("-1001", later, card="-1001#c")
            assert dict(commands.sent) == {("update", "budgets"): 2}  # one write each
            commands.sent.clear()
            await Budgets(store.db, TELEGRAM_LIMITS).ready(["-1001"])
            assert dict(commands.sent) == {("find", "budgets"): 1}
        finally:
            commands.stop()
            await store.client.drop_database(db_name)


class Returned(monitoring.CommandListener):
    """How many documents the store's answers to finds held."""

    def __init__(self) -> None:
        self.documents = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None: ...

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        if event.command_name in ("find", "getMore"):
            cursor = event.reply.get("cursor", {})
            self.documents += len(cursor.get("firstBatch", cursor.get("nextBatch", [])))

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...


async def test_a_pass_s_view_of_five_forums_is_a_handful_of_documents(mongo_url, db_name, tmp_path) -> None:
    """The delivery worker reads the budgets at every pass: a store builds every document it answers with,
    so a pool is one document, not one a slot (one a slot was 220 here, most of what the store built)."""
    from domain.clock import FrozenClock
    from storage.store import open_store

    returned = Returned()
    forums = [f"-100{i}" for i in range(5)]
    async with open_store(mongo_url, db_name, tmp_path, FrozenClock(T0), listeners=[returned]) as store:
        try:
            budgets = Budgets(store.db, TELEGRAM_LIMITS)
            await budgets.ready(forums)
            for k, forum in enumerate(forums):
                assert await budgets.take(forum, T0 + timedelta(seconds=k), card=f"{forum}#c")
                assert await budgets.take(str(k), T0 + timedelta(seconds=k))
            returned.documents = 0
            view = await budgets.view(
                {*forums, "0", "1"}, T0 + timedelta(seconds=5), {f"{f}#c" for f in forums}
            )
            # (5 chats' and 2 clients' slots, 5 cards, 5 pools — edits share them — the global one)
            assert returned.documents == 5 + 2 + 5 + 5 + 1
            assert view.next_slot(forums[0]) == T0 + timedelta(seconds=5)
            assert len([s for s in view.global_slots if s > 0]) == 10
        finally:
            await store.client.drop_database(db_name)


def test_a_view_kept_for_hours_forgets_the_chats_free_again_and_keeps_the_busy() -> None:
    """A worker alone on its store keeps one view for as long as nothing surprises it: the chats it counted
    are forgotten once free again (past FORGET_OVER of them), so the view holds the last seconds' sends."""
    view = BudgetView(T0, TELEGRAM_LIMITS)
    for n in range(FORGET_OVER + 1):
        view.use(str(n))
    later = T0 + timedelta(minutes=5)
    view.at(later)
    view.use("busy")
    view.at(later + timedelta(milliseconds=10))
    assert view.now == later + timedelta(milliseconds=10)
    assert len(view.chat_free) <= FORGET_OVER + 2
    for n in range(FORGET_OVER):
        view.use(f"more-{n}")
    view.at(later + timedelta(milliseconds=20))
    assert "0" not in view.chat_free and "busy" in view.chat_free  # (free since: forgotten; still busy: kept)
    assert datetime.fromtimestamp(view.chat_free["busy"] / 1000, UTC) > view.now
