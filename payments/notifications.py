"""CloudPayments notifications: authenticated on the raw bytes, then parsed (form-encoded or JSON)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
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


MAX_FIELDS = 200
_ID = re.compile(r"[0-9]{1,18}")  # transaction ids: positive, within 64 bits
_AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")  # major units, up to 2 decimals (as CloudPayments sends)


def fields(body: bytes, content_type: str) -> dict[str, str]:
    """The notification's fields as text. Strict UTF-8; a form or a flat JSON object."""
    try:
        text = body.decode("utf-8")
        if "json" in content_type:
            data = json.loads(text or "{}")
            if not isinstance(data, dict) or len(data) > MAX_FIELDS:
                raise InvalidValue("a notification is a JSON object of a few dozen fields")
            return {
                k: "" if v is None else v if isinstance(v, str) else json.dumps(v) for k, v in data.items()
            }
        return dict(parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict"))
    except (ValueError, RecursionError):  # not UTF-8, not JSON, too many fields, nested too deep
        raise InvalidValue("not a CloudPayments notification (unreadable body)") from None


def _number(data: dict[str, str], name: str) -> int:
    value = data.get(name, "").strip()
    if not _ID.fullmatch(value) or int(value) == 0:
        raise InvalidValue(f"not a CloudPayments notification: {name} is not a transaction number")
    return int(value)


def _optional_number(data: dict[str, str], name: str) -> int | None:
    return _number(data, name) if data.get(name, "").strip() else None


def parse(kind: str, body: bytes, content_type: str) -> Notification:
    if kind not in KINDS:
        raise InvalidValue(f"unknown notification {kind}")
    data = fields(body, content_type)
    amount = data.get("Amount", "").strip()
    if not _AMOUNT.fullmatch(amount):
        raise InvalidValue("not a CloudPayments notification: Amount is not an amount")
    if kind == "receipt" and data.get("Type") not in ("Income", "IncomeReturn"):
        raise InvalidValue("not a receipt notification: Type is neither Income nor IncomeReturn")
    if kind == "receipt" and not 0 < len(data.get("Id", "")) <= 64:
        raise InvalidValue("not a receipt notification: Id is missing or too long")
    for name in (
        "InvoiceId",
        "AccountId",
        "Currency",
        "CardFirstSix",
        "CardLastFour",
        "CardType",
        "Token",
        "Url",
    ):
        if len(data.get(name, "")) > 256:
            raise InvalidValue(f"not a CloudPayments notification: {name} is too long")
    return Notification(
        kind=kind,
        transaction_id=_optional_number(data, "TransactionId") or 0
        if kind == "receipt"
        else _number(data, "TransactionId"),
        amount=Money.of(amount, data.get("Currency") or "RUB"),
        invoice_id=data.get("InvoiceId", ""),
        account_id=data.get("AccountId", ""),
        card_first_six=data.get("CardFirstSix") or None,
        card_last_four=data.get("CardLastFour") or None,
        card_type=data.get("CardType") or None,
        token=data.get("Token") or None,
        reason=(data.get("Reason") or None) and data["Reason"][:500],
        reason_code=(data.get("ReasonCode") or None) and data["ReasonCode"][:50],
        payment_transaction_id=_optional_number(data, "PaymentTransactionId"),
        test_mode=data.get("TestMode") in ("1", "true", "True"),
        raw=data,
    )
