"""Keeps the team's figures (engine/clock/kpi_keep.py `keep`): soon after each midnight of the business
calendar the day just over is folded once and kept, each week once its days are, and every EVERY a
checkpoint of today so far, so a period's figures read weeks and days and fold only the last minutes.
One instance does it: each run is claimed in MongoDB (`jobs`); a store with a long history catches up a
month a run, the runs following each other at once until it is done."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

import structlog

from bot.workers.lanes import WorkLoop
from domain.clock import Clock
from domain.promises import Promises
from engine.clock import kpi_keep
from storage.jobs import Jobs
from storage.store import Store

log = structlog.get_logger(__name__)

EVERY = timedelta(minutes=15)


class KpiDaysLoop(WorkLoop):
    name = "kpi-days"

    def __init__(self, store: Store, clock: Clock, instance: str, promises: Promises, tz: tzinfo) -> None:
        super().__init__(clock)
        self._store, self._promises, self._tz = store, promises, tz
        self._jobs = Jobs(store.db)
        self._instance = instance

    async def run_once(self) -> datetime | None:
        now = self._clock.now()
        if await self._jobs.claim(self.name, self._instance, now, EVERY) is None:
            return await self._jobs.next_run(self.name, now, EVERY)
        kept = await kpi_keep.keep(self._store, self._promises, self._tz, now)
        if kept:
            log.info("kpi_days.kept", days=kept, through=str(await self._store.kpi_days.closed_through()))
        if kept == kpi_keep.MOST:  # more to catch up: the next run is due at once (whichever instance runs)
            await self._jobs.keep(self.name, due_ms=0)
            return now
        return now + EVERY
