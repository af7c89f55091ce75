"""Free-form intake: what can be understood from a client's message in English, Arabic or Russian.

Rule-based and predictable on purpose: the assistant sees what was understood on the request card and corrects
it with /edit. A smarter extractor can replace `understand` behind the same signature."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.intake_words import (
    AM,
    BUDGET_CUE,
    CURRENCIES,
    DAY_WORDS,
    DIGITS,
    KEYWORDS,
    MONTHS,
    NUMBER_WORDS,
    PLACES,
    PM,
    WEEKDAYS,
    Category,
)
from domain.money import Money


@dataclass(frozen=True, slots=True)
class Understanding:
    category: Category = Category.OTHER
    when: datetime | None = None  # aware, in the business timezone
    time_known: bool = False  # False: only the day was said
    guests: int | None = None
    places: tuple[str, ...] = ()
    budget: Money | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def to_data(self) -> dict:
        return {
            "category": self.category.value,
            "when": self.when.isoformat() if self.when else None,
            "time_known": self.time_known,
            "guests": self.guests,
            "places": list(self.places),
            "budget": self.budget.to_data() if self.budget else None,
        }

    @classmethod
    def from_data(cls, data: dict) -> Understanding:
        return cls(
            Category(data.get("category") or "other"),
            datetime.fromisoformat(data["when"]) if data.get("when") else None,
            data.get("time_known", False),
            data.get("guests"),
            tuple(data.get("places") or ()),
            Money.from_data(data["budget"]) if data.get("budget") else None,
        )


_TIME = re.compile(
    r"(?:(?<![\d.,])(?P<h>[01]?\d|2[0-3])[:.](?P<m>[0-5]\d)(?!\d)"
    r"|(?:\bat|\bв|الساعة|الساعه|\bк)\s*(?P<h2>[01]?\d|2[0-3])(?![\d:.,%])"
    r"|(?<![\d.,])(?P<h3>1[0-2]|0?[1-9])\s*(?:am|pm|a\.m|p\.m)\b)",
    re.IGNORECASE,
)
_IN_HOURS = re.compile(r"(?:\bin|через|بعد)\s+(?P<n>\d+)\s*(?:hours?|hrs?|час|часа|часов|ساعات|ساعة)", re.I)
_DATE_NUMERIC = re.compile(r"(?<![\d:])(?P<d>[0-3]?\d)[./](?P<mo>[01]?\d)(?:[./](?P<y>\d{4}))?(?![\d:])")
_ISO_DATE = re.compile(r"\b(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})\b")
_GUESTS = re.compile(
    r"(?:\bfor\s+(?P<a>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b(?!\s*(?:hours?|days?|nights?|am|pm|:))"
    r"|(?P<b>\d{1,2})\s*(?:people|persons|guests|pax|adults|человек|персон|гост|чел\b|أشخاص|شخص|ضيوف|أفراد)"
    r"|на\s+(?P<c>\d{1,2}|двоих|троих|четверых|пятерых|шестерых)\b(?!\s*(?:час|дн|ноч|:))"
    r"|(?:لـ|ل)\s*(?P<d>\d{1,2})\s*(?:أشخاص|اشخاص|شخص|ضيوف)"
    r"|(?P<e>شخصين))",
    re.IGNORECASE,
)
_AMOUNT = re.compile(r"(?P<pre>[$€₽])?\s*(?P<n>\d[\d\s,]*(?:\.\d+)?)\s*(?P<k>k|к|тыс|thousand|ألف)?", re.I)
_FROM_TO = re.compile(r"\b(?:from|to|at)\s+(?:the\s+)?(?P<p>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2})")


def _contains(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # Latin and Cyrillic words match at a word start ("джет" is not in "бюджет"); Arabic ones anywhere, since
    # Arabic attaches articles and prepositions to the word (بالسيارة)
    latin = [re.escape(w) for w in words if not re.search("[\u0600-\u06ff]", w)]
    arabic = [re.escape(w) for w in words if re.search("[\u0600-\u06ff]", w)]
    parts = ([rf"(?<!\w)(?:{'|'.join(latin)})"] if latin else []) + (
        [f"(?:{'|'.join(arabic)})"] if arabic else []
    )
    return re.compile("|".join(parts))


_CATEGORY_PATTERNS = {category: _pattern(words) for category, words in KEYWORDS.items()}


def _category(lowered: str) -> Category:
    """The category with the most keywords in the message; on a tie, the first in KEYWORDS."""
    best, best_hits = Category.OTHER, 0
    for category, pattern in _CATEGORY_PATTERNS.items():
        hits = len(pattern.findall(lowered))
        if hits > best_hits:
            best, best_hits = category, hits
    return best


def _day(lowered: str, today: datetime) -> datetime | None:
    days = lowered.replace("غداء", " ")  # lunch, not tomorrow (غدا)
    for offset, words in DAY_WORDS:
        if _contains(days, words):
            return today + timedelta(days=offset)
    if match := _ISO_DATE.search(lowered):
        return today.replace(year=int(match["y"]), month=int(match["mo"]), day=int(match["d"]))
    for number, names in enumerate(MONTHS, start=1):
        for name in names:
            found = re.search(
                rf"(?P<d>[0-3]?\d)\s*(?:th|st|nd|rd)?\s+(?:of\s+)?{name}|{name}\w*\s+(?P<d2>[0-3]?\d)\b",
                lowered,
            )
            if found:
                day = int(found["d"] or found["d2"])
                candidate = today.replace(month=number, day=day)
                return (
                    candidate if candidate.date() >= today.date() else candidate.replace(year=today.year + 1)
                )
    if match := _DATE_NUMERIC.search(lowered):
        day, month = int(match["d"]), int(match["mo"])
        if 1 <= day <= 31 and 1 <= month <= 12:
            year = int(match["y"]) if match["y"] else today.year
            candidate = today.replace(year=year, month=month, day=day)
            return (
                candidate
                if match["y"] or candidate.date() >= today.date()
                else candidate.replace(year=year + 1)
            )
    for weekday, names in enumerate(WEEKDAYS):
        if _contains(lowered, names):
            return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    return None


def _clock(lowered: str) -> tuple[int, int, bool] | None:
    """(hour, minute, explicit): explicit when a 24-hour time or an am/pm word settled it."""
    if any(w in lowered for w in ("noon", "полдень", "الظهر")):
        return 12, 0, True
    if any(w in lowered for w in ("midnight", "полночь", "منتصف الليل")):
        return 0, 0, True
    match = _TIME.search(lowered)
    if not match:
        return None
    hour = int(match["h"] or match["h2"] or match["h3"])
    minute = int(match["m"] or 0)
    after = lowered[match.end() : match.end() + 14]
    if _contains(lowered, PM) and hour < 12 and (match["h2"] or match["h3"] or _contains(after, PM)):
        return hour + 12, minute, True
    if _contains(after, AM) or "am" in match.group(0):
        return hour % 12, minute, True
    if "pm" in match.group(0):
        return hour % 12 + 12, minute, True
    return hour, minute, bool(match["h"] and hour >= 13) or hour == 0


def _when(lowered: str, now: datetime) -> tuple[datetime | None, bool]:
    if match := _IN_HOURS.search(lowered):
        return (now + timedelta(hours=int(match["n"]))).replace(second=0, microsecond=0), True
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        day = _day(lowered, today)
    except ValueError:  # 31 February
        day = None
    clock = _clock(lowered)
    if clock is None:
        return day, False
    hour, minute, explicit = clock
    if day is None:
        # "at 8": the next 8 o'clock to come, 8:00 or 20:00
        for candidate_hour in (hour,) if explicit or hour >= 12 else (hour, hour + 12):
            candidate = today.replace(hour=candidate_hour, minute=minute)
            if candidate > now:
                return candidate, True
        return (today + timedelta(days=1)).replace(hour=hour, minute=minute), True
    if not explicit and 1 <= hour <= 6:
        hour += 12  # "tomorrow at 3": afternoon, nobody books 3 a.m. like that
    return day.replace(hour=hour, minute=minute), True


def _guests(lowered: str) -> int | None:
    match = _GUESTS.search(lowered)
    if not match:
        return None
    raw = next(g for g in match.groups() if g)
    value = NUMBER_WORDS.get(raw) if not raw.isdigit() else int(raw)
    return value if value and 0 < value <= 99 else None


def _places(text: str, lowered: str) -> tuple[str, ...]:
    found = [name for name, spellings in PLACES.items() if _contains(lowered, spellings)]
    for match in _FROM_TO.finditer(text):
        place = match["p"].strip()
        if not any(place.lower() in s or s.strip() in place.lower() for n in found for s in PLACES[n]):
            found.append(place)
    return tuple(dict.fromkeys(found))


def _budget(lowered: str) -> Money | None:
    currency = next((code for code, marks in CURRENCIES if _contains(lowered, marks)), None)
    if currency is None or not (_contains(lowered, BUDGET_CUE) or any(s in lowered for s in "$€₽")):
        return None
    for match in _AMOUNT.finditer(lowered):
        digits = re.sub(r"[\s,]", "", match["n"])
        if not digits or (len(digits.split(".")[0]) < 2 and not match["k"]):
            continue
        amount = float(digits) * (1000 if match["k"] else 1)
        if amount >= 10:
            return Money.of(str(int(amount)), currency)
    return None


def understand(text: str, now: datetime, timezone: ZoneInfo) -> Understanding:
    local_now = now.astimezone(timezone)
    normalized = text.translate(DIGITS)
    lowered = f" {normalized.lower()} "
    when, time_known = _when(lowered, local_now)
    return Understanding(
        _category(lowered), when, time_known, _guests(lowered), _places(normalized, lowered), _budget(lowered)
    )


def describes_new_need(message: Understanding, current: Understanding) -> bool:
    """Does a message about an open request clearly ask for something else?"""
    return (
        message.category is not Category.OTHER
        and current.category is not Category.OTHER
        and message.category is not current.category
    )
