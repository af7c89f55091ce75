"""The team's figures for a period. A period of whole days in the business time zone (what `/stats`, the
console's Team page and `concierge report` ask for) reads what is kept of the log (engine/clock/kpi_keep.py:
each ISO week and each whole day folded once, and a checkpoint of today) and folds only what is not kept yet —
the minutes since the checkpoint; any other period folds the log read through its time index
(domain/kpis.py). Both give the fold's figures (tests/unit/test_kpi_days.py). One read for the CLI
(`concierge report`), the forum (`/stats`) and the console."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from domain import formats
from domain.events import Event
from domain.kpis import UNASSIGNED, Day, Runs, combine, fold, joined, period
from domain.promises import Promises
from engine import queries as q
from engine.clock.kpi_keep import ONE_DAY, events_between, first_day, going_on, midnight, monday
from engine.staff_texts import StaffText, bound, language_of
from storage.store import Store

CONTEXT = timedelta(days=90)  # read this far before the period: who was assigned, when a request opened
WEEK = timedelta(days=7)
Figures = dict[str, Any]  # one assistant's, as domain.kpis.fold makes them
Piece = tuple[date, Day]  # a stretch of whole days (a day, a week, today so far) and its first day


@dataclass(frozen=True, slots=True)
class Row:
    assistant_id: str
    name: str
    figures: Figures


def whole_days(start: datetime, tz: tzinfo) -> bool:
    """Whether a period starts at a midnight of the business calendar (so it reads days)."""
    return midnight(start.astimezone(tz).date(), tz) == start


async def _pieces(
    store: Store, first: date, end: datetime, promises: Promises, tz: tzinfo, weeks: bool = True
) -> list[Piece]:
    """From `first` to the day `end` ends or falls in, in order: the weeks kept whole inside it (`weeks`),
    the other days as kept, and the days not kept yet (today so far; more while keeping catches up) folded
    now from the last kept day's state — or from today's checkpoint, when it was taken from that state."""
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    marks = await store.kpi_days.marks()
    through = marks.closed
    start = through + ONE_DAY if through is not None else await first_day(store, tz, end)
    kept_last = min(last, through) if through is not None else first - ONE_DAY
    week_list = [
        w
        for w in _each(monday(first + timedelta(days=6)), kept_last - timedelta(days=6), WEEK)
        if weeks and marks.weeks is not None and w <= marks.weeks
    ]
    in_weeks = {w + timedelta(days=i) for w in week_list for i in range(7)}
    day_list = [d for d in _each(first, kept_last) if d not in in_weeks]
    folding = start is not None and start <= last
    kept = await store.kpi_days.kept(day_list, week_list, checkpoint=folding)
    lost = [w for w in week_list if w not in kept.weeks]  # (before the log began, or gone since: a rebuild)
    if lost:
        more = await store.kpi_days.kept(d for w in lost for d in _each(w, w + timedelta(days=6)))
        kept.days.update(more.days)
    folded: dict[date, Day] = {}
    if folding:
        assert start is not None
        checkpoint = kept.checkpoint
        if checkpoint is not None and not (
            checkpoint.day == start and checkpoint.since == through and checkpoint.at <= end
        ):
            checkpoint = None
        begin = checkpoint.at if checkpoint is not None else midnight(start, tz)
        events = await events_between(store, begin, end)
        carried, _, _ = await going_on(store, promises, start, events, through, checkpoint)

        def fold_each() -> None:
            day, rest, since = start, events, begin
            while day <= last:
                day_end = min(midnight(day + ONE_DAY, tz), end)
                today = [e for e in rest if e.at < day_end]
                rest = rest[len(today) :]
                folded[day] = carried.day(today, since, day_end)
                day, since = day + ONE_DAY, day_end

        await asyncio.to_thread(fold_each)
        if checkpoint is not None:
            folded[start] = joined([checkpoint.share, folded[start]])
    empty = Day({}, [], [])
    pieces: list[Piece] = []
    day = first
    while day <= last:
        if day in kept.weeks:
            pieces.append((day, kept.weeks[day]))
            day += WEEK
        else:
            pieces.append((day, kept.days.get(day) or folded.get(day) or empty))
            day += ONE_DAY
    return pieces


def _each(first: date, last: date, step: timedelta = ONE_DAY) -> list[date]:
    return [first + i * step for i in range((last - first) // step + 1)] if first <= last else []


async def _period_events(store: Store, start: datetime, end: datetime) -> list[Event]:
    """A period that is not whole days: its events and CONTEXT before it."""
    return await events_between(store, start - CONTEXT, end)


async def report(store: Store, start: datetime, end: datetime, promises: Promises, tz: tzinfo) -> list[Row]:
    names = {a.id: a.name for a in await q.assistants(store)}
    if whole_days(start, tz):
        pieces = await _pieces(store, start.astimezone(tz).date(), end, promises, tz)
        # (pure CPU — the kept pieces merged, once a day: some 250,000 ids of a 90-day view; off the loop)
        shares = [share for _, share in pieces]
        figures = await asyncio.to_thread(combine, shares, start, end, store.kpi_days.runs)
        return _rows(figures, names)
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
    """The table and the small charts of the console's Team page: bars of days (ISO weeks, for a period
    longer than a month: the first and the last may be partial), from what is kept, or from one read of the
    log folded off the loop."""
    names = {a.id: a.name for a in await q.assistants(store)}
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    weekly = (last - first).days > 31
    buckets = [first, *_each(monday(first) + WEEK, last, WEEK)] if weekly else _each(first, last)
    ends = [midnight(day, tz) for day in buckets[1:]] + [end]
    bounds = [
        (max(start, midnight(day, tz)), min(end, stop)) for day, stop in zip(buckets, ends, strict=True)
    ]
    series: dict[str, list[Figures]] = {}
    if whole_days(start, tz):
        pieces = await _pieces(store, first, end, promises, tz, weeks=weekly)
        table, per_bucket = await asyncio.to_thread(
            _charted, pieces, buckets, bounds, start, end, store.kpi_days.runs
        )
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


def _charted(
    pieces: list[Piece],
    buckets: list[date],
    bounds: list[tuple[datetime, datetime]],
    start: datetime,
    end: datetime,
    runs: Runs | None = None,
) -> tuple[dict[str, Figures], list[dict[str, Figures]]]:
    """The figures of the period and of each bucket (`combine`'s figures, tests/unit/test_kpi_days.py): the
    kept pieces of each, and of the whole, merged once and held in `runs` (a view after the first figures
    only what is not kept: today so far)."""
    per_bucket = []
    for i, bucket in enumerate(buckets):
        upto = buckets[i + 1] if i + 1 < len(buckets) else date.max
        per_bucket.append(combine([share for day, share in pieces if bucket <= day < upto], *bounds[i], runs))
    return combine([share for _, share in pieces], start, end, runs), per_bucket


WARM_FOR = timedelta(days=2)  # a named period asked for this recently is made ready again when a day is kept


async def warm(store: Store, now: datetime, promises: Promises, tz: tzinfo) -> int:
    """The named periods this instance's views asked for lately, read again now that a day (or a week) is
    kept: what the views make of the kept pieces (some 105–170 ms of CPU for 90 days at 50 assistants and
    20,000 clients, once a day) is made here, in the background, instead of in the next person's view.
    How many were read."""
    done = 0
    for view, name in store.kpi_days.runs.asked_since(now - WARM_FOR):
        start, end = period(name, now, tz)
        if whole_days(start, tz):  # (hours are folded from the log at each view: nothing to make ready)
            await (team if view == "team" else report)(store, start, end, promises, tz)
            done += 1
    return done


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
