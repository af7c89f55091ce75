"""Pure projections: (document or None, event) → next document; storage writes them guarded by `_v`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.clients import Assistant, Client
from domain.events import Event, EventType
from domain.requests import ServiceRequest
from domain.saved_replies import apply_saved_reply

Doc = dict[str, Any]


def apply_client(doc: Doc | None, event: Event) -> Doc:
    client = Client.registered(event) if doc is None else Client.from_doc(doc).apply(event)
    return client.to_doc()


def apply_assistant(doc: Doc | None, event: Event) -> Doc:
    assistant = Assistant.added(event) if doc is None else Assistant.from_doc(doc).apply(event)
    return assistant.to_doc()


def apply_request(doc: Doc | None, event: Event) -> Doc:
    request = ServiceRequest.opened(event) if doc is None else ServiceRequest.from_doc(doc).apply(event)
    return request.to_doc()


def apply_conversation(doc: Doc | None, event: Event) -> Doc:
    """Per client: the channel they last wrote on, when they last wrote on each, the choices offered."""
    doc = dict(doc) if doc else {"last_channel": None, "last_inbound": {}, "choices": {}}
    doc["last_inbound"] = dict(doc["last_inbound"])
    if event.type is EventType.MESSAGE_RECEIVED:
        channel = (event.data.get("message") or {}).get("channel") or event.data.get("channel") or "telegram"
        doc["last_channel"] = channel
        doc["last_inbound"][channel] = event.at.isoformat()
    elif event.type is EventType.CHOICES_OFFERED:
        doc["choices"] = dict(event.data["choices"])
    doc["_v"] = event.seq
    return doc


def apply_forum(doc: Doc | None, event: Event) -> Doc:
    """Per staff forum: its own topics by purpose ("escalations": {generation, thread_id, lost})."""
    doc = dict(doc) if doc else {"topics": {}}
    topics = doc["topics"] = {k: dict(v) for k, v in doc["topics"].items()}
    purpose, generation = event.data.get("purpose"), event.data.get("generation")
    if event.type is EventType.FORUM_TOPIC_REQUESTED:
        topics[purpose] = {"generation": generation, "thread_id": None, "lost": False}
    elif (
        event.type is EventType.FORUM_TOPIC_OPENED and topics.get(purpose, {}).get("generation") == generation
    ):
        topics[purpose] |= {"thread_id": event.data["thread_id"], "lost": False}
    elif event.type is EventType.FORUM_TOPIC_LOST and topics.get(purpose, {}).get("generation") == generation:
        topics[purpose]["lost"] = True
    doc["_v"] = event.seq
    return doc


@dataclass(frozen=True, slots=True)
class Projection:
    """One document per stream of `stream_kind`, kept in `collection`, `_id` = the stream's id."""

    collection: str
    stream_kind: str
    apply: Callable[[Doc | None, Event], Doc]
    tally: str | None = None  # a field whose values are counted as documents change (no aggregation)
    keys: str | None = (
        None  # a list field whose values find the document: kept one per row in `<collection>_keys`
    )


PROJECTIONS: tuple[Projection, ...] = (
    # open conversations per assistant; the console's search keys
    Projection("clients", "client", apply_client, tally="open_with", keys="search"),
    Projection("assistants", "assistant", apply_assistant),
    Projection("requests", "request", apply_request),
    Projection("conversations", "conversation", apply_conversation),
    Projection("forums", "forum", apply_forum),
    Projection("saved_replies", "reply", apply_saved_reply),
)
