"""The figures kept by the job (engine/clock/kpi_keep.py: days, ISO weeks, today's checkpoint) read back from
the store by a view (engine/clock/kpis.py) are the fold's over the log — with the events arriving as the job
runs through the days (a checkpoint mid-day, events after it), after a crash between the pieces it writes,
after a stale checkpoint, and after a rebuild (`concierge rebuild` resets them)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pymongo import monitoring

from bot.workers.kpi_days import WARM_EVERY, KpiWarmLoop
from domain.clock import FrozenClock
from domain.events import Event, NewEvent
from domain.kpis import Day, fold, period
from domain.promises import Promises
from engine.clock import kpi_keep, kpis
from storage.events import READ_PAGE
from storage.kpi_days import CHECKPOINT, DAYS, STATE, SUMS, WEEKS, KpiDays, _doc
from storage.store import Store, open_store
from tests.unit.test_kpi_days import START, random_log

TZ = ZoneInfo("Europe/Moscow")
SPAN = 17  # days of the log: two whole ISO weeks and the days around them
PROMISES = Promises()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START - timedelta(days=1))


def moscow(day: int, hour: float) -> datetime:
    """`hour` o'clock of the log's day `day` in the business time zone."""
    first = START.astimezone(TZ).date()
    return datetime.combine(first + timedelta(days=day), time(0), TZ) + timedelta(hours=hour)


class Log:
    """A random log written into the store as time goes by, each event stamped when it happens."""

    def __init__(
        self, store: Store, clock: FrozenClock, seed: int, size: int = 1300, days: int = SPAN
    ) -> None:
        self.store, self.clock = store, clock
        self.pending = random_log(seed, size=size, days=days)
        self.written = 0
        self._read: list[Event] | None = None  # the store's events as last read, until more are written

    async def until(self, moment: datetime) -> None:
        while self.pending and self.pending[0].at < moment:
            e = self.pending.pop(0)
            self.clock.advance_to(e.at + timedelta(milliseconds=1))  # (one millisecond apart, in order)
            await self.store.events.append(
                NewEvent(e.stream, e.type, e.data, e.actor, f"{self.written}/{e.cause}")
            )
            self.written += 1
            self._read = None
        self.clock.advance_to(moment)

    async def fold(self, start: datetime, end: datetime) -> dict:
        """The fold over the store's whole log (read again only once more has been written)."""
        if self._read is None:
            self._read = sorted([e async for e in self.store.events.all()], key=lambda e: e.at)
        return fold(self._read, start, end, PROMISES)


async def put_sum(store: Store, kept_id: str, digest: str) -> None:
    await store.db[DAYS].replace_one(
        {"_id": f"s:{kept_id}"}, {"_id": f"s:{kept_id}", "sum": digest}, upsert=True
    )


async def view(store: Store, days: int, now: datetime) -> dict:
    start, end = kpi_keep.midnight(now.astimezone(TZ).date() - timedelta(days=days - 1), TZ), now
    return {row.assistant_id: row.figures for row in await kpis.report(store, start, end, PROMISES, TZ)}


async def team(store: Store, days: int, now: datetime) -> kpis.Team:
    start = kpi_keep.midnight(now.astimezone(TZ).date() - timedelta(days=days - 1), TZ)
    return await kpis.team(store, start, now, PROMISES, TZ)


async def expected(log: Log, days: int, now: datetime) -> dict:
    return await log.fold(kpi_keep.midnight(now.astimezone(TZ).date() - timedelta(days=days - 1), TZ), now)


# the job's runs: mid-day (a checkpoint, then another from it), past midnight (days kept), a week complete
RUNS = [
    (0, 9.5),
    (0, 16),
    (1, 0.2),
    (1, 11),
    (1, 11.3),
    (3, 14),
    (7, 10),
    (8, 0.1),
    (9, 12),
    (9, 18),
    (15, 8),
]


