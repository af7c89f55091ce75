"""`concierge report`: the team's figures for a period, as a table, CSV or JSON."""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import InvalidValue
from domain.kpis import period
from domain.money import Money
from domain.promises import Promises
from engine import queries
from engine.clock import kpis
from storage.store import Store


def add_parser(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="the team's figures (KPIs) for a period")
    report.add_argument("--since", default=None, help="a period back from now: 7d (default), 24h, 30d")
    report.add_argument("--from", dest="start", help="first day (YYYY-MM-DD, business time)")
    report.add_argument("--to", dest="end", help="last day, included (YYYY-MM-DD)")
    report.add_argument("--assistant", help="only this assistant (by name)")
    report.add_argument("--format", choices=("table", "csv", "json"), default="table")


def _day(value: str, tz: ZoneInfo) -> datetime:
    try:
        return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(), tz)
    except ValueError:
        raise InvalidValue(f"“{value}” is not a date like 2026-11-01") from None


def window(args: argparse.Namespace, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    if args.start or args.end:
        if args.since:
            raise InvalidValue("use --since, or --from/--to, not both")
        start = _day(args.start, tz) if args.start else period("7d", now, tz)[0]
        end = _day(args.end, tz) + timedelta(days=1) if args.end else now
        if end <= start:
            raise InvalidValue("--to is before --from")
        return start, end
    return period(args.since or "7d", now, tz)


MONEY = ("revenue", "refunds", "net_revenue", "margin")


def _flat(row: kpis.Row) -> list[dict]:
    """One row per currency the assistant's money is in (one with empty amounts when none): `currency`
    and decimal amounts in their own columns, so a spreadsheet can add them up."""
    figures = {k: v for k, v in row.figures.items() if k not in MONEY}
    currencies = sorted({c for key in MONEY for c in row.figures[key]})
    if not currencies:
        return [{"assistant": row.name, **figures, "currency": ""} | dict.fromkeys(MONEY, "")]
    return [
        {"assistant": row.name, **figures, "currency": currency}
        | {key: str(Money(row.figures[key].get(currency, 0), currency).major) for key in MONEY}
        for currency in currencies
    ]


def render(rows: list[kpis.Row], form: str, start: datetime, end: datetime) -> str:
    if form == "json":
        return json.dumps(
            {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "assistants": [{"id": r.assistant_id, "name": r.name, **r.figures} for r in rows],
            },
            ensure_ascii=False,
        )
    if form == "csv":
        out = io.StringIO()
        flat = [line for row in rows for line in _flat(row)]
        writer = csv.DictWriter(out, fieldnames=list(flat[0]) if flat else ["assistant"])
        writer.writeheader()
        writer.writerows(flat)
        return out.getvalue().rstrip("\n")
    header = ["ASSISTANT", *(title.upper() for title, _ in kpis.COLUMNS)]
    table = [[row.name, *(show(row.figures) for _, show in kpis.COLUMNS)] for row in rows]
    widths = [max(len(str(r[i])) for r in [header, *table]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [header, *table]
    ]
    return f"report: {start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC\n" + "\n".join(lines)


def report(args: argparse.Namespace, promises: Promises, tz: ZoneInfo) -> Callable[[Store], Awaitable[int]]:
    async def work(store: Store) -> int:
        start, end = window(args, datetime.now(UTC), tz)
        rows = await kpis.report(store, start, end, promises, tz)
        if args.assistant:
            rows = [row for row in rows if row.name.lower() == args.assistant.lower()]
            team = {a.name.lower() for a in await queries.assistants(store)}
            if not rows and args.assistant.lower() not in team:
                raise InvalidValue(f"no assistant is called “{args.assistant}” (see: concierge staff list)")
        print(render(rows, args.format, start.astimezone(UTC), end.astimezone(UTC)))
        return 0

    return work
