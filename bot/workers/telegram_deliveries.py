"""The Telegram delivery worker: takes stored deliveries lane by lane, keeps Telegram's budgets, retries,
merges relays that wait on an exhausted group budget, and reports what the engine must know."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from bot.workers.tasks import wait_for_work
from channels.telegram.limits import Budget, is_group
from channels.telegram.sender import Blocked, Failed, NotReady, RetryLater, Sent, TelegramSender, TopicGone
from domain.clock import Clock
from storage.deliveries import Deliveries, Delivery, DeliveryStatus
from storage.timefmt import from_ms, to_ms

log = structlog.get_logger(__name__)

CHANNEL = "telegram"
LEASE = timedelta(seconds=60)
MAX_TEXT = 4096
MAX_BACKOFF = 300.0


@dataclass
class WorkerHooks:
    blocked: Callable[[Delivery], Awaitable[None]]
    topic_gone: Callable[[str, int], Awaitable[None]]


class TelegramDeliveryWorker:
    def __init__(
        self,
        deliveries: Deliveries,
        sender: TelegramSender,
        clock: Clock,
        hooks: WorkerHooks,
        concurrency: int = 8,
    ) -> None:
        self._deliveries = deliveries
        self._sender = sender
        self._clock = clock
        self._hooks = hooks
        self._budget = Budget()
        self._semaphore = asyncio.Semaphore(concurrency)
        self.worker_id = f"tg-{secrets.token_hex(4)}"
        self.wake = asyncio.Event()
        self.merged = 0

    async def run_once(self) -> datetime | None:
        """Send everything that may go now. Returns when something next becomes sendable (None: idle)."""
        now = self._clock.now()
        queue = await self._deliveries.unfinished(CHANNEL)
        lanes: dict[str, list[Delivery]] = {}
        for item in sorted(queue, key=lambda d: (d.prio, d.n)):
            lanes.setdefault(item.lane, []).append(item)
        wake: datetime | None = None
        batch: list[tuple[Delivery, list[Delivery]]] = []
        for items in sorted(lanes.values(), key=lambda lane: min(d.n for d in lane)):
            head = items[0]
            if head.status is DeliveryStatus.SENDING and head.lease_ms >= to_ms(now):
                continue  # in flight with another worker
            due = from_ms(head.next_attempt_ms) if head.status is DeliveryStatus.PENDING else now
            slot = max(due, self._budget.next_slot(head.chat, now))
            if slot > now:
                wake = slot if wake is None else min(wake, slot)
                continue
            self._budget.reserve(head.chat, now)
            batch.append((head, self._mergeable(head, items, now)))
        await asyncio.gather(*(self._deliver(head, rest) for head, rest in batch))
        return wake

    def _mergeable(self, head: Delivery, lane: list[Delivery], now: datetime) -> list[Delivery]:
        """Text relays queued right behind the head when the group budget ran out: one message, not many."""
        if (
            not head.merge_key
            or not is_group(head.chat)
            or not self._budget.group_under_pressure(head.chat, now)
        ):
            return []
        merged, size = [], len(head.payload["text"])
        for item in lane[1:]:
            due = item.status is DeliveryStatus.PENDING and item.next_attempt_ms <= to_ms(now)
            size += len(item.payload.get("text", "")) + 2
            if item.merge_key != head.merge_key or not due or size > MAX_TEXT:
                break
            merged.append(item)
        return merged

    async def _deliver(self, head: Delivery, followers: list[Delivery]) -> None:
        async with self._semaphore:
            claimed = await self._deliveries.claim_id(head.id, self.worker_id, LEASE)
            if claimed is None:
                return
            riders = [
                c for f in followers if (c := await self._deliveries.claim_id(f.id, self.worker_id, LEASE))
            ]
            text = "\n\n".join(d.payload["text"] for d in (claimed, *riders)) if riders else None
            outcome = await self._sender.send(claimed.payload, text)
            for rider in riders:
                await self._settle(rider, outcome)
            await self._settle(claimed, outcome)
            if riders and isinstance(outcome, Sent):
                self.merged += len(riders)
                log.info("telegram.relays_merged", lane=claimed.lane, messages=len(riders) + 1)

    async def _settle(self, item: Delivery, outcome: object) -> None:
        now = self._clock.now()
        match outcome:
            case Sent(message_id):
                provider_id = f"{item.chat}:{message_id}" if message_id is not None else None
                await self._deliveries.sent(item.id, self.worker_id, provider_id)
            case RetryLater(after, error, counts, throttled):
                if throttled:
                    self._budget.block(item.chat, now + timedelta(seconds=after))
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

    async def run(self, stopping: asyncio.Event, idle_poll: float = 2.0) -> None:
        """Production loop: real time; woken early when the engine stores a new delivery."""
        while not stopping.is_set():
            self.wake.clear()  # before looking: a delivery stored while we send wakes the next round
            try:
                wake = await self.run_once()
            except Exception:
                log.exception("telegram.worker_error")
                wake = None
            delay = idle_poll if wake is None else max(0.0, (wake - self._clock.now()).total_seconds())
            await wait_for_work(self.wake, stopping, min(delay, idle_poll))
