"""Backups as an operator takes them: while the service runs, restored into a fresh data directory, where the
audit chain verifies and a refold agrees; never over an existing store or an existing backup."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from tests.integration.test_service_process import CliSession, environment, free_port


def test_a_backup_taken_while_the_service_runs_restores_whole_elsewhere(
    service, tmp_path: Path, cli_session: CliSession
) -> None:
    _process, _base, data_dir = service  # the sandbox: its team and demo already written
    running = environment(data_dir)
    added = cli_session(
        running, "staff", "add", "--telegram-id", "77001", "--name", "Nadia", "--languages", "ar,en"
    )
    assert added.returncode == 0, added.stderr
    before = cli_session(running, "audit", "verify")
    assert before.returncode == 0
    events = int(before.stdout.split(" events")[0].rsplit(" ", 1)[1])

    target = tmp_path / "backups" / "concierge-2026-12-05.db"
    taken = cli_session(running, "backup", str(target))
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.startswith("backup: ") and target.is_file()
    assert cli_session(running, "backup", str(target)).returncode == 2  # a backup is never overwritten

    fresh = tmp_path / "restored"
    restored = cli_session(environment(fresh), "restore", str(target))
    assert restored.returncode == 0, restored.stderr
    assert "audit: intact" in restored.stdout
    # the log folded again gives every projection document exactly as the backup kept it
    assert re.search(
        r"rebuild: [1-9]\d* projection documents, all as the backup had them", restored.stdout
    ), restored.stdout
    after = cli_session(environment(fresh), "audit", "verify")
    assert after.returncode == 0 and int(after.stdout.split(" events")[0].rsplit(" ", 1)[1]) >= events
    team = cli_session(environment(fresh), "staff", "list")
    assert "Nadia" in team.stdout

    again = cli_session(environment(fresh), "restore", str(target))  # over a store: refused, nothing touched
    assert again.returncode == 2 and "already holds a store" in again.stderr
    onto_running = cli_session(running, "restore", str(target))
    assert onto_running.returncode == 2 and "a service runs on" in onto_running.stderr


def test_damaged_or_foreign_files_and_mongodb_are_refused_with_a_reason(
    tmp_path: Path, cli_session: CliSession
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    refused = cli_session(environment(tmp_path / "a"), "restore", str(junk))
    assert refused.returncode == 2 and "is not a backup of the store" in refused.stderr
    assert not (tmp_path / "a" / "db" / "concierge.db").exists()
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    nothing = cli_session(environment(tmp_path / "b"), "backup", str(tmp_path / "out.db"))
    assert nothing.returncode == 2 and "nothing to back up" in nothing.stderr
    mongodb = environment(tmp_path / "c", MONGODB_URL=f"mongodb://127.0.0.1:{free_port()}")
    guidance = cli_session(mongodb, "backup", str(tmp_path / "out.db"))
    assert guidance.returncode == 2 and "mongodump --uri" in guidance.stderr
