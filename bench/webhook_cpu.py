"""The CPU the service spends on one Telegram webhook request, the store left out: the service's own
middlewares and handler (secret, bounded read, parse, checks, key, metrics, answer) in this process, with an
intake whose store answers at once; the requests come from a separate process. A process's CPU time is far
less distorted by other work on the machine than a rate or a latency is.

.venv/bin/python bench/webhook_cpu.py --requests 2000 --concurrency 50
.venv/bin/python bench/webhook_cpu.py --tree /tmp/main-checkout   # the same, another version's code
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 6  # the first warms up and is left out


async def client(port: int, requests: int, concurrency: int) -> None:
    import aiohttp

    from sandbox.telegram import FakeTelegram
    from tests.harness import SECRET, TOKEN, user
    from tests.realistic import conversation

    fake = FakeTelegram(TOKEN)
    people = [user(f"Guest{i:03d}") for i in range(100)]
    bodies = [
        json.dumps(fake.user_message(p, text=conversation(i, 10)[n])).encode()
        for n in range(10)
        for i, p in enumerate(people)
    ]
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    url = f"http://127.0.0.1:{port}/webhooks/telegram"
    async with aiohttp.ClientSession() as http:
        semaphore = asyncio.Semaphore(concurrency)

        async def one(body: bytes) -> None:
            async with semaphore, http.post(url, data=body, headers=headers) as response:
                assert response.status == 200, response.status
                await response.read()

        for _ in range(ROUNDS):
            await asyncio.gather(*(one(bodies[i % len(bodies)]) for i in range(requests)))
            print("round", flush=True)


async def server(requests: int, concurrency: int) -> None:
    from aiohttp import web

    from bot import metrics
    from channels.telegram.routers import check_update, update_key
    from tests.harness import SECRET
    from webhooks import telegram
    from webhooks.errors import error_middleware

    stored: set[str] = set()

    async def store(provider_id: str, key: str, payload: dict[str, Any]) -> bool:
        await asyncio.sleep(0)  # (the inbox's write: one turn of the loop)
        new = provider_id not in stored
        stored.add(provider_id)
        return new

    async def reject(provider_id: str, reason: str) -> bool:
        raise AssertionError(f"a realistic update was refused: {reason}")

    app = web.Application(middlewares=[error_middleware, metrics.middleware], client_max_size=1024**2)
    app[telegram.TELEGRAM_INTAKE] = telegram.TelegramIntake(SECRET, store, update_key, check_update, reject)
    telegram.setup(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    load = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--client", str(port), "--requests", str(requests),
        "--concurrency", str(concurrency), stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert load.stdout is not None
    per_request = []
    used = time.process_time()
    while await load.stdout.readline():
        now = time.process_time()
        per_request.append((now - used) / requests * 1e6)
        used = now
    assert await load.wait() == 0
    await runner.cleanup()
    rounds = sorted(round(us) for us in per_request[1:])
    print(f"{requests} requests a round, {concurrency} in flight, {len(rounds)} rounds after a warm-up")
    print(f"service CPU per webhook request (µs): median {statistics.median(rounds):.0f}, rounds {rounds}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--tree", type=Path, help="the service's code from another checkout")
    parser.add_argument("--client", type=int, help=argparse.SUPPRESS)  # (the load process: the server's port)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # the load is built the same way whichever code serves it
    if args.client is not None:
        asyncio.run(client(args.client, args.requests, args.concurrency))
    else:
        sys.path.insert(0, str(args.tree or ROOT))
        asyncio.run(server(args.requests, args.concurrency))
