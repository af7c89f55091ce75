"""What tests about behaviour read of the store: through the read port (engine/queries.py) and the store's
public methods, as domain objects — never a collection, so a change of storage breaks only storage's tests
(tests/unit/test_test_reads.py keeps it so)."""

from __future__ import annotations

from typing import Any

from domain.clients import Client
from domain.events import Event, EventType
from domain.requests import ServiceRequest
from engine import queries as q
from storage.deliveries import Delivery
from storage.store import Store


def _number(stream: str) -> int:
    return int(stream.rsplit("-", 1)[1])  # C-999 before C-1000


async def _ids(store: Store, kind: str) -> list[str]:
    """The ids of every stream of a kind that the log holds ("client" → C-1001, ...), by number."""
    return [s.split(":", 1)[1] for s in sorted(await store.events.heads(kind), key=_number)]


async def clients(store: Store) -> list[Client]:
    """Every client the store knows (merged duplicates too), by number."""
    found = [await q.client(store, client_id) for client_id in await _ids(store, "client")]
    return [client for client in found if client is not None]  # (a stream set apart from its first event)


async def requests(store: Store) -> list[ServiceRequest]:
    """Every request, by number."""
    found = [await q.request(store, request_id) for request_id in await _ids(store, "request")]
    return [request for request in found if request is not None]


async def client_of(store: Store, telegram_user: dict[str, Any]) -> Client | None:
    """The client a Telegram user is (None before their first message)."""
    return await q.client_by_identity_key(store, f"telegram:{telegram_user['id']}")


def thread(client: Client | None) -> int | None:
    """The forum thread of the client's topic while it is open (None before it opens or once it is lost)."""
    topic = client.topic if client else None
    return topic.thread_id if topic and not topic.lost else None


async def events(store: Store, *types: EventType) -> list[Event]:
    """Every event of the log (of these types), stream by stream."""
    return [event async for event in store.events.all() if not types or event.type in types]


async def event_count(store: Store, *types: EventType) -> int:
    return len(await events(store, *types))


async def deliveries(store: Store) -> list[Delivery]:
    """Every outbound message still in the working set (any channel, any status), in the order written."""
    return await store.deliveries.changed_since(0)
