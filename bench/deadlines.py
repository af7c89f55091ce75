"""Deadlines: 10,000 open timers on the embedded store — what one runner tick costs when nothing is due, how
late a deadline fires after its due time (the real runner, woken by APScheduler, in real time), and memory.

A store is seeded with N clients (bench/scale.py's seeding: events and projections), each with a running
first-response deadline; `--due` of them fall due during the run, spread over `--window` seconds, the rest
hours later. Firing is the real thing: the reminder event, the topic line, the leads' line.

    .venv/bin/python bench/deadlines.py --deadlines 10000 --due 1000 --window 30
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from pymongo import monitoring

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.scale import Counter, cpu_seconds, rss_mb, seed
from bot.channels import message_channels
from bot.logging import configure
from bot.workers.deadlines import DeadlineRunner
from domain.clock import SystemClock
from domain.deadlines import Deadline
from domain.events import EventType
from domain.promises import Promises
from engine.clock import timers
from engine.deps import Deps, Policy
from engine.i18n import translator
from engine.team import admin as staff_admin
from storage.embedded import EmbeddedEngine
from storage.store import open_store
from tests.harness import STAFF_CHAT

PROMISE = timedelta(minutes=15)


def _deadline(i: int, at: datetime) -> Deadline:
    client, since = f"C-{100001 + i}", at - PROMISE
    return Deadline(
        f"first-response:{client}", at, client, since.isoformat(), 1, {"since": since.isoformat()}
    )


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def main(n: int, due: int, window: float, ticks: int) -> None:
    configure("WARNING", "console")
    data = Path(tempfile.mkdtemp(prefix="concierge-deadlines-"))
    clock = SystemClock()
    counter = Counter()
    monitoring.register(counter)
    engine = EmbeddedEngine(data / "engine")
    engine.start()
    print(f"seeding {n} clients …", flush=True)
    await seed(engine.url, "deadlines", n, 1)
    async with open_store(engine.url, "deadlines", data, clock) as store:
        deps = Deps(
            store, clock, translator(), STAFF_CHAT, Policy(promises=Promises()), channels=message_channels()
        )
        deps.listeners.add(partial(timers.on_event, deps))
        await staff_admin.add(deps, 9001, "Anna", "en,ar,ru", True)
        started = time.perf_counter()
        later = clock.now() + timedelta(hours=3)
        for i in range(n):
            await store.deadlines.start(_deadline(i, later), later - PROMISE)
        print(f"opened {n} deadlines in {time.perf_counter() - started:.1f} s", flush=True)

        runner = DeadlineRunner(deps, "bench")
        await runner.run_once()  # the first sweep (of the seeded month-old log: nothing recent) is not a tick
        store_pid = engine.pid
        before_cmds, before_cpu, before = counter.commands, cpu_seconds(store_pid), time.perf_counter()
        for _ in range(ticks):
            await runner.run_once()
        tick_ms = (time.perf_counter() - before) * 1000 / ticks
        tick_store_ms = (cpu_seconds(store_pid) - before_cpu) * 1000 / ticks
        tick_trips = (counter.commands - before_cmds) / ticks

        # `due` of them are moved to fall due over the next `window` seconds (a new round each)
        now, expected = clock.now(), {}
        for i in range(due):
            at = now + timedelta(seconds=5 + window * i / max(due, 1))
            await store.deadlines.set(_deadline(i, at))
            expected[f"C-{100001 + i}"] = at
        stopping = asyncio.Event()
        task = asyncio.create_task(runner.run(stopping))
        await asyncio.sleep(5 + window + 5)
        stopping.set()
        await task
        delays = []
        for client, at in expected.items():
            events = await store.events.read(f"conversation:{client}")
            fired = [e for e in events if e.type is EventType.RESPONSE_OVERDUE]
            if fired:
                delays.append((fired[0].at - at).total_seconds())
        print(f"deadlines: {n} open, {due} due over {window:.0f} s")
        print(
            f"idle tick (nothing due): {tick_ms:.1f} ms wall, {tick_store_ms:.1f} ms store CPU, "
            f"{tick_trips:.0f} round trips"
        )
        if delays:
            print(
                f"fired {len(delays)}/{due}: delay after the due time p50 {pct(delays, 50):.2f} s, "
                f"p99 {pct(delays, 99):.2f} s, max {max(delays):.2f} s"
            )
        else:
            print(f"fired 0/{due}")
        print(
            f"RSS: runner process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, "
            f"store {rss_mb(store_pid):.0f} MB"
        )
    engine.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--deadlines", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--ticks", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.deadlines, args.due, args.window, args.ticks))
