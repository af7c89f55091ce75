"""The service as a process, for the tests that need one running (its helpers: test_service_process.py)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_service_process import (
    STARTUP,
    concierge,
    environment,
    free_port,
    status,
    wait_until,
)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, str, Path]]:
    port = free_port()
    process = subprocess.Popen(
        concierge("run"),
        env=environment(tmp_path, HTTP_PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: status(f"{base}/readyz") == 200, STARTUP), process.stdout.read1().decode()
        yield process, base, tmp_path
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        process.stdout.close()
