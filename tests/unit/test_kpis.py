"""The team's figures from a hand-built day of events, against values computed by hand."""

import argparse
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.cli_report import render, window
from domain.errors import InvalidValue
from domain.events import Actor, ActorKind, Event, EventType
from domain.kpis import fold, period
from domain.promises import Promises, away_until
from engine.clock.kpis import Row, lines

D0 = datetime(2026, 11, 20, tzinfo=UTC)
A1, A2 = "A-9001", "A-9002"


def at(hours: float) -> datetime:
    return D0 + timedelta(hours=hours)


def ev(stream: str, kind: EventType, when: datetime, actor: tuple[str, str], **data) -> Event:
    return Event(stream, 1, kind, when, Actor(ActorKind(actor[0]), actor[1]), f"c{when}{kind}", data)


def client(cid: str) -> tuple[str, str]:
    return ("client", cid)


def staff(aid: str) -> tuple[str, str]:
    return ("assistant", aid)


SYSTEM = ("system", "concierge")
PROVIDER = ("provider", "cloudpayments")


def money(minor: int) -> dict:
    return {"minor": minor, "currency": "RUB"}


def day() -> list[Event]:
    return [
        ev("client:C1", EventType.CLIENT_ASSIGNED, at(-30), SYSTEM, assistant_id=A1),  # long before
        ev("client:C2", EventType.CLIENT_ASSIGNED, at(-1), SYSTEM, assistant_id=A2),
        ev("client:C2", EventType.CLIENT_TAGGED, at(-1), SYSTEM, tags=["vip"]),
        ev("client:C3", EventType.CLIENT_ASSIGNED, at(-1), SYSTEM, assistant_id=A1),
        ev("client:C4", EventType.CLIENT_ASSIGNED, at(-1), SYSTEM, assistant_id=A2),
        # C1 answered in 10 min: a promise kept
        ev("conversation:C1", EventType.MESSAGE_RECEIVED, at(10), client("C1")),
        ev("conversation:C1", EventType.STAFF_MESSAGE_SENT, at(10 + 1 / 6), staff(A1)),
        # C2 (VIP, 5 min promised) answered in 20: broken, and escalated
        ev("conversation:C2", EventType.MESSAGE_RECEIVED, at(11), client("C2")),
        ev("request:R2", EventType.REQUEST_OPENED, at(11), client("C2"), client_id="C2"),
        ev("conversation:C2", EventType.RESPONSE_OVERDUE, at(11 + 1 / 6), SYSTEM, step=2, assistant_id=A2),
        ev("conversation:C2", EventType.STAFF_MESSAGE_SENT, at(11 + 1 / 3), staff(A2)),
        ev("request:R2", EventType.REQUEST_QUOTED, at(11.5), staff(A2)),
        ev("request:R2", EventType.REQUEST_QUOTED, at(11 + 2 / 3), staff(A2)),  # revised, never paid
        # C1 again: answered by a quote after 30 min (broken); paid, fulfilled, rated 4, partly refunded
        ev("conversation:C1", EventType.MESSAGE_RECEIVED, at(12), client("C1")),
        ev("conversation:C1", EventType.MESSAGE_RECEIVED, at(12.1), client("C1")),  # still the same wait
        ev("request:R1", EventType.REQUEST_OPENED, at(12), client("C1"), client_id="C1"),
        ev("request:R1", EventType.REQUEST_QUOTED, at(12.5), staff(A1)),
        ev("request:R1", EventType.REQUEST_PAID, at(13), PROVIDER, payment={"amount": money(4_500_000)}),
        ev("request:R1", EventType.REQUEST_FULFILLED, at(14), staff(A1)),
        ev("request:R1", EventType.REQUEST_RATED, at(14 + 1 / 6), client("C1"), score=4),
        ev("request:R1", EventType.REQUEST_REFUNDED, at(15), staff(A1), refund={"amount": money(100_000)}),
        # a command is not a message to answer; C4 is left waiting past the promise; C3's falls due tomorrow
        ev("conversation:C4", EventType.MESSAGE_RECEIVED, at(19), client("C4"), command="start"),
        ev("conversation:C4", EventType.MESSAGE_RECEIVED, at(20), client("C4")),
        ev("conversation:C3", EventType.MESSAGE_RECEIVED, at(23 + 5 / 6), client("C3")),
        ev("conversation:C1", EventType.MESSAGE_RECEIVED, at(25), client("C1")),  # after the period
        ev("conversation:C1", EventType.STAFF_MESSAGE_SENT, at(25.1), staff(A1)),
    ]


