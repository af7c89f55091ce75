"""Open conversations per assistant are counted as client documents change, not aggregated: exact through
assignment, opening, closing and handing over, and counted afresh by a full catch-up (what a crash may
have missed)."""

from __future__ import annotations

from domain.clock import FrozenClock
from domain.events import Actor, ActorKind, EventType, NewEvent
from engine import queries as q
from engine.deps import Deps
from engine.i18n import translator
from engine.team import admin as staff_admin
from storage.store import Store

SYSTEM = Actor(ActorKind.SYSTEM, "concierge")


async def client(store: Store, n: int, assistant: str) -> None:
    cid = f"C-{n}"
    data = {
        "client_id": cid,
        "name": f"Guest {n}",
        "identities": [{"channel": "telegram", "external_id": str(n)}],
    }
    await store.record(NewEvent(f"client:{cid}", EventType.CLIENT_REGISTERED, data, SYSTEM, f"t:{n}/r"))
    await store.record(
        NewEvent(f"client:{cid}", EventType.CLIENT_ASSIGNED, {"assistant_id": assistant}, SYSTEM, f"t:{n}/a")
    )
    await store.record(NewEvent(f"client:{cid}", EventType.CONVERSATION_OPENED, {}, SYSTEM, f"t:{n}/o"))


async def test_open_conversations_are_counted_as_they_change(store: Store, clock: FrozenClock) -> None:
    deps = Deps(store, clock, translator(), None)
    await staff_admin.add(deps, 1, "Anna", "en")
    await staff_admin.add(deps, 2, "Omar", "ar")
    for n in range(5):
        await client(store, n, "A-1" if n < 3 else "A-2")
    assert await q.open_load(store) == {"A-1": 3, "A-2": 2}
    await store.record(NewEvent("client:C-0", EventType.CONVERSATION_CLOSED, {}, SYSTEM, "t:0/close"))
    await store.record(
        NewEvent("client:C-1", EventType.CLIENT_ASSIGNED, {"assistant_id": "A-2"}, SYSTEM, "t:1/handover")
    )
    assert await q.open_load(store) == {"A-1": 1, "A-2": 3}
    await store.db["tallies"].delete_many({})  # what a crash between a write and its count would leave
    await store.projector.catch_up()  # a full catch-up
    assert await q.open_load(store) == {"A-1": 1, "A-2": 3}
