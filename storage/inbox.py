"""Every inbound webhook payload: stored before we acknowledge it, processed afterwards, per key in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from domain.clock import Clock
from storage.counters import next_value
from storage.leases import checked_claim, claim_update, due
from storage.timefmt import from_ms, to_ms


class InboxStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"  # gave up after max attempts; kept for a person to look at
    REJECTED = "rejected"  # authentic but unusable: acknowledged, kept without its content, never processed


UNFINISHED = [InboxStatus.PENDING.value, InboxStatus.PROCESSING.value]


@dataclass(frozen=True, slots=True)
class InboxItem:
    id: str
    source: str
    key: str
    payload: dict[str, Any]
    attempts: int
    n: int


def _item(doc: dict[str, Any]) -> InboxItem:
    return InboxItem(doc["_id"], doc["source"], doc["key"], doc["payload"], doc["attempts"], doc["n"])


class Inbox:
    def __init__(self, db: AsyncDatabase, clock: Clock, max_attempts: int = 8) -> None:
        self._db = db
        self._items = db["inbox"]
        self._clock = clock
        self.max_attempts = max_attempts

    async def put(
        self, provider_id: str, source: str, key: str, payload: dict[str, Any], order: int | None = None
    ) -> bool:
        """Store a payload under the provider's id. False: we already have it (a redelivery).
        `order` sorts items of one key when the provider numbers them (Telegram's update_id): concurrent
        webhook requests may arrive out of order; without it, arrival order counts."""
        now = to_ms(self._clock.now())
        try:
            await self._items.insert_one(
                {
                    "_id": provider_id,
                    "source": source,
                    "key": key,
                    "payload": payload,
                    "n": await next_value(self._db, "inbox"),
                    "order": order,
                    "status": InboxStatus.PENDING.value,
                    "attempts": 0,
                    "received_ms": now,
                    "next_attempt_ms": now,
                    "lease_ms": 0,
                    "worker": None,
                    "error": None,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def reject(self, provider_id: str, source: str, reason: str) -> bool:
        """Record that the provider sent something we cannot use (never its content). False: seen before."""
        now = to_ms(self._clock.now())
        try:
            await self._items.insert_one(
                {
                    "_id": provider_id,
                    "source": source,
                    "key": None,
                    "payload": {},
                    "n": 0,
                    "order": None,
                    "status": InboxStatus.REJECTED.value,
                    "attempts": 0,
                    "received_ms": now,
                    "next_attempt_ms": now,
                    "lease_ms": 0,
                    "worker": None,
                    "error": reason[:500],
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def keys_with_work(self, limit: int = 100) -> list[str]:
        cursor = await self._items.aggregate(
            [
                {"$match": {"status": {"$in": UNFINISHED}}},
                {"$group": {"_id": "$key", "first": {"$min": "$n"}}},
                {"$sort": {"first": 1}},
                {"$limit": limit},
            ]
        )
        return [row["_id"] async for row in cursor]

    async def claim_head(self, key: str, worker: str, lease: timedelta) -> InboxItem | None:
        """Claim the oldest unfinished item of `key`, if it is due. Later items of the key wait for it."""
        head = await self._items.find_one(
            {"key": key, "status": {"$in": UNFINISHED}}, sort=[("order", ASCENDING), ("n", ASCENDING)]
        )
        if head is None:
            return None
        now = to_ms(self._clock.now())
        doc = await self._items.find_one_and_update(
            due(InboxStatus.PENDING.value, InboxStatus.PROCESSING.value, now, {"_id": head["_id"]}),
            claim_update(InboxStatus.PROCESSING.value, worker, now, lease),
            return_document=ReturnDocument.AFTER,
        )
        return _item(checked_claim(doc, head["_id"], worker)) if doc else None

    async def done(self, item_id: str, worker: str) -> bool:
        result = await self._items.update_one(
            {"_id": item_id, "worker": worker, "status": InboxStatus.PROCESSING.value},
            {"$set": {"status": InboxStatus.DONE.value, "done_ms": to_ms(self._clock.now()), "error": None}},
        )
        return result.modified_count == 1

    async def failed(self, item_id: str, worker: str, error: str, retry_in: timedelta | None) -> InboxStatus:
        """Record a failure: retry after `retry_in`, or set it aside for a person (None: a permanent failure,
        or attempts exhausted). Later items of its key then go on."""
        doc = await self._items.find_one({"_id": item_id, "worker": worker})
        if doc is None:
            return InboxStatus.PENDING
        give_up = retry_in is None or doc["attempts"] >= self.max_attempts
        status = InboxStatus.FAILED if give_up else InboxStatus.PENDING
        next_ms = to_ms(self._clock.now() + (retry_in or timedelta()))
        await self._items.update_one(
            {"_id": item_id, "worker": worker, "status": InboxStatus.PROCESSING.value},
            {"$set": {"status": status.value, "error": error[:500], "next_attempt_ms": next_ms}},
        )
        return status

    async def failures(self, limit: int = 100) -> list[dict[str, Any]]:
        """Items set aside, newest first: for a person to look at and retry."""
        cursor = self._items.find(
            {"status": InboxStatus.FAILED.value},
            {"source": 1, "key": 1, "attempts": 1, "error": 1, "received_ms": 1},
        )
        return await cursor.sort("received_ms", DESCENDING).limit(limit).to_list()

    async def retry_failed(self, item_id: str) -> bool:
        """Put a failed item back at the head of its key (after a fix, or when its cause has passed)."""
        result = await self._items.update_one(
            {"_id": item_id, "status": InboxStatus.FAILED.value},
            {
                "$set": {
                    "status": InboxStatus.PENDING.value,
                    "attempts": 0,
                    "next_attempt_ms": to_ms(self._clock.now()),
                    "worker": None,
                }
            },
        )
        return result.modified_count == 1

    async def get(self, item_id: str) -> dict[str, Any] | None:
        return await self._items.find_one({"_id": item_id})

    async def count(self, status: InboxStatus | None = None) -> int:
        return await self._items.count_documents({"status": status.value} if status else {})

    async def oldest_unfinished_at(self) -> datetime | None:
        doc = await self._items.find_one({"status": {"$in": UNFINISHED}}, sort=[("n", ASCENDING)])
        return from_ms(doc["received_ms"]) if doc else None
