"""Fiscal receipts (54-FZ): what a payment or a refund is for, as the online cash register must print it. The
engine says what was sold and to whom; the payment adapter writes it in the provider's form with the VAT rate
and the taxation system from settings (they change by law: never a constant here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from domain.clients import Client
from domain.errors import InvalidValue
from domain.money import Money
from domain.quotes import Quote

LABEL = 128  # characters a receipt line's name may have (tag 1030)
FISCAL_CURRENCY = "RUB"  # a Russian receipt is in roubles


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    label: str
    amount: Money  # one service at this price (quantity 1)


@dataclass(frozen=True, slots=True)
class FiscalReceipt:
    lines: tuple[ReceiptLine, ...]
    email: str | None = None  # where the buyer gets it (54-FZ): their e-mail when known,
    phone: str | None = None  # else their phone (E.164); neither: only a payment page can ask for one
    prepaid: bool = False  # a 100% prepayment (the service rendered later), not paid in full

    def __post_init__(self) -> None:
        if not self.lines:
            raise InvalidValue("a receipt needs at least one line")
        if any(line.amount.currency != FISCAL_CURRENCY for line in self.lines):
            raise InvalidValue("a fiscal receipt is in roubles")

    @property
    def addressed(self) -> bool:
        """Whether the receipt service has somewhere to send it."""
        return bool(self.email or self.phone)

    @property
    def total(self) -> Money:
        return Money(sum(line.amount.minor for line in self.lines), FISCAL_CURRENCY)


def _label(request_id: str, text: str) -> str:
    label = f"{request_id}: {' '.join(text.split())}"
    return label if len(label) <= LABEL else label[: LABEL - 1] + "…"


# how the receipts of a paid quote were printed, kept with its payment link: later ones follow it, whatever
# the settings say by then
FULL, PREPAYMENT = "full", "prepayment"


def _to(lines: tuple[ReceiptLine, ...], client: Client, prepaid: bool) -> FiscalReceipt:
    """Sent to the client's e-mail when known, else to their phone."""
    return FiscalReceipt(lines, client.email, None if client.email else client.phone, prepaid)


def for_quote(request_id: str, quote: Quote, client: Client, prepaid: bool = False) -> FiscalReceipt:
    """The quote's lines, as sold."""
    lines = tuple(ReceiptLine(_label(request_id, item.description), item.amount) for item in quote.items)
    return _to(lines, client, prepaid)


def for_amount(
    request_id: str, quote: Quote, amount: Money, client: Client, prepaid: bool = False, what: str = ""
) -> FiscalReceipt:
    """Part of the quote (a partial refund, what is left to settle after one): the whole quote's lines when it
    is all of it, else one line of that amount."""
    if amount == quote.total:
        return for_quote(request_id, quote, client, prepaid)
    description = "; ".join(item.description for item in quote.items)
    label = _label(request_id, f"{what}: {description}" if what else description)
    return _to((ReceiptLine(label, amount),), client, prepaid)


@dataclass(frozen=True, slots=True)
class IssuedReceipt:
    """What the receipt service says it printed (its notification)."""

    kind: str  # "income" (a payment), "settlement" (rendered after a prepayment), "income_return" (a refund)
    url: str | None  # the buyer's link to the fiscal document
    amount: Money
    transaction_id: int
    number: str | None  # the fiscal document's number
    fiscal_sign: str | None

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "url": self.url,
            "amount": self.amount.to_data(),
            "transaction_id": self.transaction_id,
            "number": self.number,
            "fiscal_sign": self.fiscal_sign,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> IssuedReceipt:
        return cls(
            data["kind"],
            data.get("url"),
            Money.from_data(data["amount"]),
            int(data["transaction_id"]),
            data.get("number"),
            data.get("fiscal_sign"),
        )


_URL = re.compile(r"https?://[^\s<>\"']{1,500}")  # (the notification is signed: its link is the service's)
_KINDS = {"Income": "income", "IncomeReturn": "income_return"}


def issued(fields: dict[str, str], amount: Money, transaction_id: int) -> IssuedReceipt:
    """From the receipt service's notification: only a web link is kept, every field bounded."""
    kind = _KINDS.get(fields.get("Type", ""))
    if kind is None:
        raise InvalidValue("not a receipt notification: Type is neither Income nor IncomeReturn")
    if kind == "income" and not (fields.get("TransactionId") or "").strip():
        kind = "settlement"  # printed apart from any payment: only a prepayment's settlement is
    url = fields.get("Url", "").strip()
    return IssuedReceipt(
        kind,
        url if _URL.fullmatch(url) else None,
        amount,
        transaction_id,
        (fields.get("DocumentNumber") or "")[:40] or None,
        (fields.get("FiscalSign") or "")[:40] or None,
    )
