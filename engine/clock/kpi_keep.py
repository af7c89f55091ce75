"""Keeps the team's figures (storage/kpi_days.py), run by one instance at a time (bot/workers/kpi_days.py):
each whole day of the business calendar folded once from the state the day before left (`close_days`), each
ISO week joined once all its days are kept (`roll_weeks`), and the first day not kept yet folded until a few
minutes ago (`take_checkpoint`), so a view of a period (engine/clock/kpis.py) reads weeks and days and folds
only the minutes since the checkpoint. All derived from the log, exactly (tests/unit/test_kpi_days.py), and
harmless twice: what is kept again is the same."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta, tzinfo

from domain.events import Event
from domain.kpis import Carried, Checkpoint, Day, joined, touched
from domain.promises import Promises
from storage.events import READ_PAGE
from storage.store import Store

PAGE = READ_PAGE  # (not more: the store holds a whole page in its memory while it answers)
ONE_DAY = timedelta(days=1)
GRACE = timedelta(minutes=5)  # kept this long after: all stamped before it is in the log by then
MOST = 31  # days kept per run (a store with a year of history catches up over a few runs, at once)
MOST_WEEKS = 60  # weeks joined per run (a year of days kept already: once)


def midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tz)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def events_between(store: Store, start: datetime, end: datetime) -> list[Event]:
    """The events stamped in [start, end), in time order, each once."""

    async def pages() -> AsyncIterator[Event]:
        cursor = start
        while True:
            page = await store.events.written_between(cursor, end, PAGE)
            for event in page:
                yield event
            if len(page) < PAGE or page[-1].at <= cursor:
                return
            cursor = page[-1].at  # (events at that very moment are read again; the fold sees each once)

    seen: set[str] = set()
    ordered: list[Event] = []
    async for event in pages():
        if event.id not in seen:
            seen.add(event.id)
            ordered.append(event)
    return ordered


async def first_day(store: Store, tz: tzinfo, before: datetime) -> date | None:
    """The day of the log's first event (before `before`)."""
    first = await store.events.written_between(datetime(1970, 1, 2, tzinfo=tz), before, 1)
    return first[0].at.astimezone(tz).date() if first else None


async def going_on(
    store: Store,
    promises: Promises,
    day: date,
    events: list[Event],
    through: date | None,
    checkpoint: Checkpoint | None = None,
) -> tuple[Carried, set[str], set[str]]:
    """A fold that knows, where `events` begin, what the checkpoint knew (taken on `day`), or else what the
    kept days left at the start of `day`, of everyone these events touch and of the clients still waiting
    then; the clients and requests it knows of since the start of `day`."""
    clients, requests = touched(events)
    if checkpoint is not None:
        carried = checkpoint.resume(promises)
        requests -= checkpoint.requests.keys()
        clients = await store.kpi_days.load(carried, clients, requests, day, known=checkpoint.clients.keys())
        return carried, clients | checkpoint.clients.keys(), requests | checkpoint.requests.keys()
    carried = Carried(promises)
    if through is not None and through == day - ONE_DAY:
        before = await store.kpi_days.days(through, through)
        clients |= {client for client, _who, _due in before[through].still_waiting} if before else set()
    clients = await store.kpi_days.load(carried, clients, requests, day)
    return carried, clients, requests


async def close_days(store: Store, promises: Promises, tz: tzinfo, now: datetime) -> int:
    """Keep every whole day not kept yet, oldest first, each folded once from the state the day before left
    (at most MOST a call); how many were kept. A day kept again starts from what it started from before."""
    through = await store.kpi_days.closed_through()
    day = through + ONE_DAY if through is not None else await first_day(store, tz, now)
    kept = 0
    while day is not None and kept < MOST and midnight(day + ONE_DAY, tz) + GRACE <= now:
        start, end = midnight(day, tz), midnight(day + ONE_DAY, tz)
        events = await events_between(store, start, end)
        carried, clients, requests = await going_on(store, promises, day, events, through)
        share = await asyncio.to_thread(carried.day, events, start, end)
        await store.kpi_days.save(day, share, carried, clients, requests)
        through, day, kept = day, day + ONE_DAY, kept + 1
    return kept


