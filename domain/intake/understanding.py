"""Free-form intake: what can be understood from a client's message in English, Arabic or Russian.

Rule-based and predictable on purpose: the assistant sees what was understood on the request card and corrects
it with /edit. A smarter extractor can replace `understand` behind the same signature."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from domain.errors import InvalidMoney
from domain.intake.category import category_of, names_a_service, service_starts
from domain.intake.places import NamedPlace, named_places
from domain.intake.prayer import prayer_clock
from domain.intake.prepare import in_script, lunch, ungreeted, unthanked, without_days_ruled_out
from domain.intake.text import (
    DIGITS,
    NOTHING,
    REQUEST_CUES,
    asks_for_something,
    has,
    is_small_talk,
    normalize,
    only_news,
    pattern,
    thanks_for_past,
)
from domain.intake.when import When, read_when
from domain.intake.words import (
    ALSO,
    AVAILABILITY,
    BUDGET_CUE,
    CURRENCIES,
    NUMBER_WORDS,
    QUESTION_START,
    REFERENCES,
    RESCHEDULE,
    Category,
)
from domain.money import Money
from domain.sun import MOSCOW, Place


@dataclass(frozen=True, slots=True)
class Understanding:
    category: Category = Category.OTHER
    when: datetime | None = None  # aware, in the business timezone
    time_known: bool = False  # False: only the day was said
    guests: int | None = None
    places: tuple[str, ...] = ()
    budget: Money | None = None
    extra: dict[str, str] = field(default_factory=dict)
    time_approx: bool = False  # a part of the day ("Sunday morning"): a typical hour, shown as ~10:00
    urgent: bool = False  # now, срочно, فورا
    time_past: bool = False  # the time said had already passed when it was said: the assistant confirms it
    time_unsure: bool = False  # a time was said but not which ("7 or 8"): the card asks rather than guesses
    asks: bool = field(
        default=False, compare=False
    )  # it asks for something: it may open a request (not kept)
    small_talk: bool = field(default=False, compare=False)  # thanks, yes, hello (not kept)
    # a question or an "also" with no day or time of its own (not kept): it may be about the open request
    follow_up: bool = field(default=False, compare=False)
    inquiry: bool = field(default=False, compare=False)  # a follow-up question that asks for nothing
    refers_to: frozenset[Category] = field(default=frozenset(), compare=False)  # "the table", "the car"
    moves: bool = field(default=False, compare=False)  # a new day or time for what is open ("Friday instead")
    day_said: bool = field(default=False, compare=False)  # "at 7pm" alone moves the hour, not the day
    # "cancel the table, we'll eat at the hotel": about what is open, for the assistant — nothing new asked,
    # nothing to add to a request (not kept)
    cancels: bool = field(default=False, compare=False)

    def to_data(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "when": self.when.isoformat() if self.when else None,
            "time_known": self.time_known,
            "guests": self.guests,
            "places": list(self.places),
            "budget": self.budget.to_data() if self.budget else None,
            "time_approx": self.time_approx,
            "urgent": self.urgent,
            "time_past": self.time_past,
            "time_unsure": self.time_unsure,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Understanding:
        return cls(
            Category(data.get("category") or "other"),
            datetime.fromisoformat(data["when"]) if data.get("when") else None,
            data.get("time_known", False),
            data.get("guests"),
            tuple(data.get("places") or ()),
            Money.from_data(data["budget"]) if data.get("budget") else None,
            time_approx=data.get("time_approx", False),
            urgent=data.get("urgent", False),
            time_past=data.get("time_past", False),
            time_unsure=data.get("time_unsure", False),
        )


_GUESTS = re.compile(
    r"(?:\bfor\s+(?P<a>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b"
    r"(?!\s*(?:hours?|days?|nights?|minutes?|mins?\b|weeks?|months?|years?|km|%|am|pm|:|o'?clock|jan|feb|mar|apr|may"
    r"|jun|jul|aug|sep|oct|nov|dec))"
    r"|(?P<b>\d{1,2})\s*(?:people|persons|guests|pax|adults|человек|персон|гост|чел\b|اشخاص|شخص|ضيوف|افراد)"
    r"|(?<!\w)на\s+(?P<c>\d{1,2}|двоих|троих|четверых|пятерых|шестерых)\b"
    # (a duration, a distance or a share is no party: "опоздал на 20 минут", "на 2 недели", "на 40 км")
    r"(?!\s*(?:час|дн|ноч|мин|сек|недел|месяц|год|лет|км|%|:|утра|вечера|марта|мая|июня|июля|январ|феврал|апрел"
    r"|август|сентябр|октябр|ноябр|декабр))"
    r"|(?:لـ|ل)\s*(?P<d>\d{1,2})\s*(?:اشخاص|شخص|ضيوف)"
    r"|(?P<e>شخصين)"
    # how many "we" are: "нас будет трое", "we'll be four", "there are 3 of us", "a party of 6", "نحن ثلاثه"
    r"|(?<!\w)нас\s+(?:будет\s+|было\s+)?(?P<f>\d{1,2}|двое|трое|четверо|пятеро|шестеро|семеро)(?!\w)"
    r"|\b(?:we\s+are|we'?re|we\s+will\s+be|we'?ll\s+be|there\s+(?:are|will\s+be)|party\s+of)\s+"
    r"(?P<g>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\b(?!\s*(?:hours?|days?|nights?|minutes?|km|am|pm|:))"
    r"|\b(?P<h>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\s+of\s+us\b"
    r"|(?<!\w)(?:نحن|سنكون|عددنا)\s+(?P<i>\d{1,2}|اثنين|اثنان|ثلاثه|اربعه|خمسه|سته|سبعه)(?!\w)"
    # a count in words before "people", with or without "for" (ل): "لأربعة أشخاص", "خمسة اشخاص", "لخمس اشخاص"
    r"|(?<!\w)ل?(?P<j>اثنين|ثلاث|ثلاثه|اربع|اربعه|خمس|خمسه|ست|سته|سبع|سبعه|ثمان|ثمانيه|تسع|تسعه|عشر|عشره)"
    r"\s+(?:اشخاص|شخص|ضيوف|افراد)(?!\w))",
    re.IGNORECASE,
)
# an amount: digits, grouped by threes with a space or a comma ("50 000", "12,500"; "for 2, 15 000" is two),
# or thousands with a decimal comma ("1,5к": 1 500)
_AMOUNT = re.compile(
    r"(?P<pre>[$€₽])?\s*(?P<n>\d+,\d{1,2}(?=\s*(?:k|к|тыс|thousand|الف))"
    r"|(?:\d{1,3}(?:[\s,]\d{3})+(?!\d)|\d+)(?:\.\d+)?)\s*(?P<k>k|к|тыс|thousand|الف)?",
    re.I,
)
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")
# ten digits or more in one run ("+7 916 123 45 67", "+7 (916) 123-45-67", "+971 50 123 4567"): a phone
# number, unless grouped by threes as an amount is ("1 500 000 000")
_PHONE = re.compile(r"\+?\d(?:[\s\-().]{0,2}\d){9,}")
_AN_AMOUNT = r"(?:\d{1,3}(?:[\s,]\d{3})+|\d{3,9})(?:\.\d{1,2})?"
_AMOUNTS = re.compile(rf"{_AN_AMOUNT}(?:\s?[-–]\s?{_AN_AMOUNT})?")  # one, or a range ("50 000-70 000")


def _without_phones(text: str) -> str:
    """`text` with its phone numbers blanked out (the same length: positions in it stay those of `text`)."""
    return _PHONE.sub(lambda m: m[0] if _AMOUNTS.fullmatch(m[0]) else " " * len(m[0]), text)


_FROM_TO = re.compile(r"\b(?:from|to|at)\s+(?:the\s+)?(?P<p>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2})")


def _contains(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


_BUDGET_CUE = tuple(normalize(cue) for cue in BUDGET_CUE)


# Arabic counts as a party size reads them (normalized: ة → ه); the short forms only here, not in
# NUMBER_WORDS, where "ست" or "عشر" would be read as numbers in any other sense
_AR_COUNTS = {
    "ثلاث": 3,
    "اربع": 4,
    "خمس": 5,
    "ست": 6,
    "سبع": 7,
    "ثمان": 8,
    "ثمانيه": 8,
    "تسع": 9,
    "تسعه": 9,
    "عشر": 10,
    "عشره": 10,
}


def _guests(lowered: str) -> int | None:
    match = _GUESTS.search(lowered)
    if not match:
        return None
    raw = next(g for g in match.groups() if g)
    value = (NUMBER_WORDS.get(raw) or _AR_COUNTS.get(raw)) if not raw.isdigit() else int(raw)
    return value if value and 0 < value <= 99 else None


def _places(text: str, named: list[tuple[int, int, NamedPlace]]) -> tuple[str, ...]:
    found = [place.name for _, _, place in named]
    for match in _FROM_TO.finditer(text):
        place = match["p"].strip()
        if not named_places(f" {normalize(place)} "):
            found.append(place)
    return tuple(dict.fromkeys(found))


def _budget(lowered: str) -> Money | None:
    """The amount said with its currency or right after a budget cue ("budget 12500 rub", "до 50 000 руб",
    "بميزانية ٥٠٠٠ دولار"), not the first number of the message: "a table for 12 on the 14th at 20:30,
    budget 90000 rub" is RUB 90 000, never RUB 12."""
    found = next((code for code, marks in CURRENCIES if _contains(lowered, marks)), None)
    if found is None or not (_contains(lowered, _BUDGET_CUE) or any(s in lowered for s in "$€₽")):
        return None
    candidates: list[tuple[int, Decimal, str]] = []  # (0: said with its currency, 1: after a cue, 2: bare)
    for match in _AMOUNT.finditer(_without_phones(lowered)):
        decimal = match["k"] and _DECIMAL_COMMA.fullmatch(match["n"])
        digits = match["n"].replace(",", ".") if decimal else re.sub(r"[\s,]", "", match["n"])
        if (len(digits.split(".")[0]) < 2 and not match["k"]) or _part_of_a_time(lowered, match):
            continue
        before, after = lowered[: match.start()].rstrip(" :-—–"), lowered[match.end() :].lstrip(" .")
        said = next(
            (
                code
                for code, marks in CURRENCIES
                if match["pre"] == marks[0] or before.endswith(marks) or after.startswith(marks)
            ),
            None,
        )
        rank = 0 if said else 1 if _AFTER_A_CUE.search(before) else 2
        candidates.append((rank, Decimal(digits) * (1000 if match["k"] else 1), said or found))
    for _, amount, currency in sorted(candidates, key=lambda c: c[0]):  # (stable: the first of its kind)
        if amount >= 10:
            try:
                return Money.of(str(int(amount)), currency)
            except InvalidMoney:  # more than any amount may be: not a budget we can take in
                return None
    return None


