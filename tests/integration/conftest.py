"""The service as a process, for the tests that need one running (its helpers: test_service_process.py)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_service_process import (
    METRICS_TOKEN,
    STARTUP,
    CliSession,
    concierge,
    environment,
    free_port,
    status,
    wait_until,
)


def _start(data_dir: Path, **env: str) -> tuple[subprocess.Popen, str] | None:
    """The service on a free port; None when another test's process took that port before it bound it."""
    port = free_port()
    process = subprocess.Popen(
        concierge("run"),
        env=environment(data_dir, HTTP_PORT=str(port), **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: status(f"{base}/readyz") == 200 or process.poll() is not None, STARTUP)
    if process.poll() is None and status(f"{base}/readyz") == 200:
        return process, base
    if process.poll() is None:
        process.kill()
    process.wait(10)
    said = process.stdout.read().decode()
    process.stdout.close()
    assert "address already in use" in said, said
    return None


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, str, Path]]:
    """The service; its /metrics asks for METRICS_TOKEN."""
    token = {"METRICS_TOKEN": METRICS_TOKEN}
    # (the port race, three times at most)
    started = _start(tmp_path, **token) or _start(tmp_path, **token) or _start(tmp_path, **token)
    assert started is not None, "no free port for the service after three tries"
    process, base = started
    try:
        yield process, base, tmp_path
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        process.stdout.close()


@pytest.fixture
def cli_session(tmp_path: Path) -> Iterator[CliSession]:
    """`cli` for a test that gives many commands: one process runs them all (tests/bin/concierge-session)."""
    opened = CliSession(environment(tmp_path))
    try:
        yield opened
    finally:
        opened.close()
