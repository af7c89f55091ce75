"""One definition of "a message that awaits an answer", shared by the clock (engine/timers.py: it starts and
stops the first-response deadline) and the figures (domain/kpis.py: promises kept), so the two cannot
disagree about which waits there were. Pure."""

from __future__ import annotations

from enum import Enum

from domain.events import ActorKind, Event, EventType


class Wait(Enum):
    STARTS = "starts"  # the client waits from here (a wait already running keeps its start)
    ANSWERED = "answered"  # staff answered: the promise was kept or broken
    MOOT = "moot"  # nothing to answer after all: no promise is due, unless it had already run out


# a request event by staff that answers the client (a quote, a change of state; a correction does not)
REQUEST_ANSWERS = frozenset(
    {
        EventType.REQUEST_QUOTED,
        EventType.REQUEST_STARTED,
        EventType.REQUEST_FULFILLED,
        EventType.REQUEST_CANCELLED,
        EventType.REQUEST_REFUNDED,
    }
)
CLIENT_WAITS = frozenset({EventType.MESSAGE_RECEIVED, EventType.CALL_MISSED})  # a missed call waits too
STAFF_ANSWERS = frozenset({EventType.STAFF_MESSAGE_SENT, EventType.CALL_ANSWERED})  # they talked: answered
# a button the client tapped that asks for an answer: "I need a change" under a reminder of their booking
ASKING_ACTIONS = frozenset({"change", "call-me"})  # … and "call me" pressed in their own page
# every type that can start or end a wait: the clock watches exactly these
TYPES = (
    CLIENT_WAITS
    | STAFF_ANSWERS
    | REQUEST_ANSWERS
    | {EventType.CONVERSATION_CLOSED, EventType.RATING_COMMENTED, EventType.CLIENT_ACTION_TAKEN}
)


def client_stream(event: Event) -> str | None:
    """The client whose stream this is (its messages, its /close); None for a request's."""
    return event.stream_id if event.stream_kind in ("conversation", "client") else None


def effect(event: Event) -> Wait | None:
    """What `event` does to its client's wait (the client: the conversation's id, or the request's client)."""
    by_staff = event.actor.kind is ActorKind.ASSISTANT
    if event.type in CLIENT_WAITS:
        client = event.actor.kind is ActorKind.CLIENT and not event.data.get("command")
        # /start, a language, a numbered choice; a correction of words already sent: nothing to answer
        return Wait.STARTS if client and not event.data.get("edited") else None
    if event.type is EventType.CLIENT_ACTION_TAKEN:
        return Wait.STARTS if event.data.get("action") in ASKING_ACTIONS else None
    if event.type in STAFF_ANSWERS or (event.type in REQUEST_ANSWERS and by_staff):
        return Wait.ANSWERED
    if event.type is EventType.CONVERSATION_CLOSED and by_staff:
        return Wait.MOOT  # the assistant judged it needed no answer (a thank-you)
    if event.type is EventType.RATING_COMMENTED:
        return Wait.MOOT  # a word about the service is not a question
    return None