@pytest.mark.parametrize("seed", [3, 11])
async def test_views_read_from_days_weeks_and_checkpoints_are_the_folds(
    store: Store, clock: FrozenClock, seed: int
) -> None:
    log = Log(store, clock, seed)
    taken = 0
    for day, hour in RUNS:
        job = moscow(day, hour)
        await log.until(job)
        await kpi_keep.keep(store, PROMISES, TZ, job)
        checkpoint = (await store.kpi_days.kept([], checkpoint=True)).checkpoint
        if checkpoint is not None and checkpoint.at == kpi_keep.checkpoint_time(job):
            taken += 1
        # a view a while after the run: the events since the checkpoint folded on
        now = job + timedelta(minutes=17)
        await log.until(now)
        for days in (1, 3, SPAN):
            assert await view(store, days, now) == await expected(log, days, now), (day, hour, days)
    assert taken == len(RUNS)
    # the instance keeps opened the last checkpoint it read, not every one the job took
    assert [key for key in store.kpi_days._opened if key[0] == CHECKPOINT] == [
        (CHECKPOINT, (await store.db[DAYS].find_one({"_id": CHECKPOINT}))["sum"])
    ]
    marks = await store.kpi_days.marks()
    assert marks.closed == moscow(14, 12).date() and marks.weeks is not None

    now = moscow(15, 8) + timedelta(minutes=17)
    for days in (SPAN, 40):  # bars of days; of ISO weeks (the log's two whole weeks read as kept)
        page = await team(store, days, now)
        assert page.weekly == (days > 32) and len(page.buckets) == (SPAN if days == SPAN else 7)
        assert {r.assistant_id: r.figures for r in page.rows} == await expected(log, days, now)
        for i, bucket in enumerate(page.buckets):
            stop = kpi_keep.midnight(page.buckets[i + 1], TZ) if i + 1 < len(page.buckets) else now
            bar = await log.fold(kpi_keep.midnight(bucket, TZ), stop)
            assert {who: s[i] for who, s in page.series.items() if s[i]} == bar, (days, bucket)
    # the page again, later today: what the instance made of the kept pieces is held (nothing made again)
    made, later = store.kpi_days.runs.made, now + timedelta(minutes=9)
    await log.until(later)
    again = await team(store, 40, later)
    assert store.kpi_days.runs.made == made
    assert {r.assistant_id: r.figures for r in again.rows} == await expected(log, 40, later)