def test_a_hand_built_day() -> None:
    figures = fold(day(), at(0), at(24), Promises())
    assert figures[A1] == {
        "clients": 1,
        "requests": 1,
        "first_response_p50_s": 1200,  # 600 and 1800
        "first_response_p90_s": 1680,
        "promises_kept_pct": 50,
        "promises_due": 2,
        "first_quote_p50_s": 1800,
        "quotes_sent": 1,
        "conversion_pct": 100,
        "revenue": {"RUB": 4_500_000},
        "refunds": {"RUB": 100_000},
        "refund_count": 1,
        "net_revenue": {"RUB": 4_400_000},  # what was paid, less the part refunded
        "csat_avg": 4.0,
        "csat_count": 1,
        "escalations": 0,
        "margin": {},  # (no quote said its cost)
        "margin_pct": None,
        "costed": 0,
        "payments": 1,
    }
    assert figures[A2] == {
        "clients": 1,
        "requests": 1,
        "first_response_p50_s": 1200,
        "first_response_p90_s": 1200,
        "promises_kept_pct": 0,
        "promises_due": 2,  # C2 answered late, C4 never
        "first_quote_p50_s": 1800,
        "quotes_sent": 2,
        "conversion_pct": 0,
        "revenue": {},
        "refunds": {},
        "refund_count": 0,
        "net_revenue": {},
        "csat_avg": None,
        "csat_count": 0,
        "escalations": 1,
        "margin": {},
        "margin_pct": None,
        "costed": 0,
        "payments": 0,
    }
    assert set(figures) == {A1, A2}


def test_the_same_events_give_the_same_figures_and_a_later_period_its_own() -> None:
    assert fold(day(), at(0), at(24), Promises()) == fold(list(day()), at(0), at(24), Promises())
    later = fold(day(), at(24), at(48), Promises())
    assert later[A1]["first_response_p50_s"] == 360 and later[A1]["promises_due"] == 2  # C3 broken, C1 kept
    assert later[A1]["promises_kept_pct"] == 50


def test_report_formats_and_periods() -> None:
    figures = fold(day(), at(0), at(24), Promises())
    rows = [Row(A1, "Anna", figures[A1]), Row(A2, "Omar", figures[A2])]
    table = render(rows, "table", at(0), at(24))
    assert "Anna" in table and "RUB\u00a045,000" in table and "50%" in table
    parsed = json.loads(render(rows, "json", at(0), at(24)))
    assert parsed["assistants"][0]["revenue"] == {"RUB": 4_500_000}
    csv_text = render(rows, "csv", at(0), at(24))
    assert csv_text.splitlines()[0].startswith("assistant,clients,requests,first_response_p50_s")
    anna, omar = csv.DictReader(io.StringIO(csv_text))
    money = ("currency", "revenue", "refunds", "net_revenue")
    assert [anna[k] for k in money] == ["RUB", "45000.00", "1000.00", "44000.00"]  # decimal, not minor units
    assert [omar[k] for k in money] == ["", "", "", ""] and omar["quotes_sent"] == "2"
    assert lines(rows)[0] == "👤 Anna"
    assert period("24h", at(24)) == (at(0), at(24))
    with pytest.raises(InvalidValue):
        period("forever", at(0))
    moscow = ZoneInfo("Europe/Moscow")
    days = argparse.Namespace(since=None, start="2026-11-01", end="2026-11-07")
    start, end = window(days, at(0), moscow)
    assert (start.isoformat(), end.isoformat()) == ("2026-11-01T00:00:00+03:00", "2026-11-08T00:00:00+03:00")
    with pytest.raises(InvalidValue):
        window(argparse.Namespace(since="7d", start="2026-11-01", end=None), at(0), moscow)


