"""The hot collections stay small: finished inbox items go, settled deliveries move to the archive (a reply to
an old message still finds it), unfinished work and what was set aside for a person stay; one run per period
whatever the number of instances."""

from __future__ import annotations

from datetime import timedelta

from bot.workers.retention import EVERY, RetentionLoop
from storage.deliveries import Delivery
from storage.jobs import Jobs
from storage.store import Store

LEASE = timedelta(seconds=30)


def delivery(n: int) -> Delivery:
    return Delivery(f"request:R-1#{n}:0", "telegram", "-100", {"text": f"m{n}"}, f"request:R-1#{n}")


async def test_finished_work_leaves_the_working_set_and_the_rest_stays(store: Store, clock) -> None:
    for n in range(1, 5):
        await store.inbox.put(f"tg:{n}", "telegram", f"tg:{n}", {"n": n}, order=n)
    for n in (1, 2):
        assert await store.inbox.claim_head(f"tg:{n}", "w", LEASE)
        await store.inbox.done(f"tg:{n}", "w")
    assert await store.inbox.claim_head("tg:3", "w", LEASE)
    await store.inbox.failed("tg:3", "w", "KeyError at x:1", None)  # set aside for a person
    await store.inbox.reject("tg:9", "telegram", "unreadable")
    for n in range(3):
        await store.deliveries.enqueue(delivery(n))
    for n in range(2):
        assert await store.deliveries.claim_id(delivery(n).id, "w", LEASE)
        await store.deliveries.sent(delivery(n).id, "w", f"-100:{n + 50}")

    loop = RetentionLoop(store, clock, "one")
    assert await loop.run_once() == clock.now() + EVERY  # nothing is old enough yet
    assert await store.inbox.count() == 5 and await store.deliveries.count() == 3

    clock.advance(days=8)
    await store.db["jobs"].update_one({"_id": "retention"}, {"$set": {"due_ms": 0}})
    await loop.run_once()
    left = {doc["_id"] for doc in await store.db["inbox"].find({}).to_list()}
    assert left == {"tg:3", "tg:4"}  # set aside, and not yet processed
    assert [d.id for d in await store.deliveries.unfinished("telegram")] == [delivery(2).id]
    assert await store.deliveries.count() == 1
    archived = await store.deliveries.by_provider_message("telegram", "-100:51")
    assert archived is not None and archived.id == delivery(1).id  # a reply to it still finds it


async def test_several_instances_prune_once_per_period(store: Store, clock) -> None:
    jobs = Jobs(store.db)

    async def claims() -> int:
        taken = [await jobs.claim("retention", f"i{n}", clock.now(), EVERY) for n in range(3)]
        return sum(job is not None for job in taken)

    assert await claims() == 1
    clock.advance(seconds=EVERY.total_seconds())
    assert await claims() == 1


async def test_spent_sign_in_links_sessions_and_attempt_counts_go(store: Store, clock) -> None:
    now = clock.now()
    await store.console.add_link("old", "A-1", 1, now + timedelta(minutes=10))
    await store.console.open_session("s-old", "A-1", now, hours=12)
    await store.console.attempt("who", now, timedelta(minutes=1))
    clock.advance(days=1, hours=13)  # a day after the session ran out
    await store.console.add_link("new", "A-1", 1, clock.now() + timedelta(minutes=10))
    await store.console.open_session("s-new", "A-1", clock.now(), hours=12)
    await RetentionLoop(store, clock, "one").run_once()
    assert [d["_id"] for d in await store.db["console_links"].find({}).to_list()] == ["new"]
    assert [d["_id"] for d in await store.db["console_sessions"].find({}).to_list()] == ["s-new"]
    assert await store.db["console_attempts"].count_documents({}) == 0
