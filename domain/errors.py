from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.money import Money


class DomainError(Exception):
    """A business rule said no. Edges map it to a polite answer, never to a 500. `key` and `params` name
    the refusal for a reader in another language (a staff text `err-<key>`; an amount is Money, shown in
    the reader's locale); the message is its English."""

    code = "domain_error"

    def __init__(self, message: str = "", *, key: str | None = None, **params: str | Money) -> None:
        super().__init__(message)
        self.key = key
        self.params = params


class InvalidTransition(DomainError):
    code = "invalid_transition"

    def __init__(self, current: str, target: str) -> None:
        super().__init__(
            f"a request cannot go from {current} to {target}",
            key="transition",
            current=current,
            target=target,
        )
        self.current = current
        self.target = target


class InvalidMoney(DomainError):
    code = "invalid_money"


class CurrencyMismatch(InvalidMoney):
    code = "currency_mismatch"


class InvalidQuote(DomainError):
    code = "invalid_quote"


class InvalidValue(DomainError):
    code = "invalid_value"


class ConcurrencyConflict(DomainError):
    """Someone else wrote to the stream first: reload and decide again."""

    code = "concurrency_conflict"


class Unavailable(DomainError):
    """A dependency (the store) did not answer in time: the caller should try again shortly."""

    code = "unavailable"

    def __init__(self, message: str, retry_after: int = 5) -> None:  # (for a provider: never translated)
        super().__init__(message)
        self.retry_after = retry_after
