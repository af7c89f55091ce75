"""Figures for years (issue 26, goal 3). A year of a busy concierge — 50 assistants, 20,000 clients, over
2,000,000 events (clients writing, answered late or soon, requests opened, quoted with and without a cost,
paid, refunded, fulfilled, rated, escalations) — is written straight into the event log of an embedded store
(hash-chained like any event; not through webhooks: that would take hours). Then the 90-day view that the
console's Team page, `/stats` and `concierge report` ask for is read:

- before: folding the events, as every view did (the period and 90 days of context before it);
- after: reading the weeks and days kept (storage/kpi_days.py) and today's checkpoint, folding only the
  minutes since it — once the year's days and weeks are kept, which a store upgraded to this version does
  once, in the background (timed too), and the checkpoint taken (by the job, every 15 minutes). An
  instance holds what its views made of the kept pieces (domain/kpis.py: `Runs`), so a view after the
  first of the day figures only today so far; the views that merge again (an instance's first; the first
  after a day is kept) are timed apart.

It prints p50/p99 of each over repeated views, and checks that both give the same figures for the same whole
days (the first view of each; the fold reads 90 days of context, so the seeded clients are all assigned then).

    .venv/bin/python bench/kpis.py                      # the issue's size (several minutes to seed)
    .venv/bin/python bench/kpis.py --clients 2000 --views 5
    .venv/bin/python bench/kpis.py --data /tmp/year     # seed once, reuse: --before-views 0 --no-reference
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.workers.kpi_days import KpiWarmLoop
from domain.clock import FrozenClock
from domain.events import Actor, ActorKind, EventType, NewEvent
from domain.kpis import Runs, fold, period
from domain.projections import PROJECTIONS
from domain.promises import Promises
from engine.clock import kpi_keep, kpis
from storage.embedded import EmbeddedEngine
from storage.events import EventStore, to_document
from storage.indexes import ensure_indexes
from storage.kpi_days import KpiDays
from storage.projector import FORMAT
from storage.store import mongo_client, open_store

TZ = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 5, 15, 0, tzinfo=TZ)
YEAR = timedelta(days=365)
BATCH = 20_000
SYSTEM = Actor(ActorKind.SYSTEM, "concierge")
PROVIDER = Actor(ActorKind.PROVIDER, "cloudpayments")


def a_clients_year(rng: random.Random, n: int, assistants: list[str], per_client: int) -> list[tuple]:
    """(at, NewEvent) of one client's year: registered and assigned at its start, then conversations."""
    cid = f"C-{100001 + n}"
    me = Actor(ActorKind.CLIENT, cid)
    first = NOW - YEAR + timedelta(seconds=rng.uniform(0, 86400))
    out = [
        (
            first,
            NewEvent(
                f"client:{cid}", EventType.CLIENT_REGISTERED, {"client_id": cid, "tags": []}, me, f"{cid}/r"
            ),
        ),
        (
            first,
            NewEvent(
                f"client:{cid}",
                EventType.CLIENT_ASSIGNED,
                {"assistant_id": rng.choice(assistants)},
                SYSTEM,
                f"{cid}/a",
            ),
        ),
    ]
    requests = max(1, per_client // 9)
    for r in range(requests):
        staff = Actor(ActorKind.ASSISTANT, rng.choice(assistants))
        at = NOW - YEAR + timedelta(seconds=rng.uniform(86400, YEAR.total_seconds() - 60))
        rid, talk, request = f"R-{n}-{r}", f"conversation:{cid}", f"request:R-{n}-{r}"
        steps: list[tuple[str, EventType, Actor, float, dict]] = [
            (talk, EventType.MESSAGE_RECEIVED, me, 0, {"message": {"kind": "text", "text": "…"}}),
            (request, EventType.REQUEST_OPENED, me, 0, {"client_id": cid}),
            (talk, EventType.STAFF_MESSAGE_SENT, staff, rng.expovariate(1 / 12), {}),
        ]
        if rng.random() < 0.1:
            steps.append((talk, EventType.RESPONSE_OVERDUE, SYSTEM, 0, {"step": 2, "assistant_id": staff.id}))
        steps += [
            (talk, EventType.MESSAGE_RECEIVED, me, rng.uniform(1, 60), {"message": {"text": "…"}}),
            (talk, EventType.STAFF_MESSAGE_SENT, staff, rng.expovariate(1 / 12), {}),
        ]
        cost = {"cost": {"minor": 3_100_000}} if rng.random() < 0.5 else {}
        steps.append((request, EventType.REQUEST_QUOTED, staff, rng.uniform(5, 90), cost))
        if rng.random() < 0.7:
            paid = {"payment": {"amount": {"minor": 4_500_000, "currency": "RUB"}}}
            steps.append((request, EventType.REQUEST_PAID, PROVIDER, rng.uniform(2, 600), paid))
            if rng.random() < 0.05:
                refund = {"refund": {"amount": {"minor": 500_000, "currency": "RUB"}}}
                steps.append((request, EventType.REQUEST_REFUNDED, staff, 60, refund))
            steps.append((request, EventType.REQUEST_FULFILLED, staff, rng.uniform(60, 3000), {}))
            if rng.random() < 0.5:
                steps.append((request, EventType.REQUEST_RATED, me, 30, {"score": rng.randint(3, 5)}))
        for stream, kind, actor, minutes, data in steps:
            at += timedelta(minutes=minutes)
            if at < NOW:
                out.append((at, NewEvent(stream, kind, data, actor, f"{rid}/{len(out)}")))
    return out


class Stamp:
    """The time each seeded event is sealed at (clients' years interleave: it goes back and forth)."""

    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        return self.at


async def seed(url: str, clients: int, per_client: int, assistants: int) -> int:
    """The year, written as the event store writes it (sealed, chained), in time order per stream."""
    client = mongo_client(url)
    db = client["bench"]
    await ensure_indexes(db, drop_stale=True)
    clock = Stamp()
    store = EventStore(db, clock)
    names = [f"A-{9001 + i}" for i in range(assistants)]
    by_kind = {p.stream_kind: p for p in PROJECTIONS}
    team = []
    for i, aid in enumerate(names):
        new = NewEvent(
            f"assistant:{aid}",
            EventType.ASSISTANT_ADDED,
            {"assistant_id": aid, "telegram_id": 9001 + i, "name": f"Assistant {i + 1}", "languages": ["en"]},
            SYSTEM,
            f"add:{aid}",
        )
        clock.at = NOW - YEAR - timedelta(days=1)
        event = store._seal(new, 1, "")
        await db["events"].insert_one(to_document(event))
        doc = by_kind["assistant"].apply(None, event)
        team.append(doc | {"_id": aid, "_fmt": FORMAT})
    await db["assistants"].insert_many(team)
    rng = random.Random(26)
    written, batch, started = 0, [], time.perf_counter()
    for n in range(clients):
        heads: dict[str, tuple[int, str]] = {}
        for at, new in sorted(a_clients_year(rng, n, names, per_client), key=lambda pair: pair[0]):
            clock.at = at
            seq, prev = heads.get(new.stream, (0, ""))
            event = store._seal(new, seq + 1, prev)
            heads[new.stream] = (event.seq, event.hash)
            batch.append(to_document(event))
        if len(batch) >= BATCH or n == clients - 1:
            await db["events"].insert_many(batch, ordered=False)
            written += len(batch)
            batch = []
            if n % 2000 < 200:
                print(
                    f"  {n + 1} clients, {written:,} events, {time.perf_counter() - started:.0f} s",
                    flush=True,
                )
    await client.close()
    return written + assistants


def cpu_ms(engine: int | None) -> float:
    """CPU time used so far by this process (its threads too) and the store's: what a view costs on a
    machine of its own, whatever the other processes on this one are doing."""
    ticks = 0
    if engine is not None:
        ticks = sum(int(x) for x in Path(f"/proc/{engine}/stat").read_text().rsplit(")", 1)[1].split()[11:13])
    return time.process_time() * 1000 + ticks * 1000 / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--events-per-client", type=int, default=120)
    parser.add_argument("--assistants", type=int, default=50)
    parser.add_argument("--views", type=int, default=20)
    parser.add_argument("--before-views", type=int, default=3, help="the old fold is slow: fewer views of it")
    parser.add_argument(
        "--data",
        type=Path,
        help="keep the seeded store here and reuse it on the next run (seeding a year takes minutes); "
        "the sizes given must be the same",
    )
    parser.add_argument(
        "--rekeep",
        action="store_true",
        help="a reused store: delete what is kept and keep it all again (timed)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile three views of each (after)")
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the fold over the whole log (minutes at a year)"
    )
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="concierge-kpis-"))
    sizes = f"{args.clients} {args.events_per_client} {args.assistants}"
    seeded = data / "seeded"
    engine = EmbeddedEngine(data / "engine")
    engine.start()
    try:
        if seeded.exists() and seeded.read_text().split("\n")[0] == sizes:
            print(f"reusing the store seeded in {data}: {seeded.read_text().split(chr(10))[1]} events")
        else:
            started = time.perf_counter()
            events = await seed(engine.url, args.clients, args.events_per_client, args.assistants)
            took = time.perf_counter() - started
            print(f"seeded {events:,} events of {args.clients:,} clients in {took:.0f} s")
            seeded.write_text(f"{sizes}\n{events:,}\n")
        promises = Promises()
        clock = FrozenClock(NOW)
        async with open_store(engine.url, "bench", data / "unused", clock, catch_up=False) as store:
            start, end = period("90d", NOW, TZ)

            async def views(how: str, n: int, read, prepare=None) -> list:
                took, cpu, result = [], [], None
                for _ in range(n):
                    if prepare is not None:
                        await prepare()  # (not timed)
                    t, c = time.perf_counter(), cpu_ms(engine.pid)
                    result = await read()
                    took.append((time.perf_counter() - t) * 1000)
                    cpu.append(cpu_ms(engine.pid) - c)
                print(
                    f"{how}: p50 {pct(took, 50):,.0f} ms, p99 {pct(took, 99):,.0f} ms over {n} views "
                    f"(CPU, ours and the store's: p50 {pct(cpu, 50):,.0f}, p99 {pct(cpu, 99):,.0f} ms; "
                    f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())})"
                )
                return result

            # before: every view folded the period's events and 90 days before them
            before = (
                await views(
                    "before — report, 90 days folded from events",
                    args.before_views,
                    lambda: kpis.report(store, start + timedelta(microseconds=1), end, promises, TZ),
                )
                if args.before_views
                else None
            )
            if args.rekeep:
                await store.kpi_days.reset()
            t = time.perf_counter()
            kept = 0
            while True:
                n = await kpi_keep.close_days(store, promises, TZ, NOW)
                kept += n
                if n < kpi_keep.MOST:
                    break
            print(f"kept {kept} days once (the catch-up of a year) in {time.perf_counter() - t:.0f} s")
            t = time.perf_counter()
            weeks = await kpi_keep.roll_weeks(store, TZ, NOW)
            print(f"joined {weeks} weeks once (an upgraded store's) in {time.perf_counter() - t:.1f} s")
            t = time.perf_counter()
            sums = await kpi_keep.write_sums(store, TZ, NOW)
            print(f"wrote {sums} digests apart once (an upgraded store's) in {time.perf_counter() - t:.1f} s")
            # the job's runs through the day: the first checkpoint folds from midnight, the next from it; the
            # job runs every 15 minutes and a checkpoint is 5 minutes old when taken, so the views below fold
            # the most a view folds: the 20 minutes since the last checkpoint
            for at in (NOW - timedelta(minutes=30), NOW - timedelta(minutes=15)):
                t = time.perf_counter()
                taken = await kpi_keep.take_checkpoint(store, promises, TZ, at)
                assert taken is not None
                print(
                    f"checkpoint of today until {taken.at:%H:%M} ({len(taken.clients):,} clients, "
                    f"{len(taken.requests):,} requests) in {(time.perf_counter() - t) * 1000:,.0f} ms"
                )

            async def cold(read):  # an instance that has opened nothing yet (just started)
                store.kpi_days = KpiDays(store.db)
                return await read()

            await views(
                "after, cold — report, the first view of an instance (nothing opened yet)",
                max(3, args.views // 4),
                lambda: cold(lambda: kpis.report(store, start, end, promises, TZ)),
            )
            after = await views(
                "after — report (/stats, concierge report), 90 days from weeks, days and the checkpoint",
                args.views,
                lambda: kpis.report(store, start, end, promises, TZ),
            )
            await kpis.team(store, start, end, promises, TZ)  # (its bars figured: the first view of a day's)
            await views(
                "after — the Team page (table + weekly charts), 90 days from weeks, days and the checkpoint",
                args.views,
                lambda: kpis.team(store, start, end, promises, TZ),
            )

            async def again(
                read,
            ):  # a day kept since: the pieces opened, what the views made of them not held
                store.kpi_days.runs.clear()
                return await read()

            await views(
                "after, a day kept since — report, the kept pieces merged again (once a day an instance)",
                max(3, args.views // 4),
                lambda: again(lambda: kpis.report(store, start, end, promises, TZ)),
            )
            await views(
                "after, a day kept since — the Team page, the kept pieces merged again",
                max(3, args.views // 4),
                lambda: again(lambda: kpis.team(store, start, end, promises, TZ)),
            )
            warming: list[float] = []

            async def warmed(view: str) -> None:  # a day kept since, then the instance's warm loop ran
                store.kpi_days.runs = Runs()  # (nothing held: this view alone asked for)
                store.kpi_days.runs.ask(view, "90d", NOW)
                t = time.perf_counter()
                assert await kpis.warm(store, NOW, promises, TZ) == 1
                warming.append((time.perf_counter() - t) * 1000)

            async def started(view: str) -> None:  # an instance just started: its warm loop's first look
                store.kpi_days = KpiDays(store.db)
                t = time.perf_counter()
                await KpiWarmLoop(store, clock, promises, TZ).run_once()
                warming.append((time.perf_counter() - t) * 1000)

            read = {
                "report": lambda: kpis.report(store, start, end, promises, TZ),
                "team": lambda: kpis.team(store, start, end, promises, TZ),
            }
            cases = [
                ("a day kept since and the warm loop run (kpis.warm, in the background)", warmed, "the warm"),
                (
                    "cold but the warm loop's first look run (an instance just started)",
                    started,
                    "the first look",
                ),
            ]
            for (when, prepare, what), (view, how) in itertools.product(
                cases, (("report", "report"), ("team", "the Team page"))
            ):
                if prepare is started and view == "report":  # (asked by the team: written for every instance)
                    await store.kpi_days.ask("report", "90d", NOW)
                    await store.kpi_days.ask("team", "90d", NOW)
                await views(
                    f"after, {when} — {how}",
                    max(3, args.views // 4),
                    read[view],
                    prepare=partial(prepare, view),
                )
                print(f"  {what}, in the background: p50 {pct(warming, 50):,.0f} ms by the clock")
                warming.clear()
            tracemalloc.start()
            await cold(lambda: kpis.report(store, start, end, promises, TZ))
            held = tracemalloc.get_traced_memory()[0] / 1e6
            await kpis.team(store, start, end, promises, TZ)
            made = tracemalloc.get_traced_memory()[0] / 1e6
            tracemalloc.stop()
            print(
                f"pieces opened and kept after a 90-day view: {len(store.kpi_days._opened)}, {held:.0f} MB "
                f"(with what the report and the Team page made of them, held: {made:.0f} MB)"
            )
            if args.profile:
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(3):
                    await kpis.report(store, start, end, promises, TZ)
                    await kpis.team(store, start, end, promises, TZ)
                profile.disable()
                pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
            if args.no_reference:
                return
            # the reference: the fold over the whole log (the old view read 90 days of context only, so it
            # missed who had clients assigned earlier than that)
            t = time.perf_counter()
            everything = await kpi_keep.events_between(store, NOW - YEAR - timedelta(days=2), end)
            reference = fold(everything, start, end, promises)
            print(f"the fold over all {len(everything):,} events took {time.perf_counter() - t:.0f} s")
            read = {row.assistant_id: row.figures for row in after}
            same = sum(reference.get(who) == figures for who, figures in read.items())
            print(
                f"the same figures as the fold over the log: {same}/{len(reference)} rows (read {len(read)})"
            )
            if before is None:
                return
            old = {row.assistant_id: row.figures for row in before}
            print(f"… and as the old view's: {sum(old.get(w) == f for w, f in read.items())}/{len(old)} rows")
    finally:
        engine.stop()


if __name__ == "__main__":
    asyncio.run(main())