# a budget cue as the words just before an amount ("budget", "up to", "до", "بميزانية")
_AFTER_A_CUE = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(cue.strip()) for cue in _BUDGET_CUE) + r")$")


def _part_of_a_time(text: str, match: re.Match[str]) -> bool:
    """ "20" or "30" of "20:30", "2026" of "14.12.2026": a clock or a day, not an amount."""
    start, end = match.span("n")
    return text[end : end + 1] == ":" or text[start - 1 : start] in (":", ".")


_QUESTION = re.compile(
    r"^\W*(?:(?:and|also|so|just curious|curious|btw|hi|hello|hey|привет|здравствуйте|а|и|ну"
    r"|و|السلام عليكم|مرحبا|هلا)\W+)?(?:"
    + "|".join(re.escape(normalize(w)) for w in QUESTION_START)
    + r")(?!\w)"
)
# the cues that ask, without the nouns that only name the booking being moved ("حجز سافا", "the reservation")
_NAMING = ("حجز*", "reservation*", "бронь", "заказ", "ترتيب", "شراء", "لو سمحت", "من فضلك", "please")
_ASKING = tuple(w for w in REQUEST_CUES if w not in _NAMING)
_NOT_ASKING = re.compile(r"(?<!\w)(?:bookings?|не надо|не нужн\w*|don'?t need|no need)(?!\w)")
_WEAK_MOVES = ("make it", "instead of", "а можно на", "давайте на")
# what is already booked is named as such: "the Turandot dinner", "our driver", "наш гид", "الحجز"
_BOOKED = re.compile(r"(?<!\w)(?:the|our|my|наш\w*|мо[йяеи]\w*|забронированн\w*)\s|الحجز|حجزنا|موعد")


