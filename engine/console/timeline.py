"""A request's whole story from the event log: the client's conversation on every channel, staff replies and
notes, quote versions, payments and refunds — each with what became of its messages (sent, delivered, read,
failed) — and a client's complete history for a data request."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from domain.clients import Client
from domain.events import Event, EventType
from domain.outbound import STORED
from domain.requests import ServiceRequest
from engine import queries as q
from engine.console.event_lines import QUIET, Line, line
from engine.deps import Deps
from storage.events import to_document

# what a staff message's delivery shows: the provider's word when it has one
RANK = {"read": "read", "delivered": "delivered", "sent": "sent", "failed": "failed", "undelivered": "failed"}
TELLS = {EventType.STAFF_MESSAGE_SENT, EventType.REQUEST_QUOTED, EventType.REQUEST_PAID}


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file of a message, shown in the timeline through the console's own link (its bytes are fetched from
    the channel only when the page asks for them)."""

    kind: str  # photo | video | voice | audio | document | sticker | other
    url: str
    name: str
    content_type: str


@dataclass(frozen=True, slots=True)
class Entry:
    line: Line
    delivery: str | None  # sent | delivered | read | failed | pending | held
    media: tuple[Attachment, ...] = ()


MESSAGES = (EventType.MESSAGE_RECEIVED, EventType.STAFF_MESSAGE_SENT)


# what Telegram's files are when their message does not say (a photo is always a JPEG, a voice note OGG/Opus)
KNOWN_TYPES = {"photo": "image/jpeg", "voice": "audio/ogg", "video": "video/mp4", "sticker": "image/webp"}
KINDS = {"image": "photo", "video": "video", "audio": "audio"}  # how a WhatsApp file shows, by its type


@dataclass(frozen=True, slots=True)
class MessageFile:
    """One file of a message: where its bytes are — a Telegram file id or a file kept in the store (both
    through the media bridge's `fetch_file`), or a Twilio media URL (`whatsapp`) — and what it is."""

    whatsapp: bool
    ref: str
    kind: str
    name: str
    content_type: str  # as its message recorded it ("" when unknown)


def message_files(event: Event) -> dict[int, MessageFile]:
    """The files of a message event by their place in it (a WhatsApp message may carry several)."""
    if event.type not in MESSAGES:
        return {}
    message = event.data.get("message") or {}
    extra, kind = message.get("extra") or {}, message.get("kind") or "other"
    url = str(extra.get("url") or "")
    ref = extra.get("file_id") or (url if url.startswith(STORED) else None)
    if ref:  # posted in Telegram, or sent from the console
        recorded = extra.get("mime_type") or KNOWN_TYPES.get(kind, "")
        return {0: MessageFile(False, str(ref), kind, extra.get("file_name") or kind, recorded)}
    media = extra.get("media")
    found = {}
    for n, item in enumerate(media if isinstance(media, list) else []):
        if isinstance(item, dict) and item.get("url"):
            content_type = str(item.get("content_type") or "")
            shown = KINDS.get(content_type.split("/")[0], "document")
            found[n] = MessageFile(True, str(item["url"]), shown, f"{kind} {n + 1}", content_type)
    return found


def attachments(event: Event) -> tuple[Attachment, ...]:
    if event.stream_kind != "conversation":
        return ()
    base = f"/console/media/{event.stream_id}/{event.seq}"
    return tuple(
        Attachment(f.kind, f"{base}/{n}", f.name, f.content_type) for n, f in message_files(event).items()
    )


async def _names(deps: Deps, client: Client) -> dict[str, str]:
    return {a.id: a.name for a in await q.assistants(deps.store)} | {client.id: client.name}


async def _delivery_state(deps: Deps, event: Event) -> str | None:
    """What became of the message this event sent to the client (its first delivery)."""
    doc = await deps.store.db["deliveries"].find_one({"_id": f"{event.id}:0"})
    if doc is None:
        doc = await deps.store.db["deliveries_archive"].find_one({"_id": f"{event.id}:0"})
    if doc is None or doc.get("payload", {}).get("topic_of"):
        return None  # (a line in the topic, not a message to the client)
    return RANK.get(doc.get("provider_status") or "") or doc.get("status")


async def timeline(deps: Deps, client: Client, request: ServiceRequest | None, language: str) -> list[Entry]:
    """Oldest first: the client's streams and the request's (all their requests' on the client page)."""
    streams = [f"client:{client.id}", f"conversation:{client.id}"]
    requests = [request] if request else await q.requests_of(deps.store, client.id)
    streams += [f"request:{r.id}" for r in requests]
    events = [
        e for batch in await asyncio.gather(*(deps.store.events.read(s) for s in streams)) for e in batch
    ]
    events = [e for e in events if e.type not in QUIET]
    events.sort(key=lambda e: (e.at, e.stream, e.seq))
    names = await _names(deps, client)
    states = await asyncio.gather(*(_delivery_state(deps, e) if e.type in TELLS else _none() for e in events))
    return [
        Entry(line(e, names, language), state, attachments(e))
        for e, state in zip(events, states, strict=True)
    ]


async def _none() -> None:
    return None


SECRET_KEYS = {"token", "Token"}  # a saved card's charge token is a credential, not the person's data


def _scrubbed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("•••" if k in SECRET_KEYS else _scrubbed(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value


def _plain(doc: dict[str, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = _scrubbed(
        {k: v for k, v in doc.items() if k not in ("_id", "hash", "prev", "at_ms", "kind")}
    )
    return plain  # (a dict scrubbed is a dict)


async def history(deps: Deps, client: Client) -> dict[str, Any]:
    """Everything we hold about one person (a data request): the projections and every event of theirs — of
    every client merged into them too (their other channel, their calls)."""
    clients = await q.person(deps.store, client)
    ids = [c.id for c in clients]
    requests = [r for c in clients for r in await q.requests_of(deps.store, c.id)]
    streams = [f"{kind}:{i}" for i in ids for kind in ("client", "conversation")]
    streams += [f"request:{r.id}" for r in requests]
    streams += [f"call:{sid}" for sid in await q.calls_of(deps.store, ids)]
    events = [e for s in dict.fromkeys(streams) for e in await deps.store.events.read(s)]
    events.sort(key=lambda e: (e.at, e.stream, e.seq))
    docs = {d["_id"]: d async for d in deps.store.db["clients"].find({"_id": {"$in": ids}})}

    def kept(doc: dict[str, Any]) -> dict[str, Any]:
        card = bool(doc.get("saved_card"))  # (whether there is one: its token is a credential)
        return {k: v for k, v in doc.items() if k != "saved_card"} | {"saved_card": card}

    return {
        "client": kept(docs.get(ids[0], {})),
        "merged": [kept(docs[i]) for i in ids[1:] if i in docs],
        "requests": [r.to_doc() for r in requests],
        "events": [{"id": e.id, **_plain(to_document(e)), "at": e.at.isoformat()} for e in events],
    }
