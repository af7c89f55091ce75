"""The toy's delivery worker: its lanes in order, one send each, the provider's id recorded."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime

from bot.workers.lanes import LaneWorker
from domain.clock import Clock
from domain.outbound import from_doc
from storage.deliveries import Deliveries, Delivery
from tests.toy_channel.sender import ToySender


class ToyDeliveryWorker(LaneWorker):
    name = channel = "toy"

    def __init__(self, deliveries: Deliveries, sender: ToySender, clock: Clock) -> None:
        super().__init__(deliveries, clock)
        self._sender = sender

    def take(self, head: Delivery, lane: list[Delivery], now: datetime) -> Awaitable[None]:
        return self._deliver(head)

    async def _deliver(self, head: Delivery) -> None:
        claimed = await self.claim(head)
        if claimed is None:
            return
        await self._deliveries.calling(claimed.id, self.worker_id)
        sid = await self._sender.send(claimed.chat, from_doc(claimed.payload))
        await self._deliveries.sent(claimed.id, self.worker_id, sid)
