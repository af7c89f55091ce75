"""Reads shared by the steps that make them at the same moment: twenty calls arriving together each read the
team and its open conversations, and the store serves one command at a time. A step that shares (the answers
Twilio waits on) joins a read of the same documents already on its way to the store, but only one sent
after the step began — and after the step's own last write to the collection: what it gets is then as fresh
as a read of its own would be (it reflects every write acknowledged before the step began, on any instance).
Nothing is kept: a read is shared while it is in flight, then forgotten."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

_ORDER = itertools.count(1)  # one order for a step's beginning, its writes, and a read's sending


def now() -> int:
    """A point in this process's order of events: a step began, wrote, or a read was sent."""
    return next(_ORDER)


@dataclass(frozen=True)
class _Flight:
    sent: int
    task: asyncio.Task[Any]


_IN_FLIGHT: dict[tuple[int, Any], _Flight] = {}  # (the database object's id, what is read) → its read


async def shared(db: object, what: Any, since: int, read: Callable[[], Awaitable[Any]]) -> Any:
    """`read()`'s result, or that of the same read in flight when it was sent after `since`. The caller
    copies what it keeps (the result is everyone's)."""
    key = (id(db), what)
    flight = _IN_FLIGHT.get(key)
    if flight is None or flight.sent <= since:
        sent = now()
        task = asyncio.ensure_future(read())
        flight = _Flight(sent, task)
        _IN_FLIGHT[key] = flight
        task.add_done_callback(partial(_landed, key, flight))
    return await asyncio.shield(flight.task)  # (one step cancelled: the others' read goes on)


def _landed(key: tuple[int, Any], flight: _Flight, task: asyncio.Task[Any]) -> None:
    if _IN_FLIGHT.get(key) is flight:
        del _IN_FLIGHT[key]
    if not task.cancelled():
        task.exception()  # (retrieved: every step that waited on it has raised it already)
