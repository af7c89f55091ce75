"""`Deps.record`, the one door, on the real store: it returns the event and whether its cause was recorded
before, and its listeners hear it either way (a replay after a crash keeps the timers it missed)."""

from __future__ import annotations

from domain.clock import FrozenClock
from domain.events import SYSTEM, Event, EventType
from engine import queries as q
from engine.deps import Deps, Recorded
from engine.i18n import translator
from storage.store import Store


async def test_record_returns_the_event_and_whether_it_was_a_duplicate(
    store: Store, clock: FrozenClock
) -> None:
    deps = Deps(store, clock, translator(), None)
    heard: list[Event] = []

    async def listener(event: Event) -> None:
        heard.append(event)

    deps.listeners.add(listener)
    data = {"client_id": "C-1", "name": "Layla", "identities": [{"channel": "telegram", "external_id": "1"}]}
    first = await deps.record("client:C-1", EventType.CLIENT_REGISTERED, data, SYSTEM, "tg:1/0")
    again = await deps.record("client:C-1", EventType.CLIENT_REGISTERED, data, SYSTEM, "tg:1/0")
    assert isinstance(first, Recorded) and not first.duplicate
    assert again.duplicate and again.event == first.event
    assert heard == [first.event, first.event]
    assert (await q.client(store, "C-1")).name == "Layla"  # projected too
