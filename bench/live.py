"""The service, the fake Bot API and the load generator as three processes, in real time.

.venv/bin/python bench/live.py ingest --clients 300 --messages 10 --concurrency 20
    updates acknowledged per second and the acknowledgement's p50/p99 while the workers process and
    send what arrives (the service's own inbox, budgets and deliveries at work)
.venv/bin/python bench/live.py latency --clients 5 --every 20 --minutes 5
    each client writes one realistic message every `every` seconds; webhook → topic p50/p99 (the time the
    fake Bot API received the relay minus the time the update was posted)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pymongo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from chaos import Service, post  # (bench/ is on the path: this script's directory)

from sandbox.telegram import FakeTelegram
from storage.embedded import find_running
from tests.harness import SECRET, STAFF_CHAT, TOKEN
from tests.integration.test_service_process import cli, free_port
from tests.realistic import conversation, language_of

HERE = Path(__file__).resolve().parent


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def engine_pid(data_dir: Path) -> int:
    running = find_running(data_dir)
    assert running is not None, "the service's embedded store is not running"
    return running.pid


class Stack:
    """The fake Bot API and the service, each a process; this process generates the load."""

    def __init__(
        self,
        data_dir: Path | None = None,
        db: str | None = None,
        telegram: tuple[FakeTelegram, str] | None = None,
    ) -> None:
        """`telegram`: a fake Bot API served by the caller (and its URL) instead of a process of its own."""
        self.fresh = data_dir is None
        self.data_dir = data_dir or Path(tempfile.mkdtemp(prefix="concierge-live-"))
        self.fake: subprocess.Popen | None = None
        if telegram is None:
            port = free_port()
            self.fake_url = f"http://127.0.0.1:{port}"
            self.fake = subprocess.Popen(  # noqa: S603
                [sys.executable, str(HERE / "fake_bot_api.py"), "--port", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self.users = FakeTelegram(TOKEN)  # only to build updates as Telegram shapes them
        else:
            self.users, self.fake_url = telegram
        self.service = Service(self.data_dir, self.fake_url)
        if db:
            self.service.env["MONGODB_DB"] = db
        # new ids on every run: a run against a store kept from an earlier one must not send duplicates
        self.base = int(time.time()) % 100_000 * 10_000
        self.users._next_update_id = 1_000_000_000 + self.base

    def people(self, count: int) -> list[dict]:
        return [
            {
                "id": 600_000_000 + self.base + i,
                "is_bot": False,
                "first_name": f"Guest{i:03d}",
                "language_code": language_of(i),
            }
            for i in range(count)
        ]

    async def start(self, http: aiohttp.ClientSession) -> None:
        for _ in range(100):
            try:
                async with http.get(f"{self.fake_url}/_calls?since=999999"):
                    break
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
        if self.fresh:
            add = ("staff", "add", "--telegram-id", "9001", "--name", "Anna", "--languages", "en,ru,ar")
            assert cli(self.service.env, "--new-store", *add).returncode == 0
        await self.service.start(http, within=600)  # a large store's start-up catch-up takes a while

    async def calls(self, http: aiohttp.ClientSession, since: int = 0) -> list[dict]:
        async with http.get(f"{self.fake_url}/_calls?since={since}") as response:
            return await response.json()

    def stop(self) -> None:
        self.service.stop()
        if self.fake is not None:
            self.fake.terminate()
            self.fake.wait(10)


def shows(post: str, text: str) -> bool:
    """Does a post in the forum show a client's message: a relay (merged ones apart), or the request card that
    carries the words that opened it?"""
    return text in post.split("\n\n") or (post.startswith("📋") and f"\n💬 “{text}”\n" in post)


async def timed_post(http: aiohttp.ClientSession, url: str, update: dict, latencies: list[float]) -> None:
    started = time.perf_counter()
    async with http.post(
        f"{url}/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    ) as response:
        assert response.status == 200, response.status
        await response.read()
    latencies.append(time.perf_counter() - started)


@contextlib.asynccontextmanager
async def running(
    data_dir: Path | None = None, db: str | None = None
) -> AsyncIterator[tuple[Stack, aiohttp.ClientSession]]:
    stack = Stack(data_dir, db)
    async with aiohttp.ClientSession() as http:
        await stack.start(http)
        try:
            yield stack, http
        finally:
            stack.stop()


def drained(stack: Stack, db: str | None) -> float:
    """Seconds until the inbox has nothing unfinished (every update processed or set aside). (Blocking:
    nothing else of this process runs meanwhile.)"""
    started = time.perf_counter()
    store = pymongo.MongoClient(find_running(stack.data_dir).url)  # type: ignore[union-attr]
    try:
        inbox = store[db or "concierge"]["inbox"]
        while inbox.count_documents({"due_ms": {"$gte": 0}}, limit=1):
            time.sleep(0.5)
    finally:
        store.close()
    return time.perf_counter() - started


def profiling(py_spy: Path, pids: dict[str, int]) -> list[subprocess.Popen]:
    """py-spy sampling each process (its Python stacks, the idle ones left out) until told to stop."""
    profilers = []
    for name, pid in pids.items():
        out = Path(tempfile.gettempdir()) / f"ingest-{name}-{pid}.txt"
        print(f"{name}'s profile (collapsed stacks): {out}")
        command = [
            str(py_spy),
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            "500",
            "-o",
            str(out),
        ]
        profilers.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # noqa: S603
    time.sleep(1.0)  # (they attach before the burst begins)
    return profilers


async def ingest(
    clients: int,
    messages: int,
    concurrency: int,
    data_dir: Path | None = None,
    db: str | None = None,
    drain: bool = False,
    py_spy: Path | None = None,
) -> None:
    async with running(data_dir, db) as (stack, http):
        people = stack.people(clients)
        updates = [
            stack.users.user_message(p, text=conversation(i, messages)[n])
            for n in range(messages)
            for i, p in enumerate(people)
        ]
        latencies: list[float] = []
        semaphore = asyncio.Semaphore(concurrency)
        # What this process holds so far (its imports, the fake's users, the updates) out of every later
        # garbage collection, as the service does (bot/heap.py): a full collection of it during the burst
        # took 180–420 ms, and stalled every request in flight with it — the load generator's pause, which
        # Telegram's servers do not take for us, counted as the service's acknowledgement time.
        gc.collect()
        gc.freeze()

        async def one(update: dict) -> None:
            async with semaphore:
                await timed_post(http, stack.service.url, update, latencies)

        pids = {"service": stack.service.process.pid, "store": engine_pid(stack.data_dir)}
        cpu = {name: cpu_seconds(pid) for name, pid in pids.items()} | {"load generator": time.process_time()}
        profilers = profiling(py_spy, pids) if py_spy else []
        started = time.perf_counter()
        await asyncio.gather(*(one(u) for u in updates))
        seconds = time.perf_counter() - started
        for profiler in profilers:
            profiler.send_signal(signal.SIGINT)  # (py-spy writes what it sampled, then exits)
        for profiler in profilers:
            profiler.wait(60)
        cpu = {name: cpu_seconds(pids[name]) - used for name, used in cpu.items() if name in pids} | {
            "load generator": time.process_time() - cpu["load generator"]
        }
        service_rss = rss_mb(stack.service.process.pid)
        store_rss = rss_mb(engine_pid(stack.data_dir))
        print(f"{len(updates)} updates from {clients} clients, {concurrency} in flight, workers running")
        print(f"acknowledged per second: {len(updates) / seconds:.0f}")
        p99 = statistics.quantiles(latencies, n=100)[98] * 1000
        print(f"acknowledgement p50 / p99: {statistics.median(latencies) * 1000:.1f} / {p99:.1f} ms")
        print(f"RSS: service {service_rss:.0f} MB, store {store_rss:.0f} MB")
        per = ", ".join(f"{name} {used / len(updates) * 1000:.2f}" for name, used in cpu.items())
        print(f"CPU per update while they arrived (ms): {per}")
        if drain:
            print(f"all processed {drained(stack, db):.1f} s after the last was acknowledged")


async def latency(clients: int, every: float, minutes: float) -> None:
    async with running() as (stack, http):
        people = stack.people(clients)
        for person in people:  # warm-up: topics exist, as for clients who wrote before
            await post(http, stack.service, stack.users.user_message(person, text="/start"))
            await post(http, stack.service, stack.users.user_message(person, text="Hello"))
        await asyncio.sleep(45)
        rounds = int(minutes * 60 / every)
        said = {p["id"]: conversation(i, rounds) for i, p in enumerate(people)}
        posted: list[tuple[str, float]] = []
        started = time.time()
        for n in range(rounds):
            for k, person in enumerate(people):
                at = started + n * every + k * every / clients
                await asyncio.sleep(max(0.0, at - time.time()))
                text = f"{said[person['id']][n]} ({n})"  # a number: the same words again are told apart
                posted.append((text, time.time()))
                await post(http, stack.service, stack.users.user_message(person, text=text))
        await asyncio.sleep(30)
        relays = [
            c
            for c in await stack.calls(http)
            if c["ok"] and c["method"] == "sendMessage" and c["chat_id"] == STAFF_CHAT and c["text"]
        ]
        waits, slowest = [], []
        for text, at in posted:
            seen = next((c["at"] for c in relays if shows(c["text"], text)), None)
            waits.append(float("inf") if seen is None else seen - at)
            slowest.append((waits[-1], round(at - started, 1), text))
        waits.sort()
        cards = sum(1 for c in relays if c["text"].startswith("📋"))  # (those carrying words included)
        print(f"{len(posted)} messages from {clients} clients, one each every {every:.0f} s, {minutes} min")
        print(
            f"webhook → topic p50 / p99 / max: {statistics.median(waits):.2f} / "
            f"{statistics.quantiles(waits, n=100, method='inclusive')[98]:.2f} / {waits[-1]:.2f} s"
        )
        for wait, at, text in sorted(slowest, reverse=True)[:3]:
            print(f"  slowest: {wait:.2f} s, posted at +{at} s: {text[:40]}")
        print(f"not in the topic 30 s after the last: {sum(1 for w in waits if w == float('inf'))}")
        print(f"group posts: {len(relays)} ({cards} request cards)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="mode", required=True)
    one = sub.add_parser("ingest")
    one.add_argument("--clients", type=int, default=300)
    one.add_argument("--messages", type=int, default=10)
    one.add_argument("--concurrency", type=int, default=20)
    one.add_argument(
        "--data-dir", type=Path, help="an existing store (bench/scale.py leaves its own in /tmp)"
    )
    one.add_argument("--db", help="its database name (bench/scale.py: scale)")
    one.add_argument("--drain", action="store_true", help="then wait until every update is processed")
    one.add_argument(
        "--py-spy", type=Path, help="a py-spy binary: sample the service and the store during the burst"
    )
    two = sub.add_parser("latency")
    two.add_argument("--clients", type=int, default=5)
    two.add_argument("--every", type=float, default=20.0)
    two.add_argument("--minutes", type=float, default=5.0)
    args = parser.parse_args()
    if args.mode == "ingest":
        asyncio.run(
            ingest(
                args.clients, args.messages, args.concurrency, args.data_dir, args.db, args.drain, args.py_spy
            )
        )
    else:
        asyncio.run(latency(args.clients, args.every, args.minutes))
