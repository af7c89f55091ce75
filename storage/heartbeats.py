"""Which instances are alive: each one beats every few seconds under its id, naming its workers. The leases
held by the workers of an instance that stopped beating (killed, frozen, its machine gone) are released at
once, so what it held is taken over in seconds instead of when each lease runs out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from storage.arrival import PER_MS
from storage.timefmt import to_ms

BEAT = timedelta(seconds=5)
DEAD_AFTER = 3 * BEAT
OVER = {"lease_ms": 0, "due_ms": 0}  # a lease that ran out: the item may be claimed now (storage/leases.py)
LEASE_HORIZON = timedelta(minutes=5)  # longer than any deadline firing's lease


@dataclass
class Peers:
    """What this instance's last beat found of the others: whether it is alone on the store. Alone, nobody
    else writes the shared state a worker keeps a view of (the sending budgets), so a view kept with the
    worker's own writes is all of it; the store still refuses whatever the view got wrong (a second instance
    started since the beat). A belief older than two beats is none: the beat may be stuck."""

    alone_at: datetime | None = None  # when the last beat found no other instance beating

    def beat(self, at: datetime, others: int) -> None:
        self.alone_at = at if others == 0 else None

    def alone(self, now: datetime) -> bool:
        return self.alone_at is not None and timedelta() <= now - self.alone_at < 2 * BEAT


class Heartbeats:
    def __init__(self, db: AsyncDatabase) -> None:
        self._db = db
        self._beats = db["heartbeats"]

    async def beat(self, instance: str, workers: list[str], now: datetime, fmt: int) -> None:
        """`fmt`: the instance's projection format (storage/projector.py), told so a newer version knows an
        older one runs beside it."""
        await self._beats.update_one(
            {"_id": instance},
            {"$set": {"workers": list(workers), "beat_ms": to_ms(now), "format": fmt}},
            upsert=True,
        )

    async def alive(self, now: datetime) -> dict[str, int]:
        """The instances that beat within DEAD_AFTER, with their projection format (0: a version from before
        formats were told, which writes its own shape over a newer one's)."""
        beating = self._beats.find({"beat_ms": {"$gte": to_ms(now - DEAD_AFTER)}}, {"format": 1})
        return {doc["_id"]: doc.get("format", 0) async for doc in beating}

    async def reap(self, now: datetime) -> list[str]:
        """Release the leases of every instance silent for DEAD_AFTER; returns the instances reaped."""
        silent = await self._beats.find({"beat_ms": {"$lt": to_ms(now - DEAD_AFTER)}}).to_list()
        for doc in silent:
            await self.release(doc["_id"], doc.get("workers") or [], now)
        return [doc["_id"] for doc in silent]

    async def release(self, instance: str, workers: list[str], now: datetime) -> None:
        """Everything `workers` hold becomes takeable now (their lease is over); then the instance is gone.
        What is held has a `due_ms` in the future (its lease end): found through that index, released by
        `_id` and worker (an update by any other field reads every row on nx-27017)."""
        # (collection, held status, what a release also sets, how far ahead a lease may end: None when only
        # held items are due later; waiting deadlines are due later too, but a firing's lease ends in minutes)
        for name, status, extra, horizon in (
            ("inbox", "processing", {}, None),
            ("deliveries", "sending", {"changed": to_ms(now) * PER_MS}, None),  # delivery workers notice it
            ("deadlines", "firing", {}, LEASE_HORIZON),
        ):
            items = self._db[name]
            due = {"$gt": to_ms(now)} | ({"$lte": to_ms(now + horizon)} if horizon else {})
            found = items.find({"due_ms": due}, {"worker": 1, "status": 1})
            held: dict[str, list[str]] = {}
            async for doc in found:
                if doc.get("worker") in workers and doc["status"] == status:
                    held.setdefault(doc["worker"], []).append(doc["_id"])
            for worker, ids in held.items():
                await items.update_many(
                    {"_id": {"$in": ids}, "worker": worker, "status": status}, {"$set": {**OVER, **extra}}
                )
        await self._beats.delete_one({"_id": instance})
