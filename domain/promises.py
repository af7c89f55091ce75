"""What the service promises about time, and how a broken promise climbs the ladder. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import InvalidValue


@dataclass(frozen=True, slots=True)
class Promises:
    first_response: timedelta = timedelta(minutes=15)
    first_response_vip: timedelta = timedelta(minutes=5)
    first_quote: timedelta = timedelta(minutes=60)

    def response(self, vip: bool) -> timedelta:
        return self.first_response_vip if vip else self.first_response


# The ladder of an unanswered client: at 1× the promise the assistant is reminded (their phone rings), at 2×
# the leads are told, at 3× the client goes to someone present. An away assistant is skipped at once.
REMIND, ESCALATE, REASSIGN = 1, 2, 3
QUOTE_REMINDER_BEFORE = timedelta(hours=3)  # an unpaid quote: one gentle reminder this long before it lapses
FULFILMENT_STEPS = (timedelta(hours=-2), timedelta(minutes=-30), timedelta(hours=6))  # reminders, overdue


def waited(since: datetime, now: datetime) -> str:
    """'47 min', '2 h 05 min' — for staff lines."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


# in English or in Russian, as an assistant writes it: "for 2h", "1h30m", "for 45 min"; "на 2 часа", "2ч 30м",
# "на 45 минут"; "until 18:00", "до 18:00"
_HOURS = r"(?:h(?:ours?|rs?)?|ч(?:ас(?:а|ов)?)?\.?)"
_MINUTES = r"(?:m(?:in(?:utes?)?)?|м(?:ин(?:ут[аыу]?)?)?\.?)"
_FOR = re.compile(
    rf"^(?:(?:for|на)\s+)?(?:(\d{{1,3}}(?:[.,]\d)?)\s*{_HOURS})?\s*(?:(\d{{1,4}})\s*{_MINUTES})?$"
)  # (hours with a decimal: "1,5 часа", "1.5h")
# a span said in words: "на полчаса", "for half an hour", "полтора часа"
_SPANS = {
    30: r"(?:на\s+)?пол\s?часа|(?:for\s+)?half\s+an\s+hour",
    90: r"(?:на\s+)?полтора\s+часа|(?:for\s+)?an?\s+hour\s+and\s+a\s+half",
}
_UNTIL = re.compile(r"^(?:until|till|до)\s+(\d{1,2})[:.](\d{2})$")


def away_until(args: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """'/away' args → when they are back: '' → None (until /back), 'for 2h', 'for 1h30m', '45m',
    'until 18:00' (business time; tomorrow when already past), or the same in Russian ('на 2 часа',
    'до 18:00'). Nonsense is an InvalidValue."""
    text = args.strip().lower()
    if not text:
        return None
    if match := _UNTIL.match(text):
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise InvalidValue(f"“{args.strip()}” is not a time of day", key="time-of-day", text=args.strip())
        local = now.astimezone(tz)
        moment = datetime.combine(local.date(), time(hour, minute), tz)
        return moment if moment > local else moment + timedelta(days=1)
    if re.fullmatch(r"(?:на\s+)?час", text):  # (an hour, said without its number)
        return now + timedelta(hours=1)
    if said := next((minutes for minutes, words in _SPANS.items() if re.fullmatch(words, text)), None):
        return now + timedelta(minutes=said)
    match = _FOR.match(text)
    if match and (match[1] or match[2]):
        span = timedelta(hours=float((match[1] or "0").replace(",", ".")), minutes=int(match[2] or 0))
        if timedelta(0) < span <= timedelta(days=30):
            return now + span
    raise InvalidValue(
        f"Write /away, /away for 2h, /away for 45m or /away until 18:00 (not “{args.strip()}”).",
        key="away",
        text=args.strip(),
    )
