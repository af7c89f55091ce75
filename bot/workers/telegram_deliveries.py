"""The Telegram delivery worker: takes stored deliveries lane by lane, keeps Telegram's budgets, retries,
merges relays that wait on an exhausted group budget, and reports what the engine must know.

A topic's lane carries the client's words first. Card edits wait in a lane of their own per card (so they
never stand between two relays that could merge), are served after every message lane, are charged to the
group's edit allowance rather than its 20 new messages a minute, and coalesce: the edit sent reads the card
as it is then, so every edit of that card still waiting is settled by it."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from bot.metrics import BUDGET_REFUSALS, BUDGET_WAITS, TELEGRAM_THROTTLED
from bot.workers.lanes import FRESH, LaneWorker
from channels.telegram.limits import is_group
from channels.telegram.sender import Blocked, Failed, NotReady, RetryLater, Sent, TelegramSender, TopicGone
from domain.clock import Clock
from domain.outbound import EditCard, MenuButton, Message, Outbound, PostCard, Unreadable, read_doc
from storage import step_reads
from storage.budgets import Budgets, BudgetView
from storage.deliveries import Deliveries, Delivery, DeliveryStatus
from storage.timefmt import from_ms, to_ms

log = structlog.get_logger(__name__)

CHANNEL = "telegram"
LEASE = timedelta(seconds=60)
MAX_TEXT = 4096
MAX_BACKOFF = 300.0
RESERVE = 3  # the fewest group slots a card post leaves to relays while clients are writing
WRITING = timedelta(seconds=10)
Viewed = tuple[datetime, set[str], set[str]]  # a budget view's read: when, its chats, its cards


def card_of(item: Delivery, out: Outbound | Unreadable) -> str | None:
    """The card an edit changes (its budget key), or None for anything that posts a message."""
    return f"{item.lane}#{out.card}" if isinstance(out, EditCard) else None


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
    ) -> None:
        super().__init__(deliveries, clock)
        self._sender = sender
        self._hooks = hooks
        self._budgets = budgets
        self._view = BudgetView(clock.now(), budgets.limits)
        self._semaphore = asyncio.Semaphore(concurrency)
        self.merged = 0
        self.coalesced = 0
        self._posts: set[tuple[str, str]] = set()  # card posts waiting, as of this round: (lane, card)
        self._relayed: dict[str, collections.deque[datetime]] = {}  # group → when messages (not cards) went
        self._read: dict[
            tuple[str, int], Outbound | Unreadable
        ] = {}  # what each queued delivery holds, read once
        self._held: set[str] = set()  # deliveries a budget has held back (counted once each)
        # what the last view read covered, and when: a trusted pass (lanes.py) within it reads no budget
        self._viewed: Viewed | None = None

    async def ready(self, chats: Iterable[int | None]) -> None:
        """The rate budgets of these chats (the staff forums) made before the first message needs them."""
        await self._budgets.ready(str(chat) for chat in chats if chat)

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
        # (a set: each queued edit asks, and a backlog held by a budget is hundreds of edits and posts)
        self._posts = {
            (d.lane, f"{d.lane}#{post.card}")
            for d in queued
            if isinstance(post := self.outbound(d), PostCard)
        }
        self._held &= {d.id for d in queued}
        if not heads:
            self._view = BudgetView(now, self._budgets.limits)  # nothing to send: nothing to read
            return
        cards = {card for head in heads if (card := self._card_of(head))}
        chats = {self._budget_chat(head) for head in heads}
        if self.trusted and self._viewed and self._covers(self._viewed, now, chats, cards):
            self._view.now = now  # (this worker's own sends since the read are counted on it)
            return
        self._view = await self._budgets.view(chats, now, cards)
        self._viewed = (now, chats, cards)

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
        if slot > now and due and head.id not in self._held:  # ready, but the chat's budget is spent
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
            return now  # moot: costs no budget
        reserve = self._room_for_relays(head.chat, now) if head.prio >= 2 else 0
        slot = self._view.next_slot(self._budget_chat(head), self._card_of(head))
        if not reserve:
            return slot
        lapses = self._relayed[head.chat][-1] + WRITING  # then the cards may take the whole budget
        return min(self._view.next_slot(head.chat, self._card_of(head), reserve), max(slot, lapses))

    def _room_for_relays(self, chat: str, now: datetime) -> int:
        """The group's slots a card post leaves free while clients are writing (a message went to the group
        in the last WRITING): as many as messages went in the last minute, at least RESERVE. Once they stop,
        the cards take the whole budget."""
        recent = self._recent_relays(chat, now)
        if not recent or now - recent[-1] >= WRITING:
            return 0
        return max(RESERVE, len(recent))

    def take(self, head: Delivery, lane: list[Delivery], now: datetime) -> Awaitable[None]:
        if self._card_of(head) and self._posting(head):
            return self._moot(self._coalesced(lane, now, everything=True))
        self._view.use(
            self._budget_chat(head), self._card_of(head)
        )  # this round's later decisions see it; the store decides
        if head.prio <= 1 and is_group(head.chat) and not self._card_of(head):
            self._recent_relays(head.chat, now).append(now)
        followers = self._coalesced(lane, now) if self._card_of(head) else self._mergeable(head, lane, now)
        return self._deliver(head, followers)

    def _recent_relays(self, chat: str, now: datetime) -> collections.deque[datetime]:
        """When messages (not cards) went to a group in the last minute (older ones forgotten here)."""
        recent = self._relayed.setdefault(chat, collections.deque())
        while recent and now - recent[0] >= timedelta(minutes=1):
            recent.popleft()
        return recent

    def _posting(self, edit: Delivery) -> bool:
        """The card is about to be posted (again) in the topic: the post will show it as it is then."""
        card = self._card_of(edit)
        return card is not None and (edit.lane, card) in self._posts

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

    async def _deliver(self, head: Delivery, followers: list[Delivery]) -> None:
        interrupted = head.maybe_sent  # taken over from a worker that died during the call
        async with self._semaphore:
            with step_reads.step():
                await self._deliver_now(head, followers, interrupted)

    async def _deliver_now(self, head: Delivery, followers: list[Delivery], interrupted: bool) -> None:
        taken = await self._budgets.take(self._budget_chat(head), self._clock.now(), self._card_of(head))
        if taken is None:
            # another instance used the budget first: the head waits for the next round, nothing claimed
            BUDGET_REFUSALS.inc()
            self.touched()  # (the next pass reads the budgets again)
            return
        riders = [c for f in followers if (c := await self.claim(f))]
        # the head last, claimed and marked as being sent in one write: the call follows at once
        claimed = await self.claim(head, calling=True)
        if claimed is None:
            await self._budgets.give_back(taken)  # another worker has it (the copy was behind: read again)
            for rider in riders:  # (they go behind it, in order)
                await self._deliveries.retry(rider.id, self.worker_id, "head taken", timedelta(), False)
            return
        for rider in riders:  # (only under pressure, when relays merge)
            await self._deliveries.calling(rider.id, self.worker_id)
        merging = riders and not self._card_of(claimed)
        text = "\n\n".join(self._text(d) for d in (claimed, *riders)) if merging else None
        outcome = await self._sender.send(int(claimed.chat), self.outbound(claimed), text)
        if isinstance(outcome, RetryLater) and outcome.throttled:
            await self._budgets.give_back(taken)  # refused, so not counted by Telegram
            self.touched()
        else:
            done = self._clock.now()
            await self._budgets.sent(taken, done)
            for slot in taken:  # (the view a trusted pass keeps sees the slots as the store has them)
                self._view.moved(slot, to_ms(done) + slot.busy_ms)
        for rider in riders:
            await self._settle(rider, outcome)
        await self._settle(claimed, outcome)
        if interrupted and isinstance(outcome, Sent) and self._says_something(claimed):
            await self._hooks.maybe_twice(claimed)
        if merging and isinstance(outcome, Sent):
            self.merged += len(riders)
            log.info("telegram.relays_merged", lane=claimed.lane, messages=len(riders) + 1)
        elif riders and isinstance(outcome, Sent):
            self.coalesced += len(riders)

    def _says_something(self, item: Delivery) -> bool:
        """A message, or a card that carries a client's words: sent twice, it would show them twice."""
        out = self.outbound(item)
        return isinstance(out, Message) or (isinstance(out, PostCard) and item.meta.get("source") is not None)

    async def _settle(self, item: Delivery, outcome: object) -> None:
        now = self._clock.now()
        if isinstance(outcome, Sent):
            provider_id = f"{item.chat}:{outcome.message_id}" if outcome.message_id is not None else None
            if await self._deliveries.sent(item.id, self.worker_id, provider_id):
                self.done(item)
            else:
                self.touched()  # (no longer ours: taken over)
            return
        self.touched()  # (retried, failed, its lane given up: as the store has it, read next pass)
        match outcome:
            case RetryLater(after, error, counts, throttled):
                if throttled:
                    TELEGRAM_THROTTLED.inc()
                    await self._budgets.block(item.chat, now + timedelta(seconds=after))
                else:
                    after = max(after, min(2.0**item.attempts, MAX_BACKOFF))
                await self._deliveries.retry(item.id, self.worker_id, error, timedelta(seconds=after), counts)
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
