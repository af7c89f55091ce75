"""Each instance's copy of the board's open cards (storage/board.py), brought up to date from the store at
each read: the cards written since the last read (by `w_ms`, an index range, with a margin for writers'
clocks and writes in flight), and all of them afresh when the cards were made again (`made`) or a minute has
passed (a write held up longer than the margin is read then). The store keeps every card; this copy only
saves reading 3,000 of them for each board — two instances each read what the other wrote.

The minute's full read is made beside the boards, not in one: the board that finds it due is answered from
the copy and the cards written since, as any other, while every card is read again; the next board reads the
cards written since that read began. What the reader makes of each card (`read_as`: a board's values) is
kept with the document it was made of and made again only when the store's document changed."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import structlog
from pymongo.asynchronous.database import AsyncDatabase

from storage.board import BOARD

log = structlog.get_logger(__name__)

MARGIN_MS = 3_000  # cards written this long before the last read are read again (writes in flight, clocks)
AFRESH_MS = 60_000  # every card read again at least this often
Doc = dict[str, Any]
T = TypeVar("T")


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
        self._afresh: asyncio.Task[None] | None = None  # the minute's full read, beside the boards
        self._kept: dict[str, tuple[Doc, Any]] = {}  # card id → (the document, what `read_as` made of it)
        self._kept_for: Hashable = None  # what `make` depended on besides the documents

    async def read(self) -> list[Doc]:
        """The open cards, as the store has them now."""
        async with self._lock:
            return list((await self._refresh()).values())

    async def read_as(self, make: Callable[[Doc], T | None], salt: Hashable) -> list[T]:
        """The open cards made into values by `make` (None: left out), each made again only when its
        document changed in the store, or `salt` (what else `make` depends on) did."""
        async with self._lock:
            docs = await self._refresh()
            if salt != self._kept_for:
                self._kept, self._kept_for = {}, salt
            kept, made = self._kept, {}
            for card_id, doc in docs.items():
                was = kept.get(card_id)
                made[card_id] = was if was is not None and was[0] is doc else (doc, make(doc))
            self._kept = made  # (cards that left the board are forgotten with it)
            return [value for _, value in made.values() if value is not None]

    async def _refresh(self) -> dict[str, Doc]:
        started = self._now_ms()
        mark = await self._db["jobs"].find_one({"_id": BOARD}, {"made": 1}) or {}
        cards = self._db[BOARD]
        if self._read_ms is None or mark.get("made") != self._made:
            self._take(await self._all_open(), started)
        else:
            if started - self._afresh_ms >= AFRESH_MS and self._afresh is None:
                self._afresh_ms = started  # (one at a time; the boards meanwhile read what changed)
                self._afresh = asyncio.create_task(self._read_afresh(started))
            since = self._read_ms - MARGIN_MS
            for doc in await cards.find({"w_ms": {"$gte": since}}).to_list():
                self._put(doc)
        self._read_ms, self._made = started, mark.get("made")
        return self._open

    async def _all_open(self) -> list[Doc]:
        return await self._db[BOARD].find({"open": True}).to_list()

    def _put(self, doc: Doc) -> None:
        if not doc["open"]:
            self._open.pop(doc["_id"], None)
        elif self._open.get(doc["_id"]) != doc:  # (the same card read again keeps its made value)
            self._open[doc["_id"]] = doc

    def _take(self, docs: list[Doc], started: int) -> None:
        """Every open card as read from `started` on (a card unchanged keeps the document it had)."""
        old = self._open
        self._open = {d["_id"]: d if old.get(d["_id"]) != d else old[d["_id"]] for d in docs}
        self._afresh_ms = started

    async def _read_afresh(self, started: int) -> None:
        try:
            docs = await self._all_open()
            async with self._lock:
                # a card written while it was read may be missing from it, or older in it: the next read
                # reads again every card written since it began
                self._take(docs, started)
                self._read_ms = min(self._read_ms or started, started)
        except Exception:  # (the store failing over: the next board that finds it due reads again)
            log.warning("board.read_afresh_failed", exc_info=True)
            self._afresh_ms = 0
        finally:
            self._afresh = None

    async def afresh_done(self) -> None:
        """Until the full read in flight (if any) is in the copy."""
        if self._afresh is not None:
            await asyncio.shield(self._afresh)

    async def close(self) -> None:
        """The store is closing: a full read in flight is given up."""
        if self._afresh is not None:
            self._afresh.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._afresh
