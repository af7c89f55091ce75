"""Relative times in three languages: "in half an hour", "in an hour and a half", "in 2 hours", "через
полтора часа", "через пару часов", "через 20 минут", "بعد ساعتين", "بعد ساعة ونص", "بعد ربع ساعة". Works on
normalised text; answers the minutes from now, or None."""

from __future__ import annotations

import re

from domain.intake.clock import AR_HOURS, EN_HOURS, RU_HOURS

# how many, said in words (a duration's count, not a clock's hour)
COUNTS: dict[str, float] = {
    **{w: float(n) for w, n in EN_HOURS.items()},
    "a": 1, "an": 1, "a couple of": 2, "couple of": 2, "a couple": 2, "a few": 3, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty": 40, "forty five": 45, "forty-five": 45, "ninety": 90,
    "one and a half": 1.5, "an hour and a half": 1.5, "half an": 0.5, "a half": 0.5, "half": 0.5,
    "a quarter of an": 0.25, "quarter of an": 0.25, "a quarter": 0.25,
    **{w: float(n) for w, n in RU_HOURS.items() if w != "час"},
    "одну": 1, "две": 2, "пару": 2, "полтора": 1.5, "полторы": 1.5, "пятнадцать": 15, "двадцать": 20,
    "тридцать": 30, "сорок": 40, "сорок пять": 45, "четверть": 0.25, "пол": 0.5,
    **{w: float(n) for w, n in AR_HOURS.items() if not w.startswith("ال")},
    "ربع": 0.25, "نص": 0.5, "نصف": 0.5, "ثلث": 1 / 3, "عشرين": 20, "ثلاثين": 30, "اربعين": 40,
    "خمسطعش": 15, "ربع ساعه": 0.25,
}  # fmt: skip
_COUNT = "|".join(re.escape(w) for w in sorted(COUNTS, key=len, reverse=True))
# the unit, with what a dual or "and a half" adds: (minutes per count, a count the word itself carries)
_UNITS = (
    (r"hours?|hrs?|h(?!\w)|часа|часов|час|ч(?!\w)|ساعات|ساعه|ساعتين|ساعتان", 60),
    (r"minutes?|mins?|минуты|минут|минуту|мин(?!\w)|دقائق|دقايق|دقيقه|دقيقتين|دقيقتان", 1),
)
_EXTRA = {"and a half": 0.5, "с половиной": 0.5, "с четвертью": 0.25, "ونص": 0.5, "و نص": 0.5, "ونصف": 0.5,
          "وربع": 0.25, "و ربع": 0.25, "الا ربع": -0.25, "and a quarter": 0.25}  # fmt: skip
_ABOUT = r"(?:(?:like|about|around|approximately|roughly|примерно|около|где-то|حوالي|تقريبا)\s+)?"
_DURATION = re.compile(
    r"(?<!\w)(?P<by>in|within|через|спустя|بعد|خلال|عقب)\s+"
    + _ABOUT
    + rf"(?:(?P<n>\d+(?:[.,]\d+)?|{_COUNT})\s*(?:(?P<xi>and a half|and a quarter)\s+)?)?"  # "two and a half"
    rf"(?P<u>{'|'.join(f'(?:{u})' for u, _ in _UNITS)})(?![\w\u0600-\u06ff])"
    rf"(?:\s*(?P<x>{'|'.join(re.escape(x) for x in _EXTRA)}))?"
)
# "через полчаса", "in half an hour" and the like, written as one word or a fixed phrase
_FIXED = (
    (re.compile(r"(?<!\w)через\s+полчаса|(?<!\w)через\s+пол\s+часа"), 30),
    (re.compile(r"(?<!\w)через\s+четверть\s+часа"), 15),
    (re.compile(r"(?<!\w)in\s+(?:a\s+)?half\s+(?:an\s+)?hour"), 30),
    (re.compile(r"(?<!\w)in\s+an?\s+hour\s+and\s+a\s+half"), 90),
)


