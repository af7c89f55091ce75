import json
from urllib.parse import urlencode

import pytest

from domain.errors import InvalidQuote, InvalidValue
from domain.money import Money
from domain.quote_parsing import amount_said, parse_quote, parse_quote_and_cost, without_cost
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
        # a currency as assistants write it: its sign, or its word in Russian or Arabic
        (
            "12 500 руб Mercedes V-Class, трансфер в SVO",
            "RUB",
            [("Mercedes V-Class, трансфер в SVO", "12500")],
        ),
        ("12500₽ Mercedes", "RUB", [("Mercedes", "12500")]),
        ("300 р. такси", "RUB", [("такси", "300")]),
        ("$500 Dinner", "USD", [("Dinner", "500")]),
        ("500 долларов ужин", "USD", [("ужин", "500")]),
        ("€ 200 Ужин", "EUR", [("Ужин", "200")]),
        ("45000 درهم سيارة", "AED", [("سيارة", "45000")]),
        ("Руб\nМашина — 30 000 руб.\nЦветы — 5000 ₽", "RUB", [("Машина", "30000"), ("Цветы", "5000")]),
        ("45000 рубашка от Brioni", "RUB", [("рубашка от Brioni", "45000")]),  # a word, not a currency
        ("45000 евро-тур", "RUB", [("евро-тур", "45000")]),
        # one line with the price last: the number said with a currency is the price
        ("Transfer to SVO — 12 500 руб", "RUB", [("Transfer to SVO", "12500")]),
        ("Mercedes — 45000", "RUB", [("Mercedes", "45000")]),
        (
            "2 билета в партер, Лебединое озеро — 96 000 руб",
            "RUB",
            [("2 билета в партер, Лебединое озеро", "96000")],
        ),
        ("RUB 45000 Car: 2 hours", "RUB", [("Car: 2 hours", "45000")]),
        ("45000 RUB Car: 2", "RUB", [("Car: 2", "45000")]),
        ("45000 Car 18-23", "RUB", [("Car 18-23", "45000")]),  # (a time, not a price)
        # kopecks after a decimal comma, as a Russian keyboard types them
        (
            "RUB\nMercedes S-класс — 42 000\nВстреча с табличкой — 4 999,50",
            "RUB",
            [("Mercedes S-класс", "42000"), ("Встреча с табличкой", "4999.50")],
        ),
        ("1500,5 руб парковка", "RUB", [("парковка", "1500.50")]),
        ("Парковка — 1 500,50 ₽", "RUB", [("Парковка", "1500.50")]),
        ("45,000 Car", "RUB", [("Car", "45000")]),
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
        "руб 100 $ car",  # (the currency said twice, in words)
        "RUB\nCar — 3000 евро",
        "3 hours with driver — 30000",  # (two amounts, neither said with a currency: which is the price?)
        "45000 RUB Car: 2 USD",
        "RUB\nFlowers — 1,5",  # (1.50 or 1 500? not guessed at)
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


def test_a_cost_said_in_the_quotes_currency_word_is_read_and_in_another_refused() -> None:
    currency, items, cost = parse_quote_and_cost("45 000 руб Mercedes cost 31 000 руб")
    assert (currency, [i.description for i in items], cost) == ("RUB", ["Mercedes"], Money.of("31000", "RUB"))
    with pytest.raises(InvalidQuote) as error:
        parse_quote_and_cost("45000 RUB Mercedes cost 300 $")
    assert error.value.key == "quote-cost-currency"


def test_a_line_with_two_amounts_is_refused_with_both_named() -> None:
    """It was quoted at the first number, silently: "2 tickets — 96 000" became RUB 2."""
    with pytest.raises(InvalidQuote) as error:
        parse_quote("2 tickets, stalls — 96 000")
    assert error.value.key == "quote-two-amounts"
    assert (error.value.params["first"], error.value.params["last"]) == ("2", "96 000")


@pytest.mark.parametrize(
    "args",
    [
        "$45000 Dinner cost $31000",  # the cost written as its amount was: the sign first
        "45000 ₽ ужин cost ₽31000",
        "45000 RUB Mercedes cost RUB 31000",
        "45000 руб ужин (cost 31000 руб)",  # in brackets, its currency said
    ],
)
def test_a_cost_written_with_its_currency_first_or_in_brackets_is_a_cost_not_the_clients_words(
    args: str,
) -> None:
    """It was read as the description: the supplier's cost in the client's quote and left in the topic."""
    _, items, cost = parse_quote_and_cost(args)
    assert cost is not None and cost.minor == 3100000, (items, cost)
    assert "31000" not in items[0].description and "cost" not in items[0].description
    assert without_cost(args).endswith(" · cost •••")


@pytest.mark.parametrize(
    ("said", "amount"),
    [
        ("15000", Money.of("15000", "RUB")),
        ("15 000 RUB", Money.of("15000", "RUB")),
        ("15 000 руб", Money.of("15000", "RUB")),
        ("RUB 15000", Money.of("15000", "RUB")),
        ("$500", Money.of("500", "USD")),
        ("١٢٥٠٠ روبل", Money.of("12500", "RUB")),
        ("2 000 AED", Money.of("2000", "AED")),
        ("500 dollars", Money.of("500", "USD")),
        ("15000 roubles", Money.of("15000", "RUB")),
        ("300 euro", Money.of("300", "EUR")),
        ("1000 dirhams", Money.of("1000", "AED")),
        ("4 999,50", Money.of("4999.50", "RUB")),
    ],
)
def test_an_amount_after_edit_budget_or_refund_is_read_with_or_without_its_currency(
    said: str, amount: Money
) -> None:
    assert amount_said(said, "RUB") == amount


@pytest.mark.parametrize(
    ("said", "key"), [("lots", "amount"), ("RUB 500 USD", "amount"), ("500 GBP", "quote-currency")]
)
def test_what_is_not_an_amount_is_refused_with_a_text_of_its_own(said: str, key: str) -> None:
    with pytest.raises(InvalidQuote) as refused:
        amount_said(said, "RUB")
    assert refused.value.key == key
