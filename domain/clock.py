from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock for tests: it moves only when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock is timezone-aware")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance_to(self, moment: datetime) -> datetime:
        self._now = max(self._now, moment)
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now


class ShiftedClock:
    """Another clock moved ahead by an offset that only grows: the sandbox's fast-forward (a person can watch
    a 15-minute promise fall due in a second). Never used with real credentials."""

    def __init__(self, base: Clock) -> None:
        self._base = base
        self._offset = timedelta()

    def now(self) -> datetime:
        return self._base.now() + self._offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    def fast_forward(self, by: timedelta) -> datetime:
        if by <= timedelta():
            raise ValueError("the clock only moves forward")
        self._offset += by
        return self.now()
