"""Keeps the hot collections small: finished inbox items are removed and settled deliveries archived after a
retention period (the event log keeps every fact); and marks the projections checked, so a start catches up
from there. One instance does it per period: the run is claimed in
MongoDB (`jobs`), so N instances on one store prune once."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

import structlog
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from bot.workers.lanes import WorkLoop
from domain.clock import Clock
from storage.store import Store
from storage.timefmt import from_ms, to_ms

log = structlog.get_logger(__name__)

EVERY = timedelta(hours=1)
INBOX_KEPT = timedelta(days=7)  # longer than any provider retries a delivery (Telegram: 24 h)
DELIVERIES_KEPT = timedelta(days=2)  # then archived: a reply to an older message still finds it


class RetentionLoop(WorkLoop):
    name = "retention"

    def __init__(self, store: Store, clock: Clock, instance: str):
        super().__init__(clock)
        self._jobs = store.db["jobs"]
        self._inbox = store.inbox
        self._deliveries = store.deliveries
        self._projector = store.projector
        self._instance = instance

    async def run_once(self) -> datetime | None:
        now = self._clock.now()
        if not await self._claim(now):
            doc = await self._jobs.find_one({"_id": self.name})
            return from_ms(doc["due_ms"]) if doc else now + EVERY
        await self._projector.checked(now)  # the next start catches up from here (less a margin)
        removed = await self._inbox.prune(now - INBOX_KEPT)
        archived = await self._deliveries.archive_settled(now - DELIVERIES_KEPT)
        if removed or archived:
            log.info("retention.pruned", inbox_removed=removed, deliveries_archived=archived)
        return now + EVERY

    async def _claim(self, now: datetime) -> bool:
        """This period's run is ours (the first instance to see it due takes it)."""
        claimed = await self._jobs.find_one_and_update(
            {"_id": self.name, "due_ms": {"$lte": to_ms(now)}},
            {"$set": {"due_ms": to_ms(now + EVERY), "by": self._instance}},
            return_document=ReturnDocument.AFTER,
        )
        if claimed is not None:
            return True
        with contextlib.suppress(DuplicateKeyError):  # it exists and is not due
            await self._jobs.insert_one(
                {"_id": self.name, "due_ms": to_ms(now + EVERY), "by": self._instance}
            )
            return True
        return False
