"""The store freezes while someone is at the console: a page answers a friendly 503 within the webhooks'
deadline, not a 500 after many seconds; once the store is back the page is there again."""

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
    """A store of this test's own, to freeze; stopped after the service that uses it."""
    engine = EmbeddedEngine(tmp_path / "engine")
    engine.start()
    yield engine
    engine.stop()


async def test_a_frozen_store_gives_a_friendly_503_page_in_seconds(
    engine, aiohttp_server, aiohttp_client, db_name, tmp_path, clock
) -> None:
    tg = await start_harness(aiohttp_server, aiohttp_client, engine.url, db_name, tmp_path, clock)
    await tg.add_staff(9001, "Anna", "en", lead=True)
    anna = await signed_in(tg, 9001)
    os.kill(engine.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        page = await anna.get("/console/")
        took = time.monotonic() - started
        text = await page.text()
        anonymous = await tg.http.post("/console/sign-in", data={"t": "x.y"}, allow_redirects=False)
    finally:
        os.kill(engine.pid, signal.SIGCONT)
    assert page.status == 503 and page.headers["Retry-After"] == "5"
    assert took < 6, took
    assert "<!doctype html>" in text and "try again in a few seconds" in text
    assert anonymous.status == 503
    assert (await anna.get("/console/")).status == 200
