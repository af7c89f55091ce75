"""The WhatsApp delivery worker: lane by lane in order, the 24-hour window respected, never a send twice."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from bot.workers.tasks import wait_for_work
from channels.whatsapp.sender import NotSent, OutsideWindow, Refused, Sent, Uncertain, WhatsAppSender
from domain.clock import Clock
from storage.deliveries import Deliveries, Delivery, DeliveryStatus
from storage.timefmt import from_ms, to_ms

log = structlog.get_logger(__name__)

CHANNEL = "whatsapp"
LEASE = timedelta(seconds=60)


@dataclass
class WhatsAppHooks:
    window_open: Callable[[str], Awaitable[bool]]
    window_closed: Callable[[Delivery], Awaitable[None]]
    uncertain: Callable[[Delivery, str], Awaitable[None]]
    refused: Callable[[Delivery, int | None, str], Awaitable[None]]


class WhatsAppDeliveryWorker:
    def __init__(
        self, deliveries: Deliveries, sender: WhatsAppSender, clock: Clock, hooks: WhatsAppHooks
    ) -> None:
        self._deliveries = deliveries
        self._sender = sender
        self._clock = clock
        self._hooks = hooks
        self.worker_id = f"wa-{secrets.token_hex(4)}"
        self.wake = asyncio.Event()

    async def run_once(self) -> datetime | None:
        now = self._clock.now()
        lanes: dict[str, list[Delivery]] = {}
        for item in sorted(await self._deliveries.unfinished(CHANNEL), key=lambda d: (d.prio, d.n)):
            lanes.setdefault(item.lane, []).append(item)
        wake: datetime | None = None
        heads = []
        for items in lanes.values():
            head = items[0]
            if head.status is DeliveryStatus.SENDING and head.lease_ms >= to_ms(now):
                continue
            due = from_ms(head.next_attempt_ms) if head.status is DeliveryStatus.PENDING else now
            if due > now:
                wake = due if wake is None else min(wake, due)
                continue
            heads.append(head)
        await asyncio.gather(*(self._deliver(head) for head in heads))
        return wake

    async def _deliver(self, head: Delivery) -> None:
        if head.payload["op"] != "template" and not await self._hooks.window_open(head.chat):
            await self._hooks.window_closed(head)  # the fake and Twilio would refuse it (63016)
            return
        claimed = await self._deliveries.claim_id(head.id, self.worker_id, LEASE)
        if claimed is None:
            return
        outcome = await self._sender.send(claimed.payload)
        match outcome:
            case Sent(sid):
                await self._deliveries.sent(claimed.id, self.worker_id, sid)
            case NotSent(error, after):
                backoff = max(after, min(2.0**claimed.attempts, 300.0))
                await self._deliveries.retry(claimed.id, self.worker_id, error, timedelta(seconds=backoff))
            case Uncertain(error):
                await self._deliveries.uncertain(claimed.id, self.worker_id, error)
                await self._hooks.uncertain(claimed, error)
            case OutsideWindow():
                await self._deliveries.retry(
                    claimed.id, self.worker_id, "outside the window", timedelta(), False
                )
                await self._hooks.window_closed(claimed)
            case Refused(code, error):
                await self._deliveries.failed(claimed.id, self.worker_id, f"{code}: {error}")
                await self._hooks.refused(claimed, code, error)

    async def run(self, stopping: asyncio.Event, idle_poll: float = 2.0) -> None:
        while not stopping.is_set():
            self.wake.clear()
            try:
                wake = await self.run_once()
            except Exception:
                log.exception("whatsapp.worker_error")
                wake = None
            delay = idle_poll if wake is None else max(0.0, (wake - self._clock.now()).total_seconds())
            await wait_for_work(self.wake, stopping, min(delay, idle_poll))