# "is there a pharmacy that delivers tonight?" asks for one; "is there parking at the restaurant?" does not
# a cancelling verb, not the noun: "free cancellation" asks for a hotel that has it
CANCELS = ("cancel", "call off", "отмените", "отмени", "отменить", "отменим", "отменяем", "الغي", "الغوا",
           "نلغي", "تلغي", "كنسل", "كنسلوا", "كنسلي")  # fmt: skip
# what puts something in its place: "cancel the pool, better a Kremlin tour", "الغي العشا وبدله بسبا"
_INSTEAD = ("instead", "rather", "better", "лучше", "вместо", "взамен", "بدل*", "بدال*", "عوض*")
# where the words leading to a cancel in its clause begin ("i want to", "можете", "ابي": nothing asked)
_LEAD_START = re.compile(r"[,.;:!?\n،]|(?<!\w)(?:and|then|but|also|и|а|но|потом|ثم|بعدين)(?!\w)")


def _cancels_what_is_open(normalized: str) -> bool:
    """A cancellation of what is booked, with nothing else asked: "actually, cancel the table, we'll eat at
    the hotel", "отмените машину на завтра", "الغوا حجز المطعم" — not "cancel the car and book us a table"."""
    found = pattern(CANCELS).search(normalized)
    if found is None:
        return False
    before = normalized[: found.start()]
    start = max((m.end() for m in _LEAD_START.finditer(before)), default=0)
    lead = before[start:]
    if len(lead.split()) <= 4 and not names_a_service(lead):  # "could you please", "я хочу", "ابي"
        before = before[:start]
    rest = _NOT_ASKING.sub(" ", f"{before} {normalized[found.end() :]}")
    return not has(_ASKING, rest) and not has(_INSTEAD, rest)


