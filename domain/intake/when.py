"""When a client wants it, from the words they use: days (tomorrow, next Friday, 3rd of December, this
weekend), times (20:00, 8pm, at seven, в семь вечера, الساعة السابعة), parts of the day (Sunday morning →
~10:00), and urgency (now, срочно, فورا). Works on text already normalised by `intake_text.normalize`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from domain.intake.text import has, normalize, pattern

WORD_HOURS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12,
    "час": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7, "восемь": 8, "девять": 9,
    "десять": 10, "одиннадцать": 11, "двенадцать": 12,
    "الحاديه عشره": 11, "الثانيه عشره": 12, "الواحده": 1, "الثانيه": 2, "الثالثه": 3, "الرابعه": 4,
    "الخامسه": 5, "السادسه": 6, "السابعه": 7, "الثامنه": 8, "التاسعه": 9, "العاشره": 10,
}  # fmt: skip
_EN_WORDS = "|".join(w for w in WORD_HOURS if w.isascii())
_RU_WORDS = "|".join(w for w in WORD_HOURS if re.match("[а-я]", w))
_AR_WORDS = "|".join(w for w in WORD_HOURS if re.match("[\u0600-\u06ff]", w))
# "at seven" is a time when what follows is not a name ("at Four Seasons")
_EN_AFTER = (
    r"\s*(?:$|[,.!?;)]|o'?clock|am\b|pm\b|a\.m|p\.m|tonight|today|tomorrow|in\b|on\b|this\b|sharp"
    r"|please|pls|and\b|to\b|from\b|at\b|for\b|with\b|thanks)"
)
_WORD_TIME = (
    (re.compile(rf"(?<!\w)half past ({_EN_WORDS})(?!\w)"), lambda m: f"at {WORD_HOURS[m[1]]}:30"),
    (
        re.compile(rf"(?<!\w)(at|around|by|about) ({_EN_WORDS})(?!\w)(?={_EN_AFTER})"),
        lambda m: f"{m[1]} {WORD_HOURS[m[2]]}",
    ),
    (
        re.compile(rf"(?<!\w)({_EN_WORDS}) ?(o'?clock|am|pm|a\.m|p\.m)"),
        lambda m: f"at {WORD_HOURS[m[1]]}{m[2]}",
    ),
    (re.compile(rf"(?<!\w)(в|к|около) ({_RU_WORDS})(?!\w)"), lambda m: f"{m[1]} {WORD_HOURS[m[2]]}"),
    (re.compile(rf"الساعه ({_AR_WORDS})"), lambda m: f"الساعه {WORD_HOURS[m[1]]}"),
)

_TIME = re.compile(
    r"(?:(?<![\d.,])(?P<h>[01]?\d|2[0-3])[:.](?P<m>[0-5]\d)(?!\d)"
    r"|(?:\bat|\baround|\bby|\bfrom|\bв|\bк|\bс|\bоколо|الساعه|الساعة)\s*(?P<h2>[01]?\d|2[0-3])(?![\d:.,%])"
    r"|(?<![\d.,])(?P<h3>1[0-2]|0?[1-9])\s*(?:am|pm|a\.m|p\.m|o'?clock)\b)",
    re.IGNORECASE,
)
_IN = re.compile(
    r"(?:\bin|через|بعد)\s+(?P<n>\d+)\s*(?P<u>hours?|hrs?|h\b|час\w*|ساعات|ساعه|minutes?|mins?|минут\w*|دقيقه|دقائق)"
)
# "in half an hour", "через час", "بعد نص ساعة": minutes from now
_IN_WORDS = (
    (re.compile(r"\bin\s+(?:half\s+an|a\s+half)\s+hour|через\s+полчаса|بعد\s+(?:نص|نصف)\s+ساعه"), 30),
    (re.compile(r"\bin\s+an?\s+hour\b|через\s+час(?!\w)|بعد\s+ساعه(?![\u0600-\u06ff])"), 60),
)
_AM_PM_NEXT = r"\s*(?:am|pm|a\.m|p\.m|утра|вечера|дня|ночи|صباحا|مساء)(?!\w)"
_DATE_NUMERIC = re.compile(
    rf"(?<![\d:])(?P<d>[0-3]?\d)[./](?P<mo>[01]?\d)(?:[./](?P<y>\d{{4}}))?(?![\d:])(?!{_AM_PM_NEXT})"
)
# a day of this month (or the next, once it is past): "on the 15th", "15-го", "15 числа", "يوم 15"
_DAY_OF_MONTH = re.compile(
    r"(?<![\d:.])(?:(?P<d>[0-3]?\d)(?:st|nd|rd|th)(?!\w)(?!\s+(?:floor|anniversary|birthday|row|century))"
    r"|(?P<d2>[0-3]?\d)(?:-?(?:го|е|ое|му))?\s+числа|(?P<d3>[0-3]?\d)-(?:го|е|ое|му)(?!\w))"
    r"|يوم\s+(?P<d4>[0-3]?\d)(?![\d:.])"
)
_ISO_DATE = re.compile(r"\b(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})\b")

DAYS = (
    (2, ("day after tomorrow", "the day after tomorrow", "послезавтра", "بعد غد", "بعد بكره", "بعد بكرا")),
    (1, ("tomorrow", "tmrw", "tmr", "завтра", "غدا", "بكره", "بكرا")),
    (0, ("today", "tonight", "this evening", "this afternoon", "this morning", "сегодня", "этим вечером",
         "اليوم", "الليله", "هذا المساء", "مساء اليوم", "هذه الليله")),
)  # fmt: skip
WEEKDAYS = (
    ("monday", "mon", "понедельник*", "الاثنين", "اثنين"),
    ("tuesday", "tue", "tues", "вторник*", "الثلاثاء", "ثلاثاء"),
    ("wednesday", "wed", "сред*", "الاربعاء", "اربعاء"),
    ("thursday", "thu", "thurs", "четверг*", "الخميس", "خميس"),
    ("friday", "fri", "пятниц*", "الجمعه", "جمعه"),
    ("saturday", "sat", "суббот*", "السبت", "سبت"),
    ("sunday", "sun", "воскресень*", "الاحد", "احد"),
)
NEXT = ("next", "следующ*", "القادم", "القادمه", "الجاي", "الجايه")
WEEKEND = ("weekend", "выходны*", "نهايه الاسبوع", "الويكند", "عطله نهايه الاسبوع")
NEXT_WEEK = ("next week", "на следующей неделе", "следующей неделе", "الاسبوع القادم", "الاسبوع الجاي")
MONTHS = (
    ("january", "jan", "январ*", "يناير"),
    ("february", "feb", "феврал*", "فبراير"),
    ("march", "марта", "март", "مارس"),
    ("april", "apr", "апрел*", "ابريل"),
    ("may", "мая", "май", "مايو"),
    ("june", "jun", "июн*", "يونيو"),
    ("july", "jul", "июл*", "يوليو"),
    ("august", "aug", "август*", "اغسطس"),
    ("september", "sept", "sep", "сентябр*", "سبتمبر"),
    ("october", "oct", "октябр*", "اكتوبر"),
    ("november", "nov", "ноябр*", "نوفمبر"),
    ("december", "dec", "декабр*", "ديسمبر"),
)
# parts of the day → a typical hour (shown as approximate)
PARTS = (
    (10, ("morning", "утром", "утра", "с утра", "صباحا", "الصباح", "صباح", "الصبح")),
    (15, ("afternoon", "днем", "после обеда", "بعد الظهر", "العصر", "عصرا")),
    (19, ("evening", "tonight", "вечером", "вечер", "вечера", "مساء", "المساء", "الليله", "مساءا")),
    (22, ("night", "at night", "ночью", "ليلا", "بالليل", "الليل")),
)
PM = ("pm", "p.m", "evening", "afternoon", "tonight", "night", "дня", "вечера", "вечером", "ночи",
      "ظهرا", "بعد الظهر", "مساء", "مساءا", "ليلا", "الليله", "العصر")  # fmt: skip
AM = ("am", "a.m", "morning", "утра", "утром", "صباحا", "الصباح", "صباح")
URGENT = ("now", "right now", "right away", "asap", "as soon as possible", "urgent*", "immediately",
          "срочн*", "сейчас", "немедленно", "как можно скорее", "прямо сейчас",
          "الان", "الحين", "حالا", "فورا", "عاجل", "بسرعه", "ضروري", "في اسرع وقت")  # fmt: skip


@dataclass(frozen=True, slots=True)
class When:
    at: datetime | None = None
    time_known: bool = False
    approximate: bool = False  # a part of the day, not an hour that was said
    urgent: bool = False
    past: bool = False  # the day (and time) said is already behind us: kept, and to be confirmed


@cache
def _n(words: tuple[str, ...]) -> tuple[str, ...]:
    """Keywords in the normal form of the text (a stem keeps its '*')."""
    return tuple(normalize(w.rstrip("*")) + ("*" if w.endswith("*") else "") for w in words)


def _words_to_digits(text: str) -> str:
    for regex, replace in _WORD_TIME:
        text = regex.sub(replace, text)
    return text


def _weekday(text: str, today: datetime) -> datetime | None:
    for weekday, names in enumerate(WEEKDAYS):
        found = pattern(_n(names)).search(text)
        if not found:
            continue
        ahead = (weekday - today.weekday()) % 7 or 7  # the coming one (a week on, if it is today)
        around = text[max(0, found.start() - 14) : found.end() + 14]
        if has(_n(("next", "следующ*")), around) and not has(_n(("this",)), around):
            # "next Friday": next week's (the coming one when that is already next week)
            monday_next = 7 - today.weekday()
            return today + timedelta(days=ahead if ahead >= monday_next else ahead + 7)
        return today + timedelta(days=ahead)
    return None


def _month_day(text: str, today: datetime) -> datetime | None:
    for number, names in enumerate(MONTHS, start=1):
        for name in _n(names):
            stem = re.escape(name.rstrip("*")) + (r"\w*" if name.endswith("*") else r"(?!\w)")
            found = re.search(
                rf"(?<!\d)(?P<d>[0-3]?\d)\s*(?:st|nd|rd|th|-?го|-?е)?\s+(?:of\s+)?{stem}"
                rf"|(?<!\w){stem}\s+(?:the\s+)?(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)",
                text,
            )
            if found:
                candidate = today.replace(month=number, day=int(found["d"] or found["d2"]))
                return (
                    candidate if candidate.date() >= today.date() else candidate.replace(year=today.year + 1)
                )
    return None


def _day(text: str, today: datetime) -> datetime | None:
    text = text.replace("غداء", " ")  # lunch, not tomorrow (غدا)
    for offset, words in DAYS:
        if has(_n(words), text):
            return today + timedelta(days=offset)
    if match := _ISO_DATE.search(text):
        return today.replace(year=int(match["y"]), month=int(match["mo"]), day=int(match["d"]))
    if found := _month_day(text, today):
        return found
    if match := _DATE_NUMERIC.search(text):
        day, month = int(match["d"]), int(match["mo"])
        if 1 <= day <= 31 and 1 <= month <= 12:
            year = int(match["y"]) if match["y"] else today.year
            candidate = today.replace(year=year, month=month, day=day)
            keep = match["y"] or candidate.date() >= today.date()
            return candidate if keep else candidate.replace(year=year + 1)
    if found := _weekday(text, today):
        return found
    if has(_n(NEXT_WEEK), text):
        return today + timedelta(days=7 - today.weekday())  # next Monday
    if has(_n(WEEKEND), text):
        return today + timedelta(days=(5 - today.weekday()) % 7)  # the coming Saturday (today, on one)
    if match := _DAY_OF_MONTH.search(text):
        day = int(next(d for d in match.group("d", "d2", "d3", "d4") if d))
        if day < today.day:  # already past this month: the next month's
            today = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        return today.replace(day=day)
    return None


def _clock(text: str) -> tuple[int, int, bool] | None:
    """(hour, minute, explicit): explicit when a 24-hour time or an am/pm word settled it."""
    noon = has(_n(("noon", "midday", "полдень", "الظهر", "الظهيره")), text) and "بعد الظهر" not in text
    if noon and not _TIME.search(text):
        return 12, 0, True
    if has(_n(("midnight", "полночь", "منتصف الليل")), text):
        return 0, 0, True
    match = next((m for m in _TIME.finditer(text) if not _a_date(text, m)), None)
    if not match:
        return None
    hour = int(match["h"] or match["h2"] or match["h3"])
    minute = int(match["m"] or 0)
    after = text[match.end() : match.end() + 16]
    said = match.group(0)
    if ("am" in said or has(_n(AM), after)) and hour <= 12:
        return hour % 12, minute, True
    if "pm" in said or has(_n(PM), after) or (has(_n(PM), text) and (match["h2"] or match["h3"])):
        return (hour % 12 + 12 if hour < 12 else hour), minute, True
    return hour, minute, bool(match["h"] and hour >= 13) or hour == 0


_MONTH_NEXT = re.compile(
    r"\s*(?:st|nd|rd|th|-?го)?\s*(?:of\s+)?(?:"
    + "|".join(re.escape(normalize(n.rstrip("*"))) for names in MONTHS for n in names if len(n) > 3)
    + ")"
)


def _a_date(text: str, match: re.Match[str]) -> bool:
    """'12.12' after 'on', 'на', 'يوم' is a date, not a time (a time written with a dot follows 'at', 'в')."""
    said = match.group(0)
    if match["h2"] and _MONTH_NEXT.match(text, match.end()):
        return True  # "с 3 декабря", "from 10 december": a day of a month
    if "." not in said or not match["h"] or re.match(_AM_PM_NEXT, text[match.end() :]):
        return False  # "7.30pm" is a time
    before = text[max(0, match.start() - 6) : match.start()]
    return not re.search(r"(?:\bat|\bв|\bк|\bby|الساعه)\s*$", before)


def _part_of_day(text: str) -> int | None:
    for hour, words in PARTS:
        if re.search("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in _n(words)), text):  # no plural
            return hour
    return None


def read_when(text: str, now: datetime) -> When:
    """`text` normalised; `now` in the business timezone."""
    text = _words_to_digits(text)
    urgent = has(_n(URGENT), text)
    minutes = next((m for regex, m in _IN_WORDS if regex.search(text)), None)
    if match := _IN.search(text):
        minutes = int(match["n"]) * (60 if match["u"][0] in "hчس" else 1)
    if minutes is not None:
        return When((now + timedelta(minutes=minutes)).replace(second=0, microsecond=0), True, False, urgent)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        day = _day(text, today)
    except ValueError:  # 31 February
        day = None
    clock = _clock(text)
    if clock is None:
        part = _part_of_day(text)
        if part is not None:
            base = day or today
            at = base.replace(hour=part)
            if day is None and at <= now:
                at += timedelta(days=1)  # "in the morning", said in the afternoon: tomorrow's
            return When(at, True, True, urgent, _past(at, now))
        if urgent and day is None:
            return When(now.replace(second=0, microsecond=0), True, False, True)
        return When(day, False, False, urgent, day is not None and day.date() < now.date())
    hour, minute, explicit = clock
    if not explicit and 1 <= hour <= 6:
        hour += 12  # "at 3": afternoon, nobody books 3 a.m. like that
    if day is None:
        # "at 8": the next 8 o'clock to come, 8:00 or 20:00
        for candidate_hour in (hour,) if explicit or hour >= 12 else (hour, hour + 12):
            candidate = today.replace(hour=candidate_hour, minute=minute)
            if candidate > now:
                return When(candidate, True, False, urgent)
        return When((today + timedelta(days=1)).replace(hour=hour, minute=minute), True, False, urgent)
    if not explicit and 7 <= hour <= 11 and has(_n(PM), text):
        hour += 12
    at = day.replace(hour=hour, minute=minute)
    return When(at, True, False, urgent, _past(at, now))


def _past(at: datetime, now: datetime) -> bool:
    return at < now.replace(second=0, microsecond=0)
