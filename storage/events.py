"""The append-only event log. One insert per business change; unique (stream, seq) and unique cause."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import structlog
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from domain.clock import Clock
from domain.errors import ConcurrencyConflict
from domain.events import Actor, Event, EventType, NewEvent
from domain.payloads import check_integers
from storage import step_reads, together
from storage.bulk import DUPLICATE_KEY
from storage.hashing import GENESIS, at_millis, event_hash
from storage.timefmt import to_ms
from storage.vault import Vault

log = structlog.get_logger(__name__)

MAX_RETRIES = 100
# Events one read of the log asks the store for: readers of a range page through it by this many. nx-27017
# builds a whole result, up to its limit, in its memory before it answers: pages of 5,000 (the figures'
# checkpoint, every 15 minutes) were transients of about 14 MB in the store's process, and each such peak
# left its allocator holding more memory than before (README, *The store's memory*).
READ_PAGE = 500


@dataclass(frozen=True, slots=True)
class Appended:
    event: Event
    duplicate: bool  # the cause was already recorded: this is the event written the first time


def to_document(event: Event) -> dict[str, Any]:
    return {
        "_id": event.id,
        "stream": event.stream,
        "kind": event.stream_kind,
        "seq": event.seq,
        "type": event.type.value,
        "at": event.at,
        "at_ms": to_ms(event.at),  # (not hashed) what start-up's catch-up seeks: the recent events
        "actor": event.actor.to_data(),
        "cause": event.cause,
        "data": event.data,
        "prev": event.prev,
        "hash": event.hash,
    }


def from_document(doc: dict[str, Any]) -> Event:
    return Event(
        stream=doc["stream"],
        seq=doc["seq"],
        type=EventType(doc["type"]),
        at=at_millis(doc["at"]),
        actor=Actor.from_data(doc["actor"]),
        cause=doc["cause"],
        data=doc["data"],
        prev=doc["prev"],
        hash=doc["hash"],
    )


class EventStore:
    """Events are read with their personal fields readable (storage/vault.py), or erased; `sealed` reads give
    them as stored, which is what the hash chain covers."""

    def __init__(self, db: AsyncDatabase, clock: Clock) -> None:
        self._events = db["events"]
        self._clock = clock
        self.vault = Vault(db, clock)

    async def append(
        self, new: NewEvent, expected_seq: int | None = None, known: tuple[int, str] | None = None
    ) -> Appended:
        """Append after the stream's head. With `expected_seq` (the version the caller decided on) a
        concurrent write raises ConcurrencyConflict; without it we retry on the new head. `known`: the head's
        seq and hash as this step last saw them (its projection): tried first without reading the head, the
        unique (stream, seq) index refusing it when the stream has moved on."""
        check_integers(new.data)  # a clear InvalidValue, not the driver's OverflowError
        for _ in range(MAX_RETRIES):
            if known is not None and (expected_seq is None or known[0] == expected_seq):
                head: dict[str, Any] | None = {"seq": known[0], "hash": known[1]} if known[0] else None
                known = None  # once: a refusal reads the head
            else:
                head = await self._head(new.stream)  # (as stored: only its seq and hash are read)
            seq = head["seq"] + 1 if head else 1
            if expected_seq is not None and seq != expected_seq + 1:
                if existing := await self.by_cause(new.cause):
                    return Appended(existing, duplicate=True)
                raise ConcurrencyConflict(f"{new.stream} is at {seq - 1}, not {expected_seq}")
            stored, readable = await self.vault.seal(new.stream, seq, new.type, new.data)
            event = self._seal(replace(new, data=readable), seq, head["hash"] if head else GENESIS, stored)
            try:
                await together.insert(
                    self._events, to_document(event) | {"data": stored}
                )  # (alone unless sharing)
            except DuplicateKeyError:
                if existing := await self.by_cause(new.cause):
                    return Appended(existing, duplicate=True)
                if expected_seq is not None:
                    raise ConcurrencyConflict(f"{new.stream} moved past {expected_seq}") from None
                continue
            return Appended(event, duplicate=False)
        raise ConcurrencyConflict(f"{new.stream}: gave up after {MAX_RETRIES} conflicting writes")

    async def append_together(self, news: Sequence[tuple[NewEvent, tuple[int, str]]]) -> list[Appended]:
        """Events a step decided together, each after its stream's head as the step knows it (`(seq, hash)`;
        `(0, "")`: a new stream) or after the one before it in `news`, in one ordered insert. Returns those
        written, in order: the first the unique (stream, seq) or cause refuses stops the insert there (a later
        event of its stream is chained to it), and the rest are the caller's to append one by one."""
        heads: dict[str, tuple[int, str]] = {}
        events: list[Event] = []
        docs: list[dict[str, Any]] = []
        for new, known in news:
            check_integers(new.data)
            seq, prev = heads.get(new.stream, known)
            stored, readable = await self.vault.seal(new.stream, seq + 1, new.type, new.data)
            event = self._seal(replace(new, data=readable), seq + 1, prev if seq else GENESIS, stored)
            heads[new.stream] = (event.seq, event.hash)
            events.append(event)
            docs.append(to_document(event) | {"data": stored})
        try:
            await self._events.insert_many(docs, ordered=True)
        except BulkWriteError as error:
            refused = error.details.get("writeErrors") or [{}]
            if refused[0].get("code") != DUPLICATE_KEY:
                raise
            events = events[: refused[0]["index"]]
        return [Appended(event, duplicate=False) for event in events]

    async def head_of(self, stream: str) -> tuple[int, str]:
        """The stream's head as (seq, hash), as stored; (0, ""): no event yet."""
        doc = await self._head(stream)
        return (doc["seq"], doc["hash"]) if doc else (0, "")

    def _seal(self, new: NewEvent, seq: int, prev: str, stored: dict[str, Any] | None = None) -> Event:
        """The event as the caller sees it (`new.data`), chained over its data as stored."""
        at = at_millis(self._clock.now())
        actor = new.actor.to_data()
        digest = event_hash(
            prev,
            stream=new.stream,
            seq=seq,
            type=new.type.value,
            at=at,
            actor=actor,
            cause=new.cause,
            data=new.data if stored is None else stored,
        )
        return Event(new.stream, seq, new.type, at, new.actor, new.cause, new.data, prev, digest)

    async def opened(self, docs: list[dict[str, Any]]) -> list[Event]:
        """Stored documents as events with their personal fields readable."""
        return await self.vault.open([from_document(doc) for doc in docs])

    async def head(self, stream: str) -> Event | None:
        doc = await self._head(stream)
        return (await self.opened([doc]))[0] if doc else None

    async def _head(self, stream: str) -> dict[str, Any] | None:
        return await self._events.find_one({"stream": stream}, sort=[("seq", DESCENDING)])

    async def replayed(self, cause: str) -> Event | None:
        """What an earlier attempt of this step recorded under `cause`: on a first attempt nothing can be,
        and no read is made (storage/step_reads.py)."""
        return None if step_reads.first_attempt() else await self.by_cause(cause)

    async def by_cause(self, cause: str) -> Event | None:
        doc = await self._events.find_one({"cause": cause})
        return (await self.opened([doc]))[0] if doc else None

    async def by_ids(self, ids: list[str]) -> list[Event]:
        """Events by id (`<stream>#<seq>`), in no particular order; ids not there are left out."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(ids), 500):
            found += await self._events.find({"_id": {"$in": ids[start : start + 500]}}).to_list()
        return await self.opened(found)

    async def read(self, stream: str, after: int = 0) -> list[Event]:
        cursor = self._events.find({"stream": stream, "seq": {"$gt": after}}).sort("seq", ASCENDING)
        return await self.opened(await cursor.to_list())

    async def all(self, sealed: bool = False, batch: int = 500) -> AsyncIterator[Event]:
        """Every event, stream by stream in seq order (what audit and rebuild walk)."""
        cursor = self._events.find({}).sort([("stream", ASCENDING), ("seq", ASCENDING)])
        docs: list[dict[str, Any]] = []
        async for doc in cursor:
            docs.append(doc)
            if len(docs) >= batch:
                for event in [from_document(d) for d in docs] if sealed else await self.opened(docs):
                    yield event
                docs = []
        for event in [from_document(d) for d in docs] if sealed else await self.opened(docs):
            yield event

    async def written_between(self, start: datetime, end: datetime, limit: int = READ_PAGE) -> list[Event]:
        """Events stamped in [start, end), oldest first, at most `limit` (through the `at_ms` index)."""
        found = self._events.find({"at_ms": {"$gte": to_ms(start), "$lt": to_ms(end)}}).sort("at_ms", 1)
        return await self.opened(await found.limit(limit).to_list())

    async def recent_heads(self, since: datetime) -> dict[str, int]:
        """The last seq of every stream written since `since` (through the `at_ms` index)."""
        heads: dict[str, int] = {}
        async for doc in self._events.find({"at_ms": {"$gte": to_ms(since)}}, {"stream": 1, "seq": 1}):
            heads[doc["stream"]] = max(heads.get(doc["stream"], 0), doc["seq"])
        return heads

    async def heads(self, kind: str) -> dict[str, int]:
        """The last seq of every stream of one kind."""
        cursor = await self._events.aggregate(
            [
                {"$match": {"kind": kind}},
                {"$group": {"_id": "$stream", "last": {"$max": "$seq"}}},
            ]
        )
        return {row["_id"]: row["last"] async for row in cursor}
