"""The staff console on a big store: server time of its pages, and how fast an event reaches 50 open tabs.

A store is seeded with N clients and their history (bench/scale.py's seeding: every client registered,
assigned, with a topic, messages and a request), spread over five assistants; `--open` requests stay open (the
board's cards), the others are marked fulfilled in their projection (the bench edits the documents: the log
still says "new"). The real service answers over loopback HTTP (aiohttp's test server): a lead and an
assistant signed in by one-time links, every page read `--reads` times. Then `--tabs` live tabs listen while
`--events` notes are recorded; the delay from each record to its arrival in every tab is measured.

Then the board live (issue 26, goal 4): `--board-tabs` open boards (a lead's: every card) while clients with
an open request are tagged VIP, `--rate` a second (each tag changes one card: its VIP mark and its clock). The
delay from each record to every tab having its update is measured twice: as the page did before (on the
event's line, each tab fetches the whole board again: `--before-events` events) and as it does now (the
event's one card arrives in the stream: `--board-events` events).

`--process` (goal 4, the service's own heap): the service as the product runs it — `concierge run`, a process
of its own, its workers running — on a store this script seeds and lets go of, so that the seeding is not in
the measured heap. The boards are read, and clients tagged VIP through the console's profile form, over
loopback; the delays are taken from the tag's start and from its record (its stamp, in the stream's line).
Its garbage collections come from its /metrics. The `--variants` run in turn, `--runs` times, each on the same
copy of the seeded store: `frozen` (as the product runs), `not-frozen` (bot/heap.py's settle undone),
`freeze-only` (CPython's thresholds), `before` (the code of the git revision `--before`).

    .venv/bin/python bench/console.py --clients 10000 --history 1 --open 300
    .venv/bin/python bench/console.py --open 3000 --board-tabs 200 --before-events 2
    .venv/bin/python bench/console.py --process --open 3000 --variants before,not-frozen,frozen
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import json
import os
import pstats
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import chaos  # (bench/ is on the path: this script's directory)
from live import Stack, rss_mb

from bench.scale import T0, seed
from bot.keys import SETTINGS
from bot.logging import configure
from domain.board import face
from domain.clients import Client
from domain.clock import FrozenClock, SystemClock
from domain.events import Actor, ActorKind, EventType
from domain.projections import PROJECTIONS
from domain.requests import ServiceRequest
from engine import queries as q
from engine.console import reads as console_reads
from engine.team import admin as staff_admin
from storage.embedded import EmbeddedEngine
from storage.store import open_store
from tests.console_client import Console, signed_in
from tests.harness import loopback_service
from tests.integration.test_service_process import cli

TEAM = [(9001, "Anna", True), (9002, "Omar", False), (9003, "Irina", False), (9004, "Leila", False)]


async def whole_board(deps, viewer) -> dict:
    """The board as it was read before its cards were kept: every open request, and their clients."""
    requests = [
        ServiceRequest.from_doc(d) for d in await deps.store.db["requests"].find({"open": True}).to_list()
    ]
    ids = sorted({r.client_id for r in requests})
    clients = {}
    for start in range(0, len(ids), 500):
        found = deps.store.db["clients"].find({"_id": {"$in": ids[start : start + 500]}})
        clients |= {d["_id"]: Client.from_doc(d) async for d in found}
    faces = [face(r, clients[r.client_id]) for r in requests if r.client_id in clients]
    return await console_reads._columns(deps, faces)


async def record_vip(deps, i: int) -> None:
    """Client i tagged VIP, recorded in this process (the service's own engine)."""
    actor = Actor(ActorKind.ASSISTANT, "A-9001")
    await deps.record(
        f"client:C-{100001 + i}", EventType.CLIENT_TAGGED, {"tags": ["vip"]}, actor, f"bench:vip:{i}"
    )


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def shape(db, clients: int, open_requests: int) -> None:
    """Spread the clients over the team and leave `open_requests` requests open (in the projections)."""
    ids = [f"A-{tid}" for tid, _, _ in TEAM]
    for i, assistant in enumerate(ids):
        wanted = [f"C-{100001 + n}" for n in range(i, clients, len(ids))]
        for start in range(0, len(wanted), 1000):
            await db["clients"].update_many(
                {"_id": {"$in": wanted[start : start + 1000]}},
                {"$set": {"assistant_id": assistant, "open_with": assistant}},
            )
    closed = [f"R-{500001 + n}" for n in range(open_requests, clients)]
    for start in range(0, len(closed), 1000):
        await db["requests"].update_many(
            {"_id": {"$in": closed[start : start + 1000]}}, {"$set": {"state": "fulfilled", "open": False}}
        )


COLLECTED: list[float] = []  # the full garbage collections' times (ms) during the reads of a page


def _collections(phase: str, info: dict, started: list[float] = [0.0]) -> None:  # noqa: B006 (its own state)
    if info["generation"] == 2:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            COLLECTED.append((time.perf_counter() - started[0]) * 1000)


async def timed(console, path: str, reads: int, form: dict | None = None) -> list[float]:
    COLLECTED.clear()
    times = []
    for _ in range(reads):
        if form is not None:
            token, _ = await console.form("/console/clients")
        started = time.perf_counter()
        if form is not None:
            response = await console.post(path, form | {"csrf": token}, csrf=False)
        else:
            response = await console.get(path)
        await response.read()
        times.append(time.perf_counter() - started)
        assert response.status == 200, (path, response.status)
    return times


async def listen(response, arrived: dict[str, list[float]], stop: asyncio.Event) -> None:
    buffer = ""
    while not stop.is_set():
        chunk = await response.content.readany()
        if not chunk:
            return
        now = time.perf_counter()
        buffer += chunk.decode()
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            for line in block.splitlines():
                if line.startswith("data: "):
                    arrived.setdefault(json.loads(line[6:])["id"], []).append(now)


async def board_listen(
    response,
    session,
    base: str,
    arrived: dict[str, list[float]],
    stamped: dict[str, float],
    before: bool,
    stop: asyncio.Event,
) -> None:
    """One open board: now, a card's arrival is its update; before, the line made the tab fetch the board.
    Times are the wall clock's (the service stamps its events by the same machine's): `stamped` keeps when
    each tag was recorded, as its line in the stream says."""
    buffer = ""
    while not stop.is_set():
        chunk = await response.content.readany()
        if not chunk:
            return
        buffer += chunk.decode()
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
            if not before and fields.get("event") == "card":
                now = time.time()
                for card in json.loads(fields["data"])["cards"]:
                    arrived.setdefault(card["id"], []).append(now)
            elif fields.get("event") == "log":
                item = json.loads(fields["data"])
                if item["type"] != EventType.CLIENT_TAGGED.value:
                    continue
                request_id = f"R-{500001 + int(item['client'].split('-')[1]) - 100001}"
                stamped[request_id] = datetime.fromisoformat(item["at"]).timestamp()
                if before:
                    async with session.get(f"{base}/console/board.part") as part:
                        await part.read()
                    arrived.setdefault(request_id, []).append(time.time())


async def board_live(
    base: str,
    cookie: str,
    tag: Callable[[int], Awaitable[object]],
    tabs: int,
    events: int,
    rate: float,
    before: bool,
    first: int,
) -> tuple:
    """`events` clients tagged VIP (from `first` on, by `tag`), one card each: from each tag's start to each
    tab's update."""
    headers = {"Cookie": f"concierge_session={cookie}"}
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), headers=headers, timeout=aiohttp.ClientTimeout(total=None)
    ) as session:
        responses = [await session.get(f"{base}/console/live?board=1") for _ in range(tabs)]
        arrived: dict[str, list[float]] = {}
        stamped: dict[str, float] = {}
        stop = asyncio.Event()
        readers = [
            asyncio.create_task(board_listen(r, session, base, arrived, stamped, before, stop))
            for r in responses
        ]
        await asyncio.sleep(0.5)
        recorded: dict[str, float] = {}
        for i in range(first, first + events):
            started = time.time()
            await tag(i)
            recorded[f"R-{500001 + i}"] = started
            await asyncio.sleep(1 / rate)
        waited = time.perf_counter()
        while time.perf_counter() - waited < (600 if before else 10):
            if all(len(arrived.get(r, [])) >= tabs for r in recorded):
                break
            await asyncio.sleep(0.05)
        stop.set()
        for response in responses:
            response.close()
        for reader in readers:
            reader.cancel()
            with contextlib.suppress(BaseException):
                await reader
    # a tab has its update when the card (or the board) arrived the first time after the record
    per_tab = [t - recorded[r] for r in recorded for t in arrived.get(r, [])[:tabs]]
    missing = events * tabs - len(per_tab)
    everyone = [max(arrived[r][:tabs]) - recorded[r] for r in recorded if len(arrived.get(r, [])) >= tabs]
    # from the event's record on (its stamp), not from the tag's start (the action's request before it)
    from_record = [t - stamped[r] for r in recorded if r in stamped for t in arrived.get(r, [])[:tabs]]
    return per_tab, everyone, missing, from_record


