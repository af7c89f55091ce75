"""Upgrading: `concierge migrate --dry-run` says what a start of this version would change in the store — the
indexes it creates and drops, the documents of an older shape it refolds — and changes nothing; `migrate` does
it, after which there is nothing left to do. Beside running instances it refuses what is not safe for them
(a start beside them only adds: tests/integration/test_rolling_upgrade.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pymongo import ASCENDING

from bot.cli import EXIT_CONFIG
from domain.clock import FrozenClock
from storage.heartbeats import Heartbeats
from storage.store import open_store
from tests.integration.test_service_process import CliSession, environment


async def _an_instance_runs(data_dir: Path, running: bool) -> None:
    """One of a version from before document formats were told apart (format 0: its heartbeat names none)."""
    clock = FrozenClock(datetime(2026, 12, 5, tzinfo=UTC))
    async with open_store(None, "concierge", data_dir, clock, catch_up=False, prepare=False) as store:
        heartbeats, now = Heartbeats(store.db), datetime.now(UTC)
        if running:  # (beating an hour ahead: alive while the commands run)
            await heartbeats.beat("old", [], now + timedelta(hours=1), 0)
        else:
            await heartbeats.release("old", [], now)


async def _as_an_older_version_left_it(data_dir: Path) -> None:
    clock = FrozenClock(datetime(2026, 12, 5, tzinfo=UTC))
    async with open_store(None, "concierge", data_dir, clock, catch_up=False, prepare=False) as store:
        indexes = [index async for index in await store.db["requests"].list_indexes()]
        (paid,) = [index["name"] for index in indexes if dict(index["key"]) == {"paid_ms": 1}]
        await store.db["requests"].drop_index(paid)  # an index this version added (by its name there)
        await store.db["inbox"].create_index([("legacy_ms", ASCENDING)], name="legacy")  # one it dropped
        await store.db["assistants"].update_many({}, {"$set": {"_fmt": 3}})  # documents of an older shape


async def test_the_plan_is_said_then_done(tmp_path: Path, cli_session: CliSession) -> None:
    env = environment(tmp_path)
    added = cli_session(
        env, "--new-store", "staff", "add", "--telegram-id", "9001", "--name", "Anna", "--languages", "en"
    )
    assert added.returncode == 0, added.stderr
    await _as_an_older_version_left_it(tmp_path)

    for _ in range(2):  # a dry run changes nothing: the same plan twice
        dry = cli_session(env, "migrate", "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert "would create the index requests.paid (paid_ms)" in dry.stdout
        assert "would drop the index inbox." in dry.stdout and "(legacy_ms)" in dry.stdout
        assert "would refold 1 assistants documents of an older shape" in dry.stdout
        assert "not safe" not in dry.stdout  # nothing runs

    await _an_instance_runs(tmp_path, True)
    dry = cli_session(env, "migrate", "--dry-run")
    assert "not safe beside the 1 running instance(s): they may still read through the indexes" in dry.stdout
    assert "one from before document formats were told apart writes the old shape back" in dry.stdout
    refused = cli_session(env, "migrate")
    assert refused.returncode == EXIT_CONFIG and "stop them, or --force" in refused.stderr
    assert (
        "would drop the index inbox." in cli_session(env, "migrate", "--dry-run").stdout
    )  # nothing was done
    await _an_instance_runs(tmp_path, False)

    done = cli_session(env, "migrate")
    assert done.returncode == 0 and "did create the index requests.paid" in done.stdout
    after = cli_session(env, "migrate", "--dry-run")
    assert after.stdout.strip().endswith("migrate: nothing to change"), after.stdout
    team = cli_session(env, "staff", "list")
    assert "Anna" in team.stdout
