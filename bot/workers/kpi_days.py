"""Keeps the team's figures (engine/clock/kpi_keep.py `keep`): soon after each midnight of the business
calendar the day just over is folded once and kept, each week once its days are, and every EVERY a
checkpoint of today so far, so a period's figures read weeks and days and fold only the last minutes.
One instance does it: each run is claimed in MongoDB (`jobs`); a store with a long history catches up a
month a run, the runs following each other at once until it is done. Then every instance, on its own, reads
again the periods its views asked for lately (`KpiWarmLoop`), so the first view after a day is kept does not
merge the kept pieces itself."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

import structlog

from bot.workers.lanes import WorkLoop
from domain.clock import Clock
from domain.promises import Promises
from engine.clock import kpi_keep, kpis
from storage.jobs import Jobs
from storage.kpi_days import Marks
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


WARM_EVERY = timedelta(minutes=1)


class KpiWarmLoop(WorkLoop):
    """Every instance's own (not claimed: what a view makes of the kept pieces is held per instance): when
    it starts, and when the job (on whichever instance) has kept a day or a week, the named periods the
    team's views asked for lately (`KpiDays.ask`, any instance's) are read at once, so the next view finds
    the kept pieces merged (engine/clock/kpis.py `warm`) — one small read a minute, the merges once a day."""

    name = "kpi-warm"

    def __init__(self, store: Store, clock: Clock, promises: Promises, tz: tzinfo) -> None:
        super().__init__(clock)
        self._store, self._promises, self._tz = store, promises, tz
        self._seen: Marks | None = None  # the marks when last looked at (None: not yet)

    async def run_once(self) -> datetime | None:
        now = self._clock.now()
        marks, asked = await self._store.kpi_days.looks()
        if marks != self._seen:
            for view, name, at in asked:
                self._store.kpi_days.runs.ask(view, name, at)
            if warmed := await kpis.warm(self._store, now, self._promises, self._tz):
                log.info("kpi_days.warmed", periods=warmed, through=str(marks.closed))
            self._seen = marks
        return now + WARM_EVERY
