"""Small inline SVG charts (no script, no library): one bar per day."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial
from html import escape

from babel.numbers import get_currency_precision

from domain import formats
from domain.money import Money
from engine.i18n import staff_translator

WIDTH, HEIGHT, GAP = 168, 40, 2


def _money_label(value: float, currency: str, locale: str) -> str:
    """A bar's money, rounded to the currency's minor unit (a day's sum may pass the cap of one amount)."""
    minor = round(Decimal(str(value)).scaleb(get_currency_precision(currency)))
    return formats.money(Money(int(minor), currency), locale)


def bars(
    values: list[float | None],
    title: str,
    shown: Callable[[float], str] = "{:g}".format,
    t: Callable[..., str] | None = None,
) -> str:
    """An accessible bar chart; a day without a value is an empty slot; `shown`: a value for people;
    `t`: the reader's staff texts (for the summary a screen reader says)."""
    t = t or partial(staff_translator(), "en")
    known = [v for v in values if v is not None]
    highest = max(known, default=0)
    top = highest or 1  # (the scale of days that were all nothing)
    width = max(2, (WIDTH - GAP * len(values)) // max(len(values), 1))
    rects = [f'<line class="axis" x1="0" y1="{HEIGHT - 0.5}" x2="{WIDTH}" y2="{HEIGHT - 0.5}"/>']
    for i, value in enumerate(values):
        track = f'x="{i * (width + GAP)}" y="0" width="{width}" height="{HEIGHT}"'
        rects.append(f'<rect class="track" {track}/>')  # each day's slot, empty or not
        if value is None:
            continue
        height = max(1, round(HEIGHT * value / top))
        x = i * (width + GAP)
        label = escape(shown(value))
        box = f'x="{x}" y="{HEIGHT - height}" width="{width}" height="{height}"'
        rects.append(f'<rect class="bar" {box}><title>{label}</title></rect>')
    summary = escape(f"{title}: " + (t("chart-max", value=shown(highest)) if known else t("chart-no-data")))
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{summary}"><title>{summary}</title>{"".join(rects)}</svg>'
    )


def for_assistant(days: list[date], series: list[dict], locale: str = "en") -> dict[str, str]:
    """First response (p50, minutes), revenue (the assistant's main currency) and promises kept, per day;
    the values in the viewer's locale."""
    series = series or [{} for _ in days]
    currencies: Counter = Counter()
    for figures in series:
        for currency, minor in (figures.get("revenue") or {}).items():
            currencies[currency] += minor
    main = currencies.most_common(1)[0][0] if currencies else "RUB"
    first = [
        round(f["first_response_p50_s"] / 60, 1) if f.get("first_response_p50_s") is not None else None
        for f in series
    ]
    revenue = [float(Money((f.get("revenue") or {}).get(main, 0), main).major) if f else None for f in series]
    kept = [f.get("promises_kept_pct") if f else None for f in series]
    t = partial(staff_translator(), locale)
    return {
        "first_response": bars(
            first, t("chart-of-first-response"), lambda m: formats.duration(m * 60, locale), t
        ),
        "revenue": bars(
            revenue, t("chart-of-revenue", currency=main), lambda v: _money_label(v, main, locale), t
        ),
        "promises": bars(kept, t("chart-of-promises"), lambda p: formats.percent(round(p), locale), t),
    }