async def test_a_crash_between_pieces_a_stale_checkpoint_and_a_rebuild_change_no_figure(
    store: Store, clock: FrozenClock
) -> None:
    log = Log(store, clock, 5)
    stale = None
    for day, hour in RUNS:
        await log.until(moscow(day, hour))
        await kpi_keep.keep(store, PROMISES, TZ, moscow(day, hour))
        if (day, hour) == (9, 12):  # today's checkpoint, as a slow instance might write it again later
            stale = await store.db[DAYS].find_one({"_id": CHECKPOINT})
    now = moscow(15, 8) + timedelta(minutes=17)
    await log.until(now)
    right = await expected(log, SPAN, now)
    assert await view(store, SPAN, now) == right

    # a crash after a week was written and before its mark: read from days, then joined again, the same
    marks = await store.kpi_days.marks()
    assert marks.weeks is not None
    weeks = {d["_id"]: d async for d in store.db[DAYS].find({"_id": {"$regex": "^w:"}})}
    earlier = (marks.weeks - timedelta(days=7)).isoformat()
    await store.db[STATE].update_one({"_id": WEEKS}, {"$set": {"day": earlier}})
    assert await view(store, SPAN, now) == right
    assert await kpi_keep.roll_weeks(store, TZ, now) == 1
    assert {d["_id"]: d async for d in store.db[DAYS].find({"_id": {"$regex": "^w:"}})} == weeks

    # what an instance has opened, and merged, is read and merged again once the store holds something else:
    # a piece is written after its digest apart (`s:<id>`), so a view between the two (or after a crash
    # between) reads the old piece under the new digest — the figures it holds — and the new one after it,
    # the figures of a fresh instance's view
    last_week = f"w:{marks.weeks.isoformat()}"
    assert store.kpi_days.runs.made > 0
    other = _doc(last_week, Day({}, [], []).to_doc())
    await put_sum(store, last_week, other["sum"])
    assert await view(store, SPAN, now) == right
    await store.db[DAYS].replace_one({"_id": last_week}, other)
    changed = await view(store, SPAN, now)
    held, store.kpi_days = store.kpi_days, KpiDays(store.db)
    assert changed == await view(store, SPAN, now) != right
    store.kpi_days = held
    await put_sum(store, last_week, weeks[last_week]["sum"])
    await store.db[DAYS].replace_one({"_id": last_week}, weeks[last_week])
    assert await view(store, SPAN, now) == right

    # a store kept by the last version: the digests within the pieces only, read from them until the job
    # writes them apart (once)
    assert await store.db[DAYS].count_documents({"_id": {"$regex": "^s:"}}) > 17
    await store.db[DAYS].delete_many({"_id": {"$regex": "^s:"}})
    await store.db[STATE].delete_one({"_id": SUMS})
    assert await view(store, SPAN, now) == right
    assert await kpi_keep.write_sums(store, TZ, now) > 17  # (every day kept, and the weeks)
    assert await kpi_keep.write_sums(store, TZ, now) == 0
    assert await view(store, SPAN, now) == right
    fresh = KpiDays(store.db)
    opened = await fresh.kept([marks.weeks], [marks.weeks - timedelta(days=7)])
    assert [p.key for p in [*opened.days.values(), *opened.weeks.values()]] == [
        f"{kept}/{(await store.db[DAYS].find_one({'_id': f's:{kept}'}))['sum']}"
        for kept in (f"d:{marks.weeks.isoformat()}", f"w:{(marks.weeks - timedelta(days=7)).isoformat()}")
    ]

    # a checkpoint of a day already kept (written late, or left by a crash before the next one): not read
    assert stale is not None
    await store.db[DAYS].replace_one({"_id": CHECKPOINT}, stale)
    assert await view(store, SPAN, now) == right
    # a checkpoint taken from days kept otherwise than now (say, before a rebuild): not read either
    current = await kpi_keep.take_checkpoint(store, PROMISES, TZ, now)
    assert current is not None
    assert await view(store, SPAN, now) == right
    wrong = current.to_doc() | {"since": (current.day - timedelta(days=3)).isoformat()}
    await store.kpi_days.save_checkpoint(type(current).from_doc(wrong))
    assert await view(store, SPAN, now) == right

    # a rebuild: everything kept is gone, the view folds the log, the job keeps it all again
    await store.kpi_days.reset()
    assert await store.db[DAYS].count_documents({}) == 0 and await store.db[STATE].count_documents({}) == 0
    assert await view(store, SPAN, now) == right
    while await kpi_keep.keep(store, PROMISES, TZ, now) == kpi_keep.MOST:
        pass
    assert (await store.kpi_days.marks()).weeks is not None
    assert (await store.kpi_days.kept([], checkpoint=True)).checkpoint is not None
    assert await view(store, SPAN, now) == right


