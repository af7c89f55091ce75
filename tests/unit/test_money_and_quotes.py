from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import CurrencyMismatch, InvalidMoney, InvalidQuote
from domain.money import MAX_MINOR, Money
from domain.quote_parsing import parse_quote
from domain.quotes import LineItem, Quote

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_money_is_integer_minor_units() -> None:
    assert Money.of("45000", "RUB") == Money(4_500_000, "RUB")
    assert Money.of("12.5", "usd") == Money(1250, "USD")
    assert Money.of("1 200", "AED").minor == 120_000


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("12.345", "RUB"), ("abc", "RUB"), ("NaN", "RUB"), ("10", "XXY"), ("10", "rubles")],
)
def test_bad_money_is_refused(amount: str, currency: str) -> None:
    with pytest.raises(InvalidMoney):
        Money.of(amount, currency)


def test_amounts_are_bounded_where_they_enter() -> None:
    assert Money.of("10000000000", "RUB").minor == MAX_MINOR  # RUB 10 billion: the most one amount may be
    for huge in ("10000000000.01", "99999999999999999999", "-99999999999999999999"):
        with pytest.raises(InvalidMoney) as error:
            Money.of(huge, "RUB")
        assert error.value.key == "amount-too-large" and error.value.params["most"] == Money(MAX_MINOR, "RUB")
    with pytest.raises(InvalidQuote) as refused:
        parse_quote("99999999999999999999 RUB car")
    assert refused.value.key == "amount-too-large"
    line = LineItem("Yacht", Money.of("6000000000", "RUB"))
    with pytest.raises(InvalidQuote) as total:
        Quote(1, (line, line), "RUB", NOW + timedelta(hours=1))  # each line fits, the total does not
    assert total.value.key == "quote-too-large"


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(InvalidMoney):
        Money(10.5, "RUB")  # type: ignore[arg-type]
    with pytest.raises(CurrencyMismatch):
        Money.of("1", "RUB") + Money.of("1", "USD")


@pytest.mark.parametrize(
    ("money", "locale", "text"),
    [
        (Money.of("45000", "RUB"), "en", "RUB\u00a045,000"),
        (Money.of("45000", "RUB"), "ru", "45\u00a0000\u00a0₽"),
        (Money.of("45000", "RUB"), "ar", "\u200f45,000\u00a0RUB"),
        (Money.of("12.50", "USD"), "en", "$12.50"),
        (Money.of("99.99", "EUR"), "ru", "99,99\u00a0€"),
        (Money.of("1200", "AED"), "en", "AED\u00a01,200"),
    ],
)
def test_money_reads_well_in_each_locale(money: Money, locale: str, text: str) -> None:
    assert money.format(locale) == text


def test_a_quote_totals_its_lines_and_expires() -> None:
    quote = Quote(
        1,
        (LineItem("Car", Money.of("30000", "RUB")), LineItem("Flowers", Money.of("15000", "RUB"))),
        "RUB",
        NOW + timedelta(hours=2),
    )
    assert quote.total == Money.of("45000", "RUB")
    assert quote.is_valid_at(NOW) and not quote.is_valid_at(NOW + timedelta(hours=2))
    assert Quote.from_data(quote.to_data()) == quote
    assert quote.revise(quote.items, "RUB", NOW + timedelta(days=1)).version == 2


@pytest.mark.parametrize(
    "build",
    [
        lambda: Quote(1, (), "RUB", NOW),
        lambda: Quote(0, (LineItem("Car", Money.of("1", "RUB")),), "RUB", NOW),
        lambda: Quote(1, (LineItem("Car", Money.of("1", "USD")),), "RUB", NOW),
        lambda: Quote(1, (LineItem("Car", Money.of("1", "JPY")),), "JPY", NOW),
        lambda: Quote(1, (LineItem("Car", Money.of("1", "RUB")),), "RUB", NOW.replace(tzinfo=None)),
        lambda: LineItem("  ", Money.of("1", "RUB")),
        lambda: LineItem("Car", Money.of("0", "RUB")),
    ],
)
def test_bad_quotes_are_refused(build) -> None:
    with pytest.raises(InvalidQuote):
        build()
