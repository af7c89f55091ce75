"""A lane worker's order: the round robin shares the sends among lanes with messages; behind them, what
waits of a lower priority (a request card) goes oldest first, so a card in a lane whose client keeps writing
does not wait behind every quieter lane's (bench/soak.py found one 18 minutes unposted, at 200 clients)."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime, timedelta

from bot.workers.lanes import LaneWorker
from domain.clock import FrozenClock
from storage.deliveries import Deliveries, Delivery
from storage.store import Store


class OneAtATime(LaneWorker):
    """A channel whose budget lets one send go a round (a staff forum at its limit)."""

    channel = "toy"

    def __init__(self, deliveries: Deliveries, clock: FrozenClock) -> None:
        super().__init__(deliveries, clock)
        self.sent: list[str] = []
        self.room = 0

    def slot(self, head: Delivery, now: datetime) -> datetime:
        return now if self.room else now + timedelta(minutes=1)

    def take(self, head: Delivery, lane: list[Delivery], now: datetime) -> Awaitable[None]:
        self.room -= 1
        self.sent.append(head.id)
        return self._send(head)

    async def _send(self, head: Delivery) -> None:
        claimed = await self.claim(head)
        assert claimed is not None
        await self._deliveries.sent(claimed.id, self.worker_id, None)


async def enqueue(store: Store, clock: FrozenClock, delivery_id: str, lane: str, prio: int) -> None:
    clock.advance(seconds=1)
    payload = {"type": "message", "text": delivery_id}
    delivery = Delivery(delivery_id, "toy", "-100", payload, f"e-{delivery_id}", lane=lane, prio=prio)
    assert await store.deliveries.enqueue(delivery)


async def one_round(worker: OneAtATime, clock: FrozenClock) -> None:
    clock.advance(seconds=10)
    worker.room = 1
    await worker.run_once()


async def test_a_card_whose_client_keeps_writing_goes_in_its_turn_behind_the_messages(
    store: Store, clock: FrozenClock
) -> None:
    worker = OneAtATime(store.deliveries, clock)
    for lane in "abcd":  # four requests' cards, the writing client's first
        await enqueue(store, clock, f"card-{lane}", lane, prio=2)
    for n in range(3):  # the client writes; each message goes first, then one card a round
        await enqueue(store, clock, f"message-a{n}", "a", prio=1)
        await one_round(worker, clock)
        await one_round(worker, clock)
    assert worker.sent == ["message-a0", "card-a", "message-a1", "card-b", "message-a2", "card-c"]
