"""Storage tests run on the embedded engine (a real server over a real socket), or on MONGODB_URL if set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.clock import FrozenClock
from storage.embedded import EmbeddedEngine
from storage.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def mongo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := os.environ.get("MONGODB_URL"):
        yield url
        return
    engine = EmbeddedEngine(tmp_path_factory.mktemp("engine"))
    engine.start()
    try:
        yield engine.url
    finally:
        engine.stop()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))


@pytest.fixture
def db_name() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def store(mongo_url: str, db_name: str, clock: FrozenClock, tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(mongo_url, db_name, tmp_path, clock) as opened:
        yield opened
        await opened.client.drop_database(db_name)