async def main(
    clients: int,
    history: int,
    open_requests: int,
    reads: int,
    tabs: int,
    events: int,
    board_tabs: int,
    board_events: int,
    before_events: int,
    rate: float,
    profile: bool = False,
    freeze: bool = False,
) -> None:
    configure("WARNING", "console")
    gc.callbacks.append(_collections)
    data = Path(tempfile.mkdtemp(prefix="concierge-console-"))
    engine = EmbeddedEngine(data / "engine")
    engine.start()
    try:
        print(f"seeding {clients:,} clients…", flush=True)
        seeded = await seed(engine.url, "console", clients, history)
        clock = FrozenClock(T0 + timedelta(days=1))
        async with loopback_service(engine.url, "console", data, clock) as tg:
            for telegram_id, name, lead in TEAM:
                await staff_admin.add(tg.engine.deps, telegram_id, name, "en,ar,ru", lead)
            await shape(tg.store.db, clients, open_requests)
            clients_projection = next(p for p in PROJECTIONS if p.collection == "clients")
            await tg.store.projector.reindex(clients_projection)  # (the seed wrote the documents directly)
            await tg.store.projector.board.rebuild()  # (and shaped them: the board's cards are made of them)
            if freeze:  # what was made so far kept out of every later full garbage collection
                gc.collect()
                gc.freeze()
            anna = await q.assistant(tg.store, "A-9001")
            reads_alone = {}
            for _ in range(5):  # the board's reads alone, as before and now, in turn
                for how, read in (
                    ("a whole read (before)", whole_board),
                    ("its cards (now)", console_reads.board),
                ):
                    started = time.perf_counter()
                    await read(tg.engine.deps, anna)
                    reads_alone.setdefault(how, []).append((time.perf_counter() - started) * 1000)
            for how, times in reads_alone.items():
                print(
                    f"  the board's reads alone, {how}: {', '.join(f'{t:.0f}' for t in times)} ms", flush=True
                )
            total = await tg.store.db["events"].count_documents({})
            print(f"seeded in {seeded:.0f} s: {total:,} events, {open_requests} open requests", flush=True)
            lead, omar = await signed_in(tg, 9001), await signed_in(tg, 9002)
            pages = {
                "board (lead, every open request)": (lead, "/console/"),
                "board (an assistant's)": (omar, "/console/"),
                "request page": (lead, "/console/requests/R-500002"),
                "client search (lead, by name)": (lead, "/console/clients", {"q": "7771"}),
                "client search (an assistant's)": (omar, "/console/clients", {"q": "7782"}),
                "activity": (lead, "/console/activity"),
            }
            rows = []
            heavy = {
                "team figures, 30 days (every event of the month folded, per day too)": (
                    lead,
                    "/console/team?period=30d",
                )
            }
            settings = tg.app[SETTINGS].app
            every = {
                "board (lead), every card drawn (CONSOLE_BOARD_CARDS=3000, as before)": (lead, "/console/")
            }
            for title, (console, path, *form) in (pages | every | heavy).items():
                settings.console_board_cards = 3000 if title in every else 50
                if profile and title == next(iter(pages)):
                    profiler = cProfile.Profile()
                    profiler.enable()
                times = await timed(
                    console, path, reads if title not in heavy else 3, form[0] if form else None
                )
                if profile and title == next(iter(pages)):
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
                rows.append((title, pct(times, 50) * 1000, pct(times, 99) * 1000))
                slowest = sorted(enumerate(times), key=lambda t: -t[1])[
                    :3
                ]  # (which reads: the first, a pause?)
                print(
                    f"  {title}: p50 {rows[-1][1]:.0f} ms, p99 {rows[-1][2]:.0f} ms "
                    f"(slowest: {', '.join(f'#{i + 1} {t * 1000:.0f} ms' for i, t in slowest)}; "
                    f"full garbage collections: {', '.join(f'{t:.0f}' for t in COLLECTED) or 'none'} ms)",
                    flush=True,
                )
            settings.console_board_cards = 50

            responses = [await lead.get("/console/live") for _ in range(tabs)]
            arrived: dict[str, list[float]] = {}
            stop = asyncio.Event()
            readers = [asyncio.create_task(listen(r, arrived, stop)) for r in responses]
            await asyncio.sleep(0.5)
            recorded: dict[str, float] = {}
            deps = tg.engine.deps
            actor = Actor(ActorKind.ASSISTANT, "A-9001")
            for i in range(events):
                started = time.perf_counter()
                event = (
                    await deps.record(
                        f"conversation:C-{100001 + i}",
                        EventType.NOTE_ADDED,
                        {"assistant_id": "A-9001", "text": f"bench note {i}"},
                        actor,
                        f"bench:note:{i}",
                    )
                ).event
                recorded[event.id] = started
                await asyncio.sleep(0.02)  # 50 events a second
            for _ in range(200):  # up to 10 s for the last ones to arrive
                if sum(len(arrived.get(e, [])) for e in recorded) >= events * tabs:
                    break
                await asyncio.sleep(0.05)
            stop.set()
            for response in responses:
                response.close()
            for reader in readers:
                reader.cancel()
            delays = [t - recorded[e] for e in recorded for t in arrived.get(e, [])]
            missing = events * tabs - len(delays)
            fan = (pct(delays, 50) * 1000, pct(delays, 99) * 1000, max(delays) * 1000, missing)
            print(
                f"  SSE: {len(delays)} deliveries to {tabs} tabs: p50 {fan[0]:.1f} ms, p99 {fan[1]:.1f} ms",
                flush=True,
            )
            boards = []
            runs = [("before: each tab fetches the whole board", True, before_events, 0)]
            runs.append(("now: the one card in the stream", False, board_events, before_events))
            for title, before, count, first in runs:
                if not count or not board_tabs:
                    continue
                per_tab, everyone, gone, _ = await board_live(
                    str(tg.http.make_url("")).rstrip("/"),
                    lead.cookie,
                    partial(record_vip, tg.engine.deps),
                    board_tabs,
                    count,
                    rate,
                    before,
                    first,
                )
                if not everyone:
                    print(f"  board live, {title}: no event reached every tab ({gone} missing)", flush=True)
                    continue
                row = (title, count, pct(per_tab, 50) * 1000, pct(per_tab, 99) * 1000)
                row += (pct(everyone, 50) * 1000, pct(everyone, 99) * 1000, max(everyone) * 1000, gone)
                boards.append(row)
                print(
                    f"  board live to {board_tabs} tabs, {title}: a tab p50 {row[2]:.0f} ms, "
                    f"p99 {row[3]:.0f} ms; every tab p50 {row[4]:.0f} ms, p99 {row[5]:.0f} ms "
                    f"({gone} missing)",
                    flush=True,
                )
    finally:
        engine.stop()
    print()
    print(f"{clients:,} clients, {total:,} events, {open_requests} open requests, {reads} reads a page:")
    print("| page | p50 | p99 |")
    print("|---|---|---|")
    for title, p50, p99 in rows:
        print(f"| {title} | {p50:.0f} ms | {p99:.0f} ms |")
    print(
        f"| live: an event to {tabs} open tabs ({events} events, 50/s) | {fan[0]:.0f} ms | {fan[1]:.0f} ms "
        f"(max {fan[2]:.0f} ms, {fan[3]} missing) |"
    )
    if boards:
        print()
        print(
            f"A card changed, {board_tabs} open boards (a lead's, {open_requests} cards), {rate:g} events/s:"
        )
        print("| how | events | a tab has it p50 | p99 | every tab has it p50 | p99 (max) |")
        print("|---|---|---|---|---|---|")
        for title, count, a50, a99, e50, e99, emax, gone in boards:
            print(
                f"| {title} | {count} | {a50:.0f} ms | {a99:.0f} ms | {e50:.0f} ms | {e99:.0f} ms "
                f"({emax:.0f} ms{f', {gone} missing' if gone else ''}) |"
            )


