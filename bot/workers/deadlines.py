"""The deadline runner: fires what is due, each deadline claimed with a lease (two instances fire none
twice; a runner that dies mid-firing leaves it to the next when the lease runs out, and the firing's cause
makes that retry harmless). Now and then one instance sweeps the recent log and sets again any timer a
crash kept from being set (engine/timers.py reads every event the same way twice).

APScheduler only wakes the runner — at the next due time it read from the store, and every half minute
for deadlines another instance set; nothing of a timer lives in the scheduler."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.metrics import DEADLINE_FAILURES, DEADLINE_FIRINGS
from bot.workers.inbox import TRANSIENT
from bot.workers.lanes import WorkLoop
from bot.workers.tasks import describe, wait_for_work
from domain.deadlines import Deadline
from engine.clock import deadlines as clock
from engine.clock import failures as clock_failures
from engine.clock import timers
from engine.deps import Deps
from storage.events import READ_PAGE
from storage.jobs import Jobs

log = structlog.get_logger(__name__)

LEASE = timedelta(seconds=60)
BATCH = 100  # deadlines claimed per round
ROUNDS = 10
PARALLEL = 8  # firings under way at once: the store's round trips overlap
RETRY = timedelta(seconds=30)  # a firing that failed is tried again this much later
SWEEP_EVERY = timedelta(minutes=2)
SWEEP_OVERLAP = timedelta(seconds=30)  # events an instance with a slower clock stamped before the cursor
SWEEP_FIRST = timedelta(hours=1)  # how far back the very first sweep of a store looks
SWEEP_PAGE = READ_PAGE  # (not more: the store holds a whole page in its memory while it answers)
SWEEP_RECHECK = timedelta(seconds=30)  # after another instance took the period
POLL = 30.0  # seconds: the scheduler's wake for deadlines set elsewhere


class DeadlineRunner(WorkLoop):
    name = "deadlines"

    def __init__(self, deps: Deps, instance: str) -> None:
        super().__init__(deps.clock)
        self._deps = deps
        self._jobs = Jobs(deps.store.db)
        self._instance = instance
        self.worker_id = f"{instance}/clock"
        self.fired = 0
        self.swept = 0
        self._parallel = asyncio.Semaphore(PARALLEL)
        self._sweep_after = datetime.min.replace(tzinfo=UTC)  # when to ask for the sweep again

    async def run_once(self) -> datetime | None:
        await self._fire_due()
        await self.sweep()  # (firing what falls due while it works)
        return await self._deps.store.deadlines.next_due()

    async def _fire_due(self) -> None:
        deadlines = self._deps.store.deadlines
        for _ in range(ROUNDS):  # a step whose next one is already due (a long outage) goes on at once
            now = self._clock.now()
            due = await deadlines.due(now, BATCH)
            fired = await asyncio.gather(*(self._fire(doc["_id"], now) for doc in due))
            if not any(fired):
                break

    async def _fire(self, deadline_id: str, now: datetime) -> bool:
        async with self._parallel:  # (each is about one client or request: independent of the others)
            return await self._fire_one(deadline_id, now)

    async def _fire_one(self, deadline_id: str, now: datetime) -> bool:
        deadlines = self._deps.store.deadlines
        claimed = await deadlines.claim(deadline_id, self.worker_id, now, LEASE)
        if claimed is None:
            return False  # another runner has it
        try:
            then = await clock.fire(self._deps, claimed)
        except TRANSIENT as error:  # the store, the network, a provider: the same step again shortly
            log.warning("clock.firing_failed", deadline=claimed.kind, error=describe(error))
            DEADLINE_FAILURES.labels("retried").inc()
            then = replace(claimed, due=self._clock.now() + RETRY)
        except Exception as error:  # fails the same way every time: a retry would only act on a later world
            await self._set_aside(claimed, describe(error))
            DEADLINE_FAILURES.labels("set_aside").inc()
            self.fired += 1
            return True
        await deadlines.fired(claimed, self.worker_id, then, self._clock.now())
        DEADLINE_FIRINGS.inc()
        self.fired += 1
        return True

    async def _set_aside(self, deadline: Deadline, reason: str) -> None:
        log.error("clock.firing_set_aside", deadline=deadline.kind, reason=reason)
        await self._deps.store.deadlines.set_aside(deadline, self.worker_id, reason, self._clock.now())
        try:
            await clock_failures.set_aside(self._deps, deadline, reason)
        except Exception as error:  # telling must not stop the others; the deadline keeps its reason
            log.error("clock.set_aside_notice_failed", reason=describe(error))

    async def run(self, stopping: asyncio.Event, idle_poll: float = 2 * POLL) -> None:
        """Production loop: sleeps until the scheduler (or new work) wakes it; `idle_poll` is the fallback."""
        wakes = Wakes(self)
        wakes.start()
        try:
            while not stopping.is_set():
                self.wake.clear()
                try:
                    wakes.at(await self.run_once())
                except Exception:
                    log.exception("deadlines.worker_error")
                await wait_for_work(self.wake, stopping, idle_poll)
        finally:
            wakes.stop()

    async def sweep(self) -> int:
        """Set again the timers of the events written since the last sweep (less an overlap); one instance
        per period. A timer that falls due meanwhile is fired between two events, not after the sweep: a
        sweep is a few store round trips an event, seconds under load (bench/soak.py: timers up to 4 s late).
        Returns the events read."""
        now = self._clock.now()
        if now < self._sweep_after:
            return 0  # not due yet, as far as this instance knows: no claim sent on every tick
        job = await self._jobs.claim("clock-sweep", self._instance, now, SWEEP_EVERY)
        if job is None:
            self._sweep_after = now + SWEEP_RECHECK  # another instance has this period
            return 0
        self._sweep_after = now + SWEEP_EVERY
        start = (
            datetime.fromisoformat(job["cursor"]) - SWEEP_OVERLAP if job.get("cursor") else now - SWEEP_FIRST
        )
        read = 0
        while True:
            upcoming = await self._deps.store.deadlines.next_due()  # (the page may set one due sooner)
            page = await self._deps.store.events.written_between(start, now, SWEEP_PAGE)
            for event in page:
                await timers.on_event(self._deps, event)
                if upcoming is not None and self._clock.now() >= upcoming:
                    await self._fire_due()
                    upcoming = await self._deps.store.deadlines.next_due()
            read += len(page)
            if len(page) < SWEEP_PAGE or page[-1].at <= start:
                break
            start = page[-1].at
        await self._jobs.keep("clock-sweep", cursor=now.isoformat())
        self.swept += read
        return read


class Wakes:
    """AsyncIOScheduler, started inside the running loop, with two jobs that only wake the runner."""

    def __init__(self, runner: DeadlineRunner) -> None:
        self._runner = runner
        self._scheduler = AsyncIOScheduler(job_defaults={"misfire_grace_time": None, "coalesce": True})

    def start(self) -> None:
        self._scheduler.add_job(
            self._runner.wake.set, "interval", seconds=POLL, id="poll", replace_existing=True
        )
        self._scheduler.start()

    def at(self, moment: datetime | None) -> None:
        """Wake the runner at `moment` (the next due time it read)."""
        if moment is None:
            return
        self._scheduler.add_job(
            self._runner.wake.set, "date", run_date=moment, id="next-due", replace_existing=True
        )

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
