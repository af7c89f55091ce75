"""A card of the console's board: what it shows of a request and its client, as one small document (the
`board` collection, kept by the projector as requests and clients change: a board is one seek)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.clients import Client
from domain.intake import Category
from domain.lifecycle import RequestState
from domain.money import Money
from domain.requests import ServiceRequest

BOARD_STATES = (RequestState.NEW, RequestState.QUOTED, RequestState.PAID, RequestState.IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class Face:
    id: str
    client_id: str
    state: RequestState
    category: Category
    when: datetime | None
    time_known: bool
    amount: Money | None  # paid, else quoted
    assistant_id: str | None
    name: str
    vip: bool
    number: int  # of its id (R-1042: 1042), its place among equals in a column

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Face:
        return cls(
            id=doc["_id"],
            client_id=doc["client_id"],
            state=RequestState(doc["state"]),
            category=Category(doc["category"]),
            when=datetime.fromisoformat(doc["when"]) if doc.get("when") else None,
            time_known=doc["time_known"],
            amount=Money.from_data(doc["amount"]) if doc.get("amount") else None,
            assistant_id=doc.get("assistant_id"),
            name=doc["name"],
            vip=doc["vip"],
            number=int(doc["_id"].split("-")[1]),
        )


def face(request: ServiceRequest, client: Client) -> Face:
    return Face.from_doc(request_part(request) | client_part(client))


def request_part(request: ServiceRequest) -> dict[str, Any]:
    """The request's side of its card (`open`: on the board)."""
    amount = request.payment.amount if request.payment else request.quote.total if request.quote else None
    when = request.details.when
    return {
        "_id": request.id,
        "client_id": request.client_id,
        "state": request.state.value,
        "open": request.state in BOARD_STATES,
        "category": request.details.category.value,
        "when": when.isoformat() if when else None,
        "time_known": request.details.time_known,
        "amount": amount.to_data() if amount else None,
    }


def client_part(client: Client) -> dict[str, Any]:
    """The client's side of each of their cards."""
    return {"assistant_id": client.assistant_id, "name": client.name, "vip": client.vip}
