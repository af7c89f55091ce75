"""A lead erases a client (a person's right to be forgotten, 152-FZ art. 21 and GDPR art. 17): their key is
destroyed, so every personal field the log holds of them reads as gone (storage/vault.py); the projections
are folded again from the log, what they left outside it is removed (storage/erasure.py), their topics are
deleted from the forum, and the embedded store's files are rewritten so no old page keeps a copy. The
chain still verifies, and the money records keep what the law requires (amounts, what was sold, the
transaction and fiscal receipt numbers). A merged person is erased whole: every client merged into them too.
Each step can be run again: an erase interrupted by a crash is finished by asking for it once more."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from domain.clients import Channel, Client
from domain.errors import InvalidValue
from domain.events import Actor, EventType
from domain.projections import PROJECTIONS
from domain.requests import ServiceRequest
from engine import queries as q
from engine.deps import Deps
from engine.outbox import delete_topic
from storage.claims import claims_of, release
from storage.erasure import Scope, forget, remembered, scrub

log = structlog.get_logger(__name__)

INBOX_KEYS = {Channel.TELEGRAM: "tg:{}", Channel.WHATSAPP: "wa:whatsapp:{}"}
CLAIMED = {"telegram": "tg:{}", "phone": "wa:whatsapp:{}"}  # (a claim outlives a crash between the steps)


@dataclass(frozen=True, slots=True)
class Erasure:
    client_id: str
    clients: tuple[str, ...]  # the person's client ids (the one asked for and those merged into it)
    requests: int
    inbox: int
    deliveries: int
    compacted: bool  # the embedded store's files were rewritten (False on MongoDB: see the README)


async def erase(deps: Deps, actor: Actor, client_id: str) -> Erasure:
    clients = await q.person(deps.store, await _person(deps, client_id))
    person = clients[0]
    requests = [r for c in clients for r in await q.requests_of(deps.store, c.id)]
    if busy := [r.id for r in requests if r.is_open]:
        raise InvalidValue(
            f"{', '.join(busy)} still open: finish or cancel it first (a paid one: refund it).",
            key="erase-open",
            requests=", ".join(busy),
        )
    streams, inbox_keys = await _scope(deps, clients, requests)
    chats = [i.external_id for c in clients for i in c.identities]
    scope = await remembered(deps.store.db, person.id, Scope(streams, inbox_keys, chats))
    ids = [c.id for c in clients]
    await release(deps.store.db, ids)  # first: whoever writes from now on is a new client
    for client in clients:  # (once, whoever asks and however often: the cause names only the client)
        await deps.record(f"client:{client.id}", EventType.CLIENT_ERASED, {}, actor, f"erase:{client.id}")
    await deps.store.events.vault.destroy(ids)
    by_kind = {p.stream_kind: p for p in PROJECTIONS}
    for stream in scope.streams:
        if projection := by_kind.get(stream.split(":", 1)[0]):
            await deps.store.projector.refold(projection, stream)
    subjects = ids + [r.id for r in requests]
    scrubbed = await scrub(deps.store.db, scope.streams, scope.inbox_keys, subjects, scope.chats)
    await _delete_topics(deps, clients)
    await forget(deps.store.db, person.id)
    compacted = await deps.store.compact()
    log.info(
        "client.erased",
        client_id=person.id,
        clients=len(clients),
        requests=len(requests),
        inbox_removed=scrubbed.inbox,
        deliveries_removed=scrubbed.deliveries,
        compacted=compacted,
    )
    return Erasure(person.id, tuple(ids), len(requests), scrubbed.inbox, scrubbed.deliveries, compacted)


async def _person(deps: Deps, client_id: str) -> Client:
    client = await q.client(deps.store, client_id.strip().upper()[:20])
    if client is None:
        raise InvalidValue(f"No client {client_id[:20]!r}.", key="erase-unknown", client=client_id[:20])
    return client


async def _scope(
    deps: Deps, clients: list[Client], requests: list[ServiceRequest]
) -> tuple[list[str], list[str]]:
    """Every stream about the person, and the inbox keys their payloads were kept under — read while the
    key still opens them (a repeated erase finds what the first one left, under the same names)."""
    streams = [f"{kind}:{c.id}" for c in clients for kind in ("client", "conversation")]
    streams += [f"request:{r.id}" for r in requests]
    keys = [f"cp:{r.id}" for r in requests]
    for claim in await claims_of(deps.store.db, [c.id for c in clients]):
        kind, _, value = claim.partition(":")
        if kind in CLAIMED:
            keys.append(CLAIMED[kind].format(value))
    for client in clients:
        keys += [
            INBOX_KEYS[i.channel].format(i.external_id) for i in client.identities if i.channel in INBOX_KEYS
        ]
        for event in await deps.store.events.read(f"client:{client.id}"):
            if event.type is EventType.CLIENT_TOPIC_OPENED:
                keys.append(f"tg:{event.data['chat_id']}:{event.data['thread_id']}")
    for sid in await q.calls_of(deps.store, [c.id for c in clients]):
        streams.append(f"call:{sid}")
        keys.append(f"call:{sid}")
    return list(dict.fromkeys(streams)), list(dict.fromkeys(keys))


async def _delete_topics(deps: Deps, clients: list[Client]) -> None:
    """The forum keeps the conversation too: each of the person's topics goes, with every message in it."""
    for client in clients:
        if client.topic is None or client.topic.lost:
            continue
        stream = await deps.store.events.read(f"client:{client.id}")
        erased = next(e for e in reversed(stream) if e.type is EventType.CLIENT_ERASED)
        await deps.deliver(delete_topic(erased, client.topic.chat_id, client.topic.thread_id))
