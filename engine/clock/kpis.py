"""The team's figures for a period: the log read through its time index, folded by domain/kpis.py. One
read for the CLI (`concierge report`), the forum (`/stats`) and the console."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from domain import formats
from domain.events import Event
from domain.kpis import UNASSIGNED, fold
from domain.promises import Promises
from engine import queries as q
from engine.staff_texts import StaffText, bound, language_of
from storage.store import Store

CONTEXT = timedelta(days=90)  # read this far before the period: who was assigned, when a request opened
PAGE = 5000
Figures = dict[str, Any]  # one assistant's, as domain.kpis.fold makes them


@dataclass(frozen=True, slots=True)
class Row:
    assistant_id: str
    name: str
    figures: Figures


async def _period_events(store: Store, start: datetime, end: datetime) -> list[Event]:
    """The period's events and CONTEXT before it, in time order, each once."""

    async def events() -> AsyncIterator[Event]:
        cursor = start - CONTEXT
        while True:
            page = await store.events.written_between(cursor, end, PAGE)
            for event in page:
                yield event
            if len(page) < PAGE or page[-1].at <= cursor:
                return
            cursor = page[-1].at  # (events at that very moment are read again; the fold sees each once)

    seen: set[str] = set()
    ordered: list[Event] = []
    async for event in events():
        if event.id not in seen:
            seen.add(event.id)
            ordered.append(event)
    return ordered


async def report(store: Store, start: datetime, end: datetime, promises: Promises) -> list[Row]:
    ordered = await _period_events(store, start, end)
    names = {a.id: a.name for a in await q.assistants(store)}
    # the fold is pure CPU (a month of a busy log: a second or more): off the event loop
    return await asyncio.to_thread(_rows, ordered, start, end, promises, names)


def _rows(
    ordered: list[Event], start: datetime, end: datetime, promises: Promises, names: dict[str, str]
) -> list[Row]:
    figures = fold(ordered, start, end, promises)
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
    """The table and the small charts of the console's Team page: one read of the log, folded off the loop."""
    ordered = await _period_events(store, start, end)
    names = {a.id: a.name for a in await q.assistants(store)}
    return await asyncio.to_thread(_team, ordered, start, end, promises, tz, names)


def _team(
    ordered: list[Event],
    start: datetime,
    end: datetime,
    promises: Promises,
    tz: tzinfo,
    names: dict[str, str],
) -> Team:
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    weekly = (last - first).days > 31
    step = timedelta(days=7 if weekly else 1)
    buckets = [first + i * step for i in range((last - first) // step + 1)]
    series: dict[str, list[Figures]] = {}
    for i, day in enumerate(buckets):
        bucket_start = max(start, datetime.combine(day, time(0), tz))
        bucket_end = min(end, datetime.combine(day + step, time(0), tz))
        for who, figures in fold(ordered, bucket_start, bucket_end, promises).items():
            series.setdefault(who, [{} for _ in buckets])[i] = figures
    return Team(_rows(ordered, start, end, promises, names), buckets, weekly, series)


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
