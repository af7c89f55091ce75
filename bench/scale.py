"""Scale: is the cost of a message flat in the size of the store? For each size, a store is seeded with that
many clients and their history — written straight through the event log's documents and the projections'
fold (not through webhooks: that would take hours), hash-chained like any event — then the real service
(webhook, inbox, engine, delivery worker, aiogram session against the fake Bot API) handles new clients'
`/start` and a first request, and existing clients' messages. Per message it prints the store's CPU (the
embedded engine is a process of its own: its CPU time is read from /proc), the store round trips, the
webhook p99, and the service's and store's RSS.

    .venv/bin/python bench/scale.py --sizes 1000,10000,100000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from pymongo import monitoring

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.app import create_app
from bot.logging import configure
from domain.clock import FrozenClock
from domain.events import Actor, ActorKind, EventType, NewEvent
from domain.intake import understand
from domain.projections import PROJECTIONS
from domain.requests import ServiceRequest
from engine.team import admin as staff_admin
from sandbox.telegram import FakeTelegram
from storage.embedded import EmbeddedEngine
from storage.events import EventStore, to_document
from storage.indexes import ensure_indexes
from storage.projector import FORMAT
from storage.store import mongo_client
from storage.timefmt import to_ms
from tests.harness import STAFF_CHAT, TOKEN, Harness, settings, user
from tests.realistic import conversation, language_of

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
BATCH = 5000
SEEDED_IDS = 10_000_000  # Telegram ids of seeded clients start here


class Counter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.commands += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def history(n: int, messages: int) -> list[NewEvent]:
    """One seeded client: registered, assigned, with a topic and a card, a conversation of `messages` client
    messages and one request."""
    cid, tid, lang = f"C-{100001 + n}", SEEDED_IDS + n, language_of(n)
    me, system = Actor(ActorKind.CLIENT, cid), Actor(ActorKind.SYSTEM, "concierge")
    identity = {"channel": "telegram", "external_id": str(tid)}
    said = conversation(n, messages)
    events = [
        NewEvent(
            f"client:{cid}",
            EventType.CLIENT_REGISTERED,
            {
                "client_id": cid,
                "name": f"Seeded {n}",
                "username": None,
                "language": lang,
                "identities": [identity],
                "phone": None,
            },
            me,
            f"seed:{n}/register",
        ),
        NewEvent(
            f"client:{cid}", EventType.CLIENT_ASSIGNED, {"assistant_id": "A-9001"}, system, f"seed:{n}/a"
        ),
        NewEvent(f"client:{cid}", EventType.CLIENT_TOPIC_REQUESTED, {"generation": 1}, system, f"seed:{n}/t"),
        NewEvent(
            f"client:{cid}",
            EventType.CLIENT_TOPIC_OPENED,
            {"generation": 1, "chat_id": STAFF_CHAT, "thread_id": 100_000 + n},
            system,
            f"seed:{n}/o",
        ),
        NewEvent(
            f"client:{cid}",
            EventType.CLIENT_CARD_POSTED,
            {"generation": 1, "message_id": 1},
            system,
            f"seed:{n}/c",
        ),
        NewEvent(f"client:{cid}", EventType.CONVERSATION_OPENED, {}, system, f"seed:{n}/open"),
    ]
    for m, text in enumerate(said):
        message = {
            "kind": "text",
            "text": text,
            "chat_id": tid,
            "message_id": m + 1,
            "reply_to": None,
            "extra": {},
            "channel": "telegram",
        }
        events.append(
            NewEvent(
                f"conversation:{cid}", EventType.MESSAGE_RECEIVED, {"message": message}, me, f"seed:{n}/m{m}"
            )
        )
    kind, data = ServiceRequest.open(f"R-{500001 + n}", cid, said[0], understand(said[0], T0, UTC))
    events.append(NewEvent(f"request:R-{500001 + n}", kind, data, me, f"seed:{n}/r"))
    return events


async def seed(url: str, db_name: str, clients: int, messages: int) -> float:
    """Events and projections for `clients` clients, in bulk. Returns seconds taken."""
    started = time.perf_counter()
    client = mongo_client(url)
    db = client[db_name]
    await ensure_indexes(db, drop_stale=True)
    store = EventStore(db, FrozenClock(T0 - timedelta(days=30)))  # a history: written a month ago
    by_kind = {p.stream_kind: p for p in PROJECTIONS}
    events, docs = [], {p.collection: [] for p in PROJECTIONS}
    for n in range(clients):
        heads: dict[str, tuple[int, str]] = {}
        folded: dict[str, dict] = {}
        for new in history(n, messages):
            seq, prev = heads.get(new.stream, (0, ""))
            event = store._seal(new, seq + 1, prev)  # the same seal as EventStore.append
            heads[new.stream] = (event.seq, event.hash)
            events.append(to_document(event))
            projection = by_kind[event.stream_kind]
            folded[event.stream] = projection.apply(folded.get(event.stream), event)
        for stream, doc in folded.items():
            doc["_id"], doc["_fmt"] = stream.split(":", 1)[1], FORMAT
            docs[by_kind[stream.split(":", 1)[0]].collection].append(doc)
        if len(events) >= BATCH or n == clients - 1:
            await db["events"].insert_many(events, ordered=False)
            for collection, batch in docs.items():
                if batch:
                    await db[collection].insert_many(batch, ordered=False)
            events, docs = [], {p.collection: [] for p in PROJECTIONS}
            if n % 10_000 < BATCH // 10:
                print(f"  seeded {n + 1} clients, {time.perf_counter() - started:.0f} s", flush=True)
    # a store a service has run on: its projections were checked (a start catches up from there)
    await db["jobs"].insert_one({"_id": "projections", "checked_ms": to_ms(T0), "format": FORMAT})
    await db["counters"].update_one({"_id": "client"}, {"$set": {"n": 200_000}}, upsert=True)
    await db["counters"].update_one({"_id": "request"}, {"$set": {"n": 600_000}}, upsert=True)
    await client.close()
    return time.perf_counter() - started


async def settle(tg: Harness) -> None:
    """Run the workers until their queues are empty, moving the clock when they wait: like Harness.settle,
    without its own reads of the store (they would count as the service's round trips)."""
    worker = tg.rt.delivery_worker
    for _ in range(1_000_000):
        handled = await tg.engine.inbox_worker.run_once()
        wake = await worker.run_once()
        if handled:
            continue
        if not worker.queued() and not await tg.engine.inbox_worker.run_once():
            return
        if wake and wake > tg.clock.now():
            tg.clock.advance_to(wake)
        else:
            tg.clock.advance(seconds=1)
    raise RuntimeError("the workers did not settle")


async def measure(size: int, messages: int, sample: int) -> dict[str, float]:
    data = Path(tempfile.mkdtemp(prefix=f"concierge-scale-{size}-"))
    engine = EmbeddedEngine(data / "engine")
    engine.start()
    try:
        seeded = await seed(engine.url, "scale", size, messages)
        clock = FrozenClock(T0 + timedelta(days=1))
        fake = FakeTelegram(TOKEN, clock)
        forum = fake.forum(STAFF_CHAT)
        for n in range(size):
            forum.topics[100_000 + n] = f"Seeded {n}"
        fake_server = TestServer(fake.app())
        await fake_server.start_server()
        counter = Counter()
        monitoring.register(counter)
        app = create_app(
            settings(engine.url, "scale", str(fake_server.make_url("")).rstrip("/"), data),
            clock,
            start_workers=False,
        )
        started = time.perf_counter()
        http = TestClient(TestServer(app))
        await http.start_server()
        startup = time.perf_counter() - started
        tg = Harness(fake, http, clock)
        await staff_admin.add(tg.engine.deps, 9001, "Anna", "en,ar,ru")
        figures: dict[str, float] = {"seed_seconds": seeded, "startup_seconds": startup}
        new_people = [user(f"New{i:03d}", language_of(i)) for i in range(sample)]
        old_people = [
            {
                "id": SEEDED_IDS + n,
                "is_bot": False,
                "first_name": f"Seeded {n}",
                "language_code": language_of(n),
            }
            for n in range(0, size, max(1, size // sample))
        ][:sample]
        phases = {
            "start": [
                u
                for p in new_people
                for u in (
                    fake.user_message(p, text="/start"),
                    fake.user_message(p, text=conversation(0, 1)[0]),
                )
            ],
            "message": [fake.user_message(p, text="And a table for two at 9 tomorrow") for p in old_people],
        }
        for phase, updates in phases.items():
            cpu, commands = cpu_seconds(engine.pid), counter.commands
            latencies = []
            for update in updates:
                t = time.perf_counter()
                response = await tg.post(update)
                latencies.append(time.perf_counter() - t)
                assert response.status == 200
            await settle(tg)
            per = len(new_people) if phase == "start" else len(updates)  # per client: /start and a request
            figures[f"{phase}_store_cpu_ms"] = (cpu_seconds(engine.pid) - cpu) / per * 1000
            figures[f"{phase}_round_trips"] = (counter.commands - commands) / per
            figures[f"{phase}_webhook_p99_ms"] = statistics.quantiles(latencies, n=100)[98] * 1000
        figures["service_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        figures["store_rss_mb"] = rss_mb(engine.pid)
        files = [f for f in (data / "engine").rglob("*") if f.is_file()]
        figures["store_file_mb"] = sum(f.stat().st_size for f in files) / 2**20
        counter.started = lambda event: None  # type: ignore[method-assign]
        await http.close()
        await fake_server.close()
        return figures
    finally:
        engine.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--history", type=int, default=5, help="seeded messages per client")
    parser.add_argument("--sample", type=int, default=30, help="clients measured per phase")
    args = parser.parse_args()
    configure("WARNING", "console")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"{size} clients: seeding…", flush=True)
        figures = asyncio.run(measure(size, args.history, args.sample))
        rows.append((size, figures))
        print(f"{size} clients: " + ", ".join(f"{k} {v:.1f}" for k, v in figures.items()), flush=True)
    print()
    print(
        "| clients | seed | start-up | store CPU per /start + request | per message | round trips | "
        "webhook p99 | service RSS | store RSS | store file |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size, f in rows:
        print(
            f"| {size:,} | {f['seed_seconds']:.0f} s | {f['startup_seconds']:.1f} s | "
            f"{f['start_store_cpu_ms']:.0f} ms | {f['message_store_cpu_ms']:.0f} ms | "
            f"{f['start_round_trips']:.0f} / {f['message_round_trips']:.0f} | "
            f"{max(f['start_webhook_p99_ms'], f['message_webhook_p99_ms']):.0f} ms | "
            f"{f['service_rss_mb']:.0f} MB | {f['store_rss_mb']:.0f} MB | {f['store_file_mb']:.0f} MB |"
        )


if __name__ == "__main__":
    main()