async def roll_weeks(store: Store, tz: tzinfo, now: datetime) -> int:
    """Join each ISO week whose days are all kept, in order from the log's first (at most MOST_WEEKS a
    call); how many were joined."""
    marks = await store.kpi_days.marks()
    if marks.closed is None:
        return 0
    if marks.weeks is not None:
        week: date | None = marks.weeks + timedelta(days=7)
    else:
        first = await first_day(store, tz, now)
        week = monday(first) if first is not None else None
    joined_weeks: list[tuple[date, Day]] = []
    while week is not None and week + timedelta(days=6) <= marks.closed and len(joined_weeks) < MOST_WEEKS:
        days = await store.kpi_days.days(week, week + timedelta(days=6))
        each = [days.get(week + timedelta(days=i)) or Day({}, [], []) for i in range(7)]
        joined_weeks.append((week, await asyncio.to_thread(joined, each)))
        week += timedelta(days=7)
    await store.kpi_days.save_weeks(joined_weeks)
    return len(joined_weeks)


def checkpoint_time(now: datetime) -> datetime:
    """A whole minute GRACE ago: all stamped before it is in the log."""
    return (now - GRACE).replace(second=0, microsecond=0)


async def take_checkpoint(store: Store, promises: Promises, tz: tzinfo, now: datetime) -> Checkpoint | None:
    """Fold the first day not kept yet until `checkpoint_time` — from the last checkpoint, if it was taken
    on that day from the same days kept — and keep it; None when there is nothing to take (the days are
    still catching up, or the day has just begun)."""
    marks = await store.kpi_days.marks()
    through = marks.closed
    day = through + ONE_DAY if through is not None else await first_day(store, tz, now)
    at = checkpoint_time(now)
    if day is None or not midnight(day, tz) < at < midnight(day + ONE_DAY, tz):
        return None
    old = (await store.kpi_days.kept([], checkpoint=True)).checkpoint
    if old is not None and not (old.day == day and old.since == through and old.at <= at):
        old = None
    begin = old.at if old is not None else midnight(day, tz)
    events = await events_between(store, begin, at)
    carried, clients, requests = await going_on(store, promises, day, events, through, old)
    share = await asyncio.to_thread(carried.day, events, begin, at)
    if old is not None:
        share = joined([old.share, share])
    checkpoint = Checkpoint.taken(day, at, through, share, carried, clients, requests)
    await store.kpi_days.save_checkpoint(checkpoint)
    return checkpoint


async def write_sums(store: Store, tz: tzinfo, now: datetime) -> int:
    """Once (a store kept by an older version): the digests of every day and week kept, written apart, so a
    view reads them without reading the pieces (storage/kpi_days.py); how many were written."""
    if await store.kpi_days.sums_apart():
        return 0
    marks = await store.kpi_days.marks()
    first = await first_day(store, tz, now)
    if marks.closed is None or first is None:
        return 0  # (nothing kept yet: what is kept from now on has its digest apart; asked again next run)
    days = [first + timedelta(days=i) for i in range((marks.closed - first).days + 1)]
    weeks, week = [], monday(first)
    while marks.weeks is not None and week <= marks.weeks:
        weeks.append(week)
        week += timedelta(days=7)
    return await store.kpi_days.write_sums(days, weeks)


async def keep(store: Store, promises: Promises, tz: tzinfo, now: datetime) -> int:
    """A run of the job: the days not kept yet (at most MOST), then, once they have caught up, the weeks
    they complete, the digests an older version kept within its pieces written apart (once), and today's
    checkpoint; how many days were kept."""
    kept = await close_days(store, promises, tz, now)
    if kept < MOST:
        await roll_weeks(store, tz, now)
        await write_sums(store, tz, now)
        await take_checkpoint(store, promises, tz, now)
    return kept
