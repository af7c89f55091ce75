"""Arrival order without a shared counter: a stamp from this process's clock, strictly increasing within the
process. The webhook path then costs one insert. Order between processes is the clocks' (close enough where
the provider gives none; Telegram's update_id orders a chat exactly)."""

from __future__ import annotations

from domain.clock import Clock
from storage.timefmt import to_ms

PER_MS = 1000  # stamps a millisecond can hold before borrowing from the next one


class Arrivals:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._last = 0

    def next(self) -> int:
        self._last = max(self._last + 1, to_ms(self._clock.now()) * PER_MS)
        return self._last