async def test_the_periods_asked_for_are_made_ready_when_a_day_is_kept_and_at_a_start(
    store: Store, clock: FrozenClock
) -> None:
    """The first view after the job keeps a day finds the kept pieces merged: each instance's warm loop made
    them for the named periods the team's views asked for in the last two days (any instance's: the store
    says which), and for no other; an instance that starts makes them at once."""
    log = Log(store, clock, 7)
    for day, hour in RUNS[:8]:  # (days kept through day 7)
        await log.until(moscow(day, hour))
        await kpi_keep.keep(store, PROMISES, TZ, moscow(day, hour))
    runs, warm = store.kpi_days.runs, KpiWarmLoop(store, clock, PROMISES, TZ)

    async def asked(view: str, name: str) -> dict:
        start, end = period(name, clock.now(), TZ)
        await store.kpi_days.ask(view, name, end)
        if view == "team":
            page = await kpis.team(store, start, end, PROMISES, TZ)
            return {r.assistant_id: r.figures for r in page.rows}
        return {r.assistant_id: r.figures for r in await kpis.report(store, start, end, PROMISES, TZ)}

    await store.kpi_days.ask("report", "3d", moscow(5, 9))  # (asked three days ago: not any more)
    await log.until(moscow(8, 9))
    assert await warm.run_once() == clock.now() + WARM_EVERY  # (a start: nothing asked lately yet)
    assert runs.made == 0
    await asked("report", "7d")
    await asked("team", "15d")
    await asked("report", "24h")  # (hours: folded from the log at each view, nothing to make ready)
    made = runs.made
    await log.until(moscow(8, 9.5))
    await warm.run_once()
    assert runs.made == made  # nothing kept since: nothing made

    await log.until(moscow(9, 12))
    await kpi_keep.keep(store, PROMISES, TZ, moscow(9, 12))  # (day 8 kept)
    await warm.run_once()
    made = runs.made
    assert made > 0
    await log.until(moscow(9, 12.5))
    for view, name, days in (("report", "7d", 7), ("team", "15d", 15)):
        assert await asked(view, name) == await expected(log, days, clock.now()), name
    assert runs.made == made  # the views after it merged nothing again: only today so far was figured
    unasked = await kpis.report(store, *period("3d", clock.now(), TZ), PROMISES, TZ)
    assert {r.assistant_id: r.figures for r in unasked} == await expected(log, 3, clock.now())
    assert runs.made > made  # (a period not asked for lately was not made ready)

    # another instance starts: its first look makes what the team asked for (told by the store) at once
    other = KpiDays(store.db)
    store.kpi_days = other
    await KpiWarmLoop(store, clock, PROMISES, TZ).run_once()
    lately = other.runs.asked_since(clock.now() - timedelta(days=2))
    assert sorted(lately) == [("report", "24h"), ("report", "7d"), ("team", "15d")] and other.runs.made > 0
    made = other.runs.made
    assert await asked("team", "15d") == await expected(log, 15, clock.now())
    assert other.runs.made == made


class LogReads(monitoring.CommandListener):
    """The limits of the reads of the log (`find` on `events`) the store was asked for."""

    def __init__(self) -> None:
        self.limits: list[Any] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find" and event.command.get("find") == "events":
            self.limits.append(event.command.get("limit"))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...


async def test_the_job_reads_the_log_in_pages_the_store_holds_at_once(
    mongo_url: str, db_name: str, clock: FrozenClock, tmp_path: Path
) -> None:
    """nx-27017 builds a whole result up to its limit in memory before it answers: the checkpoint's pages of
    5,000 events were 14 MB transients in the soak's store, each leaving its RSS higher. The day's events here
    are more than a page, for the checkpoint and for the day kept: read a page at a time, all of them."""
    reads = LogReads()
    async with open_store(mongo_url, db_name, tmp_path, clock, listeners=[reads]) as store:
        try:
            log = Log(store, clock, 7, size=3 * READ_PAGE, days=1)  # (the log's first day: most of them)
            for job in (moscow(0, 22), moscow(1, 0.2)):  # today's checkpoint, then the day kept
                await log.until(job)
                reads.limits.clear()
                await kpi_keep.keep(store, PROMISES, TZ, job)
                paged = [limit for limit in reads.limits if limit != 1]  # (the log's first event: one)
                assert len(paged) >= 2 and all(0 < limit <= READ_PAGE for limit in paged), paged
                now = job + timedelta(minutes=17)
                await log.until(now)
                assert await view(store, 1, now) == await expected(log, 1, now)
        finally:
            await store.client.drop_database(db_name)