# `--process`, "not frozen": what the start made is not frozen (bot/heap.py's settle undone)
UNFROZEN = (
    "import sys, runpy, bot.heap\n"
    "async def settle(app): pass\n"
    "bot.heap.settle = settle\n"
    "sys.argv = ['concierge', 'run']\n"
    "runpy.run_module('bot.cli', run_name='__main__', alter_sys=True)\n"
)


# `--profile-live FILE`: the service profiled while the board live is measured (SIGUSR1 on, SIGUSR2 off)
PROFILED = (
    "import cProfile, os, signal, sys, runpy\n"
    "profile = cProfile.Profile()\n"
    "signal.signal(signal.SIGUSR1, lambda *_: profile.enable())\n"
    "def off(*_):\n"
    "    profile.disable()\n"
    "    profile.dump_stats(os.environ['BENCH_PROFILE'])\n"
    "signal.signal(signal.SIGUSR2, off)\n"
    "sys.argv = ['concierge', 'run']\n"
    "runpy.run_module('bot.cli', run_name='__main__', alter_sys=True)\n"
)
METRICS_TOKEN = secrets.token_urlsafe(24)  # (the service has a public URL: /metrics wants a token)
SIGNED_IN: dict[int, str] = {}  # telegram id → session cookie
TAGGED = [0]  # clients tagged VIP so far, across the runs


