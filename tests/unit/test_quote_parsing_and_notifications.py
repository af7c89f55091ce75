import json
from urllib.parse import urlencode

import pytest

from domain.errors import InvalidQuote, InvalidValue
from domain.money import Money
from domain.quote_parsing import parse_quote
from payments.notifications import authentic, parse
from sandbox.cloudpayments import sign

SECRET = "api-secret"


@pytest.mark.parametrize(
    ("args", "currency", "items"),
    [
        (
            "45000 RUB Mercedes S-Class with chauffeur, 18:00–23:00",
            "RUB",
            [("Mercedes S-Class with chauffeur, 18:00–23:00", "45000")],
        ),
        ("45 000 Mercedes", "RUB", [("Mercedes", "45000")]),
        ("USD 500 Flowers", "USD", [("Flowers", "500")]),
        ("45000 VIP table at White Rabbit", "RUB", [("VIP table at White Rabbit", "45000")]),
        (
            "RUB\nMercedes S-Class — 30000\nFlowers — 15 000",
            "RUB",
            [("Mercedes S-Class", "30000"), ("Flowers", "15000")],
        ),
        ("EUR\nTable — 200\nWine - 150.50", "EUR", [("Table", "200"), ("Wine", "150.50")]),
        ("AED\nSuite — 4 500", "AED", [("Suite", "4500")]),
    ],
)
def test_quotes_are_read(args: str, currency: str, items: list[tuple[str, str]]) -> None:
    parsed_currency, parsed = parse_quote(args)
    assert parsed_currency == currency
    assert [(i.description, i.amount) for i in parsed] == [(d, Money.of(a, currency)) for d, a in items]


@pytest.mark.parametrize(
    "args",
    [
        "",
        "RUB",
        "abc",
        "45000",
        "45000 GBP car",
        "12.345 car",
        "RUB\ncar 3000",
        "RUB\nCar — 3000 USD",
        "0 car",
        "RUB 100 USD car",
    ],
)
def test_bad_quotes_get_a_clear_correction(args: str) -> None:
    with pytest.raises(InvalidQuote) as error:
        parse_quote(args)
    assert len(str(error.value)) > 10


FIELDS = {
    "TransactionId": "70000001",
    "Amount": "45000.00",
    "Currency": "RUB",
    "InvoiceId": "R-1001/1",
    "AccountId": "C-1001",
    "CardLastFour": "4242",
    "CardType": "Visa",
    "Token": "tk_1",
    "TestMode": "1",
    "Description": "Mercedes & chauffeur + flowers",
}


def test_a_form_notification_is_authentic_only_with_the_right_hmac() -> None:
    body = urlencode(FIELDS).encode()
    assert authentic(body, {"Content-HMAC": sign(body, SECRET)}, SECRET)
    assert not authentic(body, {"Content-HMAC": sign(body, "other")}, SECRET)
    assert not authentic(body + b"&Amount=1", {"Content-HMAC": sign(body, SECRET)}, SECRET)
    assert not authentic(body, {}, SECRET)
    decoded = "&".join(f"{k}={v}" for k, v in FIELDS.items()).encode()
    assert authentic(body, {"X-Content-HMAC": sign(decoded, SECRET)}, SECRET)


def test_form_and_json_notifications_parse_the_same() -> None:
    form = parse("pay", urlencode(FIELDS).encode(), "application/x-www-form-urlencoded")
    as_json = parse("pay", json.dumps(FIELDS).encode(), "application/json")
    assert form == as_json
    assert form.amount == Money.of("45000", "RUB") and form.transaction_id == 70000001
    assert form.provider_id == "cp:pay:70000001" and form.card_mask == "Visa •••• 4242"


@pytest.mark.parametrize(
    ("kind", "body"),
    [("pay", b"TransactionId=x&Amount=1"), ("pay", b"Amount=1"), ("launch", urlencode(FIELDS).encode())],
)
def test_malformed_notifications_are_refused(kind: str, body: bytes) -> None:
    with pytest.raises(InvalidValue):
        parse(kind, body, "application/x-www-form-urlencoded")
