"""A client's service request, event-sourced: decisions return event data, `apply` folds events in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from domain.errors import InvalidTransition, InvalidValue
from domain.events import Event, EventType
from domain.intake import Understanding
from domain.ledger import Payment, quote_sender, total_of
from domain.lifecycle import OPEN_STATES, RequestState, can_transition, check_transition
from domain.money import Money
from domain.quotes import Quote
from domain.receipts import IssuedReceipt

Decision = tuple[EventType, dict[str, Any]]

_TARGET = {
    EventType.REQUEST_QUOTED: RequestState.QUOTED,
    EventType.REQUEST_PAID: RequestState.PAID,
    EventType.REQUEST_STARTED: RequestState.IN_PROGRESS,
    EventType.REQUEST_FULFILLED: RequestState.FULFILLED,
    EventType.REQUEST_CANCELLED: RequestState.CANCELLED,
}


def invoice_id(request_id: str, version: int) -> str:
    """Ours, sent as InvoiceId: names the request and the quote version the link was made for."""
    return f"{request_id}/{version}"


_INVOICE = re.compile(r"(R-[0-9]{1,12})/([0-9]{1,6})")


def parse_invoice_id(value: str) -> tuple[str, int] | None:
    """'R-1001/2' → ('R-1001', 2); anything else (another shop's invoice, garbage) → None."""
    match = _INVOICE.fullmatch(value)
    return (match[1], int(match[2])) if match else None


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    id: str
    client_id: str
    text: str
    details: Understanding = field(default_factory=Understanding)
    state: RequestState = RequestState.NEW
    quote: Quote | None = None
    quoted_by: str | None = None  # the assistant who sent the live quote (`quote_sender`)
    cost: Money | None = None  # the supplier's cost of the live quote: leads and `quoted_by` see it
    payment_link: dict[str, Any] | None = None  # {"order_id", "url", "number"} for the live quote
    payment: Payment | None = None
    refunds: tuple[
        Payment, ...
    ] = ()  # each refund; the request is `refunded` once they add up to the payment
    cancel_reason: str | None = None
    card_message_id: int | None = None
    quote_lapsed: bool = False  # the live quote expired unpaid: its link is cancelled
    rating_asked: bool = False
    rating: int | None = None  # 1–5, the client's answer to "how did we do?"
    rating_comment: str | None = None
    rated_at: datetime | None = None
    fiscal_receipts: tuple[IssuedReceipt, ...] = ()  # 54-FZ receipts printed for its payment and refunds
    via: str | None = None  # the channel its first words came on, when not Telegram (the card marks them)
    first_words: str = ""  # the message that opened it (`text`: with every one it took in since)
    version: int = 0

    @property
    def words_since(self) -> str:
        """What it took in after the message that opened it."""
        first = self.first_words
        return self.text[len(first) + 1 :] if first and self.text.startswith(first + "\n") else ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def paid(self) -> Money | None:
        return self.payment.amount if self.payment else None

    @property
    def credited_to(self) -> str | None:
        """Who earns what this request is paid (`quote_sender`); None before a quote or for a system one."""
        return self.quoted_by if self.payment else None

    @property
    def margin(self) -> Money | None:
        """What the request earns: paid, less refunds, less the supplier's cost; None without a cost or a
        payment."""
        if self.cost is None or self.paid is None:
            return None
        kept = self.paid - self.refunded if self.refunded else self.paid
        return kept - self.cost

    @property
    def refund(self) -> Payment | None:
        """The latest refund."""
        return self.refunds[-1] if self.refunds else None

    @property
    def refunded(self) -> Money | None:
        """Every refund added up; None before any."""
        return total_of(self.refunds)

    @property
    def partly_refunded(self) -> bool:
        return bool(self.refunds) and self.state is not RequestState.REFUNDED

    @property
    def refundable(self) -> Money | None:
        """What a refund may still return: the payment less the refunds, where the lifecycle allows one."""
        if self.paid is None or not can_transition(self.state, RequestState.REFUNDED):
            return None
        left = self.paid - self.refunded if self.refunded else self.paid
        return left if left.minor > 0 else None

    @property
    def invoice_id(self) -> str | None:
        return invoice_id(self.id, self.quote.version) if self.quote else None

    # --- decisions ------------------------------------------------------------------------------------
    @staticmethod
    def open(
        request_id: str,
        client_id: str,
        text: str,
        details: Understanding | None = None,
        via: str | None = None,
    ) -> Decision:
        """`via`: the channel the words came on, when not Telegram."""
        if not text.strip():
            raise InvalidValue("a request needs the client's words")
        return EventType.REQUEST_OPENED, {
            "request_id": request_id,
            "client_id": client_id,
            "text": text,
            "details": (details or Understanding()).to_data(),
            **({"via": via} if via else {}),
        }

    def add_message(self, text: str, learned: Understanding) -> Decision:
        """A follow-up: what it adds fills what the request did not know yet (the hour of a day said, the
        time asked for when two were offered), and a move ("can we do Friday instead?") moves it."""
        current = self.details
        when = _when_after(current, learned)
        merged = replace(
            current,
            category=current.category if current.category.value != "other" else learned.category,
            when=when.when,
            time_known=when.time_known,
            time_approx=when.time_approx,
            time_past=when.time_past,
            time_unsure=when.time_unsure,
            urgent=current.urgent or learned.urgent,
            guests=current.guests or learned.guests,
            places=tuple(dict.fromkeys((*current.places, *learned.places))),
            budget=current.budget or learned.budget,
        )
        data: dict[str, Any] = {"text": text, "details": merged.to_data()}
        if learned.time_past and when.when is learned.when:
            data["confirm_time"] = True  # the time it brought had already passed: the assistant confirms it
        return EventType.REQUEST_MESSAGE_ADDED, data

    def edit(self, details: Understanding, field_name: str) -> Decision:
        if not self.is_open:
            raise InvalidTransition(self.state.value, "edited")
        return EventType.REQUEST_DETAILS_CHANGED, {"details": details.to_data(), "field": field_name}

    def quote_with(self, quote: Quote, link: dict[str, Any], cost: Money | None = None) -> Decision:
        check_transition(self.state, RequestState.QUOTED)
        if quote.version != self.next_quote_version:
            raise InvalidValue(f"the next quote is version {self.next_quote_version}, not {quote.version}")
        if cost is not None and cost.currency != quote.currency:
            raise InvalidValue(f"a cost in {cost.currency} for a quote in {quote.currency}")
        data = {
            "quote": quote.to_data(),
            "invoice_id": invoice_id(self.id, quote.version),
            "payment_link": link,
        }
        return EventType.REQUEST_QUOTED, data | ({"cost": cost.to_data()} if cost else {})

    @property
    def next_quote_version(self) -> int:
        return self.quote.version + 1 if self.quote else 1

    def pay(
        self, amount: Money, transaction_id: int, card_mask: str | None, at: datetime, receipt: str
    ) -> Decision:
        check_transition(self.state, RequestState.PAID)
        assert self.quote is not None  # quoted implies a quote
        if amount != self.quote.total:
            raise InvalidValue(f"paid {amount.minor} {amount.currency}, quoted {self.quote.total.minor}")
        payment = Payment(transaction_id, amount, card_mask, at, receipt)
        return EventType.REQUEST_PAID, {"payment": payment.to_data(), "quote_version": self.quote.version}

    def start(self) -> Decision:
        check_transition(self.state, RequestState.IN_PROGRESS)
        return EventType.REQUEST_STARTED, {}

    def fulfil(self) -> Decision:
        check_transition(self.state, RequestState.FULFILLED)
        return EventType.REQUEST_FULFILLED, {}

    def cancel(self, reason: str) -> Decision:
        check_transition(self.state, RequestState.CANCELLED)
        return EventType.REQUEST_CANCELLED, {"reason": reason.strip()}

    def refund_of(self, amount: Money, transaction_id: int, at: datetime, receipt: str) -> Decision:
        """All or part of what is left; the request becomes `refunded` only when nothing is left."""
        check_transition(self.state, RequestState.REFUNDED)
        left = self.refundable
        if self.paid is None or left is None:
            raise InvalidTransition(self.state.value, RequestState.REFUNDED.value)
        if amount.currency != left.currency or amount.minor <= 0 or left < amount:
            paid, rest = self.paid.format("en"), left.format("en")
            if self.refunds:
                raise InvalidValue(
                    f"a refund is more than 0 and at most the {rest} not yet refunded of the {paid} paid",
                    key="refund-left",
                    left=left,
                    paid=self.paid,
                )
            raise InvalidValue(
                f"a refund is more than 0 and at most the {paid} paid", key="refund-amount", paid=self.paid
            )
        refund = Payment(transaction_id, amount, None, at, receipt)
        return EventType.REQUEST_REFUNDED, {"refund": refund.to_data()}

    # --- folding events -------------------------------------------------------------------------------
    @classmethod
    def opened(cls, event: Event) -> ServiceRequest:
        if event.type is not EventType.REQUEST_OPENED:
            raise InvalidValue(f"a request stream starts with {EventType.REQUEST_OPENED}, not {event.type}")
        data = event.data
        details = Understanding.from_data(data["details"]) if data.get("details") else Understanding()
        return cls(
            id=data["request_id"],
            client_id=data["client_id"],
            text=data["text"],
            details=details,
            via=data.get("via"),
            first_words=data["text"],
            version=event.seq,
        )

    def apply(self, event: Event) -> ServiceRequest:
        data, t = event.data, event.type
        if t in _TARGET:
            target = _TARGET[t]
            check_transition(self.state, target)
            changed = replace(self, state=target)
            if t is EventType.REQUEST_QUOTED:
                changed = replace(
                    changed,
                    quote=Quote.from_data(data["quote"]),
                    quoted_by=quote_sender(event),
                    cost=Money.from_data(data["cost"]) if data.get("cost") else None,
                    payment_link=data["payment_link"],
                    quote_lapsed=False,
                )
            elif t is EventType.REQUEST_PAID:
                changed = replace(changed, payment=Payment.from_data(data["payment"]))
            elif t is EventType.REQUEST_CANCELLED:
                changed = replace(changed, cancel_reason=data["reason"])
        elif t is EventType.REQUEST_REFUNDED:
            changed = self._refunded(Payment.from_data(data["refund"]))
        elif t in (EventType.REQUEST_MESSAGE_ADDED, EventType.REQUEST_DETAILS_CHANGED):
            changed = replace(
                self,
                details=Understanding.from_data(data["details"]),
                text=f"{self.text}\n{data['text']}" if data.get("text") else self.text,
            )
        elif t is EventType.REQUEST_CARD_POSTED:
            changed = replace(self, card_message_id=data["message_id"])
        elif t is EventType.REQUEST_MOVED:
            changed = replace(self, client_id=data["client_id"])
        elif t is EventType.QUOTE_EXPIRED:
            changed = replace(self, quote_lapsed=True, payment_link=None)
        elif t is EventType.FISCAL_RECEIPT_ISSUED:
            changed = replace(
                self, fiscal_receipts=(*self.fiscal_receipts, IssuedReceipt.from_data(data["receipt"]))
            )
        elif t is EventType.RATING_ASKED:
            changed = replace(self, rating_asked=True)
        elif t is EventType.REQUEST_RATED:
            changed = replace(self, rating=data["score"], rated_at=event.at)
        elif t is EventType.RATING_COMMENTED:
            changed = replace(self, rating_comment=data["text"])
        elif t in (
            EventType.PAYMENT_FAILED,
            EventType.QUOTE_REMINDED,
            EventType.FULFILMENT_DUE,
            EventType.CLIENT_REMINDED,
            EventType.RESPONSE_OVERDUE,
        ):
            changed = self
        else:
            raise InvalidValue(f"{t} does not belong to a request stream")
        return replace(changed, version=event.seq)

    def _refunded(self, refund: Payment) -> ServiceRequest:
        check_transition(self.state, RequestState.REFUNDED)  # money came in, and may go back now
        changed = replace(self, refunds=(*self.refunds, refund))
        if changed.refunded == self.paid:
            changed = replace(changed, state=RequestState.REFUNDED)
        return changed

    def to_doc(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "client_id": self.client_id,
            "text": self.text,
            "details": self.details.to_data(),
            "state": self.state.value,
            "open": self.is_open,
            "quote": self.quote.to_data() if self.quote else None,
            "quoted_by": self.quoted_by,
            "cost": self.cost.to_data() if self.cost else None,
            "invoice_id": self.invoice_id,
            "payment_link": self.payment_link,
            "payment": self.payment.to_data() if self.payment else None,
            # a flat copy: the console's payments page seeks it by time
            "paid_ms": int(self.payment.at.timestamp() * 1000) if self.payment else None,
            "refunds": [each.to_data() for each in self.refunds],
            "cancel_reason": self.cancel_reason,
            "card_message_id": self.card_message_id,
            "quote_lapsed": self.quote_lapsed,
            "rating_asked": self.rating_asked,
            "rating": self.rating,
            "rating_comment": self.rating_comment,
            "rated_at": self.rated_at.isoformat() if self.rated_at else None,
            "fiscal_receipts": [each.to_data() for each in self.fiscal_receipts],
            "via": self.via,
            "first_words": self.first_words,
            "_v": self.version,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> ServiceRequest:
        return cls(
            id=doc["_id"],
            client_id=doc["client_id"],
            text=doc["text"],
            details=Understanding.from_data(doc.get("details") or {}),
            state=RequestState(doc["state"]),
            quote=Quote.from_data(doc["quote"]) if doc.get("quote") else None,
            quoted_by=doc.get("quoted_by"),
            cost=Money.from_data(doc["cost"]) if doc.get("cost") else None,
            payment_link=doc.get("payment_link"),
            payment=Payment.from_data(doc["payment"]) if doc.get("payment") else None,
            refunds=tuple(Payment.from_data(each) for each in _refunds_of(doc)),
            cancel_reason=doc.get("cancel_reason"),
            card_message_id=doc.get("card_message_id"),
            quote_lapsed=doc.get("quote_lapsed", False),
            rating_asked=doc.get("rating_asked", False),
            rating=doc.get("rating"),
            rating_comment=doc.get("rating_comment"),
            rated_at=datetime.fromisoformat(doc["rated_at"]) if doc.get("rated_at") else None,
            fiscal_receipts=tuple(IssuedReceipt.from_data(each) for each in doc.get("fiscal_receipts") or ()),
            via=doc.get("via"),
            first_words=doc.get("first_words") or doc["text"],  # (folded before it was kept: all of them)
            version=doc["_v"],
        )


def _refunds_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """A document of the older shape kept one refund under `refund`."""
    if "refunds" in doc:
        refunds: list[dict[str, Any]] = doc["refunds"]
        return refunds
    return [doc["refund"]] if doc.get("refund") else []


def _when_after(current: Understanding, learned: Understanding) -> Understanding:
    """The request's time after a follow-up: what it knew, filled or moved by what the follow-up says. An hour
    said alone ("make it 7pm", "8pm please") is on the day the request already has; a day said alone ("Friday
    instead") keeps the hour it had."""
    if learned.when is None:
        return current
    if current.when is None:
        return learned
    if not (learned.moves or (learned.time_known and not current.time_known)):
        return current
    at = learned.when
    if learned.time_known and not learned.day_said:
        hour = at.hour
        if (
            current.time_known
            and hour < 12
            and abs(hour + 12 - current.when.hour) < abs(hour - current.when.hour)
        ):
            hour += 12  # "на полдевятого" for a dinner at 20:00 is 20:30, not 08:30
        at = current.when.replace(hour=hour, minute=at.minute)
    elif learned.moves and not learned.time_known and current.time_known:
        at = at.replace(hour=current.when.hour, minute=current.when.minute)
        return replace(current, when=at, time_past=False)
    return replace(learned, when=at, time_past=False)
