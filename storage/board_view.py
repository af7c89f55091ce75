"""Each instance's copy of the board's open cards (storage/board.py), brought up to date from the store at
each read: the cards written since the last read (by `w_ms`, an index range, with a margin for writers'
clocks and writes in flight), and all of them afresh when the cards were made again (`made`) or a minute has
passed (a write held up longer than the margin is read then). The store keeps every card; this copy only
saves reading 3,000 of them for each board — two instances each read what the other wrote."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from storage.board import BOARD

MARGIN_MS = 3_000  # cards written this long before the last read are read again (writes in flight, clocks)
AFRESH_MS = 60_000  # every card read again at least this often
Doc = dict[str, Any]


def wall_ms() -> int:
    return int(time.time() * 1000)


class OpenCards:
    def __init__(self, db: AsyncDatabase, now_ms: Callable[[], int] = wall_ms) -> None:
        self._db = db
        self._now_ms = now_ms
        self._open: dict[str, Doc] = {}
        self._read_ms: int | None = None  # the last read's start
        self._afresh_ms = 0  # the last full read's start
        self._made: int | None = None  # the cards' generation (a rebuild makes a new one)
        self._lock = asyncio.Lock()

    async def read(self) -> list[Doc]:
        """The open cards, as the store has them now."""
        async with self._lock:
            started = self._now_ms()
            mark = await self._db["jobs"].find_one({"_id": BOARD}, {"made": 1}) or {}
            cards = self._db[BOARD]
            if (
                self._read_ms is None
                or mark.get("made") != self._made
                or started - self._afresh_ms >= AFRESH_MS
            ):
                self._open = {d["_id"]: d for d in await cards.find({"open": True}).to_list()}
                self._afresh_ms = started
            else:
                for doc in await cards.find({"w_ms": {"$gte": self._read_ms - MARGIN_MS}}).to_list():
                    if doc["open"]:
                        self._open[doc["_id"]] = doc
                    else:
                        self._open.pop(doc["_id"], None)
            self._read_ms, self._made = started, mark.get("made")
            return list(self._open.values())
