from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import InvalidQuote
from domain.money import MAX_MINOR, SUPPORTED_CURRENCIES, Money

MAX_DESCRIPTION = 300
MAX_ITEMS = 30


@dataclass(frozen=True, slots=True)
class LineItem:
    description: str
    amount: Money

    def __post_init__(self) -> None:
        text = self.description.strip()
        if not text:
            raise InvalidQuote("every line needs a description")
        if len(text) > MAX_DESCRIPTION:
            raise InvalidQuote(f"a description is at most {MAX_DESCRIPTION} characters")
        if self.amount.minor <= 0:
            raise InvalidQuote("every amount must be greater than zero")
        object.__setattr__(self, "description", text)

    def to_data(self) -> dict[str, Any]:
        return {"description": self.description, "amount": self.amount.to_data()}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> LineItem:
        return cls(data["description"], Money.from_data(data["amount"]))


@dataclass(frozen=True, slots=True)
class Quote:
    """One version of the price offered for a request; a revision is a new Quote with version + 1."""

    version: int
    items: tuple[LineItem, ...]
    currency: str
    valid_until: datetime

    def __post_init__(self) -> None:
        if self.version < 1:
            raise InvalidQuote("quote versions start at 1")
        if self.currency not in SUPPORTED_CURRENCIES:
            raise InvalidQuote(
                f"{self.currency} is not accepted; use one of {', '.join(sorted(SUPPORTED_CURRENCIES))}"
            )
        if not self.items:
            raise InvalidQuote("a quote needs at least one line")
        if len(self.items) > MAX_ITEMS:
            raise InvalidQuote(f"a quote has at most {MAX_ITEMS} lines")
        if any(item.amount.currency != self.currency for item in self.items):
            raise InvalidQuote(f"every line must be in {self.currency}")
        if self.valid_until.tzinfo is None:
            raise InvalidQuote("validity must be timezone-aware")
        if self.total.minor > MAX_MINOR:
            most = Money(MAX_MINOR, self.currency)
            raise InvalidQuote(
                f"a quote's total is at most {most.format('en')}", key="quote-too-large", most=most
            )

    @property
    def total(self) -> Money:
        total = Money.zero(self.currency)
        for item in self.items:
            total += item.amount
        return total

    def is_valid_at(self, now: datetime) -> bool:
        return now < self.valid_until

    def revise(self, items: tuple[LineItem, ...], currency: str, valid_until: datetime) -> Quote:
        return Quote(self.version + 1, items, currency, valid_until)

    def to_data(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "items": [item.to_data() for item in self.items],
            "currency": self.currency,
            "total": self.total.to_data(),
            "valid_until": self.valid_until.isoformat(),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Quote:
        return cls(
            data["version"],
            tuple(LineItem.from_data(item) for item in data["items"]),
            data["currency"],
            datetime.fromisoformat(data["valid_until"]),
        )
