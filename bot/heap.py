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

import gc
import time

import structlog
from aiohttp import web
from prometheus_client import Gauge, Histogram

from bot.metrics import REGISTRY

log = structlog.get_logger(__name__)

PAUSES = Histogram(
    "concierge_gc_pause_seconds",
    "Garbage collection pauses of this process (the event loop stands still), by generation",
    ["generation"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
    registry=REGISTRY,
)
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


class _Pauses:
    """A gc callback: each collection's time, observed by generation."""

    def __init__(self) -> None:
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            PAUSES.labels(str(info["generation"])).observe(time.perf_counter() - self._started)


def measure_pauses() -> None:
    """Observe every collection's pause (once per process)."""
    if not any(isinstance(c, _Pauses) for c in gc.callbacks):
        gc.callbacks.append(_Pauses())


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