# "минут через двадцать", "часа через два": the count after the unit, said loosely
_INVERTED = re.compile(
    rf"(?<!\w)(?P<u>минут|часа|часов)\s+через\s+(?P<n>\d+|{_COUNT})(?!\w)"
    rf"|(?<!\w)через\s+(?P<u2>минут|часа|часов)\s+(?P<n2>\d+|{_COUNT})(?!\w)"  # "через часа два"
)


_TENS = {"пятнадцать": 15, "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50, "fifteen": 15,
         "twenty": 20, "thirty": 30, "forty": 40}  # fmt: skip
_HOUR_AND = re.compile(
    r"(?<!\w)(?:через\s+час|in\s+an\s+hour)\s+(?:и\s+|and\s+)?"
    rf"(?P<m>[1-5][05]|{'|'.join(_TENS)})(?:\s+мин\w*|\s+min\w*)?(?!\w)"
)


_FROM_NOW = re.compile(rf"(?<!\w)(?P<n>\d+|{_COUNT})\s+(?P<u>hours?|minutes?|mins?)\s+from\s+now(?!\w)")


def minutes_from_now(text: str) -> int | None:
    if said := _FROM_NOW.search(text):  # "two hours from now"
        count = float(said["n"]) if said["n"].isdigit() else COUNTS[said["n"]]
        return round(count * (60 if said["u"].startswith("hour") else 1))
    for regex, minutes in _FIXED:
        if regex.search(text):
            return minutes
    if said := _HOUR_AND.search(text):  # "через час пятнадцать", "in an hour twenty"
        past = said["m"]
        return 60 + (int(past) if past.isdigit() else _TENS[past])
    if said := _INVERTED.search(text):
        number, unit = said["n"] or said["n2"], said["u"] or said["u2"]
        count = float(number) if number.isdigit() else COUNTS[number]
        return round(count * (1 if unit == "минут" else 60))
    match = _DURATION.search(text)
    if match is None or (match["n"] is None and match["by"] in ("in", "within") and match["u"][0] in "hm"):
        return None  # "in hours" is not a time
    unit = next(per for pattern, per in _UNITS if re.fullmatch(pattern, match["u"]))
    raw = match["n"]
    count = 2.0 if match["u"].endswith(("تين", "تان")) else 1.0
    if raw is not None:
        count = float(raw.replace(",", ".")) if raw[0].isdigit() else COUNTS[raw]
    count += _EXTRA.get(match["x"] or "", 0.0) + _EXTRA.get(match["xi"] or "", 0.0)
    minutes = round(count * unit)
    return minutes if 0 < minutes <= 48 * 60 else None


# days and weeks: "in 3 days", "a week from today", "через неделю", "через 3 дня", "بعد ثلاث ايام"
_DAYS = re.compile(
    r"(?<!\w)(?:in|через|بعد|عقب)\s+" + _ABOUT + rf"(?:(?P<n>\d{{1,2}}|{_COUNT})\s*)?"
    r"(?P<u>days?|weeks?|дн\w*|день|недел\w*|ايام|يوم|يومين|اسبوع|اسبوعين)"
    r"(?![\w\u0600-\u06ff])"
    r"|(?<!\w)(?P<week>a|one)\s+week\s+from\s+(?:today|now)"
    rf"|(?<!\w)(?P<n2>\d{{1,2}}|{_COUNT})\s+(?P<u2>days?|weeks?)\s+from\s+(?:today|now)"
)


def days_from_now(text: str) -> tuple[tuple[int, int], int] | None:
    """Where the days are said, and how many."""
    match = _DAYS.search(text)
    if match is None:
        return None
    if match["week"]:
        return match.span(), 7
    unit, said = match["u"] or match["u2"], match["n"] or match["n2"]
    week = unit.startswith(("week", "недел", "اسبوع"))
    count = 2.0 if unit.endswith("ين") else 1.0
    if said is not None:
        count = float(said) if said.isdigit() else COUNTS[said]
    days = round(count * (7 if week else 1))
    return (match.span(), days) if 0 < days <= 365 else None
