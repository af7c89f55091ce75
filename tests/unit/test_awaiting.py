"""One definition of a message that awaits an answer: the figures count exactly the waits the clock keeps
(engine/timers.py watches the types domain/awaiting.py names, and nothing else starts or stops a wait)."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.awaiting import TYPES, Wait, effect
from domain.events import Actor, ActorKind, Event, EventType
from domain.kpis import fold
from domain.promises import Promises
from engine.clock import timers

T0 = datetime(2026, 11, 20, 10, tzinfo=UTC)
A1 = "A-9001"


def ev(stream: str, kind: EventType, minutes: float, actor: Actor, **data) -> Event:
    return Event(stream, 1, kind, T0 + timedelta(minutes=minutes), actor, f"c{stream}{kind}{minutes}", data)


CLIENT = Actor(ActorKind.CLIENT, "C1")
ANNA = Actor(ActorKind.ASSISTANT, A1)
SYSTEM = Actor(ActorKind.SYSTEM, "concierge")
ASSIGNED = ev("client:C1", EventType.CLIENT_ASSIGNED, -60, SYSTEM, assistant_id=A1)
OPENED = ev("request:R1", EventType.REQUEST_OPENED, -50, CLIENT, client_id="C1")


def says(minutes: float, **data) -> Event:
    return ev("conversation:C1", EventType.MESSAGE_RECEIVED, minutes, CLIENT, **data)


def answers(minutes: float) -> Event:
    return ev("conversation:C1", EventType.STAFF_MESSAGE_SENT, minutes, ANNA)


# (the events after the client was assigned and their request opened, promises kept, promises due)
SEQUENCES = {
    "answered in time": ([says(0), answers(10)], 1, 1),
    "answered late": ([says(0), answers(20)], 0, 1),
    "a comment on a rating is no question": (
        [says(0), ev("request:R1", EventType.RATING_COMMENTED, 0, CLIENT, text="Lovely")],
        0,
        0,
    ),
    "a command awaits nothing": ([says(0, command="/start")], 0, 0),
    "a missed call waits like a message": ([ev("conversation:C1", EventType.CALL_MISSED, 0, CLIENT)], 0, 1),
    "a call answered is an answer": (
        [says(0), ev("conversation:C1", EventType.CALL_ANSWERED, 3, ANNA, seconds=60)],
        1,
        1,
    ),
    "a quote answers": ([says(0), ev("request:R1", EventType.REQUEST_QUOTED, 5, ANNA)], 1, 1),
    "closed at once: nothing was due": (
        [says(0), ev("client:C1", EventType.CONVERSATION_CLOSED, 2, ANNA)],
        0,
        0,
    ),
    "closed after the promise ran out: broken": (
        [says(0), ev("client:C1", EventType.CONVERSATION_CLOSED, 30, ANNA)],
        0,
        1,
    ),
    "still waiting past the promise: broken": ([says(0)], 0, 1),
}


@pytest.mark.parametrize("name", SEQUENCES)
def test_the_figures_count_the_waits_the_clock_keeps(name: str) -> None:
    events, kept, due = SEQUENCES[name]
    figures = fold([ASSIGNED, OPENED, *events], T0, T0 + timedelta(hours=1), Promises())
    anna = figures.get(A1, {"promises_kept_pct": None, "promises_due": 0})
    assert (anna["promises_kept_pct"], anna["promises_due"]) == (100 * kept // due if due else None, due)


def test_the_clock_watches_every_type_that_starts_or_ends_a_wait() -> None:
    assert {kind.value for kind in TYPES} <= set(timers.WATCHED)
    assert effect(says(0)) is Wait.STARTS and effect(says(0, command="/language")) is None
