"""The day a client means: tomorrow, next Friday, the 3rd of December, 12.12, the 15th, this weekend, next
week. Works on normalised text; a date that does not exist, or that is years away, is no day."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache

from domain.intake.text import has, normalize, pattern
from domain.intake.time_words import DAYS, MONTHS, NEXT, NEXT_WEEK, WEEKDAYS, WEEKEND

_AM_PM_NEXT = r"\s*(?:am|pm|a\.m|p\.m|утра|вечера|дня|ночи|صباحا|مساء)(?!\w)"
# 12.12, 1/12, 31.12.2026 — not a time ("at 10.11", "в 12.12") nor an amount ("2.5 hours")
_DATE_NUMERIC = re.compile(
    r"(?<![\d:])(?<!at )(?<!by )(?<!around )(?<!в )(?<!к )(?<!الساعه )"
    rf"(?P<d>[0-3]?\d)[./](?P<mo>[01]?\d)(?:[./](?P<y>\d{{4}}))?(?![\d:])(?!{_AM_PM_NEXT})"
    r"(?!\s*(?:hours?|hrs?|h\b|час|ساع|min|мин|دقي))"
)
# a day of this month (or the next, once it is past): "on the 15th", "15-го", "15 числа", "يوم 15"
_DAY_OF_MONTH = re.compile(
    r"(?<![\d:.])(?:(?P<d>[0-3]?\d)(?:st|nd|rd|th)(?!\w)(?!\s+(?:floor|anniversary|birthday|row|century))"
    r"|(?P<d2>[0-3]?\d)(?:-?(?:го|е|ое|му))?\s+числа|(?P<d3>[0-3]?\d)-(?:го|е|ое|му)(?!\w))"
    r"|يوم\s+(?P<d4>[0-3]?\d)(?![\d:.])"
)
_ISO_DATE = re.compile(r"\b(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})\b")
_NOT_TOMORROW = re.compile(r"غداء|завтрак\w*")
YEARS_AHEAD = 5  # a date further than this is a typo, not a booking


@cache
def n(words: tuple[str, ...]) -> tuple[str, ...]:
    """Keywords in the normal form of the text (a stem keeps its '*')."""
    return tuple(normalize(w.rstrip("*")) + ("*" if w.endswith("*") else "") for w in words)


def _date(today: datetime, year: int, month: int, day: int) -> datetime | None:
    if not (today.year - 1 <= year <= today.year + YEARS_AHEAD and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    try:
        return today.replace(year=year, month=month, day=day)
    except ValueError:  # 31 April, 29 February of a common year
        return None


def _next_date(today: datetime, month: int, day: int) -> datetime | None:
    """The next such day to come: this year's, or the next year in which it exists (29 February)."""
    for year in range(today.year, today.year + YEARS_AHEAD):
        found = _date(today, year, month, day)
        if found is not None and found.date() >= today.date():
            return found
    return None


def _next_day_of_month(today: datetime, day: int) -> datetime | None:
    """ "The 31st" said on 28 November is 31 December: the next month that has it."""
    month, year = today.month, today.year
    for _ in range(13):
        found = _date(today, year, month, day)
        if found is not None and found.date() >= today.date():
            return found
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None


def _weekday(text: str, today: datetime) -> datetime | None:
    """The first weekday said: "from Sunday to Thursday" is Sunday."""
    said = [
        (found, weekday) for weekday, names in enumerate(WEEKDAYS) if (found := pattern(names).search(text))
    ]
    for found, weekday in sorted(said, key=lambda pair: pair[0].start())[:1]:
        ahead = (weekday - today.weekday()) % 7 or 7  # the coming one (a week on, if it is today)
        around = text[max(0, found.start() - 14) : found.end() + 14]
        if has(NEXT, around) and not has(("this",), around):
            # "next Friday": next week's (the coming one when that is already next week)
            monday_next = 7 - today.weekday()
            return today + timedelta(days=ahead if ahead >= monday_next else ahead + 7)
        return today + timedelta(days=ahead)
    return None


def _another_weekday(before: str, date: datetime) -> bool:
    return any(pattern(names).search(before) for day, names in enumerate(WEEKDAYS) if day != date.weekday())


def _month_day(text: str, today: datetime) -> datetime | None:
    for number, names in enumerate(MONTHS, start=1):
        for name in n(names):
            stem = re.escape(name.rstrip("*")) + (r"\w*" if name.endswith("*") else r"(?!\w)")
            found = re.search(
                rf"(?<!\d)(?P<d>[0-3]?\d)\s*(?:st|nd|rd|th|-?го|-?е)?\s+(?:of\s+)?{stem}"
                rf"|(?<!\w){stem}\.?\s+(?:the\s+)?(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)",
                text,
            )
            if found:
                return _next_date(today, number, int(found["d"] or found["d2"]))
    return None


def read_day(text: str, today: datetime) -> datetime | None:
    """`today`: midnight of the day it is said, in the business timezone."""
    text = _NOT_TOMORROW.sub(" ", text)  # lunch, not tomorrow (غدا); breakfast, not tomorrow (завтра)
    for offset, words in DAYS:
        if has(words, text):
            return today + timedelta(days=offset)
    if match := _ISO_DATE.search(text):
        return _date(today, int(match["y"]), int(match["mo"]), int(match["d"]))
    if found := _month_day(text, today):
        return found
    if match := _DATE_NUMERIC.search(text):
        day, month = int(match["d"]), int(match["mo"])
        if match["y"]:
            return _date(today, int(match["y"]), month, day)
        found = _next_date(today, month, day)
        if found is not None and not _another_weekday(
            text[max(0, match.start() - 14) : match.start()], found
        ):
            return found  # "Monday 6.10" is a time on Monday, not 6 October (a Tuesday)
    if found := _weekday(text, today):
        return found
    if has(NEXT_WEEK, text):
        return today + timedelta(days=7 - today.weekday())  # next Monday
    if has(WEEKEND, text):
        return today + timedelta(days=(5 - today.weekday()) % 7)  # the coming Saturday (today, on one)
    if match := _DAY_OF_MONTH.search(text):
        return _next_day_of_month(today, int(next(d for d in match.group("d", "d2", "d3", "d4") if d)))
    return None