@pytest.mark.parametrize(
    ("said", "hours"),
    [
        ("7 дней", 7 * 24),
        ("7д", 7 * 24),
        ("24ч", 24),
        ("24 часа", 24),
        ("неделя", 7 * 24),
        ("сутки", 24),
        ("7 days", 7 * 24),
        ("week", 7 * 24),
        ("2w", 14 * 24),
        ("30 days", 30 * 24),
        ("месяц", 30 * 24),
    ],
)
def test_a_period_is_read_as_assistants_write_it(said: str, hours: int) -> None:
    # "/stats 7 дней" was refused: "«7 дней» — это не период вроде 7d или 24h"
    assert period(said, at(24 * 40)) == (at(24 * 40 - hours), at(24 * 40))


def test_away_periods() -> None:
    moscow = ZoneInfo("Europe/Moscow")
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # 15:00 in Moscow
    assert away_until("", now, moscow) is None
    assert away_until("for 2h", now, moscow) == now + timedelta(hours=2)
    assert away_until("1h30m", now, moscow) == now + timedelta(minutes=90)
    assert away_until("for 45 min", now, moscow) == now + timedelta(minutes=45)
    assert away_until("until 18:00", now, moscow) == datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    assert away_until("until 09:30", now, moscow) == datetime(2026, 11, 21, 6, 30, tzinfo=UTC)  # tomorrow
    # in Russian, as a Russian-speaking assistant writes it (it was refused, and told the English forms)
    assert away_until("на 2 часа", now, moscow) == now + timedelta(hours=2)
    assert away_until("на 5 часов", now, moscow) == now + timedelta(hours=5)
    assert away_until("1ч30м", now, moscow) == now + timedelta(minutes=90)
    assert away_until("на 45 минут", now, moscow) == now + timedelta(minutes=45)
    assert away_until("2 ч. 15 мин.", now, moscow) == now + timedelta(minutes=135)
    assert away_until("До 18:00", now, moscow) == datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    assert away_until("на час", now, moscow) == now + timedelta(hours=1)  # (the commonest, with no number)
    assert away_until("на 21 минуту", now, moscow) == now + timedelta(minutes=21)
    # half an hour and an hour and a half, in words or with a decimal comma (they were refused)
    for said, minutes in (("на полчаса", 30), ("полтора часа", 90), ("на 1,5 часа", 90), ("1.5h", 90)):
        assert away_until(said, now, moscow) == now + timedelta(minutes=minutes), said
    assert away_until("for half an hour", now, moscow) == now + timedelta(minutes=30)
    for nonsense in ("for ever", "until 25:00", "for 0h", "for 900h", "на часок", "до завтра"):
        with pytest.raises(InvalidValue):
            away_until(nonsense, now, moscow)


def test_margin_counts_the_paid_quotes_cost_and_what_goes_back() -> None:
    """The cost of the quote that was paid (a revision replaces it); a refund cuts the margin, even of a
    payment before the period; a payment without a cost counts among the payments, not the margin."""
    events = [
        ev("request:R1", EventType.REQUEST_OPENED, at(1), client("C1"), client_id="C1"),
        ev("request:R1", EventType.REQUEST_QUOTED, at(2), staff(A1), cost=money(5_000_000)),
        ev("request:R1", EventType.REQUEST_QUOTED, at(3), staff(A1), cost=money(3_100_000)),  # revised
        ev("request:R1", EventType.REQUEST_PAID, at(4), PROVIDER, payment={"amount": money(4_500_000)}),
        ev("request:R2", EventType.REQUEST_OPENED, at(5), client("C2"), client_id="C2"),
        ev("request:R2", EventType.REQUEST_QUOTED, at(6), staff(A1)),  # no cost said
        ev("request:R2", EventType.REQUEST_PAID, at(7), PROVIDER, payment={"amount": money(1_000_000)}),
        ev("request:R1", EventType.REQUEST_REFUNDED, at(30), staff(A1), refund={"amount": money(500_000)}),
    ]
    first = fold(events, at(0), at(24), Promises())[A1]
    assert first["margin"] == {"RUB": 1_400_000} and first["margin_pct"] == 31  # 14 000 of 45 000
    assert (first["costed"], first["payments"]) == (1, 2)
    later = fold(events, at(24), at(48), Promises())[A1]  # R1 was paid the day before
    assert later["margin"] == {"RUB": -500_000} and later["payments"] == 0 and later["margin_pct"] is None
