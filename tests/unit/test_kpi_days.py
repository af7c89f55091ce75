"""The figures read from days (domain.kpis.Carried, Day, combine) are the fold's over the events, on random
logs: every period of whole days, every day folded from only the state its events touch (as the store keeps
it, client by client and request by request), every day and state written as a document and read back."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from domain.events import Actor, ActorKind, Event, EventType
from domain.kpis import Carried, Day, combine, fold, touched
from domain.promises import Promises

START = datetime(2026, 3, 1, tzinfo=UTC)
DAYS = 8
ASSISTANTS = ["A-1", "A-2", "A-3"]
SYSTEM = Actor(ActorKind.SYSTEM, "concierge")
PROVIDER = Actor(ActorKind.PROVIDER, "cloudpayments")


def _event(n: int, at: datetime, stream: str, kind: EventType, actor: Actor, **data) -> Event:
    return Event(stream, n + 1, kind, at, actor, f"c{n}", data)


def random_log(seed: int, size: int = 700) -> list[Event]:
    """Clients assigned, tagged, writing, answered late or soon, requests quoted (with a cost or not), paid,
    refunded, fulfilled, rated, cancelled, escalations, conversations closed: in time order."""
    rng = random.Random(seed)
    times = sorted(START + timedelta(seconds=rng.uniform(0, DAYS * 86400)) for _ in range(size))
    clients = [f"C{i}" for i in range(rng.choice([8, 40, 150]))]  # busy clients, and some quiet for days
    requests: dict[str, str] = {}  # request → client
    quoted: set[str] = set()
    paid: set[str] = set()
    events = []
    for n, at in enumerate(times):
        client = rng.choice(clients)
        staff = Actor(ActorKind.ASSISTANT, rng.choice(ASSISTANTS))
        me = Actor(ActorKind.CLIENT, client)
        mine = [r for r, c in requests.items() if c == client]
        request = rng.choice(mine) if mine else None
        roll = rng.random()
        event = partial(_event, n, at)

        if roll < 0.06:
            events.append(event(f"client:{client}", EventType.CLIENT_ASSIGNED, SYSTEM, assistant_id=staff.id))
        elif roll < 0.08:
            tags = ["vip"] if rng.random() < 0.5 else []
            events.append(event(f"client:{client}", EventType.CLIENT_TAGGED, staff, tags=tags))
        elif roll < 0.09:
            events.append(event(f"client:{client}", EventType.CLIENT_REGISTERED, SYSTEM, tags=["vip"]))
        elif roll < 0.33:
            command = {"command": "start"} if rng.random() < 0.05 else {}
            events.append(event(f"conversation:{client}", EventType.MESSAGE_RECEIVED, me, **command))
            if rng.random() < 0.5:  # answered within the promise or soon after it
                soon = at + timedelta(minutes=rng.uniform(0.5, 25))
                answer = Event(
                    f"conversation:{client}", 0, EventType.STAFF_MESSAGE_SENT, soon, staff, "a", {}
                )
                events.append(answer)
        elif roll < 0.36:
            events.append(event(f"conversation:{client}", EventType.CALL_MISSED, me))
        elif roll < 0.37:
            action = rng.choice(["change", "all-good"])
            events.append(event(f"conversation:{client}", EventType.CLIENT_ACTION_TAKEN, me, action=action))
        elif roll < 0.52:
            events.append(event(f"conversation:{client}", EventType.STAFF_MESSAGE_SENT, staff))
        elif roll < 0.55:
            events.append(event(f"conversation:{client}", EventType.CONVERSATION_CLOSED, staff))
        elif roll < 0.56:
            events.append(event(f"conversation:{client}", EventType.RATING_COMMENTED, me))
        elif roll < 0.60:
            stream = f"request:{request}" if request and rng.random() < 0.5 else f"conversation:{client}"
            step = rng.randint(1, 3)
            events.append(event(stream, EventType.RESPONSE_OVERDUE, SYSTEM, step=step, assistant_id=staff.id))
        elif roll < 0.68 or request is None:
            new = f"R-{len(requests) + 1}"
            requests[new] = client
            events.append(event(f"request:{new}", EventType.REQUEST_OPENED, me, client_id=client))
        elif roll < 0.78:
            cost = {"cost": {"minor": rng.randint(1, 9) * 1000}} if rng.random() < 0.5 else {}
            actor = staff if rng.random() < 0.9 else SYSTEM
            events.append(event(f"request:{request}", EventType.REQUEST_QUOTED, actor, **cost))
            quoted.add(request)
        elif roll < 0.84 and request in quoted:
            amount = {"minor": rng.randint(5, 20) * 1000, "currency": rng.choice(["RUB", "RUB", "USD"])}
            events.append(
                event(f"request:{request}", EventType.REQUEST_PAID, PROVIDER, payment={"amount": amount})
            )
            paid.add(request)
        elif roll < 0.87 and request in paid:
            amount = {"minor": rng.randint(1, 4) * 1000, "currency": "RUB"}
            events.append(
                event(f"request:{request}", EventType.REQUEST_REFUNDED, staff, refund={"amount": amount})
            )
        elif roll < 0.91:
            kind = rng.choice(
                [EventType.REQUEST_STARTED, EventType.REQUEST_FULFILLED, EventType.REQUEST_CANCELLED]
            )
            events.append(event(f"request:{request}", kind, staff))
        else:
            events.append(event(f"request:{request}", EventType.REQUEST_RATED, me, score=rng.randint(1, 5)))
    return sorted((e for e in events if e.at < START + timedelta(days=DAYS)), key=lambda e: e.at)


def midnight(day: int) -> datetime:
    return START + timedelta(days=day)


def days_kept_apart(events: list[Event], promises: Promises) -> Iterator[Day]:
    """Day by day as the store folds them: a fresh fold that knows only the state its day's events touch
    (and the clients still waiting from the day before), every document through its dict form."""
    clients: dict[str, dict] = {}  # the store's kept state, client by client and request by request
    requests: dict[str, dict] = {}
    waiting_before: list[str] = []
    for d in range(DAYS):
        day_events = [e for e in events if midnight(d) <= e.at < midnight(d + 1)]
        carried = Carried(promises)
        touched_clients, touched_requests = touched(day_events)
        for request in touched_requests:
            if request in requests:
                carried.know_request(request, requests[request])
        known = {carried.client_of(r) for r in touched_requests} - {None}
        for client in touched_clients | set(waiting_before) | known:
            if client in clients:
                carried.know_client(client, clients[client])
        day = Day.from_doc(carried.day(day_events, midnight(d), midnight(d + 1)).to_doc())
        for request in touched_requests:
            requests[request] = carried.request(request)
        for client in (
            touched_clients
            | set(waiting_before)
            | known
            | {carried.client_of(r) for r in touched_requests} - {None}
        ):
            clients[client] = carried.client(client)
        waiting_before = [client for client, _who, _due in day.still_waiting]
        yield day


@pytest.mark.parametrize("seed", range(12))
def test_days_give_the_folds_figures_for_every_period_of_whole_days(seed: int) -> None:
    promises = Promises()
    events = random_log(seed)
    days = list(days_kept_apart(events, promises))
    for first in range(DAYS):
        for last in range(first, DAYS):
            start, end = midnight(first), midnight(last + 1)
            assert combine(days[first : last + 1], start, end) == fold(events, start, end, promises), (
                first,
                last,
            )


def test_a_day_in_progress_ends_where_its_events_do() -> None:
    """Today, folded so far: the period ends now, and the waits still open count if due before now."""
    promises = Promises()
    events = random_log(99)
    days = list(days_kept_apart(events, promises))
    now = midnight(DAYS - 1) + timedelta(hours=13)
    carried = Carried(promises)
    carried.day([e for e in events if e.at < midnight(DAYS - 1)], START, midnight(DAYS - 1))
    today = carried.day([e for e in events if midnight(DAYS - 1) <= e.at < now], midnight(DAYS - 1), now)
    start = midnight(DAYS - 3)
    assert combine([*days[DAYS - 3 : DAYS - 1], today], start, now) == fold(events, start, now, promises)
    assert any(day.late_moots for day in days) and any(day.still_waiting for day in days)
