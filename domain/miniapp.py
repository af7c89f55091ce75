"""The client's identity in the Mini App, as Telegram signs it (`initData`, a query string): validated on
every request as Telegram documents it — `data_check_string` is every field but `hash` as `key=value`, sorted
by key, joined with "\\n"; `secret_key = HMAC-SHA256(key="WebAppData", msg=bot_token)`; the data is
Telegram's when `hex(HMAC-SHA256(key=secret_key, msg=data_check_string)) == hash` — and then only while
`auth_date` is fresh. Pure: the sandbox and the tests sign with `sign`, the same function backwards."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from domain.errors import DomainError, InvalidMoney
from domain.intake.understanding import Understanding
from domain.intake.words import CURRENCIES, Category
from domain.money import SUPPORTED_CURRENCIES, Money

MAX_CHARS = 4096  # an initData string is a few hundred characters; more is not Telegram's
FRESH = timedelta(hours=12)  # a page open longer than this signs in again (Telegram re-opens it signed anew)
SKEW = timedelta(minutes=5)  # a clock this far ahead of ours is still believed


class NotTelegrams(DomainError):
    """initData that is missing, malformed, not signed with our bot's token, stale, or names no user (401)."""

    code = "not_telegrams"


@dataclass(frozen=True, slots=True)
class WebAppUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class InitData:
    user: WebAppUser
    auth_date: datetime
    query_id: str | None = None
    start_param: str | None = None


def _secret(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))


def sign(fields: dict[str, str], bot_token: str) -> str:
    """The initData Telegram would give a page for `fields` (the sandbox's stand-in for Telegram, tests)."""
    digest = hmac.new(_secret(bot_token), _check_string(fields).encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest})


def verify(raw: str, bot_token: str, now: datetime, fresh: timedelta = FRESH) -> InitData:
    """The signed data, or NotTelegrams with the reason (never the data itself: it names a person)."""
    if not raw or len(raw) > MAX_CHARS:
        raise NotTelegrams("initData is missing or too long", key="miniapp-missing")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise NotTelegrams("initData is not a query string", key="miniapp-malformed") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise NotTelegrams("initData names a field twice", key="miniapp-malformed")
    given = fields.pop("hash", "")
    expected = hmac.new(_secret(bot_token), _check_string(fields).encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), given.encode()):  # (bytes: any text compares)
        raise NotTelegrams("initData is not signed with this bot's token", key="miniapp-forged")
    try:
        auth_date = datetime.fromtimestamp(int(fields.get("auth_date", "")), UTC)
        user = json.loads(fields.get("user", ""))
        person = WebAppUser(
            int(user["id"]),
            str(user.get("first_name") or ""),
            user.get("last_name"),
            user.get("username"),
            user.get("language_code"),
        )
    except (ValueError, TypeError, KeyError, OverflowError, OSError):
        raise NotTelegrams("initData names no user", key="miniapp-malformed") from None
    if now - auth_date > fresh or auth_date - now > SKEW:
        raise NotTelegrams("initData is too old", key="miniapp-stale")
    return InitData(person, auth_date, fields.get("query_id"), fields.get("start_param"))


# ---- what the client sets and asks for in the app: checked here, before anything is recorded ----

CONTACTS = ("telegram", "whatsapp", "phone")  # how a client prefers to be reached
# the notes the team keeps about a client, one line each in their preferences (the console edits the same
# text): a line that starts with the mark is that note; any other line is kept as it is
NOTES = {"dietary": "🍽", "car": "🚗", "seating": "💺"}
NOTE_CHARS = 300
PLACE_CHARS = 200
ASK_CHARS = 1000
MAX_GUESTS = 500
AHEAD = timedelta(days=400)  # a date further out than this is a typo


class Unusable(DomainError):
    """A value in an app form that cannot be used (400, with the field it names)."""

    code = "app_unusable"


def notes_of(preferences: str) -> dict[str, str]:
    """{"dietary", "car", "seating", "other"} from the preferences text."""
    found = {name: "" for name in NOTES} | {"other": ""}
    other = []
    for line in preferences.splitlines():
        name = next((n for n, mark in NOTES.items() if line.startswith(mark)), None)
        if name is not None and not found[name]:
            found[name] = line.removeprefix(NOTES[name]).strip()
        elif line.strip():
            other.append(line)
    found["other"] = "\n".join(other)
    return found


