"""The WhatsApp delivery worker: lane by lane in order, the 24-hour window respected, never a send twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from bot.workers.lanes import LaneWorker
from channels.whatsapp.sender import NotSent, OutsideWindow, Refused, Sent, Uncertain, WhatsAppSender
from domain.clock import Clock
from domain.outbound import Template, read_doc
from storage.deliveries import Deliveries, Delivery

log = structlog.get_logger(__name__)

CHANNEL = "whatsapp"
LEASE = timedelta(seconds=60)


@dataclass
class WhatsAppHooks:
    window_open: Callable[[str], Awaitable[bool]]
    window_closed: Callable[[Delivery], Awaitable[None]]
    uncertain: Callable[[Delivery, str], Awaitable[None]]
    refused: Callable[[Delivery, int | None, str], Awaitable[None]]


class WhatsAppDeliveryWorker(LaneWorker):
    name = channel = CHANNEL
    lease = LEASE

    def __init__(
        self, deliveries: Deliveries, sender: WhatsAppSender, clock: Clock, hooks: WhatsAppHooks
    ) -> None:
        super().__init__(deliveries, clock)
        self._sender = sender
        self._hooks = hooks

    def take(self, head: Delivery, lane: list[Delivery], now: datetime) -> Awaitable[None]:
        return self._deliver(head)

    async def _deliver(self, head: Delivery) -> None:
        if not isinstance(read_doc(head.payload), Template) and not await self._hooks.window_open(head.chat):
            await self._hooks.window_closed(head)  # the fake and Twilio would refuse it (63016)
            return
        interrupted = head.maybe_sent  # its worker died during the call to Twilio: maybe it went
        claimed = await self.claim(head, calling=True)  # (the call follows at once, unless interrupted)
        if claimed is None:
            return
        if interrupted:  # never a send twice: kept as uncertain, and the assistant decides
            error = "the service was interrupted while sending it"
            await self._deliveries.uncertain(claimed.id, self.worker_id, error)
            await self._hooks.uncertain(claimed, error)
            return
        outcome = await self._sender.send(claimed.chat, read_doc(claimed.payload))
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