FREEZE_ONLY = UNFROZEN.replace(
    "async def settle(app): pass",
    "async def settle(app): gc.collect(); gc.freeze(); bot.heap.FROZEN.set(gc.get_freeze_count())",
)
FREEZE_ONLY = FREEZE_ONLY.replace("import sys,", "import gc, sys,")
PLAIN = (
    "import sys, runpy\nsys.argv = ['concierge', 'run']\nrunpy.run_module('bot.cli', run_name='__main__')\n"
)


def launch(code: str, cwd: Path | None, env: dict[str, str], log: Path) -> subprocess.Popen:
    """`concierge run` by `code` (its command line still names bot.cli and run: the store knows a service so),
    its modules from `cwd` when given."""
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", code, "bot.cli", "run"], env=env, stdout=out, stderr=out, cwd=cwd
        )


def before_tree(rev: str, made: dict[str, Path] = {}) -> Path:  # noqa: B006 (its own cache)
    """The code of a git revision, copied out once."""
    if rev not in made:
        tree = Path(tempfile.mkdtemp(prefix="concierge-before-"))
        root = Path(__file__).resolve().parents[1]
        git = ["git", "archive", rev]
        archive = subprocess.run(git, cwd=root, capture_output=True, check=True)  # noqa: S603
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)  # noqa: S603, S607
        made[rev] = tree
    return made[rev]


