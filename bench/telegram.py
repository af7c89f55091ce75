"""The realistic burst: N new clients × M messages that open and extend requests (so request cards are posted
and edited between the relays), through the real webhook, store and aiogram session, against the fake Bot
API that enforces Telegram's limits (messages and edits) on a virtual clock. Prints how long until every
message is in its topic, how much of the group's budget was used, 429s, merged relays and coalesced edits.
`--plain` sends short chat lines instead (no requests). A script, not a test.

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

from bot.logging import configure
from domain.clock import FrozenClock
from engine.team import admin as staff_admin
from sandbox.telegram import EDITING, SENDING
from storage.embedded import EmbeddedEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test driver lives in tests/
from tests.harness import STAFF_CHAT, Harness, loopback_service, user
from tests.realistic import conversation, language_of


async def run(clients: int, messages: int, concurrency: int, plain: bool) -> dict[str, float]:
    data = Path(tempfile.mkdtemp(prefix="concierge-bench-"))
    engine = EmbeddedEngine(data / "engine")
    engine.start()
    clock = FrozenClock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    try:
        async with loopback_service(engine.url, "bench", data, clock) as tg:
            return await burst(tg, clients, messages, concurrency, plain)
    finally:
        engine.stop()


async def burst(tg: Harness, clients: int, messages: int, concurrency: int, plain: bool) -> dict[str, float]:
    fake, clock = tg.fake, tg.clock
    await staff_admin.add(tg.engine.deps, 9001, "Anna", "en,ar,ru")
    people = [user(f"Guest{i:03d}", language_of(i)) for i in range(clients)]
    said = {
        p["id"]: [f"{p['first_name']} #{n}" for n in range(messages)] if plain else conversation(i, messages)
        for i, p in enumerate(people)
    }
    updates = [fake.user_message(p, text=said[p["id"]][n]) for n in range(messages) for p in people]

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
    # (an edit is charged to the group like a message: the minute's 20 are both together)
    sends = [c.at for c in fake.sent(chat_id=STAFF_CHAT) if c.method in SENDING or c.method in EDITING]
    edits = fake.sent("editMessageText", chat_id=STAFF_CHAT)
    busiest_minute = max(
        sum(1 for t in sends if timedelta(0) <= t - start < timedelta(minutes=1)) for start in sends
    )
    lost = duplicated = 0
    first_words: list[float] = []
    all_words: list[float] = []
    for person in people:
        thread = await tg.thread_of(person)
        relayed = Counter("\n\n".join(await tg.topic_words(thread)).split("\n\n"))
        lost += len(set(said[person["id"]]) - set(relayed))
        duplicated += sum(n - 1 for n in relayed.values() if n > 1)
        # when each message was first shown: in a relay, or in the card of the request it opened
        posts = [c for c in fake.sent(chat_id=STAFF_CHAT) if c.params.get("message_thread_id") == thread]
        shown = [
            next(c.at for c in posts if words in c.params.get("text", "")) for words in said[person["id"]]
        ]
        first_words.append((shown[0] - virtual_start).total_seconds())
        all_words.append((max(shown) - virtual_start).total_seconds())
    requests = await tg.store.db["requests"].count_documents({})
    full = int(
        (sends[-1] - sends[0]).total_seconds() // 60
    )  # whole minutes of the burst (the last is a tail)
    in_full = sum(1 for t in sends if t < sends[0] + timedelta(minutes=full))
    per_minute = [
        sum(1 for t in sends if timedelta(minutes=k) <= t - sends[0] < timedelta(minutes=k + 1))
        for k in range(full)
    ]
    return {
        "updates": len(updates),
        "accepted_per_second": len(updates) / accept_seconds,
        "webhook_p50_ms": statistics.median(latencies) * 1000,
        "webhook_p99_ms": statistics.quantiles(latencies, n=100)[98] * 1000,
        "processing_seconds_real": process_seconds,
        "delivery_minutes_virtual": virtual_minutes,
        "group_messages_per_minute_max": busiest_minute,
        "client_messages_relayed_per_minute": len(updates) / max(virtual_minutes, 1e-9),
        "group_sends_per_minute": in_full / max(full, 1),
        "per_minute": per_minute,
        "group_posts": len(group_posts),
        "requests_opened": requests,
        "topics_created": len(fake.sent("createForumTopic", chat_id=STAFF_CHAT)),
        "edits": len(edits),
        "merged_relays": tg.rt.delivery_worker.merged,
        "coalesced_edits": tg.rt.delivery_worker.coalesced,
        "last_first_words_minutes": max(first_words) / 60,
        "all_words_minutes": max(all_words) / 60,
        "lost": lost,
        "duplicated": duplicated,
        "limit_violations": len(fake.limit_violations),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=20, help="webhook requests in flight")
    parser.add_argument("--plain", action="store_true", help="short chat lines instead of real requests")
    args = parser.parse_args()
    configure("WARNING", "console")
    figures = asyncio.run(run(args.clients, args.messages, args.concurrency, args.plain))
    print(f"clients × messages: {args.clients} × {args.messages} = {figures['updates']} updates")
    print(f"updates accepted per second: {figures['accepted_per_second']:.0f}")
    print(f"webhook latency p50 / p99: {figures['webhook_p50_ms']:.1f} / {figures['webhook_p99_ms']:.1f} ms")
    print(
        f"processing and delivery, real time: {figures['processing_seconds_real']:.1f} s "
        f"({figures['delivery_minutes_virtual']:.1f} min of Telegram time)"
    )
    print(
        "Telegram time until: every client's first words in their topic "
        f"{figures['last_first_words_minutes']:.1f} min, all their words "
        f"{figures['all_words_minutes']:.1f} min, everything (cards too) "
        f"{figures['delivery_minutes_virtual']:.1f} min"
    )
    print(
        f"staff group: {figures['group_sends_per_minute']:.1f} messages and edits a minute over the burst "
        f"({figures['group_sends_per_minute'] / 20:.0%} of Telegram's 20), at most "
        f"{figures['group_messages_per_minute_max']} in any 60 s; {figures['edits']} card edits "
        f"({figures['coalesced_edits']} coalesced)"
    )
    print(
        f"{figures['client_messages_relayed_per_minute']:.0f} client messages relayed per minute "
        f"in {figures['group_posts']} posts ({figures['merged_relays']} merged)"
    )
    print(
        f"messages lost: {figures['lost']}   duplicated: {figures['duplicated']}   "
        f"429s (limit violations): {figures['limit_violations']}"
    )
    print(f"group sends in each whole minute: {figures['per_minute']}")
    print(f"peak RSS: {figures['peak_rss_mb']:.0f} MB")
    sys.exit(1 if figures["lost"] or figures["duplicated"] or figures["limit_violations"] else 0)


if __name__ == "__main__":
    main()
