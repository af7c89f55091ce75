from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from domain.errors import InvalidTransition, InvalidValue
from domain.events import Actor, ActorKind, Event, EventType
from domain.lifecycle import TRANSITIONS, RequestState, can_transition, check_transition
from domain.money import Money
from domain.quotes import LineItem, Quote
from domain.requests import ServiceRequest

S = RequestState
ALLOWED = {
    (S.NEW, S.QUOTED),
    (S.NEW, S.CANCELLED),
    (S.QUOTED, S.QUOTED),
    (S.QUOTED, S.PAID),
    (S.QUOTED, S.CANCELLED),
    (S.PAID, S.IN_PROGRESS),
    (S.PAID, S.CANCELLED),
    (S.PAID, S.REFUNDED),
    (S.IN_PROGRESS, S.FULFILLED),
    (S.IN_PROGRESS, S.CANCELLED),
    (S.FULFILLED, S.REFUNDED),
    (S.CANCELLED, S.REFUNDED),
}
ALL_PAIRS = list(product(RequestState, RequestState))
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LINK = {"order_id": "ord1", "url": "https://pay.example/ord1", "number": 1}


def test_the_table_is_exactly_the_designed_one() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED
    assert set(TRANSITIONS) == set(RequestState)


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_transition(current: RequestState, target: RequestState) -> None:
    assert can_transition(current, target)
    check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), [p for p in ALL_PAIRS if p not in ALLOWED])
def test_forbidden_transition_raises_a_domain_error(current: RequestState, target: RequestState) -> None:
    assert not can_transition(current, target)
    with pytest.raises(InvalidTransition) as error:
        check_transition(current, target)
    assert error.value.current == current.value and error.value.target == target.value


def _event(seq: int, kind: EventType, data: dict) -> Event:
    return Event("request:R-1", seq, kind, NOW, Actor(ActorKind.ASSISTANT, "A-1"), f"c/{seq}", data)


def _quote(version: int = 1, amount: str = "45000") -> Quote:
    return Quote(
        version,
        (LineItem("Mercedes S-Class, 18:00–23:00", Money.of(amount, "RUB")),),
        "RUB",
        NOW + timedelta(hours=6),
    )


def _fold(*decisions) -> ServiceRequest:
    kind, data = ServiceRequest.open("R-1", "C-1", "A car tonight at 8")
    request = ServiceRequest.opened(_event(1, kind, data))
    for seq, decide in enumerate(decisions, start=2):
        kind, data = decide(request)
        request = request.apply(_event(seq, kind, data))
    return request


def test_a_request_walks_the_whole_happy_path() -> None:
    request = _fold(
        lambda r: r.quote_with(_quote(), LINK),
        lambda r: r.quote_with(_quote(version=2, amount="40000"), LINK),
        lambda r: r.pay(Money.of("40000", "RUB"), 1, "Visa •••• 1234", NOW, "RC-1"),
        lambda r: r.start(),
        lambda r: r.fulfil(),
    )
    assert request.state is S.FULFILLED
    assert request.quote is not None and request.quote.version == 2
    assert request.paid == Money.of("40000", "RUB")
    assert request.version == 6


def test_a_payment_must_match_the_live_quote() -> None:
    request = _fold(lambda r: r.quote_with(_quote(), LINK))
    with pytest.raises(InvalidValue):
        request.pay(Money.of("1", "RUB"), 1, None, NOW, "RC-1")


def test_a_quote_revision_must_be_the_next_version() -> None:
    request = _fold(lambda r: r.quote_with(_quote(), LINK))
    with pytest.raises(InvalidValue):
        request.quote_with(_quote(version=3), LINK)


def test_an_unpaid_cancelled_request_cannot_be_refunded() -> None:
    request = _fold(lambda r: r.cancel("changed plans"))
    with pytest.raises(InvalidTransition):
        request.refund_of(Money.of("1", "RUB"), 2, NOW, "RF-1")


def test_a_refund_cannot_exceed_what_was_paid() -> None:
    request = _fold(
        lambda r: r.quote_with(_quote(), LINK),
        lambda r: r.pay(Money.of("45000", "RUB"), 1, None, NOW, "RC-1"),
    )
    with pytest.raises(InvalidValue):
        request.refund_of(Money.of("45000.01", "RUB"), 2, NOW, "RF-1")
    kind, data = request.refund_of(Money.of("45000", "RUB"), 2, NOW, "RF-1")
    assert request.apply(_event(4, kind, data)).state is S.REFUNDED


def test_a_partial_refund_keeps_the_state_and_refunds_add_up_to_what_was_paid() -> None:
    request = _fold(
        lambda r: r.quote_with(_quote(), LINK),
        lambda r: r.pay(Money.of("45000", "RUB"), 1, None, NOW, "RC-1"),
        lambda r: r.refund_of(Money.of("5000", "RUB"), 2, NOW, "RF-1"),
    )
    assert request.state is S.PAID and request.partly_refunded
    assert request.refunded == Money.of("5000", "RUB") and request.refundable == Money.of("40000", "RUB")
    with pytest.raises(InvalidValue) as error:
        request.refund_of(Money.of("40000.01", "RUB"), 3, NOW, "RF-2")
    assert error.value.key == "refund-left" and error.value.params["left"] == Money.of("40000", "RUB")
    kind, data = request.refund_of(Money.of("40000", "RUB"), 3, NOW, "RF-2")
    done = request.apply(_event(5, kind, data))
    assert done.state is S.REFUNDED and not done.partly_refunded
    assert done.refunded == Money.of("45000", "RUB") and [r.receipt for r in done.refunds] == ["RF-1", "RF-2"]
    assert ServiceRequest.from_doc(done.to_doc()) == done


def test_applying_an_impossible_event_is_refused() -> None:
    request = _fold()
    with pytest.raises(InvalidTransition):
        request.apply(_event(2, EventType.REQUEST_FULFILLED, {}))
