"""The embedded store's process: nx-27017, with glibc handing its free heap pages back now and then.

Run by storage/embedded.py as `python engine_process.py --trim-every SECONDS <nx-27017's arguments>` (a
script, not a module of the package: the store's process imports none of our code). nx-27017 answers every
command on a thread of asyncio's pool and builds each result whole in its memory; what Python frees of it
goes back to glibc's heap (objects over 512 bytes: documents' JSON, batches, large dicts), and glibc gives
a heap back only from its top, so the free space between live chunks stayed in the store's RSS and grew
with the history it had read (the soak: README, *Soak*, the sixth round). `malloc_trim(0)` hands the free
pages inside every arena back to the kernel (their addresses stay mapped; nothing is moved).

It also stores each insert command of several documents in one SQLite transaction (`group_inserts`): nx-27017
inserts them one by one, each its own commit, so a group of the inbox's payloads paid one commit each.
"""

from __future__ import annotations

import ctypes
import functools
import importlib
import importlib.metadata
import os
import sqlite3
import sys
import threading
import time
from typing import Any

TRIM_FLAG = "--trim-every"


def _trim(libc: ctypes.CDLL, seconds: float) -> None:
    while True:
        time.sleep(seconds)
        libc.malloc_trim(0)  # (ctypes lets go of the GIL for the call)


def start_trimming(seconds: float) -> bool:
    """A daemon thread that trims every `seconds`; False where there is no glibc (musl, macOS)."""
    if seconds <= 0:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        return False
    threading.Thread(target=_trim, args=(libc, seconds), name="malloc-trim", daemon=True).start()
    return True


class GroupRolledBack(sqlite3.OperationalError):
    """SQLite undid the whole transaction partway (a full disk, an I/O error): an insert reported as done
    may not be kept, so the command fails and the caller sends it again (a document kept anyway is then a
    duplicate, found by its _id)."""


def _insert_body(msg: Any) -> dict[str, Any] | None:
    """The command of an insert of several documents into an ordinary collection, or None."""
    sections: list[tuple[str, Any]] = (msg.get("sections") or []) if isinstance(msg, dict) else []
    body = next((doc for kind, doc in sections if kind == "body" and isinstance(doc, dict)), None)
    if body is None or not isinstance(body.get("insert"), str):
        return None
    name: str = body["insert"]
    # GridFS writes its own way; a write concern is a PRAGMA, which SQLite refuses inside a transaction
    if name.endswith((".files", ".chunks")) or "writeConcern" in body or "startTransaction" in body:
        return None
    documents = sum(_count(doc) for kind, doc in sections if kind != "body") + _count(body)
    return body if documents > 1 else None


def _count(section: Any) -> int:
    """Documents in a section, read as nx-27017's handle_insert reads them (its body: `documents`)."""
    if isinstance(section, list):  # a kind-2 section
        return len(section)
    if not isinstance(section, dict):
        return 0
    if "insert" in section:
        documents = section.get("documents")
        return len(documents) if isinstance(documents, list) else 0
    return sum(len(v) if isinstance(v, list) else 1 if isinstance(v, dict) else 0 for v in section.values())


GROUPED_ON = "0.8.1"  # the nx-27017 whose handler this was written against and tested with


def _known(handler: Any) -> bool:
    """The handler is the one `group_inserts` knows (a patch on another version's internals could break every
    insert): another version starts as it is, each document its own commit, until this is checked against it
    (tests/integration/test_embedded_engine.py fails then, as the launcher no longer groups)."""
    try:
        version = importlib.metadata.version("nx-27017")
        module = importlib.import_module(handler.handle_insert.__module__)
    except (importlib.metadata.PackageNotFoundError, ImportError, AttributeError):
        return False
    needed = (
        hasattr(handler, "_lock_for"),
        hasattr(handler, "get_database"),
        hasattr(module, "_msg_db_name"),
    )
    return version == GROUPED_ON and all(needed)


def group_inserts(handler: Any) -> None:
    """Make `handler.handle_insert` (nx-27017's) store an insert of several documents in one transaction.

    It still inserts them one by one: a duplicate _id fails only its own statement (SQLite rolls back the
    statement, not the transaction), so an unordered insert keeps the others and reports each failure as
    before; the reply is sent after the one COMMIT, so nothing is acknowledged before it is written (the
    same WAL, the same `synchronous`). Under the database's lock, as every command; not inside a
    transaction a session opened (we open none); a command SQLite undid partway fails as a whole."""
    original = handler.handle_insert
    if getattr(original, "grouped", False) or not _known(handler):
        return
    lock_name = importlib.import_module(original.__module__)._msg_db_name  # (the db lock's name)

    @functools.wraps(original)
    def handle_insert(self: Any, msg: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        body = _insert_body(msg)
        if body is None:
            return original(self, msg)
        with self._lock_for(lock_name(msg)):
            conn = self.get_database(body.get("$db", "test")).db
            if conn.in_transaction:
                return original(self, msg)
            conn.execute("BEGIN IMMEDIATE")
            try:
                answer = original(self, msg)
                if not conn.in_transaction:
                    raise GroupRolledBack("the insert's transaction was rolled back by SQLite")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return answer

    handle_insert.grouped = True  # type: ignore[attr-defined]
    handler.handle_insert = handle_insert


def _split(argv: list[str]) -> tuple[float, list[str]]:
    if len(argv) >= 2 and argv[0] == TRIM_FLAG:
        return float(argv[1]), argv[2:]
    return 0.0, argv


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]  # storage/ shadows no module
    seconds, rest = _split(sys.argv[1:])
    start_trimming(seconds)
    nx_27017 = importlib.import_module("nx_27017.nx_27017")  # (no stubs: it is only run)
    group_inserts(importlib.import_module("nx_27017.handler").NeoSQLiteHandler)
    sys.argv = ["nx-27017", *rest]
    return int(nx_27017.main() or 0)


if __name__ == "__main__":
    sys.exit(main())
