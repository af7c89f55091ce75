"""Durations, numbers, money and periods in the reader's locale (babel): the figures in /stats, the console
and `concierge report`, and a call's length in the topic; one money format per locale, any currency."""

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.cli_report import render
from domain.calls import duration_text
from domain.formats import amounts, duration, percent, period
from engine.clock.kpis import Row, columns, lines
from engine.staff_texts import bound

FIGURES = {
    "clients": 3,
    "requests": 2,
    "first_response_p50_s": 16,
    "first_response_p90_s": 256,
    "promises_kept_pct": 75,
    "promises_due": 4,
    "first_quote_p50_s": 7500,
    "quotes_sent": 2,
    "conversion_pct": 50,
    "revenue": {"RUB": 4_500_000, "USD": 50_000},
    "refunds": {},
    "net_revenue": {"RUB": 4_500_000, "USD": 50_000},
    "refund_count": 0,
    "csat_avg": 4.5,
    "csat_count": 2,
    "escalations": 0,
    "margin": {"RUB": 1_400_000},
    "margin_pct": 31,
    "costed": 1,
    "payments": 2,
}
ROWS = [Row("A-9001", "Anna", FIGURES)]


def test_stats_in_russian_read_russian() -> None:
    text = "\n".join(lines(ROWS, bound("ru")))
    assert "первый ответ p50: 16 с" in text and "первый ответ p90: 4 мин 16 с" in text
    assert "первая цена p50: 2 ч 5 мин" in text
    assert "обещания выполнены: 75\u00a0%" in text
    assert "выручка: 45\u00a0000\u00a0RUB · 500\u00a0USD" in text  # one form for every currency
    assert "возвраты: —" in text


def test_stats_in_english_use_one_money_format() -> None:
    text = "\n".join(lines(ROWS, bound("en")))
    assert "revenue: RUB\u00a045,000 · USD\u00a0500" in text  # not "RUB 45,000, $500"
    assert "first response p90: 4 min 16 sec" in text and "promises kept: 75%" in text


def test_the_report_table_and_the_console_columns() -> None:
    table = render(ROWS, "table", datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 27, tzinfo=UTC))
    assert "RUB\u00a045,000 · USD\u00a0500" in table and "$" not in table
    shown = [show(FIGURES) for _title, show in columns("ru")]
    assert "4 мин 16 с" in shown and "45\u00a0000\u00a0RUB · 500\u00a0USD" in shown


@pytest.mark.parametrize(
    ("language", "seconds", "shown"),
    [("en", 252, "4 min 12 sec"), ("ru", 252, "4 мин 12 с"), ("en", 42, "42 sec"), ("ru", -3, "0 с")],
)
def test_a_calls_length_in_the_readers_language(language: str, seconds: int, shown: str) -> None:
    assert duration_text(seconds, language) == shown


def test_periods_numbers_and_nothing() -> None:
    assert period(timedelta(days=7), "en") == "7 days" and period(timedelta(days=7), "ru") == "7 дней"
    assert period(timedelta(hours=24), "ru") == "24 часа" and period(timedelta(hours=5), "en") == "5 hours"
    assert duration(None, "ru") == "—" and percent(None, "en") == "—" and amounts({}, "ru") == "—"


def test_a_chart_labels_a_days_revenue_past_the_cap_of_one_amount() -> None:
    from bot.console.charts import _money_label

    # a day's sum may pass the RUB 10 billion one amount may be; a float's noise is rounded to kopecks
    assert _money_label(25_000_000_000.0, "RUB", "en") == "RUB\u00a025,000,000,000"
    assert _money_label(0.1 + 0.2, "USD", "ru") == "0,30\u00a0USD"


def test_a_days_chart_says_the_first_response_and_revenue_the_table_says() -> None:
    """The Team page's chart said "highest 6 sec" beside a table's 3 sec (minutes rounded to a tenth), and
    "highest RUB 1" for an assistant who took nothing (the scale of an empty chart)."""
    from datetime import date

    from bot.console.charts import for_assistant

    days = [date(2026, 12, 6), date(2026, 12, 7)]
    series = [{}, {"first_response_p50_s": 3.0, "revenue": {}, "promises_kept_pct": 100}]
    charts = for_assistant(days, series)
    assert "highest 3 sec" in charts["first_response"] and "6 sec" not in charts["first_response"]
    assert "<title>3 sec</title>" in charts["first_response"]
    assert "highest RUB\u00a00" in charts["revenue"] and "RUB\u00a01" not in charts["revenue"]


def test_a_chart_of_days_that_were_all_nothing_says_its_highest_is_nothing() -> None:
    """The team page read 'выручка (RUB): максимум 1 RUB' and 'обещания выполнены: максимум 1 %' for an
    assistant with no revenue and no promise kept."""
    from bot.console.charts import for_assistant

    days = [date(2026, 12, 7), date(2026, 12, 8)]
    nothing = {"revenue": {"RUB": 0}, "promises_kept_pct": 0, "first_response_p50_s": 60}
    charts = for_assistant(days, [nothing, nothing], "ru")
    assert "максимум 0\u00a0RUB" in charts["revenue"] and "максимум 0\u00a0%" in charts["promises"]
    assert "максимум 1 мин" in charts["first_response"]


@pytest.mark.parametrize("locale", ["ru", "en", "ar"])
def test_a_date_named_in_a_locale_is_babel_s_own_writing_of_it(locale: str) -> None:
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    from domain.formats import strftime_in

    tz = ZoneInfo("Europe/Moscow")
    for day in range(0, 366, 3):  # every month and weekday
        moment = datetime(2026, 1, 1, 0, 7, 9, tzinfo=tz) + timedelta(days=day, hours=day % 24)
        for fmt, pattern in (
            ("%a %d %b %Y %H:%M", "EEE dd MMM y HH:mm"),
            ("%d %b %H:%M:%S", "dd MMM HH:mm:ss"),
        ):
            assert strftime_in(moment, fmt, locale) == format_datetime(moment, pattern, locale=locale)
