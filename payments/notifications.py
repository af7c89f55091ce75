"""CloudPayments notifications: authenticated on the raw bytes, then parsed (form-encoded or JSON)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from domain.errors import InvalidValue
from domain.money import Money
from domain.payments import KINDS, Notification


def _digest(secret: str, body: bytes) -> bytes:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())


def authentic(body: bytes, headers: dict[str, str] | Any, secret: str) -> bool:
    """Content-HMAC over the raw body, or X-Content-HMAC over the URL-decoded body (some accounts send it
    over the raw body too); compared in constant time."""
    raw = _digest(secret, body)
    decoded = _digest(secret, unquote_to_bytes(body.replace(b"+", b" ")))
    given = [headers.get(name, "").encode() for name in ("Content-HMAC", "X-Content-HMAC")]
    # every comparison runs, so the time taken says nothing about which one matched
    matches = [hmac.compare_digest(g, expected) for g in given if g for expected in (raw, decoded)]
    return any(matches)


def fields(body: bytes, content_type: str) -> dict[str, str]:
    if "json" in content_type:
        data = json.loads(body or b"{}")
        if not isinstance(data, dict):
            raise InvalidValue("a notification is a JSON object")
        return {k: "" if v is None else str(v) for k, v in data.items()}
    return dict(parse_qsl(body.decode(), keep_blank_values=True))


def parse(kind: str, body: bytes, content_type: str) -> Notification:
    if kind not in KINDS:
        raise InvalidValue(f"unknown notification {kind}")
    data = fields(body, content_type)
    try:
        transaction_id = int(data["TransactionId"])
        amount = Money.of(Decimal(data["Amount"]).quantize(Decimal("0.01")), data.get("Currency") or "RUB")
    except (KeyError, ValueError, InvalidOperation) as error:
        raise InvalidValue(f"not a CloudPayments notification: {error}") from None
    payment_tx = data.get("PaymentTransactionId")
    return Notification(
        kind=kind,
        transaction_id=transaction_id,
        amount=amount,
        invoice_id=data.get("InvoiceId", ""),
        account_id=data.get("AccountId", ""),
        card_first_six=data.get("CardFirstSix") or None,
        card_last_four=data.get("CardLastFour") or None,
        card_type=data.get("CardType") or None,
        token=data.get("Token") or None,
        reason=data.get("Reason") or None,
        reason_code=data.get("ReasonCode") or None,
        payment_transaction_id=int(payment_tx) if payment_tx else None,
        test_mode=data.get("TestMode") in ("1", "true", "True"),
        raw=data,
    )
