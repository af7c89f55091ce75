"""When a client wants it, from the words they use: the day (days.py), times (20:00, 8pm, at seven, в семь
вечера, الساعة السابعة), parts of the day (Sunday morning → ~10:00), prayer times, and urgency (now, срочно,
فورا). Works on text already normalised by `intake.text.normalize`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from domain.intake.clock import words_to_digits
from domain.intake.days import n as _n
from domain.intake.days import read_day
from domain.intake.durations import days_from_now, minutes_from_now
from domain.intake.text import blank, has, normalize, re_compile
from domain.intake.time_words import (
    AM,
    EARLY,
    MEALS,
    MONTHS,
    NIGHT,
    PARTS,
    PM,
    SAME_TIME,
    URGENT,
)

_TIME = re.compile(
    r"(?:(?<![\d.,])(?P<h>[01]?\d|2[0-3])[:.](?P<m>[0-5]\d)(?!\d)"
    r"|(?:\bat|\baround|\bby|\bfrom|\bsay|\bв|\bк|\bоколо|الساعه)\s*(?P<h2>[01]?\d|2[0-3])(?![\d:%]|[.,]\d)"
    # "с 10 до 12", "с 9 утра": "с" with a count ("с 2 детьми") is not a time
    r"|\bс\s*(?P<h5>[01]?\d|2[0-3])(?=\s*(?:(?:до|по|-|час|утра|вечера|дня|ночи|завтра|сегодня)(?!\w)|$|[,.!?;)]))"
    r"|(?<![\d.,])(?P<h3>1[0-2]|0?[1-9])\s*(?:am|pm|a\.m|p\.m|o'?clock)\b"
    # an hour with its part of the day: "на 11 утра", "8 الصبح", "٧ المسا"
    r"|(?<![\d.,:])(?P<h4>1[0-2]|0?[1-9])\s+"
    r"(?=утра|вечера|дня|ночи|صباحا|مساء|الصبح|الصباح|المسا|الفجر|بالليل|الليل))",
    re.IGNORECASE,
)
# a time said of something else, beside the one asked for: "our flight is at 6am, transfer at 3am"
_OTHER_TIME = re.compile(
    r"(?:flight|plane|(?<!\w)fly|flying|рейс|вылет|летим|الطياره|طيارتنا|الرحله|رحلتنا|نطير)(?:(?![,.;!?]).){0,30}$"
)
_AM_PM_NEXT = r"\s*(?:am|pm|a\.m|p\.m|утра|вечера|дня|ночи|صباحا|مساء)(?!\w)"


@dataclass(frozen=True, slots=True)
class When:
    at: datetime | None = None
    time_known: bool = False
    approximate: bool = False  # a part of the day, not an hour that was said
    urgent: bool = False
    past: bool = False  # the day (and time) said is already behind us: kept, and to be confirmed
    unsure: bool = False  # a time was said but which one is unclear ("7 or 8"): the card asks, never guesses
    open_hour: bool = False  # "Friday at 7:30": nothing said settles a.m. or p.m. (the service may)
    meal: bool = False  # the hour is a meal's ("lunch on Tuesday"), not one that was said
    day_said: bool = False  # a day was said (or a time from now): "at 7pm" alone is of whatever day is meant


# reads a prayer or daylight time ("after Maghrib", "بعد صلاة الجمعة") on the day said, or the next to come
PrayerClock = Callable[[str, datetime | None, datetime], datetime | None]


@dataclass(frozen=True, slots=True)
class Clock:
    hour: int
    minute: int
    explicit: bool  # a 24-hour time or an am/pm word settled it
    night: bool = False  # 0-5 o'clock said of a night: the early morning after it


def _clock(text: str) -> Clock | None:
    noon = has(("noon", "midday", "полдень", "الظهر", "الظهيره"), text) and "بعد الظهر" not in text
    if noon and not _TIME.search(text):
        return Clock(12, 0, True)
    if has(("midnight", "полночь", "полуночи", "полночи", "منتصف الليل", "نص الليل", "نصف الليل"), text):
        return Clock(0, 0, True, night=True)
    found = _times(text)
    others = [m for m in found if _of_something_else(text, m)]
    match = next((m for m in found if m not in others), None) or next(iter(found), None)
    if not match:
        return None
    hour = int(match["h"] or match["h2"] or match["h3"] or match["h4"] or match["h5"])
    minute = int(match["m"] or 0)
    after = re.split(r"\d", text[match.end() : match.end() + 16], maxsplit=1)[0]  # up to the next number
    said = match.group(0)
    if (hour <= 5 or hour == 12) and "pm" not in said and has(NIGHT, text) and not has(_DAYTIME, after):
        return Clock(hour % 12, minute, True, night=True)  # "tonight at 2", "в 3 ночи", "الساعه 12 بالليل"
    early = has(EARLY, text[: match.end()] + after) and not has(
        PM, text
    )  # "from 11 to 3 at dawn": 23-03  # "بكرة الفجر الساعة اربع", "рано утром в 5"
    if ("am" in said or has(AM, after) or early) and hour <= 12:
        return Clock(hour % 12, minute, True)
    if hour in (11, 12) and after.lstrip().startswith("дня"):
        return Clock(hour, minute, True)  # "в 11 дня" is late morning, "в 3 дня" the afternoon
    if (
        "pm" in said
        or has(PM, after)
        or (has(PM, text) and (match["h2"] or match["h3"] or match["h4"] or match["h5"]))
    ):
        return Clock(hour % 12 + 12 if hour < 12 else hour, minute, True)
    return Clock(hour, minute, bool(match["h"] and hour >= 13) or hour == 0)


_DAYTIME = (
    "pm",
    "p.m",
    "afternoon",
    "evening",
    "дня",
    "вечера",
    "بعد الظهر",
    "عصرا",
    "العصر",
    "مساء",
    "المسا",
)
# two times offered ("at 7 or 8", "в 7 или в 8", "الساعه 7 او 8"): which one is not for intake to guess
_EITHER = re.compile(
    r"(?<![\d:])(?<!for )(?<!на )\d{1,2}(?::\d\d)?\s*(?:am|pm|h)?\s*(?:or|или|либо|او|ولا|اول)\s*"
    r"(?:at\s+|в\s+|الساعه\s+)?\d{1,2}(?![\d/.])"
    # "a table for 2 or 3 people", "2 or 3 nights": a count, not two times
    r"(?!\s*(?:people|persons|guests|pax|adults|kids|children|nights?|days?|hours?|rooms?|cars?|человек\w*"
    r"|гост\w*|ноч\w*|дн\w*|час\w*|номер\w*|машин\w*|شخص|اشخاص|ليال|ليله|ايام|ساع))"
)


_MONTH_NEXT = re.compile(
    r"\s*(?:st|nd|rd|th|-?го)?\s*(?:of\s+)?(?:"
    + "|".join(re.escape(normalize(n.rstrip("*"))) for names in MONTHS for n in names)
    + ")"
)


_NIGHT_OF = re.compile(r"(?:в\s+)?ночь\s+с\s+(\w+)\s+на\s+\w+")
_MONTH_WORDS = "|".join(re.escape(normalize(n.rstrip("*"))) for names in MONTHS for n in names)
# a stay from one day to another: "с 1 по 4 декабря", "from the 3rd to the 6th of December", "3-6 декабря"
_RANGE = re_compile(
    r"(?:(?<!\w)с\s+(?P<ru>[0-3]?\d)(?:-?го)?\s+по\s+[0-3]?\d(?:-?го|-?е)?(?!\d)"
    r"|(?<!\w)(?:from|من|с)\s+(?:the\s+)?(?P<d>[0-3]?\d)(?:-?го|st|nd|rd|th)?\s+(?:to|till|until|الى|لين|до)\s+"
    rf"(?:the\s+)?[0-3]?\d(?:-?го|st|nd|rd|th)?(?=\s*(?:of\s+)?(?:{_MONTH_WORDS}))"
    rf"|(?<![\d:.])(?P<d2>[0-3]?\d)\s*[-–]\s*[0-3]?\d(?=\s*(?:{_MONTH_WORDS})))"
)
# a day corrected as it is said: "on Friday - sorry, Thursday", "в субботу, ой нет, в воскресенье"
_CORRECTION = re_compile(
    r"(?<!\w)(?:sorry|i mean|i meant|oops|no wait|wait no|scratch that"
    r"|ой нет|ой|точнее|вернее|нет,|اقصد|قصدي|اسف|لا لا)(?!\w)"
)
# the new day or time follows these: "перенесите ее на понедельник", "8ayroh lel ethnain", "خليها ست ونص"
_MOVED = re_compile(
    r"(?<!\w)(?:перенес\w*|перенос\w*|move\w*|make it|change it to|(?:can|could) it(?: be)?|лучше)(?!\w)"
    r"|(?<![\u0600-\u06ff])(?:خليها|خلوه|خلوها|خلها|غيروه|غيروها|نخليها|حوله|حولوه)(?![\u0600-\u06ff])"
)
_NO_DIGITS = str.maketrans("0123456789", "          ")


def _last(regex: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = list(regex.finditer(text))
    return found[-1] if found else None


_MOVING = re.compile(
    r"перенес|(?<!\w)(?:move|moving|change|resched|push|let's do|lets do|make it|can it be|could it be)"
)
# in a move, the hour it moves to: "push dinner to 9", "let's do 8", "перенесите на 9"
_MOVED_TO = re.compile(
    r"(?<!\w)(?:to|на|do|it|be)\s+(?P<h>[01]?\d|2[0-3])(?![\d:./,]|\s*(?:people|guests|человек|гост))"
)
_MOVED_FROM = re.compile(r"(?<=\s)(?:с|from)\s+\S+(?=\s+(?:на|to)\s)")


def _times(text: str) -> list[re.Match[str]]:
    return [m for m in _TIME.finditer(text) if not _a_date(text, m) and not _nights(text, m)]


def _of_something_else(text: str, match: re.Match[str]) -> bool:
    return _OTHER_TIME.search(text[max(0, match.start() - 40) : match.start()]) is not None


def _nights(text: str, match: re.Match[str]) -> bool:
    """ "на 2 ночи", "номер на двоих, 2 ночи" is two nights (a stay), not 2 a.m.; "на 3 дня" three days."""
    return (
        bool(match["h4"])
        and text[: match.start()].rstrip().endswith((" на", ","))
        and text.startswith(("ноч", "дн"), match.end())
    )


def _a_date(text: str, match: re.Match[str]) -> bool:
    """'12.12' after 'on', 'на', 'يوم' is a date, not a time (a time written with a dot follows 'at', 'в')."""
    said = match.group(0)
    if match["h2"] and _MONTH_NEXT.match(text, match.end()):
        return True  # "с 3 декабря", "from 10 december": a day of a month
    if "." not in said or not match["h"] or re.match(_AM_PM_NEXT, text[match.end() :]):
        return False  # "7.30pm" is a time
    if not 1 <= int(match["m"]) <= 12:
        return False  # "19.30", "19.00" cannot be a day and a month
    before = text[max(0, match.start() - 6) : match.start()]
    return not re.search(r"(?:\bat|\bв|\bк|\bby|الساعه)\s*$", before)


def _part_of_day(text: str) -> int | None:
    for hour, words in PARTS:
        if re.search("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in _n(words)), text):  # no plural
            return hour
    return None


def read_when(text: str, now: datetime, prayer: PrayerClock | None = None) -> When:
    """`text` normalised; `now` in the business timezone; `prayer` reads "after Maghrib" on a day."""
    text = _NIGHT_OF.sub(r"ночью \1", words_to_digits(text))  # "в ночь с воскресенья на понедельник"
    text = _RANGE.sub(lambda found: f" {found['ru'] or found['d'] or found['d2']} ", text)  # its first day
    if _MOVING.search(text):
        text = _MOVED_FROM.sub(" ", text)  # "перенесите с часу на полвторого": the time it moves to
        text = _MOVED_TO.sub(lambda found: f" at {found['h']} ", text)
    urgent = has(URGENT, text)
    if (minutes := minutes_from_now(text)) is not None:  # counted in real minutes, across a clock change
        at = (now.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(now.tzinfo)
        return When(at.replace(second=0, microsecond=0), True, False, urgent, day_said=True)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    day = None
    if (days := days_from_now(text)) is not None:  # "in 3 days", "a week from today", "через 3 дня"
        span, offset = days
        day, text = today + timedelta(days=offset), blank(text, *span)
    corrected = _last(_CORRECTION, text) or _last(_MOVED, text)
    day = day or (corrected and read_day(text[corrected.end() :], today)) or read_day(text, today)
    if corrected and _TIME.search(text, corrected.end()):  # "at 7... sorry, make it 8pm": the time it became
        text = text[: corrected.start()].translate(_NO_DIGITS) + text[corrected.start() :]
    return replace(_on_the_day(text, now, day, urgent, prayer), day_said=day is not None)


def _on_the_day(
    text: str, now: datetime, day: datetime | None, urgent: bool, prayer: PrayerClock | None
) -> When:
    """The time, once the day (if one was said) is known."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if day is not None and has(SAME_TIME, text) and not _TIME.search(text):
        at = day.replace(hour=now.hour, minute=now.minute)  # "this time tomorrow"
        return When(at, True, False, urgent, _past(at, now))
    if _EITHER.search(text):  # "at 7 or 8": the day if one was said, and the time is asked
        return When(day, False, False, urgent, unsure=True)
    own = [m for m in _times(text) if not _of_something_else(text, m)]  # not "we fly at 9"
    if prayer is not None and not own and (said := prayer(text, day, now)) is not None:
        return When(said, True, True, urgent, _past(said, now))  # "after Maghrib": before "noon" is read
    clock = _clock(text)
    if clock is None:
        return _without_clock(text, now, day, urgent)
    if clock.night:
        base = day or today
        at = (base + timedelta(days=1)).replace(hour=clock.hour, minute=clock.minute)
        return When(at, True, False, urgent, _past(at, now))
    hour, minute, explicit = clock.hour, clock.minute, clock.explicit
    if not explicit and (meal := next((h for h, words in MEALS if has(words, text)), None)) is not None:
        hour, explicit = _at_meal(hour, meal), True  # dinner at 8 is 20:00, breakfast at 8 is 08:00
    if not explicit and 1 <= hour <= 6:
        hour += 12  # "at 3": afternoon, nobody books 3 a.m. like that
    if day is None or (day == today and not explicit):
        # "at 8", "today at 8": the next 8 o'clock to come, 8:00 or 20:00
        for candidate_hour in (hour,) if explicit or hour >= 12 else (hour, hour + 12):
            candidate = today.replace(hour=candidate_hour, minute=minute)
            if candidate > now:
                return When(candidate, True, False, urgent)
        if day is None:
            return When((today + timedelta(days=1)).replace(hour=hour, minute=minute), True, False, urgent)
    if not explicit and 7 <= hour <= 11 and has(PM, text):
        hour += 12
    at = day.replace(hour=hour, minute=minute)
    return When(at, True, False, urgent, _past(at, now), open_hour=not explicit and 7 <= hour <= 11)


def _at_meal(hour: int, meal: int) -> int:
    """An hour said of a meal: dinner at 8 is 20:00, lunch at 1 is 13:00, breakfast at 8 is 08:00."""
    if (meal >= 17 and hour < 12) or (meal == 13 and 1 <= hour <= 6):
        return hour + 12
    return hour


def _without_clock(text: str, now: datetime, day: datetime | None, urgent: bool) -> When:
    """No hour said: a part of the day or a meal gives a typical one, or only the day is known."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    part, meal = _part_of_day(text), False
    if part is None and day is not None:
        part = next((hour for hour, words in MEALS if has(words, text)), None)
        meal = part is not None
    if part is not None:
        at = (day or today).replace(hour=part)
        if day is None and at <= now:
            at += timedelta(days=1)  # "in the morning", said in the afternoon: tomorrow's
        return When(at, True, True, urgent, _past(at, now), meal=meal)
    if urgent and (day is None or day == today):  # "today, now": now
        return When(now.replace(second=0, microsecond=0), True, False, True)
    return When(day, False, False, urgent, day is not None and day.date() < now.date())


def _past(at: datetime, now: datetime) -> bool:
    return at < now.replace(second=0, microsecond=0)
