"""Ctrl-C as a terminal sends it (SIGINT to the whole process group): the service drains on its store, then
stops the store, and exits 0. The time it took is printed (the README promises 10 s)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from storage.embedded import STATE_FILE
from tests.integration.test_embedded_engine import alive
from tests.integration.test_service_process import (
    STARTUP,
    concierge,
    environment,
    free_port,
    status,
    wait_until,
)


def test_ctrl_c_drains_on_the_store_then_stops_it(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        concierge("run"),
        env=environment(tmp_path, HTTP_PORT=str(port), LOG_LEVEL="INFO"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, like a shell's foreground job
    )
    try:
        assert wait_until(lambda: status(f"http://127.0.0.1:{port}/readyz") == 200, STARTUP)
        engine_pid = json.loads((tmp_path / STATE_FILE).read_text())["pid"]
        started = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        code = process.wait(30)  # a hang guard, not the promise
        took = time.monotonic() - started
        output = process.stdout.read().decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stdout.close()
    print(f"Ctrl-C to exit: {took:.1f} s")
    assert code == 0, output[-3000:]
    assert wait_until(lambda: not alive(engine_pid), 2)
    assert "heartbeat.release_failed" not in output  # the store was still there while the service drained
    assert "embedded_store.stopped" in output
