"""Telegram throughput: N clients × M messages through the real webhook, the real store and the real aiogram
session, against the fake Bot API. Prints the figures the README quotes. A script, not a test.

    .venv/bin/python bench/telegram.py --clients 30 --messages 10
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.logging import configure
from domain.clock import FrozenClock
from engine import staff_admin
from sandbox.telegram import SENDING, FakeTelegram
from storage.embedded import EmbeddedEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test driver lives in tests/
from tests.harness import STAFF_CHAT, TOKEN, Harness, settings, user


async def run(clients: int, messages: int, concurrency: int) -> dict[str, float]:
    data = Path(tempfile.mkdtemp(prefix="concierge-bench-"))
    engine = EmbeddedEngine(data / "engine")
    engine.start()
    clock = FrozenClock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    fake = FakeTelegram(TOKEN, clock)
    fake.forum(STAFF_CHAT)
    fake_server = TestServer(fake.app())
    await fake_server.start_server()
    app = create_app(
        settings(engine.url, "bench", str(fake_server.make_url("")).rstrip("/"), data),
        clock,
        start_workers=False,
    )
    http = TestClient(TestServer(app))
    await http.start_server()
    tg = Harness(fake, http, clock)
    try:
        await staff_admin.add(tg.store, 9001, "Anna", "en,ar,ru")
        people = [user(f"Guest{i:03d}") for i in range(clients)]
        updates = [
            fake.user_message(p, text=f"{p['first_name']} #{n}") for n in range(messages) for p in people
        ]

        latencies: list[float] = []
        semaphore = asyncio.Semaphore(concurrency)

        async def post(update: dict) -> None:
            async with semaphore:
                started = time.perf_counter()
                response = await tg.post(update)
                latencies.append(time.perf_counter() - started)
                assert response.status == 200

        started = time.perf_counter()
        await asyncio.gather(*(post(u) for u in updates))
        accept_seconds = time.perf_counter() - started

        virtual_start, real_start = clock.now(), time.perf_counter()
        await tg.settle(max_rounds=1_000_000)
        process_seconds = time.perf_counter() - real_start
        virtual_minutes = (clock.now() - virtual_start).total_seconds() / 60

        group_posts = [c for c in fake.sent(chat_id=STAFF_CHAT) if c.method in ("sendMessage", "copyMessage")]
        sends = [c.at for c in fake.sent(chat_id=STAFF_CHAT) if c.method in SENDING]
        busiest_minute = max(
            sum(1 for t in sends if timedelta(0) <= t - start < timedelta(minutes=1)) for start in sends
        )
        relayed = Counter()
        for person in people:
            relayed.update("\n\n".join(tg.topic_texts(await tg.thread_of(person))).split("\n\n"))
        expected = {u["message"]["text"] for u in updates}
        return {
            "updates": len(updates),
            "accepted_per_second": len(updates) / accept_seconds,
            "webhook_p50_ms": statistics.median(latencies) * 1000,
            "webhook_p99_ms": statistics.quantiles(latencies, n=100)[98] * 1000,
            "processing_seconds_real": process_seconds,
            "delivery_minutes_virtual": virtual_minutes,
            "group_messages_per_minute_max": busiest_minute,
            "client_messages_relayed_per_minute": len(expected) / max(virtual_minutes, 1e-9),
            "group_posts": len(group_posts),
            "merged_relays": tg.rt.delivery_worker.merged,
            "lost": len(expected - set(relayed)),
            "duplicated": sum(n - 1 for n in relayed.values() if n > 1),
            "limit_violations": len(fake.limit_violations),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    finally:
        await http.close()
        await fake_server.close()
        engine.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=20, help="webhook requests in flight")
    args = parser.parse_args()
    configure("WARNING", "console")
    figures = asyncio.run(run(args.clients, args.messages, args.concurrency))
    print(f"clients × messages: {args.clients} × {args.messages} = {figures['updates']} updates")
    print(f"updates accepted per second: {figures['accepted_per_second']:.0f}")
    print(f"webhook latency p50 / p99: {figures['webhook_p50_ms']:.1f} / {figures['webhook_p99_ms']:.1f} ms")
    print(
        f"processing and delivery, real time: {figures['processing_seconds_real']:.1f} s "
        f"({figures['delivery_minutes_virtual']:.1f} min of Telegram time)"
    )
    print(
        f"staff group: at most {figures['group_messages_per_minute_max']} messages in any 60 s (ceiling 20); "
        f"{figures['client_messages_relayed_per_minute']:.0f} client messages relayed per minute "
        f"in {figures['group_posts']} posts ({figures['merged_relays']} merged)"
    )
    print(
        f"messages lost: {figures['lost']}   duplicated: {figures['duplicated']}   "
        f"limit violations: {figures['limit_violations']}"
    )
    print(f"peak RSS: {figures['peak_rss_mb']:.0f} MB")
    sys.exit(1 if figures["lost"] or figures["duplicated"] or figures["limit_violations"] else 0)


if __name__ == "__main__":
    main()
