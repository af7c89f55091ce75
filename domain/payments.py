"""Payments in our terms: what a gateway answers, what a provider notifies, what `check` may answer.
The CloudPayments adapter (payments/) produces these; the engine only ever sees these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.money import Money
from domain.receipts import FiscalReceipt

KINDS = ("check", "pay", "fail", "confirm", "refund", "cancel", "recurrent", "receipt")


class GatewayError(Exception):
    """Something to tell the assistant in a plain sentence."""


@dataclass(frozen=True, slots=True)
class PaymentLink:
    order_id: str
    number: int
    url: str


@dataclass(frozen=True, slots=True)
class Charged:
    transaction_id: int
    card_last_four: str | None
    card_type: str | None


@dataclass(frozen=True, slots=True)
class NeedsConfirmation:
    """The bank wants 3-D Secure: the client pays through the link instead."""

    transaction_id: int


@dataclass(frozen=True, slots=True)
class Declined:
    reason: str
    client_message: str | None


ChargeResult = Charged | NeedsConfirmation | Declined


class PaymentGateway(Protocol):
    """The port the engine pays through; every call is idempotent by `request_id`."""

    async def create_order(
        self,
        *,
        invoice_id: str,
        account_id: str,
        amount: Money,
        description: str,
        culture: str,
        request_id: str,
        receipt: FiscalReceipt | None = None,
    ) -> PaymentLink: ...
    async def cancel_order(self, order_id: str, request_id: str) -> None: ...
    async def charge_token(
        self,
        *,
        token: str,
        account_id: str,
        amount: Money,
        invoice_id: str,
        description: str,
        request_id: str,
        receipt: FiscalReceipt | None = None,
    ) -> ChargeResult: ...
    async def refund(
        self, *, transaction_id: int, amount: Money, request_id: str, receipt: FiscalReceipt | None = None
    ) -> int: ...
    async def settle_prepayment(
        self, *, invoice_id: str, account_id: str, receipt: FiscalReceipt, request_id: str
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class Notification:
    kind: str
    transaction_id: int
    amount: Money
    invoice_id: str
    account_id: str
    card_first_six: str | None
    card_last_four: str | None
    card_type: str | None
    token: str | None
    reason: str | None
    reason_code: str | None
    payment_transaction_id: int | None
    test_mode: bool
    raw: dict[str, str]

    @property
    def provider_id(self) -> str:
        if self.kind == "receipt":  # (a settlement's receipt has no transaction: the receipt's own id)
            return f"cp:receipt:{self.raw.get('Id') or self.transaction_id}"
        return f"cp:{self.kind}:{self.transaction_id}"

    @property
    def card_mask(self) -> str | None:
        return f"{self.card_type or 'Card'} •••• {self.card_last_four}" if self.card_last_four else None


class CheckCode:
    """Answers to `check` (CloudPayments' documented codes)."""

    ACCEPT = 0
    UNKNOWN_INVOICE = 10
    WRONG_ACCOUNT = 11
    WRONG_AMOUNT = 12
    REJECTED = 13
    EXPIRED = 20
