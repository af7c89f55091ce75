"""The board's cards (domain/board.py), one document per request, kept as the projector writes a request or
a client: the request's side written when what its card shows changes, the client's side on each of their
cards when their name, tag or assistant does. Each side is guarded by its own document's version, so two
instances projecting at once leave the newest of each; a request's write clears the client's version (`cv`)
and reads the client afresh after it, so a client changed meanwhile (or another client, after a merge) is
never left on the card. A closed request's card stays, off the board (`open` false), so a late write of an
older version cannot put it back. Rebuilt from the projections with them (`concierge rebuild`).

A card also keeps its clocks (`rs`: since when its client waits for a reply, `qs`: since when it waits for its
first quote; None when not waiting), written as the timers are (storage/deadlines.py), each under its
deadline's version (`rk`, `qk`: 0 before any), so the board reads no deadline and two writers leave the
newest. A start makes good a crash between a deadline's write and its cards' (`clocks_again`)."""

from __future__ import annotations

import contextlib
import time
from datetime import datetime
from typing import Any

import structlog
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from domain.board import client_part, request_part
from domain.clients import Client
from domain.deadlines import FIRST_QUOTE, FIRST_RESPONSE
from domain.requests import ServiceRequest
from storage import step_reads
from storage.timefmt import to_ms

log = structlog.get_logger(__name__)

BOARD = "board"
CARDED = "a card written"  # (noted in a step, by client: storage/step_reads.py)
FOLLOWED = frozenset({"requests", "clients"})  # the projections its cards are made of
BATCH = 500
Doc = dict[str, Any]
NO_CLOCKS = {"rs": None, "rk": 0, "qs": None, "qk": 0}  # (version 0: no deadline)
CLOCKED = (FIRST_RESPONSE, FIRST_QUOTE)  # the deadlines a card shows: its client's wait, its first quote
CLOCK_FIELDS = (("rs", "rk"), ("qs", "qk"))  # each one's (since, version) on a card
CLOCK = "a clock"  # (kept in a step, by deadline: its state as a card shows it)
SHOWN = "a clock on the card it opened"  # (kept in a step, by deadline: as the step's card write showed it)


def written_ms() -> int:
    """When a card is written (`w_ms`, by the writer's own clock): what each instance's copy of the open cards
    reads again (storage/board_view.py)."""
    return int(time.time() * 1000)


def clock_ids(client_id: str, request_id: str) -> tuple[str, str]:
    return f"{FIRST_RESPONSE}:{client_id}", f"{FIRST_QUOTE}:{request_id}"


def still_waits(deadline: Doc) -> bool:
    """Not answered: under way, or over with its steps done (the ladder ran out: the client waits on)."""
    return deadline.get("status") != "over" or bool(deadline.get("ran_out"))


def clock_state(deadline: Doc | None) -> tuple[int | None, int]:
    """A deadline as a card shows it: since when (ms; None when answered or never set), and its version."""
    if deadline is None:
        return None, 0  # (never set: version 0, as a card without its clocks)
    since = (deadline.get("since_ms") or deadline["at_ms"]) if still_waits(deadline) else None
    return since, deadline.get("v", 0)


def opening_quote_clock(opened: datetime) -> tuple[int, int]:
    """The first-quote wait a request's opening starts, as a card shows it: since the opening, the deadline's
    first write (engine/clock/timers.py starts it so, with the request's first event)."""
    return to_ms(opened), 1


def _clocks_kept(client_id: str, request_id: str) -> Doc:
    """A new card's clocks as this step wrote their deadlines (storage/step_reads.py `keep`); one it did not
    write is at 0, as on a card without its clocks: the read after the card's write brings it."""
    clocks = dict(NO_CLOCKS)
    for deadline_id, (since, version) in zip(clock_ids(client_id, request_id), CLOCK_FIELDS, strict=True):
        if (kept := step_reads.kept(CLOCK, deadline_id)) is not None:
            clocks |= {since: kept[0], version: kept[1]}
    return clocks


def _request_side(doc: Doc | None) -> Doc | None:
    return request_part(ServiceRequest.from_doc(doc)) if doc else None


def _client_side(doc: Doc | None) -> Doc | None:
    return client_part(Client.from_doc(doc)) if doc else None


