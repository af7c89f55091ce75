"""A request's money as recorded: each payment and refund, and the one rule for whom it is credited to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.events import ActorKind, Event
from domain.money import Money


def quote_sender(event: Event) -> str | None:
    """Money's one rule: a payment (and its refunds) is credited to whoever sent the quote that was paid —
    on every page, in the KPIs, the report and the CSV, whoever has the client now."""
    return event.actor.id if event.actor.kind is ActorKind.ASSISTANT else None


@dataclass(frozen=True, slots=True)
class Payment:
    transaction_id: int
    amount: Money
    card_mask: str | None
    at: datetime
    receipt: str

    def to_data(self) -> dict[str, Any]:
        return {
            "transaction_id": self.transaction_id,
            "amount": self.amount.to_data(),
            "card_mask": self.card_mask,
            "at": self.at.isoformat(),
            "receipt": self.receipt,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Payment:
        return cls(
            data["transaction_id"],
            Money.from_data(data["amount"]),
            data.get("card_mask"),
            datetime.fromisoformat(data["at"]),
            data["receipt"],
        )


def total_of(payments: tuple[Payment, ...]) -> Money | None:
    """Their amounts added up (one currency); None for none."""
    if not payments:
        return None
    total = Money.zero(payments[0].amount.currency)
    for each in payments:
        total += each.amount
    return total
