"""Pure projections: (document or None, event) → next document; storage writes them guarded by `_v`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.clients import Assistant, Client
from domain.events import Event
from domain.requests import ServiceRequest

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


@dataclass(frozen=True, slots=True)
class Projection:
    """One document per stream of `stream_kind`, kept in `collection`, `_id` = the stream's id."""

    collection: str
    stream_kind: str
    apply: Callable[[Doc | None, Event], Doc]


PROJECTIONS: tuple[Projection, ...] = (
    Projection("clients", "client", apply_client),
    Projection("assistants", "assistant", apply_assistant),
    Projection("requests", "request", apply_request),
)
