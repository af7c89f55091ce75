"""The embedded store never outlives its service: not when the service dies between fork and the parent-death
signal being set, not when it is killed at any moment of its life."""

from __future__ import annotations

import contextlib
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.integration.test_embedded_engine import alive
from tests.integration.test_service_process import STARTUP, concierge, environment, free_port, wait_until

# the service forks the engine and dies before the engine could ask for the parent-death signal
DIES_BEFORE_PRCTL = """
import os, subprocess, sys, time
from pathlib import Path
from storage.embedded import _die_with_parent
parent, pid_file = os.getpid(), Path(sys.argv[1])

def late():
    pid_file.write_text(str(os.getpid()))
    while os.getppid() == parent:
        time.sleep(0.01)  # (in the child: waiting for the test to kill its parent)
    _die_with_parent(parent)

subprocess.Popen(["sleep", "60"], preexec_fn=late)
"""


def test_a_child_whose_parent_died_before_prctl_exits(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    parent = subprocess.Popen([sys.executable, "-c", DIES_BEFORE_PRCTL, str(pid_file)])
    try:
        assert wait_until(lambda: pid_file.exists() and pid_file.read_text(), STARTUP)
        child = int(pid_file.read_text())
    finally:
        parent.kill()
        parent.wait(10)
    assert wait_until(lambda: not alive(child), 5), "the child outlived its parent"


def _engines_on(data_dir: Path) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if (
            proc.name.isdigit()
            and b"nx" in cmdline
            and str(data_dir).encode() in cmdline
            and alive(int(proc.name))
        ):
            found.append(int(proc.name))
    return found


def kill_at_random_moments(data_dir: Path, kills: int, seed: int, longest: float = 6.0) -> list[float]:
    """Start the service, kill -9 it after a random moment (starting, serving), count survivors after each."""
    rng = random.Random(seed)
    moments = []
    for _ in range(kills):
        process = subprocess.Popen(
            concierge("run"),
            env=environment(data_dir, HTTP_PORT=str(free_port())),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        moment = rng.uniform(0, longest)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(moment)  # (it never ends by itself: this is the random moment)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        moments.append(moment)
        assert wait_until(lambda: not _engines_on(data_dir), 5), (
            f"an engine outlived a kill at {moment:.2f} s"
        )
    return moments


def test_the_store_never_outlives_a_killed_service(tmp_path: Path) -> None:
    moments = kill_at_random_moments(tmp_path, kills=4, seed=time.time_ns())
    print(f"kills at {', '.join(f'{m:.2f}' for m in moments)} s: no engine survived")
