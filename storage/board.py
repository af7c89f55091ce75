"""The board's cards (domain/board.py), one document per request, kept as the projector writes a request or
a client: the request's side written when what its card shows changes, the client's side on each of their
cards when their name, tag or assistant does. Each side is guarded by its own document's version, so two
instances projecting at once leave the newest of each; a request's write clears the client's version (`cv`)
and reads the client afresh after it, so a client changed meanwhile (or another client, after a merge) is
never left on the card. A closed request's card stays, off the board (`open` false), so a late write of an
older version cannot put it back. Rebuilt from the projections with them (`concierge rebuild`)."""

from __future__ import annotations

import contextlib
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from domain.board import client_part, request_part
from domain.clients import Client
from domain.requests import ServiceRequest
from storage import step_reads

BOARD = "board"
FOLLOWED = frozenset({"requests", "clients"})  # the projections its cards are made of
BATCH = 500
Doc = dict[str, Any]


def _request_side(doc: Doc | None) -> Doc | None:
    return request_part(ServiceRequest.from_doc(doc)) if doc else None


def _client_side(doc: Doc | None) -> Doc | None:
    return client_part(Client.from_doc(doc)) if doc else None


class BoardCards:
    def __init__(self, db: AsyncDatabase) -> None:
        self._db = db
        self._cards = db[BOARD]

    async def follow(self, collection: str, old: Doc | None, new: Doc, again: bool = False) -> None:
        """After the projector wrote `new` (over `old`) in `collection`; `again`: written before (a start
        makes good a crash between a document's write and its cards')."""
        if collection == "requests":
            await self._request(None if again else old, new)
        elif collection == "clients":
            await self._client(old, new, again)

    async def _request(self, old: Doc | None, new: Doc) -> None:
        side = _request_side(new)
        if side is None or side == _request_side(old):
            return  # (a message, a rating: nothing its card shows)
        client = await step_reads.by_id(self._db, "clients", new["client_id"])  # (read in the step, often)
        if client is not None:
            side |= client_part(Client.from_doc(client))
        try:
            await self._cards.update_one(
                {"_id": new["_id"], "rv": {"$lt": new["_v"]}},
                {"$set": side | {"rv": new["_v"], "cv": client["_v"] if client else -1}},
                upsert=True,
            )
        except DuplicateKeyError:
            return  # a newer version of the request is on the card already
        # the client may have changed meanwhile, their cards' update run before this card was written
        fresh = await self._db["clients"].find_one({"_id": new["client_id"]})
        if fresh is not None and (client is None or fresh["_v"] > client["_v"]):
            await self._client_onto(new["client_id"], fresh, {"_id": new["_id"]})

    async def _client(self, old: Doc | None, new: Doc, again: bool) -> None:
        # (a new client has no cards yet: a request's card reads its client after it is written)
        if ((side := _client_side(new)) != _client_side(old) and old is not None) or again:
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
        await self._cards.update_many(where | older, {"$set": (side or {}) | {"cv": doc["_v"]}})

    async def ensure(self) -> None:
        """At start: the cards made once on a store that has none yet (one kept before they were)."""
        if await self._db["jobs"].find_one({"_id": BOARD}) is None:
            await self.rebuild()

    async def rebuild(self) -> int:
        """Every card made afresh from the requests and clients documents. Returns cards on the board. A card
        written meanwhile (a projection's write, another start's rebuild) is kept: it is as new or newer."""
        await self._cards.delete_many({})
        chunk: list[Doc] = []
        on = 0
        async for doc in self._db["requests"].find({}):
            chunk.append(request_part(ServiceRequest.from_doc(doc)) | {"rv": doc["_v"], "cv": -1})
            if len(chunk) >= BATCH:
                on += await self._insert(chunk)
                chunk = []
        if chunk:
            on += await self._insert(chunk)
        await self._db["jobs"].update_one({"_id": BOARD}, {"$set": {"cards": on}}, upsert=True)
        return on

    async def _insert(self, chunk: list[Doc]) -> int:
        ids = sorted({c["client_id"] for c in chunk})
        clients = {d["_id"]: d async for d in self._db["clients"].find({"_id": {"$in": ids}})}
        on = 0
        for card in chunk:
            if (client := clients.get(card["client_id"])) is not None:
                card |= client_part(Client.from_doc(client)) | {"cv": client["_v"]}
                on += card["open"]
        with contextlib.suppress(BulkWriteError):  # (those already there were written meanwhile)
            await self._cards.insert_many(chunk, ordered=False)
        return on
