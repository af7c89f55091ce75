"""Two service processes on one store (a standalone engine standing in for the replica set) behind one
webhook URL, sharing one staff forum: every message once, one topic per client, Telegram's group limit kept by
both together — and after one of them is killed with -9, the other finishes its work."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from sandbox.telegram import FakeTelegram
from storage.embedded import EmbeddedEngine
from tests.harness import SECRET, STAFF_CHAT, TOKEN, served_fake_telegram, user
from tests.integration.test_service_process import STARTUP, cli, concierge, environment, free_port

CLIENTS, MESSAGES = 4, 3


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeTelegram, str]]:
    async with served_fake_telegram() as served:
        yield served


def start_instance(tmp_path: Path, name: str, mongo_url: str, api_base: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = environment(
        tmp_path / name,
        HTTP_PORT=str(port),
        MONGODB_URL=mongo_url,
        CONCIERGE_SANDBOX="false",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_STAFF_CHAT_ID=str(STAFF_CHAT),
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_API_BASE=api_base,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        LOG_LEVEL="WARNING",
    )
    process = subprocess.Popen(
        concierge("run"), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return process, f"http://127.0.0.1:{port}"


async def until(condition, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await condition():
            return True
        await asyncio.sleep(0.2)  # polling outside processes against a deadline
    return await condition()


async def test_two_instances_on_one_store_behave_as_one_and_the_survivor_finishes(
    fake, tmp_path: Path
) -> None:
    telegram, api_base = fake
    engine = EmbeddedEngine(tmp_path / "store")
    engine.start()
    instances: list[subprocess.Popen] = []
    try:
        staff = environment(tmp_path / "cli", MONGODB_URL=engine.url)
        assert (
            cli(
                staff, "staff", "add", "--telegram-id", "9001", "--name", "Anna", "--languages", "en"
            ).returncode
            == 0
        )
        (a, a_url), (b, b_url) = (start_instance(tmp_path, n, engine.url, api_base) for n in ("a", "b"))
        instances += [a, b]
        async with aiohttp.ClientSession() as http:

            async def ready() -> bool:
                statuses = []
                for url in (a_url, b_url):
                    try:
                        async with http.get(f"{url}/readyz") as response:
                            statuses.append(response.status)
                    except aiohttp.ClientError:
                        statuses.append(None)
                return statuses == [200, 200]

            assert await until(ready, STARTUP)
            clients = [user(f"Guest{i}", "en") for i in range(CLIENTS)]
            said = {c["id"]: [f"{c['first_name']} message {m}" for m in range(MESSAGES)] for c in clients}
            updates = [telegram.user_message(c, text="/start") for c in clients]
            updates += [
                telegram.user_message(c, text=text)
                for m in range(MESSAGES)
                for c in clients
                for text in [said[c["id"]][m]]
            ]
            for i, update in enumerate(updates):  # a load balancer: every other one to each instance
                async with http.post(
                    f"{(a_url, b_url)[i % 2]}/webhooks/telegram",
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                ) as response:
                    assert response.status == 200
            await asyncio.sleep(2)  # let both get going, then kill one at whatever it is doing
            os.kill(a.pid, signal.SIGKILL)
            a.wait(10)

            def relayed(client: dict) -> list[str]:
                chat = telegram.chats[STAFF_CHAT]
                threads = [
                    t
                    for t, n in chat.topics.items()
                    if n == f"{client['first_name']} · EN" and t not in chat.deleted_topics
                ]
                texts = [
                    m["text"]
                    for t in threads
                    for m in telegram.topic_messages(STAFF_CHAT, t)
                    if "text" in m and not m["text"].startswith(("👤", "📋", "⚠️"))
                ]
                return "\n\n".join(texts).split("\n\n") if texts else []

            async def all_relayed() -> bool:
                # Telegram also tells the webhook of the topics it created (the killed instance may have
                # asked for one just before it died): the survivor adopts it, or removes a twin
                for update in telegram.take_service_updates():
                    async with http.post(
                        f"{b_url}/webhooks/telegram",
                        json=update,
                        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                    ) as response:
                        assert response.status == 200
                return all(set(relayed(c)) >= set(said[c["id"]]) for c in clients)

            assert await until(all_relayed, 150), {c["first_name"]: relayed(c) for c in clients}
        chat = telegram.chats[STAFF_CHAT]
        for client in clients:
            live = [
                t
                for t, n in chat.topics.items()
                if n == f"{client['first_name']} · EN" and t not in chat.deleted_topics
            ]
            assert len(live) == 1, f"{client['first_name']}: topics {live}"
            texts = relayed(client)
            notices = [
                m["text"]
                for m in telegram.topic_messages(STAFF_CHAT, live[0])
                if m.get("text", "").startswith("⚠️ After an interruption")
            ]
            for text in said[client["id"]]:  # each once — or twice, and then the assistant was told
                assert texts.count(text) == 1 or (texts.count(text) == 2 and any(text in n for n in notices))
        assert telegram.limit_violations == []  # both instances together kept Telegram's limits
        group = sorted(
            c.at
            for c in telegram.calls
            if c.ok
            and c.params.get("chat_id") in (STAFF_CHAT, str(STAFF_CHAT))
            and c.method in ("sendMessage", "copyMessage")
        )
        assert (
            max(len([t for t in group if timedelta(0) <= s - t < timedelta(minutes=1)]) for s in group) <= 20
        )
    finally:
        for process in instances:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
        engine.stop()
