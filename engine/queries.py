"""The engine's one read port: every read of a projection, by name, returning domain objects."""

from __future__ import annotations

from domain.clients import Assistant, Channel, ChannelIdentity, Client, topic_key
from domain.conversations import Conversation
from domain.names import name_key
from domain.requests import ServiceRequest
from storage.step_reads import by_id, every, read_where, seen, where
from storage.store import Store

CHANNELS = {c.value for c in Channel}


class NotProjected(LookupError):
    """A document the caller has just written to (or found) is not there: its stream is quarantined or the
    projections are being rebuilt. Never a client's doing, so no polite answer: the edge logs it."""


def _by_number(requests: list[ServiceRequest]) -> list[ServiceRequest]:
    return sorted(requests, key=lambda r: int(r.id.split("-")[1]))  # R-999 before R-1000


# --- clients ---
async def client(store: Store, client_id: str) -> Client | None:
    doc = await by_id(store.db, "clients", client_id)
    return Client.from_doc(doc) if doc else None


async def known_client(store: Store, client_id: str) -> Client:
    """A client known to exist (just written to, or named by an event of theirs): its state now."""
    found = await client(store, client_id)
    if found is None:
        raise NotProjected(f"client {client_id} has no projection")
    return found


async def client_by_identity(store: Store, identity: ChannelIdentity) -> Client | None:
    return await client_by_identity_key(store, identity.key)


async def client_by_identity_key(store: Store, key: str) -> Client | None:
    channel = key.split(":", 1)[0]
    if channel not in CHANNELS:
        return None
    doc = await store.db["clients"].find_one({f"identity_{channel}": key})
    return Client.from_doc(seen("clients", doc)) if doc else None


async def client_by_topic(store: Store, chat_id: int, thread_id: int) -> Client | None:
    doc = await store.db["clients"].find_one({"topic_key": topic_key(chat_id, thread_id)})
    return Client.from_doc(seen("clients", doc)) if doc else None


async def client_by_phone(store: Store, e164: str) -> Client | None:
    """The earliest client with this phone (two only between a share and their merge)."""
    found = await clients_with_phone(store, e164)
    return found[0] if found else None


async def clients_with_phone(store: Store, e164: str) -> list[Client]:
    docs = await store.db["clients"].find({"phone": e164}).to_list()
    return sorted((Client.from_doc(seen("clients", d)) for d in docs), key=lambda c: int(c.id.split("-")[1]))


async def clients_awaiting_topic(store: Store) -> list[Client]:
    """Clients whose topic was requested and is not open yet (a few at any moment)."""
    docs = store.db["clients"].find({"awaiting_topic": {"$gt": 0}}).sort("_id", 1)
    return [Client.from_doc(doc) async for doc in docs]


async def conversation(store: Store, client_id: str) -> Conversation:
    return Conversation.from_doc(client_id, await by_id(store.db, "conversations", client_id))


# --- assistants ---
async def assistants(store: Store) -> list[Assistant]:
    return [Assistant.from_doc(doc) for doc in await every(store.db, "assistants")]


async def assistant(store: Store, assistant_id: str | None) -> Assistant | None:
    doc = await by_id(store.db, "assistants", assistant_id) if assistant_id else None
    return Assistant.from_doc(doc) if doc else None


async def assistant_by_telegram_id(store: Store, telegram_id: int) -> Assistant | None:
    """Active or not (the staff CLI reactivates)."""
    doc = await store.db["assistants"].find_one({"telegram_id": telegram_id})
    return Assistant.from_doc(doc) if doc else None


async def active_assistant_named(store: Store, name: str) -> Assistant | None:
    """'/assign anna', '@Anna', '/assign Амира': an active assistant by name, whatever the case or the
    alphabet (`name_key`: one spelled alike by two is nobody's)."""
    wanted = name.strip().lower().lstrip("@")
    active = [a for a in await assistants(store) if a.active]
    if exact := next((a for a in active if a.name.lower() == wanted), None):
        return exact
    key = name_key(wanted)
    alike = [a for a in active if key and name_key(a.name) == key]
    return alike[0] if len(alike) == 1 else None


async def staff_member(store: Store, telegram_id: int) -> Assistant | None:
    """An active assistant: only they act as staff. (From the team as a step reads it whole: what the step
    reads of the team next costs nothing more.)"""
    return next((a for a in await assistants(store) if a.telegram_id == telegram_id and a.active), None)


async def open_load(store: Store) -> dict[str, int]:
    """Open conversations per assistant: counted as client documents change (the clients projection's tally
    of `open_with`), read by `_id` whatever the number of clients."""
    team = [one.id for one in await assistants(store)]
    load = await store.projector.tally("clients", "open_with", team)
    return {k: v for k, v in load.items() if v}


async def client_ids_of(store: Store, assistant_id: str) -> list[str]:
    """The ids of an assistant's clients (the `assistant` index)."""
    found = store.db["clients"].find({"assistant_id": assistant_id}, {"_id": 1})
    return [doc["_id"] async for doc in found]


# --- requests ---
async def request(store: Store, request_id: str) -> ServiceRequest | None:
    doc = await by_id(store.db, "requests", request_id)
    return ServiceRequest.from_doc(doc) if doc else None


async def known_request(store: Store, request_id: str) -> ServiceRequest:
    """A request known to exist (just written to, or named by an event of its own): its state now."""
    found = await request(store, request_id)
    if found is None:
        raise NotProjected(f"request {request_id} has no projection")
    return found


async def open_requests(store: Store, client_id: str) -> list[ServiceRequest]:
    """A client's open requests, oldest first (from all their requests when the step has read them: one that
    handles a message does, for a rating's comment)."""
    docs = read_where("requests", "client_id", client_id)
    if docs is None:
        found = await store.db["requests"].find({"client_id": client_id, "open": True}).to_list()
        docs = [seen("requests", doc) for doc in found]  # (a read of one of them by `_id` after: none)
    return _by_number([r for r in map(ServiceRequest.from_doc, docs) if r.is_open])


async def merged_into(store: Store, client_id: str) -> list[Client]:
    """The clients found to be the same person and merged into this one."""
    return [Client.from_doc(d) async for d in store.db["clients"].find({"merged_into": client_id})]


async def person(store: Store, client: Client) -> list[Client]:
    """One person's clients: the one they live on in (first; a merged client leads to it), and every client
    merged into it, however many merges deep."""
    while client.merged_into:
        client = await known_client(store, client.merged_into)
    found, waiting = [client], [client.id]
    while waiting:
        for merged in await merged_into(store, waiting.pop()):
            if merged.id not in {c.id for c in found}:
                found.append(merged)
                waiting.append(merged.id)
    return found


async def calls_of(store: Store, client_ids: list[str]) -> list[str]:
    """Every call of these clients (placed to them or answered, missed, abandoned): each call's first event
    names its client."""
    first = {"kind": "call", "seq": 1, "data.client_id": {"$in": client_ids}}
    return [doc["stream"].split(":", 1)[1] async for doc in store.db["events"].find(first, {"stream": 1})]


async def requests_of(store: Store, client_id: str) -> list[ServiceRequest]:
    """All of a client's requests, oldest first."""
    docs = await where(store.db, "requests", "client_id", client_id)
    return _by_number([ServiceRequest.from_doc(d) for d in docs])


async def request_paid_by(store: Store, transaction_id: int) -> ServiceRequest | None:
    doc = await store.db["requests"].find_one({"payment.transaction_id": transaction_id})
    return ServiceRequest.from_doc(doc) if doc else None
