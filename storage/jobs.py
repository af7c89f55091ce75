"""Periodic work that one instance does for all: each period's run is claimed in `jobs` (the first instance
to see it due takes it), so N instances on one store do it once."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from storage.timefmt import from_ms, to_ms


class Jobs:
    def __init__(self, db: AsyncDatabase) -> None:
        self._jobs = db["jobs"]

    async def claim(self, name: str, instance: str, now: datetime, every: timedelta) -> dict[str, Any] | None:
        """This period's run of `name`, if it is ours: the job's document (with what the last run kept)."""
        claimed = await self._jobs.find_one_and_update(
            {"_id": name, "due_ms": {"$lte": to_ms(now)}},
            {"$set": {"due_ms": to_ms(now + every), "by": instance}},
            return_document=ReturnDocument.AFTER,
        )
        if claimed is not None:
            return claimed
        doc = {"_id": name, "due_ms": to_ms(now + every), "by": instance}
        with contextlib.suppress(DuplicateKeyError):  # it exists and is not due
            await self._jobs.insert_one(doc)
            return doc
        return None

    async def next_run(self, name: str, now: datetime, every: timedelta) -> datetime:
        doc = await self._jobs.find_one({"_id": name})
        return from_ms(doc["due_ms"]) if doc else now + every

    async def keep(self, name: str, **fields: Any) -> None:
        """Remember something for the next run (a cursor)."""
        await self._jobs.update_one({"_id": name}, {"$set": fields})
