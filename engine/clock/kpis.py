"""The team's figures for a period. A period of whole days in the business time zone (what `/stats`, the
console's Team page and `concierge report` ask for) reads the days the log has been folded into
(storage/kpi_days.py: each whole day is folded once, from the state the day before left, by `close_days`),
and folds only what is not kept yet — today so far; any other period folds the log read through its time
index (domain/kpis.py). Both give the fold's figures (tests/unit/test_kpi_days.py). One read for the CLI
(`concierge report`), the forum (`/stats`) and the console."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from domain import formats
from domain.events import Event
from domain.kpis import UNASSIGNED, Carried, Day, combine, fold, touched
from domain.promises import Promises
from engine import queries as q
from engine.staff_texts import StaffText, bound, language_of
from storage.store import Store

CONTEXT = timedelta(days=90)  # read this far before the period: who was assigned, when a request opened
PAGE = 5000
ONE_DAY = timedelta(days=1)
GRACE = timedelta(minutes=5)  # a day is kept this long after it ends: all it stamped is in the log by then
MOST = 31  # days kept per run (a store with a year of history catches up over a few runs, at once)
Figures = dict[str, Any]  # one assistant's, as domain.kpis.fold makes them


@dataclass(frozen=True, slots=True)
class Row:
    assistant_id: str
    name: str
    figures: Figures


async def _events(store: Store, start: datetime, end: datetime) -> list[Event]:
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


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tz)


def whole_days(start: datetime, tz: tzinfo) -> bool:
    """Whether a period starts at a midnight of the business calendar (so it reads days)."""
    return _midnight(start.astimezone(tz).date(), tz) == start


async def _first_day(store: Store, tz: tzinfo, before: datetime) -> date | None:
    """The day of the log's first event (before `before`)."""
    first = await store.events.written_between(datetime(1970, 1, 2, tzinfo=tz), before, 1)
    return first[0].at.astimezone(tz).date() if first else None


async def _from_day_before(
    store: Store, promises: Promises, tz: tzinfo, day: date, events: list[Event], through: date | None
) -> tuple[Carried, set[str], set[str]]:
    """A fold that knows what the kept days left at the start of `day` of everyone these events touch, and of
    the clients still waiting when the day before it ended; the clients and requests it was taught."""
    carried = Carried(promises)
    waiting: set[str] = set()
    if through is not None and through == day - ONE_DAY:
        before = await store.kpi_days.days(through, through)
        waiting = {client for client, _who, _due in before[through].still_waiting} if before else set()
    clients, requests = touched(events)
    clients = await store.kpi_days.load(carried, clients | waiting, requests, day)
    return carried, clients, requests


async def close_days(store: Store, promises: Promises, tz: tzinfo, now: datetime) -> int:
    """Keep every whole day not kept yet, oldest first, each folded once from the state the day before left
    (at most MOST a call); how many were kept. Run by one instance at a time (bot/workers/kpi_days.py), and
    harmless twice: a day kept again starts from what it started from before."""
    through = await store.kpi_days.closed_through()
    day = through + ONE_DAY if through is not None else await _first_day(store, tz, now)
    kept = 0
    while day is not None and kept < MOST and _midnight(day + ONE_DAY, tz) + GRACE <= now:
        start, end = _midnight(day, tz), _midnight(day + ONE_DAY, tz)
        events = await _events(store, start, end)
        carried, clients, requests = await _from_day_before(store, promises, tz, day, events, through)
        share = await asyncio.to_thread(carried.day, events, start, end)
        await store.kpi_days.save(day, share, carried, clients, requests)
        through, day, kept = day, day + ONE_DAY, kept + 1
    return kept


async def _days(store: Store, first: date, end: datetime, promises: Promises, tz: tzinfo) -> list[Day]:
    """Each day from `first` to the one `end` ends or falls in: as kept, or folded now from the last kept
    day's state when not kept yet (today so far; more while keeping catches up)."""
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    through = await store.kpi_days.closed_through()
    kept = await store.kpi_days.days(first, min(last, through)) if through is not None else {}
    start = through + ONE_DAY if through is not None else await _first_day(store, tz, end)
    folded: dict[date, Day] = {}
    if start is not None and start <= last:
        events = await _events(store, _midnight(start, tz), end)
        carried, _, _ = await _from_day_before(store, promises, tz, start, events, through)

        def fold_each() -> None:
            day, rest = start, events
            while day <= last:
                day_end = min(_midnight(day + ONE_DAY, tz), end)
                today = [e for e in rest if e.at < day_end]
                rest = rest[len(today) :]
                folded[day] = carried.day(today, _midnight(day, tz), day_end)
                day += ONE_DAY

        await asyncio.to_thread(fold_each)
    empty = Day({}, [], [])
    return [kept.get(d) or folded.get(d) or empty for d in _each(first, last)]


