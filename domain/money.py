from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale
from babel.numbers import format_currency, get_currency_precision, list_currencies

from domain.errors import CurrencyMismatch, InvalidMoney

SUPPORTED_CURRENCIES = frozenset({"RUB", "USD", "EUR", "AED"})
ISO_CURRENCIES = frozenset(list_currencies())
# the most one amount may be, in minor units (RUB 10 billion): thirty such lines fit int64 many times over,
# and a double (CloudPayments' Amount) holds it to the kopeck
MAX_MINOR = 10**12


def _check_currency(code: object) -> str:
    if not isinstance(code, str) or code.upper() != code or code not in ISO_CURRENCIES:
        raise InvalidMoney(f"{code!r} is not an ISO 4217 currency code")
    return code


@dataclass(frozen=True, slots=True)
class Money:
    """An integer amount of minor units (kopecks, cents, fils) and an ISO currency."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise InvalidMoney(f"amount must be an integer number of minor units, not {self.minor!r}")
        _check_currency(self.currency)

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        """From a major-unit amount ("45000", "12.50"); refuses more decimals than the currency has."""
        code: object = currency  # data from outside may be no string at all: InvalidMoney, not a crash
        currency = _check_currency(code.strip().upper() if isinstance(code, str) else code)
        try:
            value = Decimal(str(amount).strip().replace(" ", "").replace("\u00a0", ""))
        except InvalidOperation:
            raise InvalidMoney(f"{amount!r} is not an amount", key="amount", amount=str(amount)) from None
        if not value.is_finite():
            raise InvalidMoney(f"{amount!r} is not an amount", key="amount", amount=str(amount))
        scaled = value.scaleb(get_currency_precision(currency))
        if scaled != scaled.to_integral_value():
            raise InvalidMoney(
                f"{amount} has more decimals than {currency} allows",
                key="decimals",
                amount=str(amount),
                currency=currency,
            )
        if abs(scaled) > MAX_MINOR:
            most = cls(MAX_MINOR, currency)
            raise InvalidMoney(
                f"{amount} is more than one amount may be (at most {most.format('en')})",
                key="amount-too-large",
                amount=str(amount),
                most=most,
            )
        return cls(int(scaled), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @property
    def major(self) -> Decimal:
        return Decimal(self.minor).scaleb(-get_currency_precision(self.currency))

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.minor - other.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.minor <= other.minor

    def _same_currency(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def format(self, locale: str) -> str:
        """For people, in their locale: "45 000 ₽" (ru), "RUB 45,000" (en), "$12.50" (en)."""
        pattern = None
        if self.minor % 10 ** get_currency_precision(self.currency) == 0:
            standard = Locale.parse(locale).currency_formats["standard"].pattern
            pattern = re.sub(r"\.0+", "", standard)
        text = format_currency(
            self.major, self.currency, format=pattern, locale=locale, currency_digits=pattern is None
        )
        # babel glues a letter code to the digits ("RUB45,000"); a no-break space reads better.
        return re.sub(r"^([A-Z]{3})(?=[\d-])", "\\1\u00a0", text)

    def to_data(self) -> dict[str, int | str]:
        return {"minor": self.minor, "currency": self.currency}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Money:
        return cls(data["minor"], data["currency"])
