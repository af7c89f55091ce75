"""The store freezes (a failover, a stuck disk): webhooks answer 503 with Retry-After within seconds, store
nothing half, and the provider's retry goes through once the store is back."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from storage.embedded import EmbeddedEngine
from tests.harness import SECRET, start_harness, user


@pytest.fixture
def engine(tmp_path) -> Iterator[EmbeddedEngine]:
    """A store of this test's own, to freeze; stopped after the service that uses it."""
    engine = EmbeddedEngine(tmp_path / "engine")
    engine.start()
    yield engine
    engine.stop()


async def test_a_frozen_store_gets_503_with_retry_after_and_the_retry_goes_through(
    engine, aiohttp_server, aiohttp_client, db_name, tmp_path, clock
) -> None:
    tg = await start_harness(aiohttp_server, aiohttp_client, engine.url, db_name, tmp_path, clock)
    update = tg.fake.user_message(user("Layla"), text="/start")
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    os.kill(engine.pid, signal.SIGSTOP)
    try:
        frozen = await tg.http.post("/webhooks/telegram", json=update, headers=headers)
        body = await frozen.json()
    finally:
        os.kill(engine.pid, signal.SIGCONT)
    assert frozen.status == 503 and frozen.headers["Retry-After"] == "5"
    assert body["error"]["code"] == "unavailable" and body["error"]["request_id"]
    retried = await tg.http.post("/webhooks/telegram", json=update, headers=headers)
    assert retried.status == 200  # (a duplicate, if the frozen store still applied the first insert)
    assert await tg.store.inbox.count() == 1
    await tg.add_staff(9001, "Anna", "en")
    await tg.settle()
    assert tg.to_user(update["message"]["from"])  # processed once, as usual
