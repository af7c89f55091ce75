"""bot/heap.py: the service's start is collected, then frozen out of every later garbage collection."""

from __future__ import annotations

import asyncio
import gc
import weakref

from aiohttp import web
from prometheus_client import generate_latest

from bot import heap
from bot.metrics import REGISTRY


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_settle_collects_the_start_s_garbage_freezes_what_it_keeps_and_collects_the_young_less_often() -> (
    None
):
    gc.disable()  # (no automatic collection frees the cycle below before `settle` does)
    kept = Node()  # made by the start and kept: frozen
    garbage = Node()
    garbage.other = Node()
    garbage.other.other = garbage  # a cycle nothing refers to: reference counting alone never frees it
    gone = weakref.ref(garbage)
    del garbage
    gc.unfreeze()
    thresholds = gc.get_threshold()
    try:
        asyncio.run(heap.settle(web.Application()))
        assert gc.get_threshold() == (heap.YOUNG, *thresholds[1:])  # the youngest collected less often
        assert gone() is None  # collected before the freeze: not kept for good
        assert heap.FROZEN._value.get() >= gc.get_freeze_count() > 1000  # (some freed since, by their count)
        assert not any(o is kept for o in gc.get_objects())  # out of every generation a collection walks
    finally:
        gc.unfreeze()  # (this test process goes on as before)
        gc.set_threshold(*thresholds)
        gc.enable()


def test_every_collection_s_pause_is_observed_by_generation() -> None:
    heap.measure_pauses()
    heap.measure_pauses()  # (once a process)
    assert sum(isinstance(c, heap._Pauses) for c in gc.callbacks) == 1

    def full() -> tuple[float, float]:
        found = {
            s.name: s.value for m in heap.PAUSES.collect() for s in m.samples if s.labels["generation"] == "2"
        }
        return found["concierge_gc_pause_seconds_count"], found["concierge_gc_pause_seconds_sum"]

    count, seconds = full()
    gc.collect()
    assert full()[0] == count + 1
    assert full()[1] > seconds
    scraped = generate_latest(REGISTRY).decode()  # (served on /metrics)
    assert f'concierge_gc_pause_seconds_count{{generation="2"}} {count + 1}' in scraped