class Remote:
    """tests/console_client.Console's HTTP client, on a service process's URL."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session, self.base = session, base

    def get(self, path: str, **kwargs):
        return self.session.get(self.base + path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.session.post(self.base + path, **kwargs)


async def gc_pauses(http: aiohttp.ClientSession, url: str) -> dict[str, tuple[float, float]]:
    """The service's garbage collections so far, from its /metrics: generation → (count, seconds)."""
    async with http.get(f"{url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}) as response:
        text = await response.text()
    found: dict[str, list[float]] = {}
    frozen = re.search(r"^concierge_gc_frozen_objects (\S+)$", text, re.M)
    found["frozen"] = [float(frozen[1]) if frozen else 0.0, 0.0]
    for name, generation, value in re.findall(
        r'^concierge_gc_pause_seconds_(count|sum)\{generation="(\d)"\} (\S+)$', text, re.M
    ):
        found.setdefault(generation, [0.0, 0.0])[name == "sum"] = float(value)
    return {g: (c, t) for g, (c, t) in found.items()}


def collected(before: dict, after: dict) -> str:
    if len(after) <= 1:  # (a version without the metric)
        return "collections not measured"
    full = [after.get("2", (0, 0))[i] - before.get("2", (0, 0))[i] for i in (0, 1)]
    young = [sum(after.get(g, (0, 0))[i] - before.get(g, (0, 0))[i] for g in "01") for i in (0, 1)]
    return (
        f"full collections: {full[0]:.0f}, {full[1] * 1000:.0f} ms in all; "
        f"younger: {young[0]:.0f}, {young[1] * 1000:.0f} ms"
    )


def ms(p50_p99: tuple[float, float]) -> str:
    return f"{p50_p99[0]:.0f} / {p50_p99[1]:.0f} ms"


async def seed_store(data: Path, clients: int, history: int, open_requests: int) -> float:
    """The store a service process will open (its data dir), seeded and shaped by this process."""
    engine = EmbeddedEngine(data)
    engine.start()
    try:
        seconds = await seed(engine.url, "console", clients, history)
        async with open_store(engine.url, "console", data, SystemClock(), catch_up=False) as store:
            await shape(store.db, clients, open_requests)
            clients_projection = next(p for p in PROJECTIONS if p.collection == "clients")
            await store.projector.reindex(clients_projection)
            await store.projector.board.rebuild()
            await store.words.start_up(store.events, SystemClock().now())  # (a service's first start would)
        return seconds
    finally:
        engine.stop()


async def process_main(args: argparse.Namespace) -> None:
    """The service as the product runs it (`concierge run`, a process of its own, its workers running), on a
    store this process seeded and let go of: its heap holds what a service holds, not the seeding. The pages
    and the board live are measured from here, over loopback; the service's garbage collections are read
    from its /metrics. Each of `--runs` starts it with its start frozen (bot/heap.py) and without, in turn."""
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="concierge-console-"))
    fresh = not (data / "db").exists()
    if fresh:
        print(f"seeding {args.clients:,} clients in {data}…", flush=True)
        seconds = await seed_store(data, args.clients, args.history, args.open)
        print(f"seeded in {seconds:.0f} s", flush=True)
    stack = Stack(data_dir=data, db="console")
    stack.service.env["METRICS_TOKEN"] = METRICS_TOKEN
    for telegram_id, name, lead in TEAM if fresh else ():
        add = ["staff", "add", "--telegram-id", str(telegram_id), "--name", name, "--languages", "en,ar,ru"]
        done = cli(stack.service.env, *add, *(["--lead"] if lead else []))
        assert done.returncode == 0, done.stderr
    seeded = data / "db.seeded"  # every service starts on the store as seeded: the same cards, no backlog
    if fresh:
        shutil.copytree(data / "db", seeded)
    results: list[tuple[str, str, dict]] = []
    order = [v.replace("-", " ") for v in args.variants.split(",")]
    for run in range(args.runs):
        for variant in order if run % 2 == 0 else order[::-1]:  # (which starts first alternates too)
            print(f"run {run + 1}, the service {variant} (load {os.getloadavg()[0]:.1f})", flush=True)
            if seeded.exists():  # (the Telegram edits a run's tags leave queued would slow the next one)
                shutil.rmtree(data / "db")
                shutil.copytree(seeded, data / "db")
                SIGNED_IN.clear()
                TAGGED[0] = 0
            results.append((f"{run + 1}", variant, await one_service(stack, args, variant)))
    stack.stop()
    print()
    print(
        f"{args.clients:,} clients, {args.open} open requests, the service a process of its own, "
        f"{args.reads} reads a page, {args.board_tabs} boards:"
    )
    print(
        "| run | the service | load | board (lead) p50 / p99 | its full collections "
        "| board (assistant) p50 / p99 | a tag's action → a tab p50 / p99 | → every tab p50 / p99 "
        "| the tag's record → a tab p50 / p99 | RSS after |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for run, variant, r in results:
        print(
            f"| {run} | {variant} | {r['load']:.1f} | {ms(r['lead'])} | {r['lead_gc']} "
            f"| {ms(r['assistant'])} | {ms(r['tab'])} | {ms(r['every'])} | {ms(r['record'])} "
            f"| {r['rss']:.0f} MB |"
        )


async def one_service(stack: Stack, args: argparse.Namespace, variant: str) -> dict:
    """The service started as `variant` says: "frozen" (this tree, as the product runs), "not frozen" (this
    tree, bot/heap.py's settle undone), "freeze only" (its start frozen, CPython's thresholds) or "before"
    (the code of `--before`, copied out of git)."""
    service = stack.service
    original = chaos.spawn
    if variant == "not frozen":  # the same command line's shape (the store knows a service by it)
        chaos.spawn = partial(launch, UNFROZEN, None)
    elif variant == "freeze only":  # (CPython's thresholds)
        chaos.spawn = partial(launch, FREEZE_ONLY, None)
    elif variant == "before":
        chaos.spawn = partial(launch, PLAIN, before_tree(args.before))
    elif args.profile_live:
        chaos.spawn = partial(launch, PROFILED, None)
        stack.service.env["BENCH_PROFILE"] = str(args.profile_live)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            await stack.start(http)
            try:
                return await measure_service(http, stack, args)
            finally:
                service.stop()
                service.process = None
    finally:
        chaos.spawn = original


async def measure_service(http: aiohttp.ClientSession, stack: Stack, args: argparse.Namespace) -> dict:
    base = stack.service.url
    result: dict = {"load": os.getloadavg()[0]}

    async def signed(telegram_id: int) -> Console:
        if telegram_id in SIGNED_IN:  # (a session outlives the service that opened it: it is in the store)
            return Console(Remote(http, base), SIGNED_IN[telegram_id])  # type: ignore[arg-type]
        done = cli(stack.service.env, "console-link", "--telegram-id", str(telegram_id))
        assert done.returncode == 0, done.stderr
        parts = urlsplit(done.stdout.strip())
        console = Console(Remote(http, base))  # type: ignore[arg-type]
        response = await console.open_link(f"{parts.path}?{parts.query}")
        assert response.status == 303, response.status
        SIGNED_IN[telegram_id] = console.cookie
        return console

    lead, omar = await signed(9001), await signed(9002)
    result["frozen"] = (await gc_pauses(http, base))["frozen"][0]
    print(f"  objects frozen at the start: {result['frozen']:,.0f}", flush=True)
    await timed(lead, "/console/", 3)  # (the first board reads the copy of the cards whole)
    pages = {"lead": (lead, "/console/"), "assistant": (omar, "/console/")}
    for key, (console, path) in pages.items():
        before = await gc_pauses(http, base)
        times = await timed(console, path, args.reads)
        after = await gc_pauses(http, base)
        result[key] = (pct(times, 50) * 1000, pct(times, 99) * 1000)
        result[f"{key}_gc"] = collected(before, after)
        slowest = sorted(enumerate(times), key=lambda t: -t[1])[:3]
        print(
            f"  board ({key}): p50 {result[key][0]:.0f} ms, p99 {result[key][1]:.0f} ms "
            f"(slowest: {', '.join(f'#{i + 1} {t * 1000:.0f} ms' for i, t in slowest)}; "
            f"{result[f'{key}_gc']})",
            flush=True,
        )
    token, _ = await lead.form("/console/clients")
    run = secrets.token_hex(4)

    async def tag(i: int) -> None:
        form = {"tags": "vip", "preferences": "", "email": "", "csrf": token, "action": f"bench-{run}-{i}"}
        response = await lead.post(f"/console/clients/C-{100001 + i}/profile", form, csrf=False)
        assert response.status == 303, (response.status, await response.text())

    first, TAGGED[0] = TAGGED[0], TAGGED[0] + args.board_events  # (a client tagged VIP twice changes nothing)
    before = await gc_pauses(http, base)
    profiling = args.profile_live and "BENCH_PROFILE" in stack.service.env
    if profiling:
        stack.service.process.send_signal(signal.SIGUSR1)
    # this process's own collector stays out of the measure: its 200 readers stamp each tab's arrival, and a
    # full collection here (up to 1.7 s at load 11, probed) would hold every tab's stamp at once — the
    # service's, not the bench's, is what is measured (it is a process of its own, its collections as it runs)
    gc.collect()
    gc.disable()
    try:
        per_tab, everyone, gone, from_record = await board_live(
            base, lead.cookie, tag, args.board_tabs, args.board_events, args.rate, False, first
        )
    finally:
        gc.enable()
    if profiling:
        stack.service.process.send_signal(signal.SIGUSR2)
        stack.service.env.pop("BENCH_PROFILE")
    after = await gc_pauses(http, base)
    result["tab"] = (pct(per_tab, 50) * 1000, pct(per_tab, 99) * 1000)
    result["every"] = (pct(everyone, 50) * 1000, pct(everyone, 99) * 1000) if everyone else (0.0, 0.0)
    result["record"] = (pct(from_record, 50) * 1000, pct(from_record, 99) * 1000) if from_record else (0, 0)
    print(
        f"  board live to {args.board_tabs} tabs: a tab p50 / p99 {ms(result['tab'])}; "
        f"every tab p50 / p99 {ms(result['every'])}; from the event's record, a tab p50 / p99 "
        f"{ms(result['record'])} ({gone} missing; "
        f"{collected(before, after)})",
        flush=True,
    )
    result["rss"] = rss_mb(stack.service.process.pid)
    result["load"] = max(result["load"], os.getloadavg()[0])
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=1, help="seeded messages per client")
    parser.add_argument("--open", type=int, default=300, help="requests left open (the board's cards)")
    parser.add_argument("--reads", type=int, default=30, help="reads of each page")
    parser.add_argument("--tabs", type=int, default=50)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--board-tabs", type=int, default=200, help="open boards (0: not measured)")
    parser.add_argument("--board-events", type=int, default=100, help="cards changed, sent as cards")
    parser.add_argument(
        "--before-events", type=int, default=2, help="cards changed, each tab fetching the whole board"
    )
    parser.add_argument("--rate", type=float, default=10, help="board events a second")
    parser.add_argument("--profile", action="store_true", help="cProfile the first page's reads (the board)")
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() once the store is seeded")
    parser.add_argument(
        "--process",
        action="store_true",
        help="the service as a process of its own (`concierge run`), on a store seeded here: the board's"
        " pages and the board live, its start frozen and not, in turn",
    )
    parser.add_argument("--runs", type=int, default=3, help="--process: runs of each variant")
    parser.add_argument(
        "--profile-live", type=Path, help="--process: cProfile the (frozen) service during the board live"
    )
    parser.add_argument("--data-dir", type=Path, help="--process: a store seeded by an earlier run")
    parser.add_argument(
        "--variants",
        default="not-frozen,frozen",
        help="--process: the services run in turn, of frozen (as the product runs), not-frozen (its start's"
        " freeze and thresholds undone), freeze-only (CPython's thresholds), before (the code of --before)",
    )
    parser.add_argument(
        "--before", default="HEAD", help="--process: the git revision of the 'before' variant"
    )
    args = parser.parse_args()
    if args.process:
        asyncio.run(process_main(args))
        raise SystemExit(0)
    asyncio.run(
        main(
            args.clients,
            args.history,
            args.open,
            args.reads,
            args.tabs,
            args.events,
            args.board_tabs,
            args.board_events,
            args.before_events,
            args.rate,
            args.profile,
            args.freeze,
        )
    )
