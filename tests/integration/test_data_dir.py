"""A data directory that cannot hold the store (not a directory, a full disk) stops start-up in one line with
exit 2, as a bad configuration does, instead of a traceback."""

from __future__ import annotations

import resource
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_service_process import CliSession, concierge, environment


def _full_disk() -> None:
    # in the child before exec: no file may grow past one byte (what a full disk looks like to a writer)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliSession]:
    """`concierge run` for the cases a process's own limits play no part in: each a start of its own in one
    process (tests/bin/concierge-session: bot.cli.main with the case's environment), a process start less
    each (some 6 s of CPU under coverage). The full disk is a limit of the process: a process of its own."""
    opened = CliSession(environment(tmp_path_factory.mktemp("session")))
    try:
        yield opened
    finally:
        opened.close()


@pytest.mark.parametrize("case", ["under a file", "db is a file", "disk full"])
def test_an_unusable_data_directory_is_one_line_and_exit_2(
    tmp_path: Path, case: str, session: CliSession
) -> None:
    (tmp_path / "a-file").write_text("")
    data_dir = {"under a file": tmp_path / "a-file" / "data"}.get(case, tmp_path / "data")
    if case == "db is a file":
        data_dir.mkdir()
        (data_dir / "db").write_text("")
    env = environment(data_dir)
    if case == "disk full":  # (coverage could not save its own data on this disk either: not measured here)
        env = {k: v for k, v in env.items() if "COVERAGE" not in k}
        done = subprocess.run(
            concierge("run"),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            preexec_fn=_full_disk,
        )
    else:
        done = session(env, "run", timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    (line,) = [line for line in done.stderr.splitlines() if not line.startswith("{")]  # (JSON log lines)
    assert line.startswith(f"concierge: CONCIERGE_DATA_DIR: {data_dir} cannot hold the store ("), line