class BoardCards:
    def __init__(self, db: AsyncDatabase) -> None:
        self._db = db
        self._cards = db[BOARD]

    async def follow(
        self, collection: str, old: Doc | None, new: Doc, again: bool = False, opened: datetime | None = None
    ) -> None:
        """After the projector wrote `new` (over `old`) in `collection`; `again`: written before (a start
        makes good a crash between a document's write and its cards'); `opened`: when its first event was."""
        if collection == "requests":
            await self._request(None if again else old, new, opened)
        elif collection == "clients":
            await self._client(old, new, again)

    async def _request(self, old: Doc | None, new: Doc, opened: datetime | None = None) -> None:
        side = _request_side(new)
        if side is None or side == _request_side(old):
            return  # (a message, a rating: nothing its card shows)
        client = await step_reads.by_id(self._db, "clients", new["client_id"])  # (read in the step, often)
        if client is not None:
            side |= client_part(Client.from_doc(client))
        moved = old is None or old["client_id"] != new["client_id"]  # (new, merged, or looked at again)
        if old is not None and moved:
            side |= {"rs": None, "rk": 0}  # another client's wait: theirs is written below
        step_reads.note(CARDED, new["client_id"])
        # a new card starts with the clocks this step wrote (the client's wait, started by their message)
        clocks = _clocks_kept(new["client_id"], new["_id"]) if old is None else NO_CLOCKS
        # a request this step opens: its card shows the first-quote wait the timers start right after it (the
        # deadline's write then finds it shown, and writes no card); a crash before that write leaves the card
        # as the timers' sweep will make the deadline
        shows = None
        if (
            old is None
            and opened is not None
            and not clocks["qk"]
            and step_reads.opened("requests", new["_id"])
        ):
            shows = opening_quote_clock(opened)
            clocks |= {"qs": shows[0], "qk": shows[1]}
        try:
            written = await self._cards.update_one(
                {"_id": new["_id"], "rv": {"$lt": new["_v"]}},
                {"$set": side | {"rv": new["_v"], "cv": client["_v"] if client else -1, "w_ms": written_ms()}}
                | ({"$setOnInsert": clocks} if old is None else {}),
                upsert=True,
            )
        except DuplicateKeyError:
            return  # a newer version of the request is on the card already
        if shows is not None and written.upserted_id is not None:
            step_reads.keep(SHOWN, clock_ids(new["client_id"], new["_id"])[1], shows)
        if moved:  # its clocks as the timers left them (a timer's write may have come before the card)
            shown = clocks if written.upserted_id is not None else NO_CLOCKS  # (there before: not known)
            await self._clocks_of([{"_id": new["_id"], "client_id": new["client_id"]} | shown])
        # the client may have changed meanwhile, their cards' update run before this card was written
        fresh = await self._db["clients"].find_one({"_id": new["client_id"]})
        if fresh is not None and (client is None or fresh["_v"] > client["_v"]):
            await self._client_onto(new["client_id"], fresh, {"_id": new["_id"]})

    async def _client(self, old: Doc | None, new: Doc, again: bool) -> None:
        # (a new client has no cards yet: a request's card reads its client after it is written — so nor has
        # one this step registered, unless it wrote a card of theirs since: their assignment looks for none)
        if again:
            await self._client_onto(new["_id"], new, {})
        elif old is not None and (side := _client_side(new)) != _client_side(old):
            if step_reads.opened("clients", new["_id"]) and not step_reads.noted(CARDED, new["_id"]):
                return
            await self._client_onto(new["_id"], new, {}, side)

    async def _client_onto(self, client_id: str, doc: Doc, where: Doc, side: Doc | None = None) -> None:
        """The client's side onto their cards (those of `where`) that show an older one. An update seeks
        only `_id` on nx-27017: a client's cards are found first (one seek), then updated by `_id`."""
        older = {"client_id": client_id, "cv": {"$lt": doc["_v"]}}
        if not where:
            ids = [c["_id"] async for c in self._cards.find(older, {"_id": 1})]
            if not ids:
                return  # (a new client, or one without requests)
            where = {"_id": {"$in": ids}}
        side = side if side is not None else _client_side(doc)
        await self._cards.update_many(
            where | older, {"$set": (side or {}) | {"cv": doc["_v"], "w_ms": written_ms()}}
        )

    async def clock(self, deadline: Doc) -> None:
        """After a deadline was written (`deadline`, as it is now): its state onto the cards that show it (a
        client's wait onto each of their cards, a first quote onto its request's) that hold an older one."""
        kind, subject = deadline["_id"].split(":", 1)
        if kind in CLOCKED:
            state = clock_state(deadline)
            step_reads.keep(CLOCK, deadline["_id"], state)  # (a card written later in the step)
            if kind == FIRST_QUOTE and step_reads.kept(SHOWN, deadline["_id"]) == state:
                return  # (the card the step opened shows it: written with it)
            await self._clock_onto(kind, subject, deadline)

    async def clock_by_id(self, deadline_id: str) -> None:
        if deadline_id.split(":", 1)[0] in CLOCKED:
            found = await self._db["deadlines"].find_one({"_id": deadline_id})
            await self.clock(found or {"_id": deadline_id, "status": "over", "v": 0})

    async def _clock_onto(self, kind: str, subject: str, deadline: Doc | None, card: str = "") -> None:
        since, version = clock_state(deadline)
        if kind == FIRST_QUOTE:
            await self._cards.update_one(
                {"_id": subject, "qk": {"$lt": version}},
                {"$set": {"qs": since, "qk": version, "w_ms": written_ms()}},
            )
            return
        older = {"client_id": subject, "rk": {"$lt": version}}
        ids = [card] if card else await self._cards_of(subject, older)
        if ids:  # (found first, then updated by `_id`: an update seeks only `_id` on nx-27017)
            await self._cards.update_many(
                {"_id": {"$in": ids}} | older, {"$set": {"rs": since, "rk": version, "w_ms": written_ms()}}
            )

    async def _cards_of(self, client_id: str, older: Doc) -> list[str]:
        """The `_id`s of the client's cards that may hold an older clock. In a step: their requests' (a card
        is its request's, by `_id`), read now — after the deadline's write, so a request's card written since
        reads the deadline after it — and the step's read of their requests from then on (a message's reads
        them anyway: a new client's first one has none, and no card to look for)."""
        if not step_reads.active():
            return [c["_id"] async for c in self._cards.find(older, {"_id": 1})]
        requests = await step_reads.where(self._db, "requests", "client_id", client_id, fresh=True)
        return [r["_id"] for r in requests]

    async def _clocks_of(self, cards: list[Doc]) -> int:
        """These cards' clocks from their deadlines, where a card holds an older version. Returns how many
        were behind."""
        behind = 0
        for start in range(0, len(cards), BATCH):
            chunk = cards[start : start + BATCH]
            ids = sorted({i for c in chunk for i in clock_ids(c["client_id"], c["_id"])})
            found = {d["_id"]: d async for d in self._db["deadlines"].find({"_id": {"$in": ids}})}
            for card in chunk:
                for kind, deadline_id in zip(CLOCKED, clock_ids(card["client_id"], card["_id"]), strict=True):
                    deadline = found.get(deadline_id)
                    if card["rk" if kind == FIRST_RESPONSE else "qk"] < clock_state(deadline)[1]:
                        behind += 1
                        await self._clock_onto(kind, deadline_id.split(":", 1)[1], deadline, card["_id"])
        return behind

    async def clocks_again(self) -> int:
        """At start: the open cards' clocks made good (a crash between a deadline's write and its cards')."""
        fields = {"client_id": 1, "rk": 1, "qk": 1}
        cards = [c | NO_CLOCKS | c async for c in self._cards.find({"open": True}, fields)]
        return await self._clocks_of(cards)

    async def ensure(self) -> None:
        """At start: the cards made once on a store that has none yet (one kept before they were, or before
        they kept their clocks); the open cards' clocks made good."""
        if not ((await self._db["jobs"].find_one({"_id": BOARD})) or {}).get("clocks"):
            await self.rebuild()
        elif behind := await self.clocks_again():
            log.info("board.clocks_made_good", cards=behind)

    async def rebuild(self) -> int:
        """Every card made afresh from the requests and clients documents. Returns cards on the board. A card
        written meanwhile (a projection's write, another start's rebuild) is kept: it is as new or newer."""
        await self._cards.delete_many({})
        chunk: list[Doc] = []
        on = 0
        async for doc in self._db["requests"].find({}):
            chunk.append(request_part(ServiceRequest.from_doc(doc)) | {"rv": doc["_v"], "cv": -1} | NO_CLOCKS)
            if len(chunk) >= BATCH:
                on += await self._insert(chunk)
                chunk = []
        if chunk:
            on += await self._insert(chunk)
        marked = {"$set": {"cards": on, "clocks": True}, "$inc": {"made": 1}}  # (`made`: copies read afresh)
        await self._db["jobs"].update_one({"_id": BOARD}, marked, upsert=True)
        return on

    async def _insert(self, chunk: list[Doc]) -> int:
        ids = sorted({c["client_id"] for c in chunk})
        clients = {d["_id"]: d async for d in self._db["clients"].find({"_id": {"$in": ids}})}
        timers = [i for c in chunk for i in clock_ids(c["client_id"], c["_id"])]
        deadlines = {d["_id"]: d async for d in self._db["deadlines"].find({"_id": {"$in": timers}})}
        on = 0
        for card in chunk:
            if (client := clients.get(card["client_id"])) is not None:
                card |= client_part(Client.from_doc(client)) | {"cv": client["_v"]}
                on += card["open"]
            reply, quote = (clock_state(deadlines.get(i)) for i in clock_ids(card["client_id"], card["_id"]))
            card |= {"rs": reply[0], "rk": reply[1], "qs": quote[0], "qk": quote[1], "w_ms": written_ms()}
        with contextlib.suppress(BulkWriteError):  # (those already there were written meanwhile)
            await self._cards.insert_many(chunk, ordered=False)
        return on
