"""A client's service request, event-sourced: decisions return event data, `apply` folds events in."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from domain.errors import InvalidTransition, InvalidValue
from domain.events import Event, EventType
from domain.lifecycle import OPEN_STATES, RequestState, check_transition
from domain.money import Money
from domain.quotes import Quote

Decision = tuple[EventType, dict[str, Any]]

_TARGET = {
    EventType.REQUEST_QUOTED: RequestState.QUOTED,
    EventType.REQUEST_PAID: RequestState.PAID,
    EventType.REQUEST_STARTED: RequestState.IN_PROGRESS,
    EventType.REQUEST_FULFILLED: RequestState.FULFILLED,
    EventType.REQUEST_CANCELLED: RequestState.CANCELLED,
    EventType.REQUEST_REFUNDED: RequestState.REFUNDED,
}


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    id: str
    client_id: str
    text: str
    state: RequestState = RequestState.NEW
    quote: Quote | None = None
    paid: Money | None = None
    refunded: Money | None = None
    version: int = 0

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @staticmethod
    def open(request_id: str, client_id: str, text: str) -> Decision:
        if not text.strip():
            raise InvalidValue("a request needs the client's words")
        return EventType.REQUEST_OPENED, {"request_id": request_id, "client_id": client_id, "text": text}

    def quote_with(self, quote: Quote) -> Decision:
        check_transition(self.state, RequestState.QUOTED)
        expected = (self.quote.version + 1) if self.quote else 1
        if quote.version != expected:
            raise InvalidValue(f"the next quote is version {expected}, not {quote.version}")
        return EventType.REQUEST_QUOTED, {"quote": quote.to_data()}

    def pay(self, amount: Money, transaction_id: str, card_mask: str | None = None) -> Decision:
        check_transition(self.state, RequestState.PAID)
        assert self.quote is not None  # quoted implies a quote
        if amount != self.quote.total:
            raise InvalidValue(f"paid {amount.minor} {amount.currency}, quoted {self.quote.total.minor}")
        return EventType.REQUEST_PAID, {
            "amount": amount.to_data(),
            "transaction_id": transaction_id,
            "card_mask": card_mask,
            "quote_version": self.quote.version,
        }

    def start(self) -> Decision:
        check_transition(self.state, RequestState.IN_PROGRESS)
        return EventType.REQUEST_STARTED, {}

    def fulfil(self) -> Decision:
        check_transition(self.state, RequestState.FULFILLED)
        return EventType.REQUEST_FULFILLED, {}

    def cancel(self, reason: str) -> Decision:
        check_transition(self.state, RequestState.CANCELLED)
        return EventType.REQUEST_CANCELLED, {"reason": reason.strip()}

    def refund(self, amount: Money, transaction_id: str) -> Decision:
        check_transition(self.state, RequestState.REFUNDED)
        if self.paid is None:
            raise InvalidTransition(self.state.value, RequestState.REFUNDED.value)
        if amount.minor <= 0 or self.paid < amount:
            raise InvalidValue(f"a refund is between 0 and the {self.paid.minor} paid")
        return EventType.REQUEST_REFUNDED, {"amount": amount.to_data(), "transaction_id": transaction_id}

    @classmethod
    def opened(cls, event: Event) -> ServiceRequest:
        if event.type is not EventType.REQUEST_OPENED:
            raise InvalidValue(f"a request stream starts with {EventType.REQUEST_OPENED}, not {event.type}")
        data = event.data
        return cls(id=data["request_id"], client_id=data["client_id"], text=data["text"], version=event.seq)

    def apply(self, event: Event) -> ServiceRequest:
        target = _TARGET.get(event.type)
        if target is None:
            raise InvalidValue(f"{event.type} does not belong to a request stream")
        check_transition(self.state, target)
        changed = replace(self, state=target, version=event.seq)
        if event.type is EventType.REQUEST_QUOTED:
            changed = replace(changed, quote=Quote.from_data(event.data["quote"]))
        elif event.type is EventType.REQUEST_PAID:
            changed = replace(changed, paid=Money.from_data(event.data["amount"]))
        elif event.type is EventType.REQUEST_REFUNDED:
            changed = replace(changed, refunded=Money.from_data(event.data["amount"]))
        return changed

    def to_doc(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "client_id": self.client_id,
            "text": self.text,
            "state": self.state.value,
            "open": self.is_open,
            "quote": self.quote.to_data() if self.quote else None,
            "paid": self.paid.to_data() if self.paid else None,
            "refunded": self.refunded.to_data() if self.refunded else None,
            "_v": self.version,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> ServiceRequest:
        return cls(
            id=doc["_id"],
            client_id=doc["client_id"],
            text=doc["text"],
            state=RequestState(doc["state"]),
            quote=Quote.from_data(doc["quote"]) if doc.get("quote") else None,
            paid=Money.from_data(doc["paid"]) if doc.get("paid") else None,
            refunded=Money.from_data(doc["refunded"]) if doc.get("refunded") else None,
            version=doc["_v"],
        )
