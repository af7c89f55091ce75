"""The browser tests' service (a sandbox of their own, or one per file) and browser (Debian's Chromium)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.browser.test_sandbox_browser import CHROMIUM, FLAGS
from tests.integration.test_sandbox_restart import running_sandbox
from tests.integration.test_service_process import free_port


def _running(folder: Path) -> Iterator[str]:
    log = folder / "service.log"
    try:
        with running_sandbox(folder, free_port(), log) as base:
            yield base
    finally:
        print("the service's log (shown when a test fails):\n" + log.read_text()[-4000:])


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[str]:
    yield from _running(tmp_path)


@pytest.fixture(scope="module")
def shared_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One sandbox for a file whose tests each bring their own persona (a service start is many seconds)."""
    yield from _running(tmp_path_factory.mktemp("sandbox"))


@pytest.fixture
async def browser() -> AsyncIterator:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield chromium
        finally:
            await chromium.close()
