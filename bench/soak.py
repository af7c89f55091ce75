"""Soak: the service at a realistic rate for an hour — does anything grow that should not?

The service (`concierge run`) and its embedded store are processes of their own, the fake Bot API a third
(bench/live.py's Stack); this process plays the people and the other providers: Twilio (WhatsApp and voice,
signed as Twilio signs) and CloudPayments (signed notifications) are served here. For `--minutes`:

- `--clients` clients (one in `--whatsapp-every` on WhatsApp, the rest on Telegram) each write a realistic
  message (tests/realistic.py: English, Russian, Arabic; some of them requests) about every `--every` seconds;
- the assistants answer in each client's topic after a human while (some after the promise ran out, some
  not at all: the clock's first-response timers fire), and quote a price for most requests;
- clients pay most quotes (CloudPayments `check` then `pay`, signed);
- an inbound call arrives about every `--call-every` seconds (the signed Twilio voice webhook), and ends.

Every `--sample` seconds it reads the RSS of the service and of the store, the open queues as the service's
own /metrics tells them (inbox items not finished, deliveries not sent and the oldest one's wait), the timers
more than a second past due, the lateness of every timer that fired (the event a firing records, its cause
naming the deadline's round and step, stamped `at`, against the due time the deadline document held when
it was about to fall due) and the size of the store's files. Then a summary: RSS of the first ten minutes
after the clients came in (`--warmup`) and of the last ten, queue depths and their trend, timer lateness,
store bytes per client per month (extrapolated from the run). It exits non-zero when a goal is missed.

    .venv/bin/python bench/soak.py --minutes 60
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from calls import add_phones, ringing, serve, with_twilio  # (bench/ is on the path)
from calls import post as twilio_post
from chaos import post
from live import Stack, engine_pid, rss_mb

from sandbox.cloudpayments import FakeCloudPayments
from sandbox.telegram import FakeTelegram
from sandbox.twilio import FakeTwilio
from storage.embedded import find_running
from tests.harness import CP_PUBLIC_ID, CP_SECRET, STAFF_CHAT, TWILIO_SID, TWILIO_TOKEN, served_fake_telegram
from tests.integration.test_service_process import cli
from tests.realistic import conversation

# Telegram lets a bot post 20 messages a minute in one group (the README's "capacity of one staff forum"):
# 200 clients writing every few minutes need several forums, so each assistant has one of their own.
ASSISTANTS = ["Anna", "Omar", "Lena", "Karim", "Sofia"]  # telegram ids 9001…, forums STAFF_CHAT, -10, -20…
REPLIES = {
    "en": ["Of course, I'm on it.", "Done — I'll send the details shortly.", "Which time suits you best?"],
    "ru": ["Конечно, уже занимаюсь.", "Готово, детали пришлю чуть позже.", "Какое время вам удобно?"],
    "ar": ["بالطبع، أعمل على ذلك.", "تم، سأرسل التفاصيل قريبا.", "ما الوقت الأنسب لك؟"],
}
QUOTES = ["Mercedes S-Class with chauffeur, 4 hours", "Table for two, terrace", "Two tickets, parterre"]
TAG = re.compile(r"\((\d+)\.(\d+)\)")  # each client message ends with (client.n)
CARD = re.compile(r"^📋 (R-\d+)")
METRICS_TOKEN = secrets.token_urlsafe(24)  # (the service has a public URL: /metrics wants a token)
GOAL_RSS_GROWTH = 10.0  # per cent, the last ten minutes against the first ten
GOAL_LATENESS = 1.0  # seconds


@dataclass
class Sample:
    at: float  # seconds into the run
    service_mb: float
    store_mb: float
    inbox_open: int
    deliveries_open: int
    timers_overdue: int  # waiting more than a second past their due time
    oldest_delivery: float  # seconds the oldest unsent delivery has waited
    store_bytes: int


@dataclass
class Run:
    started: float = field(default_factory=time.monotonic)
    posted: int = 0
    replies: int = 0
    quotes: int = 0
    payments: int = 0
    calls: int = 0
    refused: int = 0  # webhooks that did not answer 200
    threads: dict[int, tuple[int, int]] = field(default_factory=dict)  # client → (forum, topic)
    waiting: dict[tuple[int, int], float] = field(default_factory=dict)  # topic → when it is answered
    requests: dict[tuple[int, int], str] = field(default_factory=dict)  # topic → its request, until quoted
    samples: list[Sample] = field(default_factory=list)
    lateness: list[float] = field(default_factory=list)  # seconds, one a fired timer step

    def elapsed(self) -> float:
        return time.monotonic() - self.started


class Soak:
    def __init__(self, args: argparse.Namespace, telegram: FakeTelegram, api_base: str) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.run = Run()
        self.stack = Stack(telegram=(telegram, api_base))
        self.telegram = telegram
        self.forums = {STAFF_CHAT - 10 * k: 9001 + k for k in range(len(ASSISTANTS))}  # forum → assistant
        for forum in self.forums:
            telegram.forum(forum)
        self.twilio = FakeTwilio(TWILIO_SID, TWILIO_TOKEN)
        self.cp = FakeCloudPayments(CP_PUBLIC_ID, CP_SECRET)
        self.people = self.stack.people(args.clients)
        self.lines = {i: conversation(i, 64) for i in range(args.clients)}
        self.until = args.minutes * 60

    def whatsapp(self, i: int) -> bool:
        return i % self.args.whatsapp_every == 0

    def phone(self, i: int) -> str:
        return f"+9715{60_000_000 + i:08d}"

    def running(self) -> bool:
        return self.run.elapsed() < self.until

    async def pause(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, min(seconds, self.until - self.run.elapsed())))

    async def client(self, http: aiohttp.ClientSession, i: int) -> None:
        person, every = self.people[i], self.args.every
        await self.pause(self.rng.uniform(0, self.args.warmup * 60))  # clients come in over the warm-up
        if not self.whatsapp(i):
            await post(http, self.stack.service, self.stack.users.user_message(person, text="/start"))
        n = 0
        while self.running():
            text = f"{self.lines[i][n % 64]} ({i}.{n})"
            if self.whatsapp(i):
                form = self.twilio.inbound(self.phone(i), text, person["first_name"])
                path = "/webhooks/twilio/whatsapp"
                async with await twilio_post(http, self.twilio, self.stack.service.url, path, form) as answer:
                    self.run.refused += answer.status != 200
            else:
                self.run.refused += not await post(
                    http, self.stack.service, self.stack.users.user_message(person, text=text)
                )
            self.run.posted += 1
            n += 1
            await self.pause(self.rng.expovariate(1 / every))

    async def assistants(self, http: aiohttp.ClientSession) -> None:
        """Read the topics as the assistants do; answer after a human while, quote most requests."""
        seen = 0
        while self.running():
            calls = self.telegram.calls[seen:]
            seen += len(calls)
            for c in calls:
                forum, thread = int(c.params.get("chat_id", 0)), c.params.get("message_thread_id")
                if not (c.ok and c.method == "sendMessage" and forum in self.forums and thread):
                    continue
                thread, text = (forum, int(thread)), c.params.get("text") or ""
                if card := CARD.match(text):
                    self.run.requests.setdefault(thread, card[1])
                for tag in TAG.finditer(text):
                    self.run.threads[int(tag[1])] = thread
                    if thread not in self.run.waiting and self.rng.random() < self.args.answered:
                        # most within the promise, some after it (the clock speaks up first)
                        self.run.waiting[thread] = self.run.elapsed() + self.rng.uniform(20, 20 * 60)
            now = self.run.elapsed()
            for thread in [t for t, at in self.run.waiting.items() if at <= now]:
                del self.run.waiting[thread]
                await self.answer(http, thread)
            await self.pause(5)

    async def answer(self, http: aiohttp.ClientSession, thread: tuple[int, int]) -> None:
        client = next((i for i, t in self.run.threads.items() if t == thread), 0)
        language = self.people[client]["language_code"]
        request = self.run.requests.pop(thread, None)
        if request is not None and self.rng.random() < 0.8:
            text = f"/quote {self.rng.randrange(5, 90) * 1000} RUB {self.rng.choice(QUOTES)}"
            self.run.quotes += 1
        else:
            text = self.rng.choice(REPLIES[language])
            self.run.replies += 1
        forum, topic = thread
        who = {"id": self.forums[forum], "first_name": ASSISTANTS[self.forums[forum] - 9001]}
        update = self.telegram.user_message(who, chat_id=forum, thread_id=topic, text=text)
        self.run.refused += not await post(http, self.stack.service, update)

    async def payers(self, http: aiohttp.ClientSession) -> None:
        """Most quotes are paid, a few minutes after they arrive: CloudPayments' check, then pay."""
        handled: set[str] = set()
        due: list[tuple[float, str]] = []
        while self.running():
            for order_id in [o for o in self.cp.orders if o not in handled]:
                handled.add(order_id)
                if self.rng.random() < self.args.paid:
                    due.append((self.run.elapsed() + self.rng.uniform(30, 300), order_id))
            now = self.run.elapsed()
            for entry in [d for d in due if d[0] <= now]:
                due.remove(entry)
                transaction = self.cp.pay_order(entry[1])
                for kind in ("check", "pay"):
                    body, headers = self.cp.notification(kind, transaction)
                    url = f"{self.stack.service.url}/webhooks/cloudpayments/{kind}"
                    async with http.post(url, data=body, headers=headers) as answer:
                        self.run.refused += answer.status != 200
                self.run.payments += 1
            await self.pause(5)

    async def callers(self, http: aiohttp.ClientSession) -> None:
        """Inbound calls now and then, from WhatsApp clients (known numbers) and from new ones; each ends."""
        voice = "/webhooks/twilio/voice"
        n = 0
        while True:
            await self.pause(self.rng.expovariate(1 / self.args.call_every))
            if not self.running():
                return
            n += 1
            known = [i for i in range(self.args.clients) if self.whatsapp(i)]
            number = self.phone(self.rng.choice(known)) if n % 2 else f"+9715{70_000_000 + n:08d}"
            sid = f"CA{self.stack.base + n:032d}"
            url = self.stack.service.url
            async with await twilio_post(http, self.twilio, url, voice, ringing(sid, number)) as answer:
                self.run.refused += answer.status != 200
            self.run.calls += 1
            ended = ringing(sid, number) | {"CallStatus": "completed", "CallDuration": "45"}
            await self.pause(self.rng.uniform(10, 60))
            async with await twilio_post(http, self.twilio, url, f"{voice}/status", ended) as answer:
                self.run.refused += answer.status not in (200, 204)

    async def gauges(self, http: aiohttp.ClientSession) -> dict[str, float]:
        """The service's own queue gauges, as Prometheus scrapes them (every 15 s by default): read
        through its indexes, as in production. A sampler counting the queues by status instead scanned every
        inbox item and delivery ever kept, each time, and the store's memory grew with them."""
        bearer = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        async with http.get(f"{self.stack.service.url}/metrics", headers=bearer) as response:
            assert response.status == 200, response.status
            text = await response.text()
        found: dict[str, float] = {}
        for line in text.splitlines():
            if line.startswith("concierge_"):
                name, value = line.split("{")[0].split(" ")[0], float(line.rsplit(" ", 1)[1])
                found[name] = found.get(name, 0.0) + value  # (the labelled series summed)
        return found

    async def sampler(self, http: aiohttp.ClientSession, db: AsyncDatabase) -> None:
        due: dict[str, int] = {}  # "id@round/step" → its due time (ms), as the deadline document held it
        last_ms = int(time.time() * 1000)
        assert self.stack.service.process is not None
        service_pid, store_pid = self.stack.service.process.pid, engine_pid(self.stack.data_dir)
        ahead = int(2 * self.args.sample * 1000)
        while True:
            now_ms = int(time.time() * 1000)
            # the timers falling due before the next look (an index range on `due_ms`)
            fields = {"round": 1, "step": 1, "at_ms": 1, "status": 1}
            soon = db.deadlines.find({"due_ms": {"$gte": 0, "$lte": now_ms + ahead}}, fields)
            overdue = 0
            async for d in soon:
                if d["status"] == "waiting":
                    due[f"{d['_id']}@{d['round']}/{d['step']}"] = d["at_ms"]
                    overdue += d["at_ms"] < now_ms - 1_000
            async for e in db.events.find({"at_ms": {"$gte": last_ms}}, {"cause": 1, "at_ms": 1}):
                cause = e.get("cause") or ""
                if cause.startswith("clock:"):
                    step = cause.removeprefix("clock:").split("/")
                    at = due.pop(f"{step[0]}/{step[1]}" if len(step) > 1 else step[0], None)
                    if at is not None:  # (its first event; a step may record more than one)
                        self.run.lateness.append((e["at_ms"] - at) / 1000)
            last_ms = now_ms - 5_000  # (an event is stamped before it is written: read a little back)
            gauges = await self.gauges(http)
            self.run.samples.append(
                Sample(
                    self.run.elapsed(),
                    rss_mb(service_pid),
                    rss_mb(store_pid),
                    int(gauges["concierge_inbox_waiting"]),
                    int(gauges["concierge_deliveries_waiting"]),
                    overdue,
                    gauges["concierge_deliveries_oldest_seconds"],
                    store_bytes(self.stack.data_dir),
                )
            )
            s = self.run.samples[-1]
            print(
                f"{s.at / 60:5.1f} min  RSS service {s.service_mb:5.0f} MB, store {s.store_mb:5.0f} MB  "
                f"inbox {s.inbox_open:3d}  deliveries {s.deliveries_open:3d} "
                f"(oldest {s.oldest_delivery:4.0f} s)  "
                f"timers overdue {s.timers_overdue}  store {s.store_bytes / 2**20:6.1f} MiB  "
                f"posted {self.run.posted}  fired {len(self.run.lateness)}  load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            if not self.running():
                return
            await self.pause(self.args.sample)


def store_bytes(data_dir: Path) -> int:
    """What the store keeps on disk (the service's own log left out)."""
    return sum(f.stat().st_size for f in data_dir.rglob("*") if f.is_file() and f.suffix != ".log")


def window_mean(samples: list[Sample], what: str, start: float, seconds: float) -> float:
    return statistics.mean(getattr(s, what) for s in samples if start <= s.at <= start + seconds)


def summary(soak: Soak) -> bool:
    run, args = soak.run, soak.args
    samples = run.samples
    warm = args.warmup * 60
    window = min(600.0, (samples[-1].at - warm) / 3)
    first, last = warm, samples[-1].at - window
    print()
    print(
        f"{args.minutes:g} min, {args.clients} clients ({sum(map(soak.whatsapp, range(args.clients)))} on "
        f"WhatsApp), a message each every {args.every:.0f} s on average: {run.posted} messages, "
        f"{run.replies} replies, {run.quotes} quotes, {run.payments} payments, {run.calls} calls; "
        f"webhooks refused {run.refused}; load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    ok = run.refused == 0
    print(f"(every client came in during the first {args.warmup:g} min; the windows begin after them)")
    print(f"| measure | first {window / 60:.0f} min | last {window / 60:.0f} min | growth | goal |")
    print("|---|---|---|---|---|")
    for name, what in (("RSS of the service", "service_mb"), ("RSS of the store", "store_mb")):
        a, b = window_mean(samples, what, first, window), window_mean(samples, what, last, window)
        growth = (b - a) / a * 100
        ok &= growth < GOAL_RSS_GROWTH
        print(f"| {name} | {a:.0f} MB | {b:.0f} MB | {growth:+.1f} % | < {GOAL_RSS_GROWTH:.0f} % |")
    for name, what in (
        ("inbox items open", "inbox_open"),
        ("deliveries open", "deliveries_open"),
        ("timers past due > 1 s", "timers_overdue"),
        ("the oldest delivery's wait, s", "oldest_delivery"),
    ):
        a, b = window_mean(samples, what, first, window), window_mean(samples, what, last, window)
        top = max(getattr(s, what) for s in samples)
        growing = b > a + 10 and b > 1.5 * a
        ok &= not growing
        trend = "growing" if growing else "flat"
        print(f"| {name} (mean; max {top}) | {a:.1f} | {b:.1f} | {trend} | not growing |")
    late = sorted(run.lateness)
    if late:
        p50, worst = statistics.median(late), late[-1]
        ok &= worst <= GOAL_LATENESS
        print(f"| timers fired: {len(late)}, lateness p50 / max | | {p50:.2f} / {worst:.2f} s | | ≤ 1 s |")
    else:
        print("| timers fired: 0 | | | | ≤ 1 s late |")
    base = next(s for s in samples if s.at >= warm)  # (after the clients' first contact)
    grown = samples[-1].store_bytes - base.store_bytes
    per_month = grown / (samples[-1].at - base.at) * 86_400 * 30 / args.clients
    grown_mib, month_mib = grown / 2**20, per_month / 2**20
    print(f"| store bytes per client per month (from {grown_mib:.1f} MiB) | | {month_mib:.2f} MiB | | |")
    print("all goals met" if ok else "a goal missed")
    return ok


async def main(args: argparse.Namespace) -> bool:
    async with served_fake_telegram() as (telegram, api_base):
        return await soaked(Soak(args, telegram, api_base))


async def soaked(soak: Soak) -> bool:
    args = soak.args
    twilio_runner, twilio_url = await serve(soak.twilio.app())
    cp_runner, cp_url = await serve(soak.cp.app())
    soak.cp.base_url = cp_url
    with_twilio(soak.stack, twilio_url)
    soak.stack.service.env |= {
        "CLOUDPAYMENTS_PUBLIC_ID": CP_PUBLIC_ID,
        "CLOUDPAYMENTS_API_SECRET": CP_SECRET,
        "CLOUDPAYMENTS_API_BASE": cp_url,
        "CLOUDPAYMENTS_TEST_MODE": "true",
        "METRICS_TOKEN": METRICS_TOKEN,
        "SLA_FIRST_RESPONSE_MINUTES": str(args.promise),
        "SLA_FIRST_RESPONSE_VIP_MINUTES": str(min(5, args.promise)),
    }
    try:
        async with aiohttp.ClientSession() as http:
            await soak.stack.start(http)
            env = soak.stack.service.env
            add_phones(env, STAFF_CHAT - 10)
            for k, name in enumerate(ASSISTANTS[2:], start=2):
                team = (
                    "staff",
                    "add",
                    "--telegram-id",
                    str(9001 + k),
                    "--name",
                    name,
                    "--languages",
                    "en,ru,ar",
                )
                assert cli(env, *team, "--staff-chat-id", str(STAFF_CHAT - 10 * k)).returncode == 0
            store = find_running(soak.stack.data_dir)
            assert store is not None
            mongo: AsyncMongoClient = AsyncMongoClient(
                f"mongodb://127.0.0.1:{store.port}/?directConnection=true"
            )
            db = mongo[soak.stack.service.env.get("MONGODB_DB", "concierge")]
            soak.run = Run()  # the clock starts now
            await asyncio.gather(
                soak.sampler(http, db),
                soak.assistants(http),
                soak.payers(http),
                soak.callers(http),
                *(soak.client(http, i) for i in range(args.clients)),
            )
            await mongo.close()
    finally:
        soak.stack.stop()
        await twilio_runner.cleanup()
        await cp_runner.cleanup()
    return summary(soak)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--every", type=float, default=300.0, help="seconds between a client's messages")
    parser.add_argument("--whatsapp-every", type=int, default=20, help="one client in N writes on WhatsApp")
    parser.add_argument("--call-every", type=float, default=120.0, help="seconds between inbound calls")
    parser.add_argument("--answered", type=float, default=0.8, help="share of waits an assistant answers")
    parser.add_argument("--paid", type=float, default=0.7, help="share of quotes paid")
    parser.add_argument("--promise", type=int, default=15, help="minutes to a first answer (the timers)")
    parser.add_argument("--warmup", type=float, default=5.0, help="minutes over which the clients come in")
    parser.add_argument("--sample", type=float, default=15.0, help="seconds between samples")
    parser.add_argument("--seed", type=int, default=26)
    sys.exit(0 if asyncio.run(main(parser.parse_args())) else 1)