_IS_THERE = re.compile(r"(?<!\w)(?:is there|are there|есть ли|а есть)\s+(?:(?:a|an|any|some|тут|здесь)\s+)?")


def _is_there_a_service(normalized: str) -> bool:
    said = _IS_THERE.search(normalized)
    return said is not None and any(0 <= start - said.end() <= 12 for start in service_starts(normalized))


_QUESTION_MARK = re.compile("[?؟]")
_CLAUSE = re.compile(r"[.!?;\n]|[^\w\s,'’]")  # a new sentence, or after an emoji: "وايد برد 🥶 هل ..."


def _asked_as_a_question(normalized: str) -> bool:
    """A question word opens the message or one of its sentences: "wayed bard 🥶 hal dayman kitha?"."""
    starts = [0, *(m.end() for m in _CLAUSE.finditer(normalized))]
    return any(_QUESTION.match(normalized[start:].strip()) for start in starts)


def _follow_up(text: str, normalized: str, when: When) -> tuple[bool, bool]:
    """(follow_up, inquiry): a question or an "also" without a day or time of its own; an inquiry asks for
    nothing ("is there parking near the restaurant?")."""
    asks = asks_for_something(text) or has(AVAILABILITY, normalized) or _is_there_a_service(normalized)
    if when.at is not None or when.urgent:  # a day or a time of its own: a question about it asks nothing
        inquiry = (
            _asked_as_a_question(ungreeted(normalized)) and _QUESTION_MARK.search(normalized) is not None
        )
        inquiry = inquiry and not asks
        return inquiry, inquiry
    question = "?" in normalized or _QUESTION.search(normalized.strip()) is not None
    return question or has(ALSO, normalized), question and not asks


_DAYTIME_MEALS = ("breakfast", "brunch", "lunch", "завтрак", "обед", "бранч", "فطور", "ريوق", "غداء", "الغدا")


def _in_the_evening(category: Category, normalized: str) -> bool:
    """Dinner, a show or a match at "7:30" is in the evening; breakfast, a car or a guide may be either."""
    return category is Category.EVENTS or (
        category is Category.DINING and not has(_DAYTIME_MEALS, normalized)
    )


