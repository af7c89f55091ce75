"""Every inbound webhook payload: stored before we acknowledge it, processed afterwards, per key in order."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from domain.clock import Clock
from storage.arrival import Arrivals
from storage.bulk import duplicates
from storage.leases import checked_claim, claim_update, claimable
from storage.timefmt import to_ms


class InboxStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"  # gave up after max attempts; kept for a person to look at
    REJECTED = "rejected"  # authentic but unusable: acknowledged, kept without its content, never processed


# Fields that keep every hot read an index seek on both engines (test_query_plans.py): `due_ms` (when the
# item may be claimed; None when finished), `open_key` (its key while unfinished; None after).
FINISHED = {"due_ms": None, "open_key": None}


@dataclass(frozen=True, slots=True)
class InboxItem:
    id: str
    source: str
    key: str
    payload: dict[str, Any]
    attempts: int
    n: int
    first: bool = False  # never tried before (a retried failure keeps its error): nothing of it is recorded


def _item(doc: dict[str, Any]) -> InboxItem:
    first = doc["attempts"] == 1 and not doc.get("error")
    return InboxItem(doc["_id"], doc["source"], doc["key"], doc["payload"], doc["attempts"], doc["n"], first)


@dataclass(eq=False)
class _Batch:
    """Payloads stored together: each request waits for the one write and reads its own result."""

    docs: list[dict[str, Any]] = field(default_factory=list)
    written: asyncio.Future[list[bool]] = field(init=False)


class Inbox:
    def __init__(self, db: AsyncDatabase, clock: Clock, max_attempts: int = 8) -> None:
        self._items = db["inbox"]
        self._clock = clock
        self._arrivals = Arrivals(clock)
        self.max_attempts = max_attempts
        self._batch: _Batch | None = None  # the one collecting payloads now
        self._writing = asyncio.Lock()

    async def put(
        self, provider_id: str, source: str, key: str, payload: dict[str, Any], order: int | None = None
    ) -> bool:
        """Store a payload under the provider's id, in one insert. False: we already have it (a redelivery).
        `order` sorts items of one key when the provider numbers them (Telegram's update_id): concurrent
        webhook requests may arrive out of order; without it, arrival order counts."""
        now = to_ms(self._clock.now())
        return await self._insert(
            provider_id,
            source,
            now,
            key=key,
            payload=payload,
            n=self._arrivals.next(),
            order=order,
            status=InboxStatus.PENDING.value,
            due_ms=now,
            open_key=key,
            error=None,
        )

    async def reject(self, provider_id: str, source: str, reason: str) -> bool:
        """Record that the provider sent something we cannot use (never its content). False: seen before."""
        now = to_ms(self._clock.now())
        return await self._insert(
            provider_id,
            source,
            now,
            key=None,
            payload={},
            n=0,
            order=None,
            status=InboxStatus.REJECTED.value,
            done_ms=now,
            **FINISHED,
            error=reason[:500],
        )

    async def _insert(self, provider_id: str, source: str, now: int, **fields: Any) -> bool:
        """Stored in one write with the others arriving meanwhile (`_Batch`); False when the provider's id
        is there already — or came twice in the same write (one of the two is stored)."""
        doc = {
            "_id": provider_id,
            "source": source,
            "attempts": 0,
            "received_ms": now,
            "next_attempt_ms": now,
            "lease_ms": 0,
            "worker": None,
            **fields,
        }
        batch = self._batch
        if batch is None:
            batch = self._batch = _Batch()
            batch.written = asyncio.ensure_future(self._write(batch))
        index = len(batch.docs)
        batch.docs.append(doc)
        stored = await asyncio.shield(batch.written)  # (a request given up leaves the others theirs)
        return stored[index]

    async def _write(self, batch: _Batch) -> list[bool]:
        """One insert in flight at a time: what arrives while it runs is the next one's (group commit). Under
        no load a batch is its one document, written at once."""
        await asyncio.sleep(0)  # the requests already read in this same moment join
        async with self._writing:
            if self._batch is batch:
                self._batch = None
            try:
                await self._items.insert_many(batch.docs, ordered=False)
            except BulkWriteError as error:
                repeated = duplicates(error)
                return [i not in repeated for i in range(len(batch.docs))]
            return [True] * len(batch.docs)

    async def keys_with_work(self, limit: int = 100, due_only: bool = False) -> list[str]:
        """Keys with unfinished items (`due_only`: with an item due now), the longest waiting first. Reads
        at most `limit` × 5 items, through the `due_ms` index: a key drained one item per pass shows up
        again in the next."""
        now = to_ms(self._clock.now())
        window = {"$lte": now} if due_only else {"$gte": 0}
        cursor = self._items.find({"due_ms": window}, {"key": 1}).sort("due_ms", ASCENDING).limit(limit * 5)
        keys: dict[str, None] = {}
        async for row in cursor:
            keys.setdefault(row["key"], None)
            if len(keys) == limit:
                break
        return list(keys)

    async def due_heads(self, limit: int = 100) -> tuple[dict[str, str | None], bool]:
        """Keys whose head (the oldest unfinished item) is due now, the longest waiting first, each with its
        head's id when the read showed every unfinished item of the key (None: `claim_head` finds it); and
        whether there is more than these heads (a key with more, or more keys). One read of at most
        `limit` × 5 unfinished items through the `due_ms` index, as `keys_with_work`."""
        now = to_ms(self._clock.now())
        rows = self._items.find({"due_ms": {"$gte": 0}}, {"key": 1, "order": 1, "n": 1, "due_ms": 1})
        found = await rows.sort("due_ms", ASCENDING).limit(limit * 5).to_list()
        whole = len(found) < limit * 5
        by_key: dict[str, list[dict[str, Any]]] = {}
        for row in found:
            by_key.setdefault(row["key"], []).append(row)
        heads: dict[str, str | None] = {}
        for key, items in by_key.items():
            head = min(items, key=lambda r: (r.get("order") is not None, r.get("order") or 0, r["n"]))
            if not whole:
                if any(r["due_ms"] <= now for r in items):
                    heads[key] = None
            elif head["due_ms"] <= now:
                heads[key] = head["_id"]
            if len(heads) == limit:
                return heads, True  # more keys than one pass takes
        return heads, not whole or any(len(items) > 1 for items in by_key.values())

    async def claim_id(self, item_id: str, worker: str, lease: timedelta) -> InboxItem | None:
        """Claim the item `due_heads` named the head of its key, if it is still due."""
        now = to_ms(self._clock.now())
        doc = await self._items.find_one_and_update(
            claimable(item_id, now),
            claim_update(InboxStatus.PROCESSING.value, worker, now, lease),
            return_document=ReturnDocument.AFTER,
        )
        return _item(checked_claim(doc, item_id, worker)) if doc else None

    async def claim_head(self, key: str, worker: str, lease: timedelta) -> InboxItem | None:
        """Claim the oldest unfinished item of `key`, if it is due. Later items of the key wait for it."""
        head = await self._items.find_one({"open_key": key}, sort=[("order", ASCENDING), ("n", ASCENDING)])
        if head is None:
            return None
        now = to_ms(self._clock.now())
        doc = await self._items.find_one_and_update(
            claimable(head["_id"], now),
            claim_update(InboxStatus.PROCESSING.value, worker, now, lease),
            return_document=ReturnDocument.AFTER,
        )
        return _item(checked_claim(doc, head["_id"], worker)) if doc else None

    async def done(self, item_id: str, worker: str) -> bool:
        result = await self._items.update_one(
            {"_id": item_id, "worker": worker, "status": InboxStatus.PROCESSING.value},
            {
                "$set": {
                    "status": InboxStatus.DONE.value,
                    "done_ms": to_ms(self._clock.now()),
                    "error": None,
                    **FINISHED,
                }
            },
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
        waiting = FINISHED if give_up else {"due_ms": next_ms}
        await self._items.update_one(
            {"_id": item_id, "worker": worker, "status": InboxStatus.PROCESSING.value},
            {"$set": {"status": status.value, "error": error[:500], "next_attempt_ms": next_ms, **waiting}},
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
        doc = await self._items.find_one({"_id": item_id, "status": InboxStatus.FAILED.value}, {"key": 1})
        if doc is None:
            return False
        now = to_ms(self._clock.now())
        result = await self._items.update_one(
            {"_id": item_id, "status": InboxStatus.FAILED.value},
            {
                "$set": {
                    "status": InboxStatus.PENDING.value,
                    "attempts": 0,
                    "next_attempt_ms": now,
                    "due_ms": now,
                    "open_key": doc["key"],
                    "worker": None,
                }
            },
        )
        return result.modified_count == 1

    async def prune(self, before: datetime, batch: int = 500) -> int:
        """Remove items finished before `before` (processed or rejected; what was set aside stays for a
        person). What they brought is in the events. Returns how many were removed."""
        removed = 0
        while ids := [
            d["_id"]
            for d in await self._items.find({"done_ms": {"$lt": to_ms(before)}}, {"_id": 1})
            .limit(batch)
            .to_list()
        ]:
            removed += (await self._items.delete_many({"_id": {"$in": ids}})).deleted_count
        return removed

    async def get(self, item_id: str) -> dict[str, Any] | None:
        return await self._items.find_one({"_id": item_id})

    async def count(
        self, status: InboxStatus | None = None, *, key: str | None = None, source: str | None = None
    ) -> int:
        """How many items are kept (of a status, of a key — a chat, a number — or of a source): for checks."""
        wanted = {"status": status.value if status else None, "key": key, "source": source}
        return await self._items.count_documents({k: v for k, v in wanted.items() if v is not None})
