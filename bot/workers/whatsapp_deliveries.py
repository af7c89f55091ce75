"""The WhatsApp delivery worker: lane by lane in order, the 24-hour window respected, never a send twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from bot.workers.lanes import LaneWorker
from channels.whatsapp.sender import NotSent, Outcome, OutsideWindow, Refused, Sent, Uncertain, WhatsAppSender
from domain.clock import Clock
from domain.outbound import OUTSIDE_WINDOW, Outbound, Template, Unreadable, read_doc
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
    lapsed: Callable[[Delivery, bool], Awaitable[None]]  # went as its template (True) or not at all


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
        out: Outbound | Unreadable | None = read_doc(head.payload)
        lapses = OUTSIDE_WINDOW in head.meta  # a reminder: never a paid message by accident
        if not isinstance(out, Template) and not await self._hooks.window_open(head.chat):
            if not lapses:
                await self._hooks.window_closed(head)  # the fake and Twilio would refuse it (63016)
                return
            out = None  # (it goes as its template, or not at all)
        interrupted = head.maybe_sent  # its worker died during the call to Twilio: maybe it went
        calls = out is not None or bool(head.meta.get(OUTSIDE_WINDOW))
        claimed = await self.claim(head, calling=calls)  # (the call follows at once, unless interrupted)
        if claimed is None:
            return
        if interrupted:  # never a send twice: kept as uncertain, and the assistant decides
            error = "the service was interrupted while sending it"
            await self._deliveries.uncertain(claimed.id, self.worker_id, error)
            await self._hooks.uncertain(claimed, error)
            return
        outcome = OutsideWindow() if out is None else await self._sender.send(claimed.chat, out)
        if isinstance(outcome, OutsideWindow) and lapses:  # (the message itself was not sent)
            await self._lapse(claimed)
        else:
            await self._settle(claimed, outcome)

    async def _lapse(self, claimed: Delivery) -> None:
        """Outside WhatsApp's 24 hours a reminder goes as its approved template, or not at all: never as the
        re-open template. The assistant is told which."""
        instead = claimed.meta.get(OUTSIDE_WINDOW)
        if not instead:
            error = "outside the 24-hour window, with no template to go as"
            await self._deliveries.failed(claimed.id, self.worker_id, error)
            await self._hooks.lapsed(claimed, False)
            return
        outcome = await self._sender.send(claimed.chat, read_doc(instead))
        await self._settle(claimed, outcome)
        if isinstance(outcome, Sent):
            await self._hooks.lapsed(claimed, True)

    async def _settle(self, claimed: Delivery, outcome: Outcome) -> None:
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
