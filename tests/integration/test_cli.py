"""The `concierge` command as people type it: one clear line when something is wrong, never a traceback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.integration.test_service_process import cli, concierge, environment, free_port


def test_version_and_a_telegram_id_that_cannot_be(tmp_path: Path) -> None:
    env = environment(tmp_path)
    version = cli(env, "--version")
    assert version.returncode == 0 and version.stdout.startswith("concierge ")
    negative = cli(env, "staff", "deactivate", "--telegram-id", "-5")
    assert negative.returncode == 2 and "a person's Telegram id is a positive number" in negative.stderr
    assert not tmp_path.joinpath("db").exists()


def test_env_example_is_printed_whatever_the_configuration(tmp_path: Path) -> None:
    env = environment(tmp_path, TELEGRAM_STAFF_CHAT_ID="not a number")  # a broken .env being fixed
    done = cli(env, "env-example")
    assert done.returncode == 0
    assert done.stdout == (Path(__file__).resolve().parents[2] / ".env.example").read_text()


def test_an_unreachable_mongodb_is_one_line_and_exit_1(tmp_path: Path) -> None:
    env = environment(tmp_path, MONGODB_URL=f"mongodb://127.0.0.1:{free_port()}")
    done = cli(env, "staff", "list")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    (line,) = [line for line in done.stderr.splitlines() if not line.startswith("concierge: using")]
    assert line.startswith("concierge: the store did not answer (ServerSelectionTimeoutError)")


def test_a_reader_that_stops_reading_is_no_error(tmp_path: Path) -> None:
    env = environment(tmp_path)
    assert cli(env, "--new-store", "rebuild").returncode == 0
    # `concierge report | head -0`: the reader is gone before the report is written
    process = subprocess.Popen(
        concierge("report"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(60) == 141
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
    process.stderr.close()


def test_russian_phone_numbers_and_a_quiet_assistant(tmp_path: Path) -> None:
    env = environment(tmp_path)
    args = ("staff", "add", "--telegram-id", "9001", "--name", "Anna", "--languages", "en,ru")
    added = cli(env, "--new-store", *args, "--phone", "89161234567")
    assert added.returncode == 0, added.stderr
    (anna,) = json.loads(cli(env, "staff", "list", "--json").stdout)
    assert anna["phone"] == "+791••••4567"  # as Russians write it: 8, then the ten digits
    bad = cli(env, "staff", "set-phone", "--telegram-id", "9001", "--phone", "12345")
    assert bad.returncode == 2 and "like +79161234567" in bad.stderr
    quiet = cli(env, "report", "--assistant", "anna", "--format", "json")
    assert quiet.returncode == 0, quiet.stderr  # no activity: an empty report is an answer
    assert json.loads(quiet.stdout)["assistants"] == []
    nobody = cli(env, "report", "--assistant", "Nobody")
    assert nobody.returncode == 2 and "no assistant is called “Nobody”" in nobody.stderr
