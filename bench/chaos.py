"""Chaos: a real `concierge run` on its embedded store, a burst of Telegram updates through its webhook, and
kill -9 at random moments — or aimed at the moment Telegram has accepted a call we have not yet recorded —
with a restart after each. Then it counts, against what the fake Bot API saw: messages lost, duplicated (and
whether the assistant was told), in the wrong topic, extra topics, and sends over Telegram's limits. A script,
not a test.

    .venv/bin/python bench/chaos.py --clients 10 --messages 5 --kills 10 [--aimed]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test driver lives in tests/
from sandbox.telegram import FakeTelegram
from tests.harness import SECRET, STAFF_CHAT, TOKEN, served_fake_telegram, user
from tests.integration.test_service_process import cli, concierge, environment, free_port

AIMED_AT = ("createForumTopic", "sendMessage", "copyMessage")


class Service:
    def __init__(self, data_dir: Path, api_base: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = environment(
            data_dir,
            HTTP_PORT=str(self.port),
            CONCIERGE_SANDBOX="false",
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_STAFF_CHAT_ID=str(STAFF_CHAT),
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            TELEGRAM_API_BASE=api_base,
            PUBLIC_BASE_URL=self.url,
            LOG_LEVEL="ERROR",
        )
        self.process: subprocess.Popen | None = None
        self.kills = 0
        self.restarts_refused = 0  # a start that exited at once (and was started again)
        self.log = data_dir / "service.log"

    async def start(self, http: aiohttp.ClientSession, within: float = 60) -> None:
        """Start it as a supervisor would, again if it exits, until it answers ready."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                if self.process is not None:
                    self.restarts_refused += 1
                self.process = spawn(self.env, self.log)
            try:
                async with http.get(f"{self.url}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError(f"the service did not become ready; see {self.log}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
            self.kills += 1
            self.process = None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(15)


def spawn(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(concierge("run"), env=env, stdout=out, stderr=out)  # noqa: S603


def aim(telegram: FakeTelegram, service: Service, armed: dict) -> None:
    """Kill the service right after Telegram accepted one of its calls, before it could record the answer."""
    dispatch = telegram._dispatch

    def dispatching(method, params):
        result = dispatch(method, params)
        if armed["on"] and method in AIMED_AT:
            armed["on"] = False
            service.kill()
        return result

    telegram._dispatch = dispatching


async def post(http: aiohttp.ClientSession, service: Service, update: dict) -> bool:
    """Deliver as Telegram does: retry until the service acknowledges (it may be down, being restarted)."""
    for _ in range(200):
        try:
            async with http.post(
                f"{service.url}/webhooks/telegram",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            ) as response:
                if response.status == 200:
                    return True
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    return False


def count(telegram: FakeTelegram, clients: list[dict], said: dict[int, list[str]]) -> dict[str, int]:
    chat = telegram.chats[STAFF_CHAT]
    live = {t: n for t, n in chat.topics.items() if t not in chat.deleted_topics}
    figures = {"lost": 0, "duplicated": 0, "duplicated_told": 0, "wrong_topic": 0, "extra_topics": 0}
    owner = {f"{c['first_name']} · EN": c["id"] for c in clients}
    texts_in: dict[int, list[str]] = {}
    notices: dict[int, list[str]] = {}
    for thread, name in live.items():
        messages = [m["text"] for m in telegram.topic_messages(STAFF_CHAT, thread) if "text" in m]
        relays = [t for t in messages if not t.startswith(("👤", "📋", "⚠️", "❔"))]
        shown = "\n\n".join(relays).split("\n\n") if relays else []
        # the words a request card carries in place of their relay (a card shows them too when relayed)
        words = [
            line for t in messages if t.startswith("📋") for line in t.split("\n") if line.startswith("💬 “")
        ]
        shown += [w for line in words if (w := line.removeprefix("💬 “").removesuffix("”")) not in shown]
        texts_in.setdefault(owner.get(name, 0), []).extend(shown)
        notices.setdefault(owner.get(name, 0), []).extend(t for t in messages if t.startswith("⚠️ After"))
    for client in clients:
        name = f"{client['first_name']} · EN"
        figures["extra_topics"] += max(0, sum(1 for n in live.values() if n == name) - 1)
        mine = texts_in.get(client["id"], [])
        for text in said[client["id"]]:
            seen = mine.count(text)
            figures["lost"] += seen == 0
            if seen > 1:
                figures["duplicated"] += 1
                figures["duplicated_told"] += any(text in n for n in notices.get(client["id"], []))
        others = [t for cid, texts in texts_in.items() if cid != client["id"] for t in texts]
        figures["wrong_topic"] += sum(1 for text in said[client["id"]] if text in others)
    told_client = [t for ts in notices.values() for t in ts if "twice to the client" in t]
    figures["client_duplicates"] = figures["client_duplicates_told"] = 0
    for client in clients:
        texts = [m.get("text") for m in telegram.bot_messages(client["id"]) if m.get("text")]
        for text in {t for t in texts if texts.count(t) > 1}:
            figures["client_duplicates"] += 1
            figures["client_duplicates_told"] += any(text[:80] in n for n in told_client)
    figures["limit_violations"] = len(telegram.limit_violations)
    return figures


async def main(clients_n: int, messages_n: int, kills: int, aimed: bool) -> None:
    async with served_fake_telegram() as (telegram, api_base):
        await chaos(telegram, api_base, clients_n, messages_n, kills, aimed)


async def chaos(
    telegram: FakeTelegram, api_base: str, clients_n: int, messages_n: int, kills: int, aimed: bool
) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="concierge-chaos-"))
    service = Service(data_dir, api_base)
    armed = {"on": False}
    if aimed:
        aim(telegram, service, armed)
    clients = [user(f"Guest{i}", "en") for i in range(clients_n)]
    said = {c["id"]: [f"{c['first_name']} says {m}" for m in range(messages_n)] for c in clients}
    updates = [telegram.user_message(c, text="/start") for c in clients]
    updates += [telegram.user_message(c, text=said[c["id"]][m]) for m in range(messages_n) for c in clients]
    kill_after = sorted(random.sample(range(1, len(updates)), min(kills, len(updates) - 1)))
    started = time.monotonic()
    assert (
        cli(
            service.env,
            "--new-store",
            "staff",
            "add",
            "--telegram-id",
            "9001",
            "--name",
            "Anna",
            "--languages",
            "en",
        ).returncode
        == 0
    )
    async with aiohttp.ClientSession() as http:
        await service.start(http)

        async def forward_service_messages() -> None:  # what Telegram itself posts to the webhook
            for update in telegram.take_service_updates():
                await post(http, service, update)

        for i, update in enumerate(updates):
            await post(http, service, update)
            await forward_service_messages()
            if kill_after and i == kill_after[0]:
                kill_after.pop(0)
                if aimed:
                    armed["on"] = True  # the next accepted call kills it
                    for _ in range(100):
                        if not armed["on"]:
                            break
                        await asyncio.sleep(0.05)
                    armed["on"] = False
                else:
                    await asyncio.sleep(random.uniform(0, 1.5))
                service.kill()
                await service.start(http)
        expected = sum(len(v) for v in said.values())
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            await forward_service_messages()
            figures = count(telegram, clients, said)
            if figures["lost"] == 0 and figures["extra_topics"] == 0:
                break
            await asyncio.sleep(1)
        service.stop()
    figures = count(telegram, clients, said)
    audit = cli(service.env, "audit", "verify")
    print(
        f"clients {clients_n} × messages {messages_n} = {expected} client messages; "
        f"kill -9: {service.kills} ({'aimed at the send window' if aimed else 'at random moments'}); "
        f"{time.monotonic() - started:.0f} s"
    )
    for name, value in figures.items():
        print(f"  {name.replace('_', ' ')}: {value}")
    print(f"  restarts refused (started again): {service.restarts_refused}")
    print(f"  audit: {audit.stdout.strip()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--aimed", action="store_true", help="kill right after Telegram accepted a call")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    random.seed(args.seed)
    asyncio.run(main(args.clients, args.messages, args.kills, args.aimed))
