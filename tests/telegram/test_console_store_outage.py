"""The store freezes while an assistant is at the console: the page answers 503 within the webhooks' deadline,
in their language, and works again once the store is back."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from storage.embedded import EmbeddedEngine
from tests.console_client import signed_in
from tests.harness import start_harness


@pytest.fixture
def engine(tmp_path) -> Iterator[EmbeddedEngine]:
    engine = EmbeddedEngine(tmp_path / "engine")
    engine.start()
    yield engine
    engine.stop()


async def test_a_console_page_during_a_store_outage_is_a_friendly_503(
    engine, aiohttp_server, aiohttp_client, db_name, tmp_path, clock
) -> None:
    tg = await start_harness(aiohttp_server, aiohttp_client, engine.url, db_name, tmp_path, clock)
    await tg.add_staff(9001, "Anna", "en")
    console = await signed_in(tg, 9001)
    assert (await console.get("/console/")).status == 200
    os.kill(engine.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        frozen = await console.get("/console/")
        page = await frozen.text()
        took = time.monotonic() - started
    finally:
        os.kill(engine.pid, signal.SIGCONT)
    assert frozen.status == 503 and frozen.headers["Retry-After"] == "5"
    assert "Our records are not answering right now" in page and "<html" in page
    assert took < 10, took  # a hang guard: the deadline is the webhooks' 3 s (it was 8.4 s, then a 500)
    assert (await console.get("/console/")).status == 200
