"""Prayer and daylight times as clients say them: "after Maghrib", "بعد صلاة الجمعة", "before Isha", "at
sunrise", "после заката", read from the business place's real sun times on the day (domain.sun).

"after X" is X + 20 minutes (the prayer itself takes a while) rounded up to five minutes, "before X" is X - 30
minutes rounded down, "at X" is X rounded; after the Friday prayer (the sermon and the prayer) is Dhuhr + 45
minutes. All approximate: the card shows them as ~16:25."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.intake.text import normalize
from domain.intake.when import PrayerClock
from domain.sun import Place, PolarDayOrNight, PrayerTimes, prayer_times

# the time of day each is read from, and the words for it (normalised; Arabizi arrives in Arabic script)
NAMES = {
    "fajr": ("fajr", "fajer", "dawn prayer", "صلاه الفجر", "صلاه الصبح", "الفجر", "фаджр", "фаджра",
             "фаджром", "фаджре"),
    "sunrise": ("sunrise", "الشروق", "شروق الشمس", "восход", "восхода", "восходе", "восходом", "рассвет",
                "рассвета", "рассвете", "рассветом"),
    "dhuhr": ("dhuhr", "zuhr", "duhr", "thuhr", "zohr", "صلاه الظهر", "зухр", "зухра", "зухром", "зухре"),
    "asr": ("asr", "صلاه العصر", "العصر", "намаза аср", "намаз аср", "аср", "асра", "асром", "асре"),
    "maghrib": ("maghrib", "magrib", "maghreb", "sunset", "صلاه المغرب", "المغرب", "الغروب", "غروب الشمس",
                "закат", "заката", "закате", "закатом", "магриб", "магриба", "магрибом", "магрибе"),
    "isha": ("isha", "isha'a", "eesha", "صلاه العشاء", "صلاه العشا", "иша", "иши", "ишой", "намаза иша"),
    "jumuah": ("friday prayer", "friday prayers", "jummah", "jumma", "jumuah", "jumu'ah", "juma prayer",
               "صلاه الجمعه", "пятничной молитвы", "пятничная молитва", "джума-намаза", "джума намаза",
               "пятничного намаза", "пятничный намаз", "джума", "джумы"),
}  # fmt: skip
_AFTER = ("after", "بعد", "عقب", "после")
_BEFORE = ("before", "قبل", "до", "перед")
_AR = "\u0600-\u06ff"
_AT = ("at", "around", "by", "with", "مع", "عند", "وقت", "в", "на")
_RELATION = "|".join(re.escape(w) for w in (*_AFTER, *_BEFORE, *_AT))
_NAME = "|".join(
    f"(?P<{key}{i}>{re.escape(normalize(word))})"
    for key, words in NAMES.items()
    for i, word in enumerate(sorted(words, key=len, reverse=True))
)
# a bare name counts only where it cannot be something else: المغرب is also Morocco, so it needs "after" and
# the like; العصر and الفجر alone are times of day
_PRAYER = re.compile(
    rf"(?<![\w{_AR}])(?:(?P<rel>{_RELATION})\s+(?:the\s+|a\s+)?)?(?:prayer\s+|намаз\w*\s+)?(?:{_NAME})"
    rf"(?![\w{_AR}])"
)
# said alone, these are times of day in Arabic (العصر، الفجر); a Latin name ("Isha") may be a person
_BARE = ("العصر", "الفجر")
# the sun is never anything else: "watch the sunset from a boat", "نشوف الغروب", "встретить рассвет"
_SUN = tuple(
    normalize(w)
    for w in (
        "sunset",
        "sunrise",
        "الغروب",
        "غروب الشمس",
        "الشروق",
        "شروق الشمس",
        "закат",
        "рассвет",
        "восход",
    )
)


_MATCH = re.compile(r"مباراه|ماتش|منتخب|كاس|دوري|match|game")


def _round(at: datetime, how: str) -> datetime:
    minutes = at.hour * 60 + at.minute
    step = {"up": -(-minutes // 5) * 5, "down": minutes // 5 * 5, "near": (minutes + 2) // 5 * 5}[how]
    return at.replace(hour=0, minute=0) + timedelta(minutes=step)


def _moment(times: PrayerTimes, name: str, relation: str) -> datetime:
    if name == "jumuah":
        if relation in _AFTER:
            return _round(times.dhuhr + timedelta(minutes=45), "up")
        base = times.dhuhr
    else:
        base = getattr(times, name)
    if relation in _AFTER:
        return _round(base + timedelta(minutes=20), "up")
    if relation in _BEFORE:
        return _round(base - timedelta(minutes=30), "down")
    return _round(base, "near")


def prayer_clock(place: Place, tz: ZoneInfo) -> PrayerClock:
    def read(text: str, day: datetime | None, now: datetime) -> datetime | None:
        for match in _PRAYER.finditer(text):
            name = re.sub(r"\d+$", "", match.lastgroup or "")
            relation = match["rel"] or ""
            said = match.group(0)
            named = "صلاه" in said or any(w in text for w in ("prayer", "намаз", "salat"))
            if not relation and not named and not said.startswith(_BARE) and not said.startswith(_SUN):
                continue
            if relation == "مع" and name == "maghrib" and not named and _MATCH.search(text):
                continue  # "مباراة السعودية مع المغرب": Saudi Arabia against Morocco
            return _on_day(name, relation, day, now, place, tz)
        return None

    return read


def _on_day(
    name: str, relation: str, day: datetime | None, now: datetime, place: Place, tz: ZoneInfo
) -> datetime | None:
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    step = 7 if name == "jumuah" else 1  # the Friday prayer: the coming Friday's, or the next if it is over
    if day is None and name == "jumuah":
        today += timedelta(days=(4 - today.weekday()) % 7)
    for base in (day,) if day is not None else (today, today + timedelta(days=step)):
        try:
            at = _moment(prayer_times(base.date(), place, tz), name, relation)
        except PolarDayOrNight:
            return None
        if day is not None or at > now:
            return at
    return None
