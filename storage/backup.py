"""Backups of the embedded store: a consistent snapshot of its SQLite file taken while the service runs
(SQLite's online backup, all pages in one step inside one read transaction: writers go on, the copy is of
one moment), checked, and put in place whole. A restore goes only into a data directory with no store."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path


class BackupError(Exception):
    """Nothing to back up, a damaged backup, or a store already where a restore would go."""


@dataclass(frozen=True)
class Snapshot:
    path: Path
    size: int
    events: int


def store_file(data_dir: Path, db_name: str) -> Path:
    return data_dir / "db" / f"{db_name}.db"


def take(data_dir: Path, db_name: str, target: Path) -> Snapshot:
    source = store_file(data_dir, db_name)
    if not source.is_file():
        raise BackupError(f"no store in {data_dir} (database {db_name}): nothing to back up")
    if target.exists():
        raise BackupError(f"{target} exists: a backup never overwrites one")
    partial = target.with_name(target.name + ".partial")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial.touch(mode=0o600)  # it holds every client's data: readable by its owner only
    try:
        with sqlite3.connect(_read_only(source), uri=True) as src, sqlite3.connect(partial) as copy:
            src.backup(copy)  # pages=-1: every page at once, one consistent moment
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        src.close()
        copy.close()
        events = _checked(partial)
    except BaseException:
        partial.unlink(missing_ok=True)  # never a half-made copy of everyone's data left behind
        raise
    partial.rename(target)
    return Snapshot(target, target.stat().st_size, events)


def restore(backup: Path, data_dir: Path, db_name: str) -> Snapshot:
    target = store_file(data_dir, db_name)
    if any(target.parent.glob(f"{target.name}*")):  # the file, or a journal (-wal, -shm) SQLite would replay
        raise BackupError(f"{data_dir} already holds a store: restore into a new CONCIERGE_DATA_DIR")
    if not backup.is_file():
        raise BackupError(f"{backup} is not a file")
    events = _checked(backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.touch(mode=0o600)
    shutil.copyfile(backup, partial)
    partial.rename(target)
    return Snapshot(target, target.stat().st_size, events)


def _read_only(path: Path) -> str:
    return path.resolve().as_uri() + "?mode=ro"  # (a path with ?, # or % in it stays a path)


def _checked(path: Path) -> int:
    """The events it holds, once SQLite finds the file whole; BackupError otherwise."""
    try:
        with sqlite3.connect(_read_only(path), uri=True) as db:
            (verdict,) = db.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok":
                raise BackupError(f"{path} is damaged ({verdict})")
            has_events = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone()
            (events,) = db.execute("SELECT count(*) FROM events").fetchone() if has_events else (0,)
        db.close()
    except sqlite3.DatabaseError:
        raise BackupError(f"{path} is not a backup of the store") from None
    return int(events)
