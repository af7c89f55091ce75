"""The store's CPU per inbox document inserted in groups, as the webhook's group commit sends them: the
embedded store in its own process (this version's launcher, one SQLite transaction an insert command), the
inbox's indexes or fewer of them, against nx-27017 run plainly (`--plain`: a commit each document). The
store process's CPU time, read from /proc, is far less distorted by other work on the machine than a rate.

.venv/bin/python bench/store_insert.py                       # the inbox's five indexes, grouped and plain
.venv/bin/python bench/store_insert.py --indexes due,open_key,status --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pymongo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage import embedded
from storage.embedded import EmbeddedEngine
from storage.indexes import INDEXES


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def inbox_document(i: int, now: int) -> dict[str, Any]:
    """As `Inbox.put` stores a realistic Telegram text message."""
    chat = 10_000 + i % 300
    person = {"id": chat, "first_name": "Layla", "last_name": "Haddad"}
    return {
        "_id": f"telegram:{900_000 + i}",
        "source": "telegram",
        "attempts": 0,
        "received_ms": now,
        "next_attempt_ms": now,
        "lease_ms": 0,
        "worker": None,
        "key": f"telegram:{chat}",
        "payload": {
            "update_id": 900_000 + i,
            "message": {
                "message_id": i,
                "date": now // 1000,
                "chat": person | {"type": "private"},
                "from": person | {"is_bot": False, "language_code": "ar"},
                "text": "Could you book a table for four tomorrow at eight, somewhere quiet near the marina?",
            },
        },
        "n": i,
        "order": 900_000 + i,
        "status": "pending",
        "due_ms": now,
        "open_key": f"telegram:{chat}",
        "error": None,
    }


def measure(plain: bool, names: list[str], rounds: int, groups: int, size: int) -> list[float]:
    """Microseconds of the store's CPU per document, one figure a round."""
    if plain:  # nx-27017 itself, without this version's launcher (a commit each document)
        embedded._executable = lambda: [sys.executable, "-m", "nx_27017.nx_27017"]  # type: ignore[attr-defined]
    engine = EmbeddedEngine(Path(tempfile.mkdtemp(prefix="store-insert-")))
    engine.start()
    try:
        inbox = pymongo.MongoClient(engine.url)["bench"]["inbox"]
        models = [m for m in INDEXES["inbox"] if m.document["name"] in names]
        if models:
            inbox.create_indexes(models)
        figures, n = [], 0
        for _ in range(rounds):
            now = int(time.time() * 1000)
            used = cpu_seconds(engine.pid or 0)
            for _ in range(groups):
                inbox.insert_many([inbox_document(n + k, now) for k in range(size)], ordered=False)
                n += size
            figures.append((cpu_seconds(engine.pid or 0) - used) / (groups * size) * 1e6)
        return figures
    finally:
        engine.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--indexes", default="due,open_key,status,done,key", help="the inbox's, by name")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--groups", type=int, default=100, help="insert commands a round")
    parser.add_argument("--size", type=int, default=20, help="documents a command (the webhook's group)")
    parser.add_argument("--plain", action="store_true", help="only nx-27017 run plainly")
    args = parser.parse_args()
    names = [n for n in args.indexes.split(",") if n]
    print(f"{args.groups} × {args.size} documents a round, indexes: {', '.join(names) or 'none'}")
    for plain in (True,) if args.plain else (False, True):
        figures = measure(plain, names, args.rounds, args.groups, args.size)
        label = "nx-27017 plainly (a commit each)" if plain else "this launcher (a commit a command)"
        print(
            f"{label}: store CPU per document {statistics.median(figures):.0f} µs "
            f"(rounds: {', '.join(f'{f:.0f}' for f in figures)})"
        )