def _moves_what_is_open(normalized: str, category: Category) -> bool:
    """A new day or time for what is booked, and nothing else asked: "can we do the 5th?", "перенесите ужин
    на пятницу", "ممكن نخلي موعد السبا يوم الاثنين"."""
    moved = pattern(RESCHEDULE)
    found = moved.search(normalized)
    if found is None or (category is Category.OTHER and names_a_service(normalized)):
        return False
    if re.match(r"\s+(?:a|an|another)\s", normalized[found.end() :]):
        return False  # "can we do a spa tomorrow?" asks for something new
    if (
        found.group(0).strip() in _WEAK_MOVES
        and not _BOOKED.search(normalized)
        and category is not Category.OTHER
    ):
        return (
            False  # "dinner for 2 at Nobu tomorrow, make it 8pm" is a new ask; "the dinner: make it 8" a move
        )
    before = re.sub(r"(?:can|could)\s+(?:you|we)\s+$", " ", normalized[: found.start()])  # "can you move it"
    rest = before + " " + normalized[found.end() :]
    rest = _NOT_ASKING.sub(" ", rest)  # "my spa booking" names it; "не надо машину на завтра" asks nothing
    return not has(_ASKING, rest)


def understand(text: str, now: datetime, timezone: ZoneInfo, place: Place = MOSCOW) -> Understanding:
    """`place`: where the business is, for the sun's times ("after Maghrib")."""
    local_now = now.astimezone(timezone)
    said, text = text, in_script(text)  # Arabic or Russian in Latin letters, in its own letters
    normalized = lunch(f" {normalize(text)} ")
    small_talk = is_small_talk(text) or thanks_for_past(text) or only_news(text)
    small_talk = small_talk or (has(NOTHING, normalized) and not service_starts(normalized))
    prayer = prayer_clock(place, timezone)
    # "good evening" is not a time; "not Monday, Sunday" is Sunday; "thanks for this morning" was
    reading = without_days_ruled_out(unthanked(ungreeted(normalized)))
    when = When() if small_talk else read_when(reading, local_now, prayer)
    named = named_places(normalized)
    category = Category.OTHER if small_talk else category_of(normalized, named)
    guests = _guests(normalized)
    places = _places(said.translate(DIGITS), named)
    asks = not small_talk and (
        asks_for_something(text)
        or category is not Category.OTHER
        or names_a_service(normalized)
        or (when.at is not None and bool(places))
    )
    if when.open_hour and when.at is not None and _in_the_evening(category, normalized):
        when = replace(when, at=when.at + timedelta(hours=12))  # "dinner on Friday at 7:30" is 19:30
    if category is Category.HOTEL and when.approximate and when.at is not None:  # a stay is by the night
        when = replace(when, at=when.at.replace(hour=0), time_known=False, approximate=False)
    follow_up, inquiry = _follow_up(text, normalized, when)
    moves = _moves_what_is_open(normalized, category)
    if moves:
        asks, follow_up = False, True  # "can we do the 5th?", "move the dinner to Friday": nothing new asked
        if when.meal and when.at is not None:  # the dinner keeps its hour: only the day moves
            when = replace(when, at=when.at.replace(hour=0), time_known=False, approximate=False, meal=False)
    if inquiry:  # "when does the driver arrive?", "is the Kremlin open on Mondays?": about, not for
        category, asks, when = Category.OTHER, False, When()
    cancels = not small_talk and not moves and _cancels_what_is_open(normalized)
    if cancels:  # for the assistant to cancel: nothing new, and nothing of it fills an open request
        return Understanding(Category.OTHER, None, False, None, (), None, follow_up=True, cancels=True)
    return Understanding(
        category,
        when.at,
        when.time_known,
        guests,
        places,
        _budget(normalized),
        time_approx=when.approximate,
        urgent=when.urgent,
        time_past=when.past,
        time_unsure=when.unsure,
        asks=asks,
        small_talk=small_talk,
        follow_up=follow_up,
        inquiry=inquiry,
        refers_to=frozenset(c for c, words in REFERENCES.items() if has(words, normalized)),
        moves=moves,
        day_said=when.day_said,
    )


def describes_new_need(message: Understanding, current: Understanding) -> bool:
    """Does a message about an open request clearly ask for something else? A question that asks for nothing,
    or an "also" that names what the open request is about, belongs to it."""
    if message.follow_up and (message.inquiry or current.category in message.refers_to):
        return False
    return (
        message.category is not Category.OTHER
        and current.category is not Category.OTHER
        and message.category is not current.category
    )
