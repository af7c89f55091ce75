"""Which instances are alive: each one beats every few seconds under its id, naming its workers. The leases
held by the workers of an instance that stopped beating (killed, frozen, its machine gone) are released at
once, so what it held is taken over in seconds instead of when each lease runs out."""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from storage.timefmt import to_ms

BEAT = timedelta(seconds=5)
DEAD_AFTER = 3 * BEAT


class Heartbeats:
    def __init__(self, db: AsyncDatabase) -> None:
        self._db = db
        self._beats = db["heartbeats"]

    async def beat(self, instance: str, workers: list[str], now: datetime) -> None:
        await self._beats.update_one(
            {"_id": instance}, {"$set": {"workers": list(workers), "beat_ms": to_ms(now)}}, upsert=True
        )

    async def reap(self, now: datetime) -> list[str]:
        """Release the leases of every instance silent for DEAD_AFTER; returns the instances reaped."""
        silent = await self._beats.find({"beat_ms": {"$lt": to_ms(now - DEAD_AFTER)}}).to_list()
        for doc in silent:
            await self.release(doc["_id"], doc.get("workers") or [])
        return [doc["_id"] for doc in silent]

    async def release(self, instance: str, workers: list[str]) -> None:
        """Everything `workers` hold becomes takeable now (their lease is over); then the instance is gone."""
        if workers:
            held = {"worker": {"$in": workers}}
            await self._db["inbox"].update_many({**held, "status": "processing"}, {"$set": {"lease_ms": 0}})
            await self._db["deliveries"].update_many({**held, "status": "sending"}, {"$set": {"lease_ms": 0}})
        await self._beats.delete_one({"_id": instance})
