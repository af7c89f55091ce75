"""Keeps the hot collections small: finished inbox items are removed and settled deliveries archived after a
retention period (the event log keeps every fact); marks the projections checked, so a start catches up
from there; and tells the leads of events the projections quarantined meanwhile. One instance does it per
period: the run is claimed in MongoDB (`jobs`), so N instances on one store prune once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import structlog

from bot.workers.lanes import WorkLoop
from domain.clock import Clock
from storage.jobs import Jobs
from storage.store import Store

log = structlog.get_logger(__name__)

EVERY = timedelta(hours=1)
INBOX_KEPT = timedelta(days=7)  # longer than any provider retries a delivery (Telegram: 24 h)
DELIVERIES_KEPT = timedelta(days=2)  # then archived: a reply to an older message still finds it
CONSOLE_KEPT = timedelta(days=1)  # sign-in links, sessions and attempt counts, after they ran out


class RetentionLoop(WorkLoop):
    name = "retention"

    def __init__(
        self, store: Store, clock: Clock, instance: str, tell: Callable[[], Awaitable[int]] | None = None
    ):
        super().__init__(clock)
        self._tell = tell  # what the projections quarantined while serving reaches the leads within the hour
        self._jobs = Jobs(store.db)
        self._inbox = store.inbox
        self._deliveries = store.deliveries
        self._projector = store.projector
        self._console = store.console
        self._instance = instance

    async def run_once(self) -> datetime | None:
        now = self._clock.now()
        if await self._jobs.claim(self.name, self._instance, now, EVERY) is None:
            return await self._jobs.next_run(self.name, now, EVERY)
        await self._projector.checked(now)  # the next start catches up from here (less a margin)
        removed = await self._inbox.prune(now - INBOX_KEPT)
        archived = await self._deliveries.archive_settled(now - DELIVERIES_KEPT)
        console = await self._console.prune(now - CONSOLE_KEPT)
        if self._tell is not None:
            await self._tell()
        if removed or archived or console:
            log.info(
                "retention.pruned",
                inbox_removed=removed,
                deliveries_archived=archived,
                console_removed=console,
            )
        return now + EVERY
