"""The Telegram delivery worker: takes stored deliveries lane by lane, keeps Telegram's budgets, retries,
merges relays that wait on an exhausted group budget, and reports what the engine must know.

A topic's lane carries the client's words first. Card edits wait in a lane of their own per card (so they
never stand between two relays that could merge), are served after every message lane, are charged to the
group's 20 a minute like a message (as Telegram charges them) while leaving its last slots to the relays, and
coalesce: the edit sent reads the card as it is then, so every edit of that card still waiting is settled by
it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from bot.metrics import BUDGET_REFUSALS, BUDGET_WAITS, TELEGRAM_THROTTLED
from bot.workers.lanes import FRESH, LaneWorker
from channels.telegram.limits import is_group
from channels.telegram.sender import Blocked, Failed, NotReady, RetryLater, Sent, TelegramSender, TopicGone
from domain.clock import Clock
from domain.outbound import EditCard, MenuButton, Message, Outbound, PostCard, Unreadable, read_doc
from storage import step_reads
from storage.arrival import PER_MS
from storage.budgets import Budgets, BudgetView, Taken, ms
from storage.deliveries import Deliveries, Delivery, DeliveryStatus
from storage.heartbeats import Peers
from storage.timefmt import from_ms, to_ms

log = structlog.get_logger(__name__)

CHANNEL = "telegram"
LEASE = timedelta(seconds=60)
MAX_TEXT = 4096
MAX_BACKOFF = 300.0
WAVE = 1.0  # s: answers that come this soon after a pass's first are settled with it, in one write
RESERVE = 3  # the fewest group slots a card's post or edit leaves to relays while clients are writing
WRITING = timedelta(seconds=10)
# an edit of a card whose post waits is settled unsent ("moot": the post shows the card as it is) only once
# it is this old: a pass that posts it may begin with documents read up to FRESH before (`step_reads.Known`),
# by any instance, so an edit stored since (a change by another instance) must outlive them (1 s: the claim
# and the call after the check, and the instances' clocks)
MOOT_AFTER = FRESH + timedelta(seconds=1)
Viewed = tuple[datetime, set[str], set[str]]  # a budget view's read: when, its chats, its cards


def card_of(item: Delivery, out: Outbound | Unreadable) -> str | None:
    """The card an edit changes (its budget key), or None for anything that posts a message."""
    return f"{item.lane}#{out.card}" if isinstance(out, EditCard) else None


@dataclass
class Going:
    """A send decided on in a pass, through its phases (`TelegramDeliveryWorker.went`)."""

    head: Delivery  # as the pass's copy shows it (`maybe_sent`: taken over from a worker that died mid-call)
    followers: list[Delivery]  # relays merged into it, or edits of the same card it settles
    taken: list[Taken] | None = None
    riders: list[Delivery] = field(default_factory=list)
    claimed: Delivery | None = None
    outcome: object = None
    done: datetime | None = None


async def _nothing() -> None:
    """A lane's send is made with the pass's others, after every lane is decided."""


@dataclass
class WorkerHooks:
    blocked: Callable[[Delivery], Awaitable[None]]
    topic_gone: Callable[[str, int], Awaitable[None]]
    # sent again after a worker died mid-send: Telegram has no idempotency key, so the first may have gone too
    maybe_twice: Callable[[Delivery], Awaitable[None]]
    # given up for good (Telegram refused it): the people it concerns hear of it where they work
    refused: Callable[[Delivery, str], Awaitable[None]]


class TelegramDeliveryWorker(LaneWorker):
    name = channel = CHANNEL
    lease = LEASE
    keeps_copy = True

    def __init__(
        self,
        deliveries: Deliveries,
        sender: TelegramSender,
        clock: Clock,
        hooks: WorkerHooks,
        budgets: Budgets,
        concurrency: int = 8,
        peers: Peers | None = None,
    ) -> None:
        super().__init__(deliveries, clock)
        self._sender = sender
        self._hooks = hooks
        self._budgets = budgets
        self._peers = peers or Peers()  # (never alone unless an instance's heartbeat says so)
        self._view = BudgetView(clock.now(), budgets.limits)
        self._concurrency = concurrency  # sends claimed and called at once
        self.merged = 0
        self.coalesced = 0
        # card posts waiting, as of this round: (lane, card) → until when one is being sent (ms; 0: none is)
        self._posts: dict[tuple[str, str], int] = {}
        self._read: dict[
            tuple[str, int], Outbound | Unreadable
        ] = {}  # what each queued delivery holds, read once
        self._held: set[str] = set()  # deliveries a budget has held back (counted once each)
        self._going: list[Going] = []  # this pass's sends, decided lane by lane
        # what the last view read covered, and when: a trusted pass (lanes.py) within it reads no budget
        self._viewed: Viewed | None = None
        # the view shows every write to the budgets since its read (this worker's sends, counted on it): while
        # the instance is alone, no pass reads them again (a refusal, a 429, a send lost: read again)
        self._whole = False
        # the documents the last passes' sends ended with (a client and their topic, the assistant, a request
        # its card shows): a trusted pass's sends begin with them, any other pass's read the store
        self._known = step_reads.Known()

    async def ready(self, chats: Iterable[int | None]) -> None:
        """The rate budgets of these chats (the staff forums) made before the first message needs them, and
        read into the view the first pass begins with (alone on the store, it reads them no more)."""
        forums = {str(chat) for chat in chats if chat}
        await self._budgets.ready(forums)
        if self._viewed is None:
            now = self._clock.now()
            view = await self._budgets.view(forums, now)
            if self._viewed is None:  # (a pass that read meanwhile keeps its own)
                self._view, self._viewed, self._whole = view, (now, forums, set()), True

    def outbound(self, item: Delivery) -> Outbound | Unreadable:
        """What a delivery holds, read from its document once per delivery and change (one this version cannot
        read fails alone when its turn comes: it never stops the round)."""
        key = (item.id, item.changed)
        if (found := self._read.get(key)) is None:
            found = self._read[key] = read_doc(item.payload)
        return found

    def _budget_chat(self, item: Delivery) -> str:
        """Whose budget a delivery spends: its chat's; a menu button's is a setting, not a message to the
        chat (it spends Telegram's overall budget, and a slot of its own: settings a second apart)."""
        return f"menu:{item.chat}" if isinstance(self.outbound(item), MenuButton) else item.chat

    def _card_of(self, item: Delivery) -> str | None:
        return card_of(item, self.outbound(item))

    def _text(self, item: Delivery) -> str:
        out = self.outbound(item)
        return out.text if isinstance(out, Message) else ""

    def lane_of(self, item: Delivery) -> str:
        return self._card_of(item) or item.lane

    def rank(self, lane: str, head: Delivery) -> int:
        return 3 if self._card_of(head) else super().rank(lane, head)  # edits after every message lane

    async def prepare(self, heads: list[Delivery], now: datetime) -> None:
        queued = self.queued()
        live = {(d.id, d.changed) for d in queued}
        self._read = {key: out for key, out in self._read.items() if key in live}
        # (by card: each queued edit asks, and a backlog held by a budget is hundreds of edits and posts)
        self._posts = {}
        for d in queued:
            if isinstance(post := self.outbound(d), PostCard):
                key, sending = (d.lane, f"{d.lane}#{post.card}"), d.status is DeliveryStatus.SENDING
                flying = d.lease_ms if sending and d.lease_ms >= to_ms(now) else 0
                self._posts[key] = max(self._posts.get(key, 0), flying)
        self._held &= {d.id for d in queued}
        if not heads:
            self._view.at(now)  # nothing to send: nothing to read (the view kept, with what it counted)
            return
        cards = {card for head in heads if (card := self._card_of(head))}
        chats = {self._budget_chat(head) for head in heads}
        if self._viewed and (
            (self.trusted and self._covers(self._viewed, now, chats, cards))
            or (self._whole and self._peers.alone(now))
        ):
            self._view.at(now)  # (this worker's own sends since the read are counted on it)
            return
        view = await self._budgets.view(chats, now, cards)
        view.keep(self._view, chats, cards)  # (its own sends to the others, which nothing else shows alone)
        self._view, self._viewed, self._whole = view, (now, chats, cards), True

    def touched(self) -> None:
        super().touched()
        self._whole = False  # (a refusal, a 429, a send taken over: the budgets as the store has them, next)

    @staticmethod
    def _covers(
        viewed: tuple[datetime, set[str], set[str]], now: datetime, chats: set[str], cards: set[str]
    ) -> bool:
        """The last view read every budget this pass may spend, within FRESH (another instance's sends since
        are refused by the store when a take meets them; a 429 it was answered pushes the chat's own slot)."""
        at, seen_chats, seen_cards = viewed
        return now - at < FRESH and chats <= seen_chats and cards <= seen_cards

    def slot(self, head: Delivery, now: datetime) -> datetime:
        slot = self._budget_slot(head, now)
        due = head.status is DeliveryStatus.PENDING and head.next_attempt_ms <= to_ms(now)
        # ready, but the chat's budget is spent (a moot edit waiting for its time spends none)
        if slot > now and due and head.id not in self._held and not self._posting(head):
            self._held.add(head.id)
            BUDGET_WAITS.inc()
        return slot

    def after(self, head: Delivery, follower: Delivery, now: datetime) -> datetime | None:
        """The next in the lane goes when its budget allows (the head's send counted on the view), instead
        of at the next poll: the topic's card a second after its creation, not two."""
        due = max(from_ms(follower.next_attempt_ms), self._budget_slot(follower, now))
        return due if due > now else None

    def _budget_slot(self, head: Delivery, now: datetime) -> datetime:
        if self._card_of(head) and self._posting(head):
            return max(now, self._moot_at(head))  # moot: costs no budget
        # a card posted again, or an edit (charged to the group like a message), leaves the relays their room
        reserve = self._room_for_relays(head.chat, now) if head.prio >= 2 or self._card_of(head) else 0
        slot = self._view.next_slot(self._budget_chat(head), self._card_of(head))
        if not reserve:
            return slot
        lapses = self._last_words(head.chat) + WRITING  # then the cards may take the whole budget
        return min(self._view.next_slot(head.chat, self._card_of(head), reserve), max(slot, lapses))

    def _room_for_relays(self, chat: str, now: datetime) -> int:
        """The group's slots a card's post or edit leaves free while clients are writing (their words went to
        the group in the last WRITING, from any instance: the budgets mark them): as many as went in the last
        minute, at least RESERVE. Once they stop, the cards take the whole budget."""
        recent = self._view.words_sent(chat)
        if not recent or now - self._last_words(chat) >= WRITING:
            return 0
        return max(RESERVE, len(recent))

    def _last_words(self, chat: str) -> datetime:
        """When clients' words last went to the group (a slot is busy a window from its send)."""
        return from_ms(max(self._view.words_sent(chat)) - ms(self._budgets.limits.group_window))

    def _words(self, head: Delivery) -> bool:
        """A client's words relayed to a group (not a card): what cards leave room for."""
        return head.prio <= 1 and is_group(head.chat) and not self._card_of(head)

    def take(self, head: Delivery, lane: list[Delivery], now: datetime) -> Awaitable[None]:
        if self._card_of(head) and self._posting(head):
            return self._moot([d for d in self._coalesced(lane, now, True) if self._moot_at(d) <= now])
        # this round's later decisions see it; the store decides
        self._view.use(self._budget_chat(head), self._card_of(head), self._words(head))
        followers = self._coalesced(lane, now) if self._card_of(head) else self._mergeable(head, lane, now)
        self._going.append(Going(head, followers))  # (sent with the pass's others: `went`)
        return _nothing()

    def _posting(self, edit: Delivery) -> bool:
        """The card is about to be posted (again) in the topic: the post will show it as it is then."""
        card = self._card_of(edit)
        return card is not None and (edit.lane, card) in self._posts

    def _moot_at(self, edit: Delivery) -> datetime:
        """When an edit of a card whose post waits may be settled unsent: MOOT_AFTER from its insert, and not
        while the post is being sent (its text was made before, maybe before the edit's change: once it is
        sent, the edit goes; should its lease run out, it is sent again, from the store as it is then)."""
        card = self._card_of(edit)
        flying = self._posts.get((edit.lane, card), 0) if card else 0
        return max(from_ms(edit.n // PER_MS) + MOOT_AFTER, from_ms(flying))

    async def _moot(self, edits: list[Delivery]) -> None:
        if edits:
            mooted = await self._deliveries.moot([edit.id for edit in edits])
            self.coalesced += mooted
            for edit in edits if mooted == len(edits) else ():
                self.done(edit)  # (all of them settled, as the store says)
            if mooted != len(edits):
                self.touched()

    @staticmethod
    def _coalesced(lane: list[Delivery], now: datetime, everything: bool = False) -> list[Delivery]:
        """Every other edit of the card that is due (`everything`: the head too): the one edit sent shows
        the card as it is now."""
        return [
            d
            for d in lane[0 if everything else 1 :]
            if d.status is DeliveryStatus.PENDING and d.next_attempt_ms <= to_ms(now)
        ]

    def _mergeable(self, head: Delivery, lane: list[Delivery], now: datetime) -> list[Delivery]:
        """Text relays queued right behind the head when the group budget ran out: one message, not many."""
        if not head.merge_key or not is_group(head.chat) or not self._view.under_pressure(head.chat):
            return []
        merged, size = [], len(self._text(head))
        for item in lane[1:]:
            due = item.status is DeliveryStatus.PENDING and item.next_attempt_ms <= to_ms(now)
            size += len(self._text(item)) + 2
            if item.merge_key != head.merge_key or not due or size > MAX_TEXT:
                break
            merged.append(item)
        return merged

    async def went(self) -> None:
        """The pass's sends, together: their budgets taken in one write, then claimed and marked as being
        sent in one, the calls made side by side, their slots kept busy from each answer in one write and
        the sent ones settled in one (a pass sends one message per lane: a new client's welcome and menu, a
        topic's creation and the acknowledgement)."""
        going, self._going = self._going, []
        if not self.trusted:
            self._known.forget()  # (the queue was read: what the sends read is read again too)
        if not going:
            return
        try:
            await self._go(going)
        except BaseException:
            self._whole = False  # (what a pass that broke off wrote may not be on the view)
            raise

    async def _go(self, going: list[Going]) -> None:
        takes = await self._budgets.take_all(
            [(self._budget_chat(g.head), self._card_of(g.head), self._words(g.head)) for g in going],
            self._clock.now(),
        )
        for g, taken in zip(going, takes, strict=True):
            g.taken = taken
        if refused := [g for g in going if g.taken is None]:
            # another instance used the budget first: the head waits for the next round, nothing claimed
            BUDGET_REFUSALS.inc(len(refused))
            self.touched()  # (the next pass reads the budgets again)
        going = [g for g in going if g.taken is not None]
        failures: list[BaseException] = []
        # claimed no more at once than are called at once: a claim's lease (60 s) runs from the claim, and a
        # send behind the limit would wait on it for calls before it (a relayed media file: up to 90 s)
        for start in range(0, len(going), self._concurrency):
            chunk = going[start : start + self._concurrency]
            if self._read_at is None or self._clock.now() - self._read_at >= FRESH:
                # (a chunk behind slow calls: what the last passes' sends read is older than an edit that
                # may have been mooted since, MOOT_AFTER after its insert — the store is read again)
                self._known.forget()
            await self._claim(chunk)
            try:
                failures += await self._call_and_settle([g for g in chunk if g.claimed is not None])
            finally:
                self._known.settle()
        if failures:
            raise failures[0]

    async def _call_and_settle(self, going: list[Going]) -> list[BaseException]:
        """The calls side by side, settled in waves as they answer: the first answer and every other that
        comes within WAVE of it in one write each (all of them at once, as Telegram answers), and a slow call
        on its own later — a send answered at once is never held, under its lease, behind a slow one (its
        lease running out would let another instance send it again)."""
        calls = {asyncio.ensure_future(self._call(g)): g for g in going}
        failures: list[BaseException] = []
        try:
            while calls:
                done, _ = await asyncio.wait(calls, return_when=asyncio.FIRST_COMPLETED)
                if len(done) < len(calls):
                    more, _ = await asyncio.wait(calls.keys() - done, timeout=WAVE)
                    done |= more
                wave = [calls.pop(task) for task in done]
                # a call that raised stays held (its lease runs out, as before); the others are settled
                failures += [error for task in done if (error := task.exception()) is not None]
                called = [g for g in wave if g.outcome is not None]
                await self._budgets.move([move for g in called for move in self._moves(g)])
                failures += await self._settle_all(called)
        finally:
            for task in calls:  # (the worker stopped meanwhile: what was not answered stays held)
                task.cancel()
        return failures

    async def _claim(self, going: list[Going]) -> None:
        """Each send's riders and head claimed in one write; a send whose head another worker has hands its
        budget back, and its riders go behind it."""
        claims = iter(
            await self._deliveries.claim_all(
                [d for g in going for d in (*g.followers, g.head)], self.worker_id, self.lease
            )
        )
        for g in going:
            g.riders = [c for _ in g.followers if (c := next(claims))]
            g.claimed = next(claims)
            for item in (*g.riders, g.claimed):
                if item is not None:
                    self._queue[item.id] = item
        if lost := [g for g in going if g.claimed is None]:
            self.touched()  # (the copy was behind: read again)
            await self._budgets.give_back([slot for g in lost for slot in g.taken or ()])
            for rider in (r for g in lost for r in g.riders):  # (they go behind it, in order)
                await self._deliveries.retry(rider.id, self.worker_id, "head taken", timedelta(), False)

    async def _call(self, g: Going) -> None:
        claimed = g.claimed
        assert claimed is not None
        merging = g.riders and not self._card_of(claimed)
        text = "\n\n".join(self._text(d) for d in (claimed, *g.riders)) if merging else None
        # (at most `concurrency` at once: a pass claims and calls them in chunks)
        with step_reads.step(known=self._known):
            g.outcome = await self._sender.send(int(claimed.chat), self.outbound(claimed), text)
        g.done = self._clock.now()

    def _moves(self, g: Going) -> list[tuple[Taken, int]]:
        """Where the send's slots go: back when Telegram refused it (a 429 does not count), otherwise busy
        from its answer on (Budgets.sent)."""
        taken = g.taken or []
        if isinstance(g.outcome, RetryLater) and g.outcome.throttled:
            self.touched()
            return [(slot, slot.previous) for slot in taken]
        done = to_ms(g.done)
        for slot in taken:  # (the view a trusted pass keeps sees the slots as the store has them)
            self._view.moved(slot, done + slot.busy_ms)
        return [(slot, done + slot.busy_ms) for slot in taken if done + slot.busy_ms > slot.ours]

    async def _settle_all(self, called: list[Going]) -> list[BaseException]:
        """The pass's answered sends settled: the sent ones in one write, then each one's own settling (a
        retry, a failure, its hooks) on its own — one that raises leaves the others settled all the same (it
        is returned, for the pass to raise once every send is settled)."""
        sent = [g for g in called if isinstance(g.outcome, Sent)]
        settled = [(d, g.outcome) for g in sent for d in (*g.riders, g.claimed) if d is not None]
        ids = [(d.id, self._provider_id(d, outcome)) for d, outcome in settled]
        if ids and await self._deliveries.sent_all(ids, self.worker_id):
            for d, _ in settled:
                self.done(d)
        elif ids:
            self.touched()  # (some no longer ours: taken over)
        failures: list[BaseException] = []
        for g in called:
            try:
                await self._settle_one(g)
            except Exception as error:  # (the others are settled all the same)
                failures.append(error)
        return failures

    async def _settle_one(self, g: Going) -> None:
        claimed = g.claimed
        assert claimed is not None
        with step_reads.step():
            if not isinstance(g.outcome, Sent):
                for rider in g.riders:
                    await self._settle(rider, g.outcome)
                await self._settle(claimed, g.outcome)
                return
            # taken over mid-call, or an earlier call's answer was lost: it may have gone already
            maybe = g.head.maybe_sent or any(d.answer_lost for d in (claimed, *g.riders))
            if maybe and self._says_something(claimed):
                self.touched()  # (what the hook writes, the next pass reads)
                await self._hooks.maybe_twice(claimed)
        if g.riders and not self._card_of(claimed):
            self.merged += len(g.riders)
            log.info("telegram.relays_merged", lane=claimed.lane, messages=len(g.riders) + 1)
        elif g.riders:
            self.coalesced += len(g.riders)

    @staticmethod
    def _provider_id(item: Delivery, outcome: Sent) -> str | None:
        return f"{item.chat}:{outcome.message_id}" if outcome.message_id is not None else None

    def _says_something(self, item: Delivery) -> bool:
        """A message, or a card (the client's words it may carry; its first copy left behind, never edited
        again): sent twice, it shows twice."""
        return isinstance(self.outbound(item), Message | PostCard)

    async def _settle(self, item: Delivery, outcome: object) -> None:
        now = self._clock.now()
        if isinstance(outcome, Sent):
            provider_id = self._provider_id(item, outcome)
            if await self._deliveries.sent(item.id, self.worker_id, provider_id):
                self.done(item)
            else:
                self.touched()  # (no longer ours: taken over)
            return
        self.touched()  # (retried, failed, its lane given up: as the store has it, read next pass)
        match outcome:
            case RetryLater(after, error, counts, throttled, lost):
                if throttled:
                    TELEGRAM_THROTTLED.inc()
                    await self._budgets.block(item.chat, now + timedelta(seconds=after))
                else:
                    after = max(after, min(2.0**item.attempts, MAX_BACKOFF))
                wait = timedelta(seconds=after)
                await self._deliveries.retry(item.id, self.worker_id, error, wait, counts, answer_lost=lost)
            case NotReady(reason):
                await self._deliveries.retry(item.id, self.worker_id, reason, timedelta(seconds=2), False)
            case TopicGone(client_id, generation):
                await self._hooks.topic_gone(client_id, generation)
                await self._deliveries.retry(item.id, self.worker_id, "topic deleted", timedelta(), False)
            case Blocked(error):
                await self._deliveries.failed(item.id, self.worker_id, error)
                await self._deliveries.fail_lane(item.lane, error)
                await self._hooks.blocked(item)
            case Failed(error):
                log.warning("telegram.delivery_failed", delivery=item.id, error=error)
                await self._deliveries.failed(item.id, self.worker_id, error)
                await self._hooks.refused(item, error)
