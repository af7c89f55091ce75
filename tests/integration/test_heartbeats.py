"""An instance that stops beating (kill -9, a frozen machine): what its workers held is taken over in seconds,
not when each lease runs out; a live one is left alone; a clean stop frees its items at once."""

from __future__ import annotations

from datetime import timedelta

from bot.workers.lanes import HeartbeatLoop
from domain.deadlines import Deadline
from domain.outbound import Message, to_doc
from storage.deliveries import Delivery
from storage.heartbeats import Heartbeats
from storage.store import Store


async def holding(store: Store, worker: str, now) -> None:
    await store.inbox.put("tg:1", "telegram", "tg:42", {})
    assert await store.inbox.claim_head("tg:42", f"{worker}/inbox", timedelta(minutes=2))
    await store.deliveries.enqueue(
        Delivery("client:C-1#1:0", "telegram", "42", to_doc(Message("Hello")), "client:C-1#1")
    )
    assert await store.deliveries.claim_id("client:C-1#1:0", f"{worker}/telegram", timedelta(seconds=60))
    await store.deadlines.set(Deadline("back:A-1", now, "A-1", "t1"))
    await store.deadlines.set(Deadline("back:A-2", now + timedelta(hours=2), "A-2", "t2"))  # waiting, later
    assert await store.deadlines.claim("back:A-1", f"{worker}/clock", now, timedelta(seconds=60))


async def test_a_silent_instance_s_leases_are_released_within_seconds(store: Store, clock) -> None:
    heartbeats = Heartbeats(store.db)
    a = HeartbeatLoop(heartbeats, clock, "a", ["a/inbox", "a/telegram"], store.projector)
    b = HeartbeatLoop(heartbeats, clock, "b", ["b/inbox", "b/telegram"], store.projector)
    await a.run_once()
    await holding(store, "a", clock.now())
    clock.advance(seconds=10)
    await b.run_once()
    assert await store.inbox.claim_head("tg:42", "b/inbox", timedelta(minutes=2)) is None  # a is alive
    clock.advance(seconds=6)  # a has not beaten for 16 s: gone
    await b.run_once()
    taken = await store.inbox.claim_head("tg:42", "b/inbox", timedelta(minutes=2))
    assert taken is not None and taken.id == "tg:1"  # 16 s after, not 2 minutes
    assert await store.deliveries.claim_id("client:C-1#1:0", "b/telegram", timedelta(seconds=60))
    assert await store.db["heartbeats"].find({}, {"_id": 1}).to_list() == [{"_id": "b"}]


async def test_a_clean_stop_frees_what_the_instance_held_at_once(store: Store, clock) -> None:
    a = HeartbeatLoop(Heartbeats(store.db), clock, "a", ["a/inbox", "a/telegram", "a/clock"], store.projector)
    await a.run_once()
    await holding(store, "a", clock.now())
    await a.stop()
    assert await store.inbox.claim_head("tg:42", "b/inbox", timedelta(minutes=2))
    assert await store.deliveries.claim_id("client:C-1#1:0", "b/telegram", timedelta(seconds=60))
    assert await store.deadlines.claim("back:A-1", "b/clock", clock.now(), timedelta(seconds=60))
    assert (await store.deadlines.current("back:A-2"))["status"] == "waiting"  # not touched
    assert await store.db["heartbeats"].count_documents({}) == 0
