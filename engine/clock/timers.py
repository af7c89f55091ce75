"""Timers derived from events: `on_event` is called with every event the engine records, and again by the
runner's sweep over the log (so a crash between an event and its timer loses nothing). It reads the current
state, not the event's, and every write is guarded, so seeing an event twice or late changes nothing:
a wait starts only if no answer came at or after it, an answer stops only a wait that began before it,
a timer already at its round is left as it is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, tzinfo

from domain import awaiting
from domain.awaiting import REQUEST_ANSWERS, Wait, client_stream, effect
from domain.clients import Client
from domain.deadlines import (
    BACK,
    CLIENT_REMINDER,
    FIRST_QUOTE,
    FIRST_RESPONSE,
    FULFILMENT,
    QUOTE_EXPIRY,
    QUOTE_REMINDER,
    Deadline,
    stamp,
)
from domain.events import Event, EventType
from domain.lifecycle import RequestState
from domain.promises import FULFILMENT_STEPS, QUOTE_REMINDER_BEFORE
from domain.reminders import decent_at_or_before, nice_moment, reminders
from domain.requests import ServiceRequest
from engine import queries as q
from engine.deps import Deps
from engine.requests import ratings

NUDGE_AFTER = timedelta(hours=1)  # a quote's nudge moved to the evening before: not sooner than this after it


def response_id(client_id: str) -> str:
    return f"{FIRST_RESPONSE}:{client_id}"


async def _client_wait(deps: Deps, event: Event) -> None:
    """The first-response promise: a wait as domain/awaiting.py defines it (the figures count the same)."""
    wait = effect(event)
    if wait is Wait.STARTS:
        await _client_waiting(deps, event)
    elif wait is not None:  # answered, or moot: the promise stops here
        client_id = client_stream(event)
        if client_id is None:  # a request's event: its client's wait
            request = await q.request(deps.store, event.stream_id)
            if request is None:
                return
            client_id = request.client_id
        await deps.store.deadlines.stop(response_id(client_id), event.at)


async def _client_waiting(deps: Deps, event: Event) -> None:
    client = await q.client(deps.store, event.stream_id)
    if client is None:
        return
    since = event.at
    assistant = await q.assistant(deps.store, client.assistant_id)
    away = assistant is not None and not assistant.present_at(since)  # handed over at once, not at 3×
    due = since if away else since + deps.policy.promises.response(client.vip)
    deadline = Deadline(response_id(client.id), due, client.id, stamp(since), 1, {"since": since.isoformat()})
    started = await deps.store.deadlines.start(deadline, since, new=_first_wait(client))
    if away and (started or await deps.store.deadlines.hasten(deadline.id, since)):
        deps.deadline_runner.wake()


def _first_wait(client: Client) -> bool:
    """Most likely the client's first wait: no topic of theirs made yet, the first asked for (their first
    messages). Then the wait is written without a read first; a wait there already (a second message
    before the topic is made, messages from before a forum was set) refuses it by its `_id`, and is read."""
    return client.topic_generation <= 1 and client.topic is None


async def _request_event(deps: Deps, event: Event) -> None:
    request = await q.request(deps.store, event.stream_id)
    if request is None:
        return
    if event.type is EventType.REQUEST_OPENED:
        since = event.at.isoformat()
        due = event.at + deps.policy.promises.first_quote
        first_quote = Deadline(
            f"{FIRST_QUOTE}:{request.id}", due, request.id, stamp(event.at), 1, {"since": since}
        )
        # (its card, opened in the same step, shows it so already: storage/board.py `opening_quote_clock`)
        await deps.store.deadlines.start(first_quote, event.at, new=event.seq == 1)
    if event.type in REQUEST_ANSWERS or event.type is EventType.REQUEST_PAID:
        await deps.store.deadlines.stop(f"{FIRST_QUOTE}:{request.id}", event.at)
    live_quote = request.state is RequestState.QUOTED and request.quote and not request.quote_lapsed
    if event.type is EventType.REQUEST_QUOTED and live_quote:
        await _quote_timers(deps, request)
    if event.type is EventType.REQUEST_FULFILLED and not request.rating_asked and request.rating is None:
        await _rating_later(deps, request, event.at)
    paid = request.state in (RequestState.PAID, RequestState.IN_PROGRESS)
    timed = event.type in (EventType.REQUEST_PAID, EventType.REQUEST_DETAILS_CHANGED)  # (a corrected time)
    if paid and timed and (step := fulfilment_step(request, deps.clock.now())) is not None:
        await deps.store.deadlines.set(step)
    if paid and timed and (reminder := reminder_step(request, deps.clock.now(), deps.policy.tz)) is not None:
        await deps.store.deadlines.set(reminder)


async def _quote_timers(deps: Deps, request: ServiceRequest) -> None:
    """One gentle reminder before the live quote lapses (when there is time for one, at a decent hour, as a
    booking's reminders: domain/reminders.py — the evening before when it would fall at night), and its
    expiry."""
    quote = request.quote
    if quote is None:  # (the caller starts them only for a live quote)
        raise ValueError(f"{request.id} has no quote to time")
    key = f"{request.id}/{quote.version}"
    data, round_ = {"version": quote.version}, stamp(quote.valid_until)
    # (a quote made in the morning lapsing the next morning: its nudge the evening before, not at 6:00; a car
    # at 7:00 quoted at 22:00: none, neither at 4:00 nor at once)
    due = quote.valid_until - QUOTE_REMINDER_BEFORE
    remind_at, now = decent_at_or_before(due, deps.policy.tz), deps.clock.now()
    if remind_at > now and (remind_at == due or remind_at > now + NUDGE_AFTER):
        await deps.store.deadlines.set(
            Deadline(f"{QUOTE_REMINDER}:{key}", remind_at, request.id, round_, 1, data)
        )
    await deps.store.deadlines.set(
        Deadline(f"{QUOTE_EXPIRY}:{key}", quote.valid_until, request.id, round_, 1, data)
    )


async def _rating_later(deps: Deps, request: ServiceRequest, fulfilled_at: datetime) -> None:
    """Fulfilled at an hour that is not a nice one for the client (night, their quiet hours): the rating
    question waits for the first one that is (engine/requests/ratings.py `ask` left it unasked)."""
    client = await q.client(deps.store, request.client_id)
    if client is not None and nice_moment(fulfilled_at, deps.policy.tz, client.quiet) != fulfilled_at:
        await ratings.later(deps, client, request, fulfilled_at, fulfilled_at)


def fulfilment_step(request: ServiceRequest, now: datetime, after: int = 0) -> Deadline | None:
    """The next of a paid request's reminders (2 h and 30 min before its time) or its overdue check (6 h
    after) still ahead of `now`, beyond step `after`; None when the time is unknown or all have passed.
    The round is the time itself: corrected, it starts a new round; the same, it is left alone."""
    when = request.details.when
    if when is None or not request.details.time_known:
        return None
    for step, offset in enumerate(FULFILMENT_STEPS, 1):
        if step > after and when + offset > now:
            data = {"when": when.isoformat()}
            return Deadline(f"{FULFILMENT}:{request.id}", when + offset, request.id, stamp(when), step, data)
    return None


def reminder_step(request: ServiceRequest, now: datetime, tz: tzinfo, after: int = 0) -> Deadline | None:
    """The next of the client's reminders of a paid request (domain/reminders.py) beyond step `after`; None
    when its time is unknown or none is left. The round is the time itself, as for the fulfilment steps."""
    when = request.details.when
    if when is None or not request.details.time_known:
        return None
    paid_at = request.payment.at if request.payment else None
    for step, due in reminders(when, now, tz, paid_at):
        if step > after:
            data = {"when": when.isoformat()}
            return Deadline(f"{CLIENT_REMINDER}:{request.id}", due, request.id, stamp(when), step, data)
    return None


async def _presence(deps: Deps, event: Event) -> None:
    assistant = await q.assistant(deps.store, event.stream_id)
    if assistant is None:
        return
    if assistant.away and assistant.away_until is not None:
        until = assistant.away_until
        await deps.store.deadlines.set(Deadline(f"{BACK}:{assistant.id}", until, assistant.id, stamp(until)))
    else:
        await deps.store.deadlines.stop(f"{BACK}:{assistant.id}", event.at)
    if event.type is EventType.ASSISTANT_AWAY and not assistant.present_at(event.at):
        await _hand_over_waiting(deps, assistant.id, event.at)


async def _hand_over_waiting(deps: Deps, assistant_id: str, at: datetime) -> None:
    """Away: the clients who wait on this assistant fall due now (the clock hands them to someone present)."""
    moved = [
        await deps.store.deadlines.hasten(response_id(c), at)
        for c in await q.client_ids_of(deps.store, assistant_id)
    ]
    if any(moved):
        deps.deadline_runner.wake()


REACTIONS: dict[EventType, Callable[[Deps, Event], Awaitable[None]]] = {
    EventType.ASSISTANT_AWAY: _presence,
    EventType.ASSISTANT_BACK: _presence,
    **{
        kind: _request_event
        for kind in (
            *REQUEST_ANSWERS,
            EventType.REQUEST_OPENED,
            EventType.REQUEST_PAID,
            EventType.REQUEST_DETAILS_CHANGED,
        )
    },
}
WATCHED = tuple(kind.value for kind in {*REACTIONS, *awaiting.TYPES})


async def on_event(deps: Deps, event: Event) -> None:
    if event.type in awaiting.TYPES:
        await _client_wait(deps, event)
    if (reaction := REACTIONS.get(event.type)) is not None:
        await reaction(deps, event)
