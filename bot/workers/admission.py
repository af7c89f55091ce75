"""Acknowledgements first. A webhook answers only after its payload is stored, and the store serves one
request at a time (nx-27017) or a pool of them, shared with the workers (20–80 round trips per message
processed). While webhook requests wait, processing narrows to one item at a time and waits a moment before
each, so a burst of updates is acknowledged at once and processed right after; it never stops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

YIELD_AT_MOST = 0.05  # seconds a worker waits between two items while requests wait: never starves


class Admission:
    def __init__(self) -> None:
        self.waiting = 0
        self._clear = asyncio.Event()
        self._clear.set()
        self._narrow = asyncio.Lock()  # one background item at a time while requests wait

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        """A webhook request is being acknowledged."""
        self.waiting += 1
        self._clear.clear()
        try:
            yield
        finally:
            self.waiting -= 1
            if not self.waiting:
                self._clear.set()

    async def give_way(self) -> None:
        """Before a worker's next item: let waiting acknowledgements go first (for a bounded moment)."""
        if self.waiting:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._clear.wait(), YIELD_AT_MOST)

    @contextlib.asynccontextmanager
    async def background(self) -> AsyncIterator[None]:
        """One item of background work: alone while requests wait, side by side otherwise."""
        await self.give_way()
        if not self.waiting:
            yield
            return
        async with self._narrow:
            yield
