"""The service's garbage collection: what its start made is kept out of every later collection.

CPython frees most objects by reference counting; its cycle collector walks, at a full collection, every
container object the process tracks. Most of a service's heap is made by its start (modules, classes,
templates, the settings, the store's client, what the catch-up read and keeps) and lives until it stops:
walking it again at every full collection is a pause of every request in flight for nothing. So once the
start is done (`settle`, the last of the app's start-up steps): one collection (the start's own garbage goes
now, instead of being kept for good), then `gc.freeze()`: what is left is moved to the permanent generation,
which no collection walks. What the service makes afterwards is collected as before, its youngest objects
less often (`YOUNG`). Reference counting still frees a frozen object; only a cycle of them that became
garbage later would stay (what the start made lives as long as the process).

Every collection's pause is a metric (`concierge_gc_pause_seconds`, by generation), and how many objects
were frozen (`concierge_gc_frozen_objects`).
"""

from __future__ import annotations

import bisect
import gc
import itertools
import time
from collections.abc import Iterator

import structlog
from aiohttp import web
from prometheus_client import Gauge
from prometheus_client.core import HistogramMetricFamily
from prometheus_client.registry import Collector

from bot.metrics import REGISTRY

log = structlog.get_logger(__name__)

FROZEN = Gauge(
    "concierge_gc_frozen_objects",
    "Objects the start made, moved out of every later garbage collection (gc.freeze)",
    registry=REGISTRY,
)


# Objects made (less those freed) before the youngest generation is collected: CPython's 700 (2,000 from
# 3.13) has a board of 3,000 cards collected a dozen times while it is drawn, its values still in use each
# time; most of what a request makes is freed by reference counting when it ends. So ten thousand: a few
# MB at most of cycles left to the next collection.
YOUNG = 10_000


BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)  # seconds


class _Pauses(Collector):
    """A gc callback: each collection's time, counted by generation in plain numbers — a collection can
    start at any allocation, a metric's lock held meanwhile (a scrape copying its series): a callback taking
    that lock again would hang the process. The histogram is made of them when /metrics is read."""

    def __init__(self) -> None:
        self._started = 0.0
        self._counts = [[0] * (len(BUCKETS) + 1) for _ in range(3)]  # generation → per bucket, then +Inf
        self._sums = [0.0, 0.0, 0.0]

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        seconds = time.perf_counter() - self._started
        generation = info["generation"]
        self._counts[generation][bisect.bisect_left(BUCKETS, seconds)] += 1
        self._sums[generation] += seconds

    def collect(self) -> Iterator[HistogramMetricFamily]:
        family = HistogramMetricFamily(
            "concierge_gc_pause_seconds",
            "Garbage collection pauses of this process (the event loop stands still), by generation",
            labels=["generation"],
        )
        for generation, counts in enumerate(self._counts):
            cumulative = list(itertools.accumulate(counts))
            bounds = [*(str(b) for b in BUCKETS), "+Inf"]
            family.add_metric(
                [str(generation)], list(zip(bounds, cumulative, strict=True)), self._sums[generation]
            )
        yield family


PAUSES = _Pauses()
REGISTRY.register(PAUSES)


def measure_pauses() -> None:
    """Observe every collection's pause (once per process)."""
    if PAUSES not in gc.callbacks:
        gc.callbacks.append(PAUSES)


async def settle(app: web.Application) -> None:
    """The last start-up step of `concierge run`: collect what the start left, freeze what it keeps, and
    collect the youngest objects less often."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, *gc.get_threshold()[1:])
    FROZEN.set(gc.get_freeze_count())
    log.info(
        "service.heap_frozen",
        objects=gc.get_freeze_count(),
        ms=round((time.perf_counter() - started) * 1000),
    )
