"""The Mini App's initData, validated as Telegram documents it: signed with our bot's token, every field but
`hash` in the check, fresh; anything else refused with its reason and nothing of the person read."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

import pytest

from domain.miniapp import MAX_CHARS, NotTelegrams, Unusable, asked_of, sign, verify

TOKEN = "123456:ABC-our-bot"
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
LAYLA = {"id": 500000001, "first_name": "Layla", "language_code": "ar", "username": "layla_h"}


def fields(at: datetime = NOW, **more: str) -> dict[str, str]:
    return {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(LAYLA, ensure_ascii=False),
        "auth_date": str(int(at.timestamp())),
        "signature": "ed25519-signature-for-third-parties",  # (checked with the rest: every field but hash)
        **more,
    }


def refused(raw: str, **options) -> str:
    with pytest.raises(NotTelegrams) as caught:
        verify(raw, TOKEN, NOW, **options)
    return caught.value.key or ""


def test_telegrams_own_data_is_read() -> None:
    data = verify(sign(fields(start_param="R-1001"), TOKEN), TOKEN, NOW)
    assert data.user.id == 500000001 and data.user.first_name == "Layla" and data.user.language_code == "ar"
    assert data.auth_date == NOW and data.start_param == "R-1001"


def test_the_check_is_the_documented_one() -> None:
    """Computed here on its own: HMAC-SHA256 of the sorted key=value lines under HMAC("WebAppData", token)."""
    given = fields()
    check = "\n".join(f"{k}={v}" for k, v in sorted(given.items()))
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    assert verify(urlencode({**given, "hash": digest}), TOKEN, NOW).user.id == LAYLA["id"]


def test_forged_tampered_or_another_bots_data_is_refused() -> None:
    good = sign(fields(), TOKEN)
    pairs = dict(parse_qsl(good))
    assert refused(sign(fields(), "654321:another-bot")) == "miniapp-forged"
    tampered = urlencode(pairs | {"user": json.dumps(LAYLA | {"id": 1})})
    assert refused(tampered) == "miniapp-forged"
    assert refused(urlencode({k: v for k, v in pairs.items() if k != "hash"})) == "miniapp-forged"
    assert refused(urlencode({k: v for k, v in pairs.items() if k != "signature"})) == "miniapp-forged"


def test_stale_or_future_data_is_refused() -> None:
    assert refused(sign(fields(NOW - timedelta(hours=13)), TOKEN)) == "miniapp-stale"
    assert refused(sign(fields(NOW + timedelta(minutes=10)), TOKEN)) == "miniapp-stale"
    assert verify(sign(fields(NOW - timedelta(hours=11)), TOKEN), TOKEN, NOW).user.id == LAYLA["id"]
    assert (
        refused(sign(fields(NOW - timedelta(minutes=2)), TOKEN), fresh=timedelta(minutes=1))
        == "miniapp-stale"
    )


@pytest.mark.parametrize(
    "raw",
    ["", "x" * (MAX_CHARS + 1), "user=%FF&hash=1", "a=1&a=2&hash=0", "no-equals-sign"],
)
def test_malformed_data_is_refused_before_anything_is_read(raw: str) -> None:
    assert refused(raw) in ("miniapp-missing", "miniapp-malformed")


def test_signed_data_without_a_user_or_a_date_is_refused() -> None:
    no_user = {k: v for k, v in fields().items() if k != "user"}
    assert refused(sign(no_user, TOKEN)) == "miniapp-malformed"
    assert refused(sign(fields(user='{"first_name": "x"}'), TOKEN)) == "miniapp-malformed"
    assert refused(sign(fields(auth_date="yesterday"), TOKEN)) == "miniapp-malformed"


MOSCOW = ZoneInfo("Europe/Moscow")
LATE = datetime(2026, 12, 6, 19, 15, tzinfo=UTC)  # 22:15 in Moscow


def test_a_time_without_a_date_already_gone_by_today_is_tomorrows() -> None:
    """A table at 21:00 asked at 22:15 with no date is tomorrow's (it was refused as "a date past", a date
    the client never gave, every evening after the hour); a time still ahead is today's, and a time gone by
    on a date the client chose is refused."""
    asked = asked_of({"category": "dining", "time": "21:00"}, LATE, MOSCOW)
    assert asked.when == datetime(2026, 12, 7, 21, 0, tzinfo=MOSCOW)
    later = asked_of({"category": "dining", "time": "23:30"}, LATE, MOSCOW)
    assert later.when == datetime(2026, 12, 6, 23, 30, tzinfo=MOSCOW)
    just = asked_of({"category": "dining", "time": "22:12"}, LATE, MOSCOW)  # (within five minutes: now)
    assert just.when == datetime(2026, 12, 6, 22, 12, tzinfo=MOSCOW)
    with pytest.raises(Unusable) as caught:
        asked_of({"category": "dining", "date": "2026-12-06", "time": "21:00"}, LATE, MOSCOW)
    assert caught.value.key == "app-bad-when"


@pytest.mark.parametrize(
    ("typed", "minor", "currency"),
    [
        ("15.000", 1_500_000, "RUB"),  # (was read as 15 ₽)
        ("15 тыс", 1_500_000, "RUB"),
        ("15 тыс.", 1_500_000, "RUB"),
        ("15к", 1_500_000, "RUB"),
        ("1,5 млн", 150_000_000, "RUB"),
        ("15 000 ₽", 1_500_000, "RUB"),
        ("15000 руб", 1_500_000, "RUB"),
        ("15000р", 1_500_000, "RUB"),
        ("500 $", 50_000, "USD"),
        ("500 евро", 50_000, "EUR"),
    ],
)
def test_a_budget_typed_as_a_russian_client_types_it_is_read(typed: str, minor: int, currency: str) -> None:
    """Found by hand in the Russian page: '15 тыс', '15к' or '15 000 ₽' (which the chat reads) were refused as
    'not an amount', and '15.000' was silently taken as a budget of 15 ₽."""
    budget = asked_of({"category": "dining", "budget": typed, "currency": "RUB"}, LATE, MOSCOW).budget
    assert budget is not None and (budget.minor, budget.currency) == (minor, currency)


@pytest.mark.parametrize("typed", ["1,5", "lots", "15 apples", "15 тыс тыс"])
def test_a_budget_that_is_no_amount_is_still_refused(typed: str) -> None:
    with pytest.raises(Unusable) as caught:
        asked_of({"category": "dining", "budget": typed}, LATE, MOSCOW)
    assert caught.value.key == "app-bad-budget"
