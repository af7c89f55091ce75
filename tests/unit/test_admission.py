"""Acknowledgements first: while webhook requests are answered (and for a quiet moment after), background work
waits — one item at a time, each giving way in turn, none longer than its patience."""

from __future__ import annotations

import asyncio
import math

from bot.workers.admission import Admission


class Ticker:
    """A monotonic clock that moves only when the admission sleeps on it."""

    def __init__(self) -> None:
        self.at = 0.0

    def now(self) -> float:
        return self.at

    async def sleep(self, seconds: float) -> None:
        if seconds == math.inf:
            await asyncio.Event().wait()  # (forever: until what it races finishes first)
        self.at += seconds
        await asyncio.sleep(0)  # (the loop turns, as a real sleep's would)


def admission(ticker: Ticker, quiet: float = 0.025, patience: float = 1.0) -> Admission:
    return Admission(quiet=quiet, patience=patience, now=ticker.now, sleep=ticker.sleep)


async def started_at(door: Admission, ticker: Ticker, log: list[tuple[str, float]], name: str) -> None:
    async with door.background():
        log.append((f"{name} in", ticker.now()))
        await asyncio.sleep(0)  # (the item's own awaits: another item must not slip in meanwhile)
        log.append((f"{name} out", ticker.now()))


async def test_in_quiet_times_items_go_at_once_and_side_by_side() -> None:
    ticker = Ticker()
    door = admission(ticker)
    log: list[tuple[str, float]] = []
    await asyncio.gather(*(started_at(door, ticker, log, n) for n in "ab"))
    assert log == [("a in", 0.0), ("b in", 0.0), ("a out", 0.0), ("b out", 0.0)]


async def test_items_queued_while_requests_are_answered_each_give_way_in_turn() -> None:
    """Not back to back after one shared wait: each item waits its own patience, alone."""
    ticker = Ticker()
    door = admission(ticker, patience=1.0)
    log: list[tuple[str, float]] = []
    with door.answering():  # a request that is never answered: a flood that never pauses
        await asyncio.gather(*(started_at(door, ticker, log, n) for n in "abc"))
    assert log == [
        ("a in", 1.0),
        ("a out", 1.0),
        ("b in", 2.0),
        ("b out", 2.0),
        ("c in", 3.0),
        ("c out", 3.0),
    ]


async def test_an_item_waits_for_the_request_being_answered_then_for_a_quiet_moment() -> None:
    ticker = Ticker()
    door = admission(ticker, quiet=0.025, patience=math.inf)
    log: list[tuple[str, float]] = []
    answered = asyncio.Event()

    async def request() -> None:
        with door.answering():
            await answered.wait()
        log.append(("answered", ticker.now()))

    asked = asyncio.create_task(request())
    await asyncio.sleep(0)
    item = asyncio.create_task(started_at(door, ticker, log, "a"))
    for _ in range(5):
        await asyncio.sleep(0)
    assert log == []  # nothing of the item while the request waits on the store
    answered.set()
    await asyncio.gather(asked, item)
    (_, at) = log[0]
    assert log[0][0] == "answered" and log[1] == ("a in", at + 0.025)  # then the gap before the next request


async def test_work_that_comes_just_after_a_request_waits_out_the_quiet_moment() -> None:
    ticker = Ticker()
    door = admission(ticker, quiet=0.025)
    with door.answering():
        pass
    assert door.busy
    await door.give_way()
    assert ticker.now() == 0.025 and not door.busy


async def test_patience_bounds_every_wait() -> None:
    ticker = Ticker()
    door = admission(ticker, patience=0.5)
    with door.answering():
        await door.give_way()
        assert ticker.now() == 0.5
        await door.give_way()
        assert ticker.now() == 1.0
