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

    .venv/bin/python bench/console.py --clients 10000 --history 1 --open 300
    .venv/bin/python bench/console.py --open 3000 --board-tabs 200 --before-events 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import json
import pstats
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.scale import T0, seed
from bot.keys import SETTINGS
from bot.logging import configure
from domain.board import face
from domain.clients import Client
from domain.clock import FrozenClock
from domain.events import Actor, ActorKind, EventType
from domain.projections import PROJECTIONS
from domain.requests import ServiceRequest
from engine import queries as q
from engine.console import reads as console_reads
from engine.team import admin as staff_admin
from storage.embedded import EmbeddedEngine
from tests.console_client import signed_in
from tests.harness import loopback_service

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
    response, session, base: str, arrived: dict[str, list[float]], before: bool, stop: asyncio.Event
) -> None:
    """One open board: now, a card's arrival is its update; before, the line made the tab fetch the board."""
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
                now = time.perf_counter()
                for card in json.loads(fields["data"])["cards"]:
                    arrived.setdefault(card["id"], []).append(now)
            elif before and fields.get("event") == "log":
                item = json.loads(fields["data"])
                if item["type"] != EventType.CLIENT_TAGGED.value:
                    continue
                async with session.get(f"{base}/console/board.part") as part:
                    await part.read()
                request_id = f"R-{500001 + int(item['client'].split('-')[1]) - 100001}"
                arrived.setdefault(request_id, []).append(time.perf_counter())


async def board_live(tg, cookie: str, tabs: int, events: int, rate: float, before: bool, first: int) -> tuple:
    """`events` clients tagged VIP (from `first` on), one card each: from each record to each tab's update."""
    base = str(tg.http.make_url("")).rstrip("/")
    headers = {"Cookie": f"concierge_session={cookie}"}
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), headers=headers, timeout=aiohttp.ClientTimeout(total=None)
    ) as session:
        responses = [await session.get(f"{base}/console/live?board=1") for _ in range(tabs)]
        arrived: dict[str, list[float]] = {}
        stop = asyncio.Event()
        readers = [
            asyncio.create_task(board_listen(r, session, base, arrived, before, stop)) for r in responses
        ]
        await asyncio.sleep(0.5)
        recorded: dict[str, float] = {}
        actor = Actor(ActorKind.ASSISTANT, "A-9001")
        for i in range(first, first + events):
            started = time.perf_counter()
            await tg.engine.deps.record(
                f"client:C-{100001 + i}", EventType.CLIENT_TAGGED, {"tags": ["vip"]}, actor, f"bench:vip:{i}"
            )
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
    return per_tab, everyone, missing


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
                per_tab, everyone, gone = await board_live(
                    tg, lead.cookie, board_tabs, count, rate, before, first
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
    args = parser.parse_args()
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
