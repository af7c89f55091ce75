"""Keeps the projection collections in step with the log: version-guarded writes, catch-up, rebuild."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import structlog
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from domain.events import Event
from domain.projections import PROJECTIONS, Projection
from storage import step_reads
from storage.board import FOLLOWED, BoardCards
from storage.events import EventStore
from storage.timefmt import from_ms, to_ms

log = structlog.get_logger(__name__)


def tally_id(collection: str, field: str | None, value: Any) -> str:
    return f"{collection}:{field}:{value}"


def key_id(key: str, doc_id: str) -> str:
    return f"{key}\x1f{doc_id}"


QUARANTINE = "quarantine"  # events the projections could not apply (listed by `concierge audit verify`)
CHECK_MARGIN = timedelta(days=1)  # start-up looks this far behind the last check
# the shape of projection documents: raised when a projection gains a field its queries seek (the per-channel
# identity keys, `topic_key`, `open_with`, `awaiting_topic`, a request's `paid_ms`) or its pages read (a
# request's `quoted_by`), so start-up refolds documents written before. Each document carries the format it
# was folded in (`_fmt`): one of an older format is folded again from the log when touched; one of a newer
# format is a newer version's, left to it (an older instance still running never writes its shape back).
FORMAT = 4


class Projector:
    def __init__(
        self,
        db: AsyncDatabase,
        events: EventStore,
        projections: tuple[Projection, ...] = PROJECTIONS,
        fmt: int = FORMAT,  # (a test runs an older version beside this one)
    ) -> None:
        self._db = db
        self._events = events
        self._by_kind = {p.stream_kind: p for p in projections}
        self.format = fmt
        self.board = BoardCards(db)  # the console board's cards, kept from the requests and clients

    async def tally(self, collection: str, field: str, values: list[str]) -> dict[str, int]:
        """How many documents of `collection` have each of `values` in `field` (a projection's tally)."""
        ids = [tally_id(collection, field, v) for v in values]
        found = await step_reads.by_ids(self._db, "tallies", ids)  # (once a step: `_count` forgets them)
        return {v: found[i]["n"] if i in found else 0 for v, i in zip(values, ids, strict=True)}

    def _document_of(self, stream: str) -> tuple[str, str] | None:
        """The projection collection and `_id` a stream is kept in (None: a stream without one)."""
        kind, _, stream_id = stream.partition(":")
        projection = self._by_kind.get(kind)
        return (projection.collection, stream_id) if projection else None

    async def known_head(self, stream: str) -> tuple[int, str] | None:
        """Inside a step (storage/step_reads.py): the stream's head (seq, hash) as its projection shows it —
        one read the projector then makes no more, instead of a read of the log's head — for an append to try
        first (storage/events.py). None: read the head (no step, or a document of an older shape)."""
        where = self._document_of(stream)
        if where is None or not step_reads.active():
            return None
        doc = await step_reads.by_id(self._db, *where)
        if doc is None:
            return 0, ""  # a new stream (or one whose projection lags: the index refuses seq 1)
        return (doc["_v"], doc["_h"]) if "_h" in doc else None

    def absent(self, stream: str) -> None:
        """The stream is new (its first event is about to be appended): its document is not read."""
        if (where := self._document_of(stream)) is not None:
            step_reads.absent(*where)

    def forget(self, stream: str) -> None:
        """This step's copy of the stream's document is out of date (a write lost a race)."""
        if (where := self._document_of(stream)) is not None:
            step_reads.written(*where, None)

    def projection_for(self, kind: str) -> Projection | None:
        return self._by_kind.get(kind)

    async def project(self, event: Event) -> None:
        """Apply one freshly appended event; if the document is not right behind it, catch the stream up."""
        projection = self._by_kind.get(event.stream_kind)
        if projection is None:
            return
        doc = await step_reads.by_id(self._db, projection.collection, event.stream_id)
        version = doc["_v"] if doc else 0
        if version >= event.seq:
            return  # already applied: applying twice is a no-op
        if version == event.seq - 1 and (doc is None or doc.get("_fmt") == self.format):
            new = await self._applied(projection, doc, event)
            opened = event.at if event.seq == 1 else None
            if new is None or await self._write(projection, doc, new, opened):
                return
        await self.catch_up_stream(projection, event.stream)

    async def project_all(self, events: list[Event]) -> None:
        """Apply events appended together (storage/store.py `record_all`): those of one stream folded into
        one write when its document is right behind the first; otherwise one by one, as `project`."""
        streams: dict[str, list[Event]] = {}
        for event in events:
            streams.setdefault(event.stream, []).append(event)
        for stream_events in streams.values():
            if len(stream_events) == 1 or not await self._folded(stream_events):
                for event in stream_events:
                    await self.project(event)

    async def _folded(self, events: list[Event]) -> bool:
        """The stream's document after all of `events` (consecutive), in one guarded write. False: not right
        behind them, or written by another meanwhile (the caller projects them one by one)."""
        projection = self._by_kind.get(events[0].stream_kind)
        if projection is None:
            return True
        doc = await step_reads.by_id(self._db, projection.collection, events[0].stream_id)
        if (doc["_v"] if doc else 0) != events[0].seq - 1 or (
            doc is not None and doc.get("_fmt") != self.format
        ):
            return False
        new = doc
        for event in events:
            applied = await self._applied(projection, new, event)
            if applied is None:
                break  # quarantined: the stream stays at its last good event
            new = applied
        if new is None or new is doc:
            return True  # (the first quarantined: nothing to write)
        return await self._write(projection, doc, new, events[0].at if events[0].seq == 1 else None)

    async def _applied(self, projection: Projection, doc: dict[str, Any] | None, event: Event) -> dict | None:
        """The document after `event`; None when the event cannot be applied (it is quarantined)."""
        try:
            new = projection.apply(doc, event)
        except Exception as error:  # one bad event never stops the service: set apart, told, the rest served
            await self.quarantine(event, error)
            return None
        new["_id"], new["_fmt"], new["_h"] = event.stream_id, self.format, event.hash
        return new

    async def quarantine(self, event: Event, error: Exception) -> None:
        """Keep the first event of a stream that cannot be applied (its type and the error's type, never
        its data): its stream's document stays at the last event before it."""
        log.error("projection.quarantined", stream=event.stream, seq=event.seq, error=type(error).__name__)
        with contextlib.suppress(DuplicateKeyError):  # (quarantined already, by an earlier pass)
            await self._db[QUARANTINE].insert_one(
                {
                    "_id": event.id,
                    "stream": event.stream,
                    "seq": event.seq,
                    "type": event.type.value,
                    "reason": type(error).__name__,
                    "at_ms": to_ms(event.at),
                }
            )

    async def quarantined(self) -> list[dict[str, Any]]:
        return await self._db[QUARANTINE].find({}).sort("_id", 1).to_list()

    async def _write(
        self,
        projection: Projection,
        doc: dict[str, Any] | None,
        new: dict[str, Any],
        opened: datetime | None = None,
    ) -> bool:
        """One guarded write; False when another writer moved the document first, or folded it again (in its
        own format: an older instance never overwrites a newer one's refold). `opened`: when its stream's
        first event was (the board's card of a request opened in the step shows its first-quote wait)."""
        collection, doc_id = self._db[projection.collection], new["_id"]
        if doc is None:
            try:
                await collection.insert_one(new)
            except DuplicateKeyError:
                step_reads.written(projection.collection, doc_id, None)
                return False
        elif (
            await collection.replace_one({"_id": doc_id, "_v": doc["_v"], "_fmt": doc.get("_fmt")}, new)
        ).matched_count != 1:
            step_reads.written(projection.collection, doc_id, None)
            return False
        step_reads.written(projection.collection, doc_id, new)
        await self._count(projection, doc, new)
        await self._index(projection, doc, new)
        await self.board.follow(projection.collection, doc, new, opened=opened)
        return True

    async def _index(self, projection: Projection, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
        """Keep a projection's keys one per row (`{key, doc}` with an index on key): a lookup by any of them
        is an index seek on every engine (an array field is not one on nx-27017). Usually nothing changes;
        a crash in between is made good like a tally's."""
        if projection.keys is None:
            return
        before, after = set((old or {}).get(projection.keys) or []), set(new.get(projection.keys) or [])
        if before == after:
            return
        rows = self._db[f"{projection.collection}_keys"]
        gone = [key_id(key, new["_id"]) for key in before - after]
        if gone:
            await rows.delete_many({"_id": {"$in": gone}})
        fresh = [{"_id": key_id(key, new["_id"]), "key": key, "doc": new["_id"]} for key in after - before]
        if fresh:
            with contextlib.suppress(BulkWriteError):  # (rows a crash left behind are there already)
                await rows.insert_many(fresh, ordered=False)

    async def reindex(self, projection: Projection) -> None:
        """The keys rows made afresh from the documents (a full catch-up, a rebuild)."""
        if projection.keys is None:
            return
        rows = self._db[f"{projection.collection}_keys"]
        await rows.delete_many({})
        batch: list[dict[str, Any]] = []
        async for doc in self._db[projection.collection].find({}, {projection.keys: 1}):
            batch += [
                {"_id": key_id(k, doc["_id"]), "key": k, "doc": doc["_id"]}
                for k in doc.get(projection.keys) or []
            ]
            if len(batch) >= 5000:
                await rows.insert_many(batch, ordered=False)
                batch = []
        if batch:
            await rows.insert_many(batch, ordered=False)

    async def _count(self, projection: Projection, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
        """Keep the tally of a projection's field: the guarded write above succeeded once, so the change is
        counted once. A crash in between is made good by the next full catch-up, which counts afresh (the
        first start of a new document shape, `concierge rebuild`); meanwhile it only steers assignment."""
        if projection.tally is None:
            return
        before, after = (old or {}).get(projection.tally), new.get(projection.tally)
        if before == after:
            return
        tallies = self._db["tallies"]
        for value, step in ((before, -1), (after, 1)):
            if value is not None:
                counted = tally_id(projection.collection, projection.tally, value)
                step_reads.written("tallies", counted, None)
                await tallies.update_one({"_id": counted}, {"$inc": {"n": step}}, upsert=True)

    async def recount(self, projection: Projection) -> None:
        """The tally counted afresh from the documents (a full catch-up, a rebuild)."""
        if projection.tally is None:
            return
        counts: dict[str, int] = {}
        async for doc in self._db[projection.collection].find({}, {projection.tally: 1}):
            if (value := doc.get(projection.tally)) is not None:
                key = tally_id(projection.collection, projection.tally, value)
                counts[key] = counts.get(key, 0) + 1
        tallies = self._db["tallies"]
        prefix = tally_id(projection.collection, projection.tally, "")
        async for doc in tallies.find({}, {"_id": 1}):
            if doc["_id"].startswith(prefix) and doc["_id"] not in counts:
                await tallies.update_one({"_id": doc["_id"]}, {"$set": {"n": 0}})
        for tally, n in counts.items():
            await tallies.update_one({"_id": tally}, {"$set": {"n": n}}, upsert=True)

    async def catch_up_stream(
        self, projection: Projection, stream: str, take_newer: bool = False, afresh: bool = False
    ) -> bool:
        """Bring the stream's document up to the log's head, written once (a reader never sees it go back).
        One of an older format is folded again from the whole stream (every one with `afresh`). One of a
        newer format is left to the newer version, which catches it up (`catch_up_since`) — unless
        `take_newer` (no newer instance runs any more: a rollback); meanwhile this step reads what this
        version folds. True: written."""
        collection, doc_id = self._db[projection.collection], stream.split(":", 1)[1]
        for _ in range(100):
            stored = await collection.find_one({"_id": doc_id})
            fmt = stored.get("_fmt", 0) if stored else self.format
            left = fmt > self.format and not take_newer
            if left and not step_reads.active():
                return False
            base = stored if fmt == self.format and not afresh else None
            doc = base
            for event in await self._events.read(stream, after=base["_v"] if base else 0):
                new = await self._applied(projection, doc, event)
                if new is None:
                    break  # quarantined: the stream stays at its last good event
                doc = new
            if doc is None or doc is base:
                return False
            if left:
                step_reads.written(projection.collection, doc_id, doc)
                return False
            if await self._write(projection, stored, doc):
                return True
            # someone else is projecting this stream too: reload and go on
        log.warning("projection.contended", stream=stream)
        return False

    async def refold(self, projection: Projection, stream: str) -> None:
        """Write the stream's document again, folded from its whole stream, whatever its format (an erasure:
        the fold reads what the destroyed keys no longer open; a newer version folds it again in its own)."""
        await self.catch_up_stream(projection, stream, take_newer=True, afresh=True)

    async def start_up(self, now: datetime, others: Iterable[int] = ()) -> int:
        """At start: catch up what a crash left unprojected. Only the streams written since the last start
        (less a day's margin) are looked at, through the events' `at_ms` index; the first start of a version
        whose documents have another shape looks at everything (and counts the tallies afresh). A stream
        missed anyway (its writer died and stayed down for more than the margin) is caught up by its next
        write: `project` catches a stream up whenever a document is not right behind the event.
        `others`: the formats of the other instances running. Beside a newer one, its documents are left to
        it; beside any other format, the store is marked mixed: the next start looks at everything again."""
        others = set(others)
        take_newer = not any(fmt > self.format for fmt in others)
        marks = self._db["jobs"]
        mark = await marks.find_one({"_id": "projections"})
        if mark is None or mark.get("format") != self.format:
            repaired = await self.catch_up(take_newer)
        else:
            repaired = await self.catch_up_since(from_ms(mark["checked_ms"]) - CHECK_MARGIN, take_newer)
        await self.board.ensure()
        mixed = bool(others - {self.format})
        await marks.update_one(
            {"_id": "projections"},
            {"$set": {"checked_ms": to_ms(now), "format": None if mixed else self.format}},
            upsert=True,
        )
        return repaired

    async def refold_plan(self) -> dict[str, int]:
        """Documents of another shape a start of this version refolds, per collection."""
        stale = {}
        for projection in self._by_kind.values():
            collection = self._db[projection.collection]
            mine = await collection.count_documents({"_fmt": self.format})
            if count := await collection.count_documents({}) - mine:
                stale[projection.collection] = count
        return stale

    async def checked(self, now: datetime) -> None:
        """Everything written before `now` is projected (or will be at its stream's next write)."""
        await self._db["jobs"].update_one(
            {"_id": "projections"}, {"$set": {"checked_ms": to_ms(now)}}, upsert=True
        )

    async def catch_up_since(self, since: datetime, take_newer: bool = False) -> int:
        """The streams written since `since` whose document lags behind or has another format."""
        repaired = 0
        for stream, last in (await self._events.recent_heads(since)).items():
            projection = self._by_kind.get(stream.split(":", 1)[0])
            if projection is None:
                continue
            followed = projection.collection in FOLLOWED  # (its whole document: the board's cards too)
            doc = await self._db[projection.collection].find_one(
                {"_id": stream.split(":", 1)[1]}, None if followed else {"_v": 1, "_fmt": 1}
            )
            if doc is None or doc["_v"] < last or doc.get("_fmt") != self.format:
                repaired += await self.catch_up_stream(projection, stream, take_newer)
            elif followed:  # a crash between its write and its cards' is made good here
                await self.board.follow(projection.collection, None, doc, again=True)
        if repaired:
            log.info("projections.caught_up", streams=repaired)
        return repaired

    async def catch_up(self, take_newer: bool = False) -> int:
        """Bring every stream's document up to the stream's head, refold documents of another shape (a newer
        one's only with `take_newer`) and count the tallies afresh. Returns streams repaired."""
        repaired = 0
        for projection in self._by_kind.values():
            heads = await self._events.heads(projection.stream_kind)
            collection = self._db[projection.collection]
            versions: dict[str, int] = {}
            async for doc in collection.find({}, {"_v": 1, "_fmt": 1}):
                versions[doc["_id"]] = doc["_v"] if doc.get("_fmt") == self.format else -1
            for stream, last in heads.items():
                if versions.get(stream.split(":", 1)[1], 0) < last:
                    repaired += await self.catch_up_stream(projection, stream, take_newer)
            await self.recount(projection)
            await self.reindex(projection)
        await self.board.rebuild()
        if repaired:
            log.info("projections.caught_up", streams=repaired)
        return repaired

    async def rebuild(self) -> int:
        """Throw the projections away and fold the whole log again. Returns events applied."""
        for projection in self._by_kind.values():
            await self._db[projection.collection].delete_many({})
        await self._db[QUARANTINE].delete_many({})  # what still cannot be applied is set apart again
        applied = written = 0
        current: tuple[str, dict[str, Any]] | None = None  # events come stream by stream: one doc in memory
        stopped: str | None = None  # a stream whose event could not be applied: the rest of it is skipped
        async for event in self._events.all():
            folds = self._by_kind.get(event.stream_kind)  # the projection this event's stream belongs to
            if folds is None or event.stream == stopped:
                continue
            if current and current[0] != event.stream:
                written += await self._insert(*current)
                current = None
            doc = await self._applied(folds, current[1] if current else None, event)
            if doc is None:
                stopped = event.stream
                continue
            current = (event.stream, doc)
            applied += 1
        if current:
            written += await self._insert(*current)
        for projection in self._by_kind.values():
            await self.recount(projection)
            await self.reindex(projection)
        await self.board.rebuild()
        log.info("projections.rebuilt", events=applied, documents=written)
        return applied

    async def _insert(self, stream: str, doc: dict[str, Any]) -> int:
        await self._db[self._by_kind[stream.split(":", 1)[0]].collection].insert_one(doc)
        return 1