def _each(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


async def _period_events(store: Store, start: datetime, end: datetime) -> list[Event]:
    """A period that is not whole days: its events and CONTEXT before it."""
    return await _events(store, start - CONTEXT, end)


async def report(store: Store, start: datetime, end: datetime, promises: Promises, tz: tzinfo) -> list[Row]:
    names = {a.id: a.name for a in await q.assistants(store)}
    if whole_days(start, tz):
        days = await _days(store, start.astimezone(tz).date(), end, promises, tz)
        return _rows(combine(days, start, end), names)
    ordered = await _period_events(store, start, end)
    # the fold is pure CPU (a month of a busy log: a second or more): off the event loop
    return _rows(await asyncio.to_thread(fold, ordered, start, end, promises), names)


def _rows(figures: dict[str, Figures], names: dict[str, str]) -> list[Row]:
    return [
        Row(who, names.get(who, "unassigned" if who == UNASSIGNED else who), f) for who, f in figures.items()
    ]


@dataclass(frozen=True, slots=True)
class Team:
    rows: list[Row]
    buckets: list[date]  # the first day of each bar of the charts
    weekly: bool  # bars are weeks (a period longer than a month), not days
    series: dict[str, list[Figures]]  # per assistant, the figures of each bucket ({} when nothing happened)


async def team(store: Store, start: datetime, end: datetime, promises: Promises, tz: tzinfo) -> Team:
    """The table and the small charts of the console's Team page: bars of days (weeks, for a period longer
    than a month), from the days kept, or from one read of the log folded off the loop."""
    names = {a.id: a.name for a in await q.assistants(store)}
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    weekly = (last - first).days > 31
    step = timedelta(days=7 if weekly else 1)
    buckets = [first + i * step for i in range((last - first) // step + 1)]
    bounds = [(max(start, _midnight(day, tz)), min(end, _midnight(day + step, tz))) for day in buckets]
    series: dict[str, list[Figures]] = {}
    if whole_days(start, tz):
        days = await _days(store, first, end, promises, tz)
        table = combine(days, start, end)
        per_bucket = [
            combine(days[i * step.days : (i + 1) * step.days], *bounds[i]) for i in range(len(buckets))
        ]
    else:
        ordered = await _period_events(store, start, end)
        table, per_bucket = await asyncio.to_thread(
            lambda: (
                fold(ordered, start, end, promises),
                [fold(ordered, *bound, promises) for bound in bounds],
            )
        )
    for i, figures in enumerate(per_bucket):
        for who, f in figures.items():
            series.setdefault(who, [{} for _ in buckets])[i] = f
    return Team(_rows(table, names), buckets, weekly, series)


def columns(locale: str) -> tuple[tuple[str, Callable[[Figures], str]], ...]:
    """The figures' columns (a title, and how a row's figures show) in the reader's locale."""

    def csat(f: Figures) -> str:
        return f"{formats.number(f['csat_avg'], locale)} ({f['csat_count']})" if f["csat_count"] else "—"

    return (
        ("clients", lambda f: formats.number(f["clients"], locale)),
        ("requests", lambda f: formats.number(f["requests"], locale)),
        ("first response p50", lambda f: formats.duration(f["first_response_p50_s"], locale)),
        ("first response p90", lambda f: formats.duration(f["first_response_p90_s"], locale)),
        ("promises kept", lambda f: formats.percent(f["promises_kept_pct"], locale)),
        ("first quote p50", lambda f: formats.duration(f["first_quote_p50_s"], locale)),
        ("quotes", lambda f: formats.number(f["quotes_sent"], locale)),
        ("quote→paid", lambda f: formats.percent(f["conversion_pct"], locale)),
        ("revenue", lambda f: formats.amounts(f["revenue"], locale)),
        ("refunds", lambda f: formats.amounts(f["refunds"], locale)),
        ("net revenue", lambda f: formats.amounts(f["net_revenue"], locale)),
        ("CSAT", csat),
        ("escalations", lambda f: formats.number(f["escalations"], locale)),
        ("margin", lambda f: formats.amounts(f["margin"], locale)),
        ("margin %", lambda f: formats.percent(f["margin_pct"], locale)),
        (
            "costed",
            lambda f: f"{formats.number(f['costed'], locale)}/{formats.number(f['payments'], locale)}",
        ),
    )


COLUMNS = columns("en")  # the report's table (English, like the rest of the CLI)


MARGINS = ("margin", "margin %", "costed")  # what the supplier's costs reveal: never in a group chat


def lines(rows: list[Row], t: StaffText | None = None, margins: bool = True) -> list[str]:
    """For a chat: one block per assistant, in the reader's language (`t`; English without); without the
    margins in a chat the whole team reads."""
    t = t or bound("en")
    if not rows:
        return [t("team-nothing")]
    shown = [
        (i, show)
        for i, (title, show) in enumerate(columns(language_of(t)), 1)
        if margins or title not in MARGINS
    ]
    out = []
    for row in rows:
        out.append(f"👤 {row.name}")
        out += [f"  {t(f'kpi-{i}')}: {show(row.figures)}" for i, show in shown]
    return out
