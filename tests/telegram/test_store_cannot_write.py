"""The disk under the store fills up while the service runs: the store still answers reads and pings, but
keeps nothing. Webhooks answer 503 (the provider keeps the update and retries) and /readyz fails, so a load
balancer stops sending; once the disk has room again, the retry goes through."""

from __future__ import annotations

import resource
from collections.abc import Iterator

import pytest

from storage.embedded import EmbeddedEngine
from tests.harness import SECRET, start_harness, user


@pytest.fixture
def engine(tmp_path) -> Iterator[EmbeddedEngine]:
    engine = EmbeddedEngine(tmp_path / "engine")
    engine.start()
    yield engine
    engine.stop()


def _disk_full(pid: int, full: bool) -> None:
    """Writes past one byte fail in the engine's process (what a full disk looks like to SQLite)."""
    _soft, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (1 if full else hard, hard))


async def test_a_full_disk_is_503_and_not_ready_until_it_has_room(
    engine, aiohttp_server, aiohttp_client, db_name, tmp_path, clock
) -> None:
    tg = await start_harness(aiohttp_server, aiohttp_client, engine.url, db_name, tmp_path, clock)
    update = tg.fake.user_message(user("Layla"), text="/start")
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    _disk_full(engine.pid, True)
    try:
        refused = await tg.http.post("/webhooks/telegram", json=update, headers=headers)
        ready = await tg.http.get("/readyz")
        readiness = await ready.json()
    finally:
        _disk_full(engine.pid, False)
    assert refused.status == 503 and refused.headers["Retry-After"] == "5"
    assert (await refused.json())["error"]["code"] == "unavailable"
    assert ready.status == 503
    assert readiness["checks"]["store-writes"].startswith("cannot write")
    assert readiness["checks"]["mongodb"] == "ok"  # it answers: only writing fails
    retried = await tg.http.post("/webhooks/telegram", json=update, headers=headers)
    assert retried.status == 200
    assert (await tg.http.get("/readyz")).status == 200
    assert await tg.store.inbox.count() == 1