def with_notes(preferences: str, notes: dict[str, str]) -> str:
    """The preferences text with these notes in place (an empty one removed), every other line kept."""
    kept = notes_of(preferences)["other"]
    lines = []
    for name, mark in NOTES.items():
        value = " ".join((notes.get(name) or "").split())
        if len(value) > NOTE_CHARS:
            raise Unusable(f"the {name} note is longer than {NOTE_CHARS} characters", key="app-too-long")
        if value:
            lines.append(f"{mark} {value}")
    return "\n".join([*lines, *([kept] if kept else [])])


def contact_of(value: str) -> str:
    if value not in CONTACTS:
        raise Unusable("preferred contact is telegram, whatsapp or phone", key="app-bad-contact")
    return value


EMAIL_CHARS = 254  # the longest address mail can carry (RFC 5321)
_EMAIL = re.compile(  # a local part, then a domain of dotted labels (an IDN's in its xn-- form)
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})"
)


def email_of(value: str) -> str | None:
    """The e-mail fiscal receipts go to (54-FZ): None when left empty; Unusable unless it has an address's
    shape (the receipt service refuses what is not one, and the receipt would reach no one)."""
    said = value.strip()
    if not said:
        return None
    if len(said) > EMAIL_CHARS or not _EMAIL.fullmatch(said):
        raise Unusable("the e-mail is not an address such as name@example.com", key="app-bad-email")
    return said


def quiet_of(start: str, end: str) -> tuple[int, int] | None:
    """Quiet hours from two "HH:00" (or empty) fields: None when both are empty."""
    if not start and not end:
        return None
    if not start or not end:
        raise Unusable("quiet hours need a start and an end", key="app-quiet-half")
    hours = []
    for said in (start, end):
        hour, _, minutes = said.partition(":")
        if not (hour.isascii() and hour.isdecimal()) or not 0 <= int(hour) <= 23 or minutes not in ("", "00"):
            raise Unusable("quiet hours are whole hours, 00:00 to 23:00", key="app-bad-quiet")
        hours.append(int(hour))
    if hours[0] == hours[1]:
        raise Unusable("quiet hours start and end at different hours", key="app-bad-quiet")
    return hours[0], hours[1]


def is_quiet(quiet: tuple[int, int] | None, hour: int) -> bool:
    """Whether `hour` falls in the quiet hours (which may run over midnight: 22 → 8)."""
    if quiet is None:
        return False
    start, end = quiet
    return start <= hour < end if start < end else hour >= start or hour < end


@dataclass(frozen=True, slots=True)
class Asked:
    """A request made with the app's form: what the intake would have read from a message, said exactly."""

    category: Category
    when: datetime | None  # aware, business time
    time_known: bool
    guests: int | None
    place: str
    budget: Money | None
    notes: str
    lines: dict[str, str] = field(default_factory=dict)  # the fields as said, for the client's words

    def understanding(self) -> Understanding:
        return Understanding(
            category=self.category,
            when=self.when,
            time_known=self.time_known,
            guests=self.guests,
            places=(self.place,) if self.place else (),
            budget=self.budget,
        )


def _one_line(form: dict[str, str], name: str, limit: int) -> str:
    value = " ".join((form.get(name) or "").split())
    if len(value) > limit:
        raise Unusable(f"{name} is longer than {limit} characters", key="app-too-long")
    return value


_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?")  # 15,000 · 1,500,000.50
_DOTTED = re.compile(r"\d{1,3}(?:\.\d{3})+")  # 15.000: thousands as Russians and Europeans group them
# 1500,50: a Russian keyboard's decimal key ('1,5' is not guessed at)
_DECIMAL_COMMA = re.compile(r"\d{3,},\d{1,2}")
# what follows the digits, as the chat reads it too: a multiplier ("15 тыс", "15к", "1,5 млн"), a currency
_SAID = re.compile(
    r"(?P<n>[\d\s.,\u066b\u066c]*\d)\s*(?:(?P<k>тыс|млн|thousand|million|k|к|الف|ألف)\.?)?\s*(?P<c>\D*)"
)
_SCALES = {"тыс": 1000, "thousand": 1000, "k": 1000, "к": 1000, "الف": 1000, "ألف": 1000}
_SCALES |= {"млн": 1_000_000, "million": 1_000_000}
_RUB_SHORT = ("р", "р.", "руб.")


