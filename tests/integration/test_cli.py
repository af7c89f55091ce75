"""The `concierge` command as people type it: one clear line when something is wrong, never a traceback."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

from domain.clients import Client
from domain.clock import SystemClock
from domain.events import Actor, ActorKind, EventType, NewEvent
from engine import queries as q
from storage.store import open_store
from tests.integration.test_service_process import CliSession, cli, concierge, environment, free_port


def test_version_and_a_telegram_id_that_cannot_be(tmp_path: Path, cli_session: CliSession) -> None:
    env = environment(tmp_path)
    version = cli_session(env, "--version")
    assert version.returncode == 0 and version.stdout.startswith("concierge ")
    negative = cli_session(env, "staff", "deactivate", "--telegram-id", "-5")
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


def test_russian_phone_numbers_and_a_quiet_assistant(tmp_path: Path, cli_session: CliSession) -> None:
    env = environment(tmp_path)
    args = ("staff", "add", "--telegram-id", "9001", "--name", "Anna", "--languages", "en,ru")
    added = cli_session(env, "--new-store", *args, "--phone", "89161234567")
    assert added.returncode == 0, added.stderr
    (anna,) = json.loads(cli_session(env, "staff", "list", "--json").stdout)
    assert anna["phone"] == "+791••••4567"  # as Russians write it: 8, then the ten digits
    bad = cli_session(env, "staff", "set-phone", "--telegram-id", "9001", "--phone", "12345")
    assert bad.returncode == 2 and "like +79161234567" in bad.stderr
    quiet = cli_session(env, "report", "--assistant", "anna", "--format", "json")
    assert quiet.returncode == 0, quiet.stderr  # no activity: an empty report is an answer
    assert json.loads(quiet.stdout)["assistants"] == []
    nobody = cli_session(env, "report", "--assistant", "Nobody")
    assert nobody.returncode == 2 and "no assistant is called “Nobody”" in nobody.stderr


async def _with_client(data_dir: Path, erased: bool = False) -> Client | None:
    """Registers C-1001 (unless only reading back), then returns its projection."""
    async with open_store(None, "concierge", data_dir, SystemClock()) as store:
        if not erased:
            data = {
                "client_id": "C-1001",
                "name": "Zubaydah Qasimiyya",
                "username": "zubaydah_q",
                "language": "ar",
                "phone": "+971507654321",
                "identities": [{"channel": "whatsapp", "external_id": "+971507654321"}],
            }
            actor = Actor(ActorKind.CLIENT, "C-1001")
            await store.record(NewEvent("client:C-1001", EventType.CLIENT_REGISTERED, data, actor, "seed"))
        return await q.client(store, "C-1001")


def test_client_erase_is_confirmed_then_leaves_an_id_and_no_name(
    tmp_path: Path, cli_session: CliSession
) -> None:
    env = environment(tmp_path)
    assert asyncio.run(_with_client(tmp_path)).name == "Zubaydah Qasimiyya"
    unasked = cli_session(env, "client", "erase", "C-1001")  # nobody at a terminal to type the id again
    assert unasked.returncode == 1 and "add --yes" in unasked.stderr and "nothing changed" in unasked.stderr
    unknown = cli_session(env, "client", "erase", "C-9999", "--yes")
    assert unknown.returncode == 2 and "No client 'C-9999'" in unknown.stderr
    assert asyncio.run(_with_client(tmp_path, erased=True)).name == "Zubaydah Qasimiyya"
    done = cli_session(env, "client", "erase", "c-1001", "--yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("client erase: C-1001 erased") and "Traceback" not in done.stderr
    after = asyncio.run(_with_client(tmp_path, erased=True))
    assert after.erased and after.name == "" and after.phone is None
    erased = cli_session(env, "client", "erased")
    assert erased.returncode == 0 and erased.stdout.startswith("C-1001\t20")
    files = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"Zubaydah" not in files and b"7654321" not in files
