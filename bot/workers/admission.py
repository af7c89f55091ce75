"""Acknowledgements first. A webhook answers only after its payload is stored, and the store serves one
command at a time (nx-27017) or a pool of them, shared with the workers (20–80 round trips per message
processed). So while webhook requests are being answered, and for a moment after the last one (the gap
before a provider's next request), processing waits: one item at a time, each after a quiet moment or, at
the longest, `PATIENCE` — a burst of updates is acknowledged at once and processed right after; a flood
that never pauses is still processed, an item a `PATIENCE` at least; it never stops."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

QUIET = 0.025  # seconds without a webhook request before processing goes on at full width
PATIENCE = 1.0  # seconds an item waits at most for a quiet moment: processing never starves

Sleep = Callable[[float], Awaitable[None]]


class Admission:
    def __init__(
        self,
        quiet: float = QUIET,
        patience: float = PATIENCE,
        now: Callable[[], float] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """`now` (monotonic seconds; the running loop's time by default) and `sleep`: injected by tests."""
        self.waiting = 0
        self.quiet = quiet
        self._patience = patience
        self._now = now
        self._sleep = sleep
        self._last = -math.inf  # when the last request was answered
        self._clear = asyncio.Event()
        self._clear.set()
        self._narrow = asyncio.Lock()  # one background item at a time while requests are answered

    def _time(self) -> float:
        return self._now() if self._now is not None else asyncio.get_running_loop().time()

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        """A webhook request is being acknowledged."""
        self.waiting += 1
        self._clear.clear()
        try:
            yield
        finally:
            self.waiting -= 1
            self._last = self._time()
            if not self.waiting:
                self._clear.set()

    @property
    def busy(self) -> bool:
        """Requests are being answered, or were a moment ago (the next is likely on its way)."""
        return bool(self.waiting) or self._time() - self._last < self.quiet

    async def give_way(self) -> None:
        """Before a worker's next piece of work: let acknowledgements go first — until a quiet moment, for
        `PATIENCE` at most."""
        deadline = self._time() + self._patience
        while self.busy and (left := deadline - self._time()) > 0:
            if self.waiting:
                await self._until_clear(left)
            else:
                await self._sleep(min(left, self._last + self.quiet - self._time()))

    async def _until_clear(self, most: float) -> None:
        cleared = asyncio.ensure_future(self._clear.wait())
        timer = asyncio.ensure_future(self._sleep(most))
        try:
            await asyncio.wait((cleared, timer), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (cleared, timer):
                task.cancel()

    @contextlib.asynccontextmanager
    async def background(self) -> AsyncIterator[None]:
        """One item of background work: side by side in quiet times; while requests are answered, alone,
        and each only after giving way (so items queued behind one another do not follow back to back)."""
        if not self.busy:
            yield
            return
        async with self._narrow:
            await self.give_way()
            yield
