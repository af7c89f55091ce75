"""The request lifecycle of DESIGN.md as a transition table."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import InvalidTransition


class RequestState(StrEnum):
    NEW = "new"
    QUOTED = "quoted"
    PAID = "paid"
    IN_PROGRESS = "in_progress"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


S = RequestState

OPEN_STATES = frozenset({S.NEW, S.QUOTED, S.PAID, S.IN_PROGRESS})

# quoted → quoted is a revision of the quote (a new version); every open state may be cancelled;
# a refund follows money received: paid, fulfilled, or a paid request that was then cancelled.
TRANSITIONS: dict[RequestState, frozenset[RequestState]] = {
    S.NEW: frozenset({S.QUOTED, S.CANCELLED}),
    S.QUOTED: frozenset({S.QUOTED, S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.IN_PROGRESS, S.CANCELLED, S.REFUNDED}),
    S.IN_PROGRESS: frozenset({S.FULFILLED, S.CANCELLED}),
    S.FULFILLED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset(),
}


def can_transition(current: RequestState, target: RequestState) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: RequestState, target: RequestState) -> None:
    if not can_transition(current, target):
        raise InvalidTransition(current.value, target.value)
