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
# The files that take longest (`--durations`, summed per file), started first: `make test` runs each file
# whole on one worker (`--dist loadfile --no-loadscope-reorder`), and a long file started last leaves the
# other workers idle at the end. Only the order changes; everything else follows in collection order.
LONGEST_FIRST = (
    "browser/test_sandbox_browser.py",
    "integration/test_service_process.py",
    "integration/test_stateful.py",
    "integration/test_two_instances.py",
    "browser/test_miniapp_browser.py",
    "telegram/test_topic_lane.py",
    "integration/test_backup.py",
    "integration/test_sandbox_restart.py",
    "integration/test_cli.py",
    "integration/test_data_dir.py",
    "integration/test_preflight.py",
    "telegram/test_delivery.py",
    "integration/test_migrate.py",
    "telegram/test_clock.py",
    "integration/test_wheel.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.path.relative_to(ROOT / "tests").as_posix()
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # (a stable sort: each file's tests keep their order)


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
