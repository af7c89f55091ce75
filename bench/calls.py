"""Calls under load: inbound calls arriving together, and the time until each is answered with TwiML (Twilio
waits at most 15 s; the caller hears silence until we answer). The service is a process of its own (`concierge
run` on its embedded store, a second process), with the fake Bot API a third; this process plays Twilio: it
serves Twilio's REST API and posts each call signed as Twilio signs it. Half the callers are clients the
service knows (they wrote on WhatsApp first), half are new numbers; every answer must be TwiML that rings an
assistant.

    .venv/bin/python bench/calls.py --calls 20 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from live import Stack, rss_mb  # (bench/ is on the path: this script's directory)

from sandbox.twilio import FakeTwilio
from tests.harness import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, VOICE_NUMBER
from tests.integration.test_service_process import cli

PHONES = {"9001": "+79161111111", "9002": "+971500000009"}


def caller(n: int) -> str:
    return f"+9715{n:08d}"


async def post(http: aiohttp.ClientSession, twilio: FakeTwilio, url: str, path: str, form: dict[str, str]):
    params, headers = twilio.signed(url + path, form)
    return await http.post(url + path, data=params, headers=headers)


def ringing(sid: str, number: str) -> dict[str, str]:
    """Twilio's first callback of an inbound call."""
    return {
        "CallSid": sid,
        "AccountSid": TWILIO_SID,
        "From": number,
        "To": VOICE_NUMBER,
        "CallStatus": "ringing",
        "Direction": "inbound",
    }


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    """A fake provider served in this process on a free loopback port: its runner and its URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]


def with_twilio(stack: Stack, twilio_url: str) -> None:
    """The service talks to this Twilio (WhatsApp and voice)."""
    stack.service.env |= {
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_WHATSAPP_FROM": TWILIO_FROM,
        "TWILIO_VOICE_NUMBER": VOICE_NUMBER,
        "TWILIO_API_BASE": twilio_url,
    }


def add_phones(env: dict[str, str], forum: int | None = None) -> None:
    """A second assistant (in a staff forum of his own, given one), and both assistants' phones: an inbound
    call rings them."""
    team = ("staff", "add", "--telegram-id", "9002", "--name", "Omar", "--languages", "ar,en")
    assert cli(env, *team, *(("--staff-chat-id", str(forum)) if forum else ())).returncode == 0
    for telegram_id, phone in PHONES.items():
        said = cli(env, "staff", "set-phone", "--telegram-id", telegram_id, "--phone", phone)
        assert said.returncode == 0, said.stderr


async def measure(calls: int, rounds: int) -> None:
    twilio = FakeTwilio(TWILIO_SID, TWILIO_TOKEN)
    runner, twilio_url = await serve(twilio.app())
    stack = Stack()
    with_twilio(stack, twilio_url)
    url = stack.service.url
    try:
        async with aiohttp.ClientSession() as http:
            await stack.start(http)
            add_phones(stack.service.env)
            known = calls * rounds // 2
            for n in range(known):  # clients who wrote first: the service knows their numbers
                form = twilio.inbound(caller(n), "Hello, I need a car tonight", f"Guest {n}")
                async with await post(http, twilio, url, "/webhooks/twilio/whatsapp", form) as response:
                    assert response.status == 200, response.status
            await asyncio.sleep(5)  # (real time: the service's workers take them in meanwhile)
            latencies: list[float] = []
            by_kind: dict[str, list[float]] = {"known": [], "new": []}

            async def call(n: int) -> None:
                # every other one known (the numbers that wrote first), the others new (numbers after them)
                form = ringing(f"CA{n:032d}", caller(n // 2 if n % 2 else known + n // 2))
                started = time.perf_counter()
                async with await post(http, twilio, url, "/webhooks/twilio/voice", form) as response:
                    said = await response.text()
                latencies.append(time.perf_counter() - started)
                by_kind["known" if n % 2 else "new"].append(latencies[-1])
                assert response.status == 200 and response.content_type == "text/xml", said[:200]
                assert ET.fromstring(said).find("Dial") is not None, said[:200]  # noqa: S314 (our own answer)

            for r in range(rounds):
                await asyncio.gather(*(call(r * calls + i) for i in range(calls)))
                await asyncio.sleep(1)  # the next wave of callers
            p50, p99 = statistics.median(latencies), statistics.quantiles(latencies, n=100)[98]
            print(f"{len(latencies)} calls, {calls} at a time ({rounds} waves), half of them known clients")
            slowest = max(latencies) * 1000
            print(f"TwiML answered: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {slowest:.0f} ms")
            for kind, taken in by_kind.items():
                mid, worst = statistics.median(taken) * 1000, max(taken) * 1000
                print(f"  {kind} callers ({len(taken)}): p50 {mid:.0f} ms, max {worst:.0f} ms")
            print(f"service RSS {rss_mb(stack.service.process.pid):.0f} MB")
    finally:
        stack.stop()
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=20, help="calls arriving together")
    parser.add_argument("--rounds", type=int, default=5, help="waves of them")
    args = parser.parse_args()
    asyncio.run(measure(args.calls, args.rounds))


if __name__ == "__main__":
    main()