def _amount(said: str) -> str:
    """An amount as people type it: thousands grouped by commas, dots or Arabic separators ('15,000',
    '15.000', '١٥٬٠٠٠'), a decimal comma ('1500,50'); spaces are Money's to drop."""
    plain = re.sub(r"[\s\u066c]", "", said).replace("\u066b", ".")
    if _GROUPED.fullmatch(plain):
        return plain.replace(",", "")
    if _DOTTED.fullmatch(plain):
        return plain.replace(".", "")
    if _DECIMAL_COMMA.fullmatch(plain):
        return plain.replace(",", ".")
    return plain


def _currency_named(mark: str) -> str | None:
    """The currency a mark names ("₽", "руб", "$", "евро"), None for no mark; Unusable for anything else."""
    mark = mark.strip().lower()
    if not mark:
        return None
    if mark in _RUB_SHORT:
        return "RUB"
    found = next((code for code, marks in CURRENCIES if any(mark.startswith(m) for m in marks)), None)
    if found is None:
        raise Unusable("the budget is not an amount", key="app-bad-budget")
    return found


def budget_of(said: str, currency: str) -> Money:
    """The budget as typed ('15 000', '15 тыс', '15к ₽', '$500', '1,5 млн'): a currency typed with the amount
    is the one meant, whatever the form's list still says."""
    text = said.strip()
    named = _currency_named(text[0]) if text[:1] in ("$", "€", "₽") else None
    if named:
        text = text[1:].strip()
    parts = _SAID.fullmatch(text)
    if parts is None:
        raise Unusable("the budget is not an amount", key="app-bad-budget")
    currency = _currency_named(parts["c"]) or named or currency
    try:
        if parts["k"]:
            number = Decimal(re.sub(r"[\s\u066c]", "", parts["n"]).replace(",", ".").replace("\u066b", "."))
            return Money.of(number * _SCALES[parts["k"].lower()], currency)
        return Money.of(_amount(parts["n"]), currency)
    except (InvalidMoney, InvalidOperation):
        raise Unusable("the budget is not an amount", key="app-bad-budget") from None


def asked_of(form: dict[str, str], now: datetime, tz: ZoneInfo) -> Asked:
    """The form's fields checked one by one; Unusable names the first that cannot be used."""
    try:
        category = Category(form.get("category") or "")
    except ValueError:
        raise Unusable("choose what the request is about", key="app-bad-category") from None
    day_said, time_said = (form.get("date") or "").strip(), (form.get("time") or "").strip()
    when = None
    if day_said or time_said:
        try:
            day = date.fromisoformat(day_said) if day_said else now.astimezone(tz).date()
            at = time.fromisoformat(time_said) if time_said else time(12, 0)
        except ValueError:
            raise Unusable("the date or time cannot be read", key="app-bad-when") from None
        when = datetime.combine(day, at.replace(second=0, microsecond=0), tz)
        today = now.astimezone(tz).date()
        if not day_said and when < now - timedelta(minutes=5):  # a time alone, gone by today: tomorrow's
            day += timedelta(days=1)
            when = datetime.combine(day, when.timetz().replace(tzinfo=None), tz)
        if day < today or when - now > AHEAD or (time_said and when < now - timedelta(minutes=5)):
            raise Unusable("the date is past or too far ahead", key="app-bad-when")
    guests_said = (form.get("guests") or "").strip()
    if guests_said and (not guests_said.isdecimal() or not 1 <= int(guests_said) <= MAX_GUESTS):
        raise Unusable(f"guests is a number from 1 to {MAX_GUESTS}", key="app-bad-guests")
    budget = None
    if amount := (form.get("budget") or "").strip():
        currency = (form.get("currency") or "RUB").strip()
        if currency not in SUPPORTED_CURRENCIES:
            raise Unusable("the budget's currency is RUB, USD, EUR or AED", key="app-bad-budget")
        budget = budget_of(amount, currency)
        if budget.minor <= 0:
            raise Unusable("the budget is not an amount", key="app-bad-budget")
    notes = (form.get("notes") or "").strip()
    if len(notes) > ASK_CHARS:
        raise Unusable(f"notes are longer than {ASK_CHARS} characters", key="app-too-long")
    place = _one_line(form, "place", PLACE_CHARS)
    if category is Category.OTHER and not notes:
        raise Unusable("say in the notes what you would like", key="app-say-what")
    return Asked(
        category,
        when,
        bool(time_said),
        int(guests_said) if guests_said else None,
        place,
        budget,
        notes,
    )
