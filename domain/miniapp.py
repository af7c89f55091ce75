"""The client's identity in the Mini App, as Telegram signs it (`initData`, a query string): validated on
every request as Telegram documents it — `data_check_string` is every field but `hash` as `key=value`, sorted
by key, joined with "\\n"; `secret_key = HMAC-SHA256(key="WebAppData", msg=bot_token)`; the data is
Telegram's when `hex(HMAC-SHA256(key=secret_key, msg=data_check_string)) == hash` — and then only while
`auth_date` is fresh. Pure: the sandbox and the tests sign with `sign`, the same function backwards."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from domain.errors import DomainError

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
    if not hmac.compare_digest(expected, given):
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
