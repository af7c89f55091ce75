"""Keeps the projection collections in step with the log: version-guarded writes, catch-up, rebuild."""

from __future__ import annotations

from typing import Any

import structlog
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from domain.events import Event
from domain.projections import PROJECTIONS, Projection
from storage.events import EventStore

log = structlog.get_logger(__name__)

# the shape of projection documents: raised when a projection gains a field its queries seek (the per-channel
# identity keys, `topic_key`, `open_with`, `awaiting_topic`), so start-up refolds documents written before
FORMAT = 2


class Projector:
    def __init__(
        self, db: AsyncDatabase, events: EventStore, projections: tuple[Projection, ...] = PROJECTIONS
    ) -> None:
        self._db = db
        self._events = events
        self._by_kind = {p.stream_kind: p for p in projections}

    def projection_for(self, kind: str) -> Projection | None:
        return self._by_kind.get(kind)

    async def project(self, event: Event) -> None:
        """Apply one freshly appended event; if the document is not right behind it, catch the stream up."""
        projection = self._by_kind.get(event.stream_kind)
        if projection is None:
            return
        collection = self._db[projection.collection]
        doc = await collection.find_one({"_id": event.stream_id})
        version = doc["_v"] if doc else 0
        if version >= event.seq:
            return  # already applied: applying twice is a no-op
        if version == event.seq - 1 and await self._write(projection, doc, event):
            return
        await self.catch_up_stream(projection, event.stream)

    async def _write(self, projection: Projection, doc: dict[str, Any] | None, event: Event) -> bool:
        """One guarded write; False when another writer moved the document first."""
        new = projection.apply(doc, event)
        new["_id"], new["_fmt"] = event.stream_id, FORMAT
        collection = self._db[projection.collection]
        if doc is None:
            try:
                await collection.insert_one(new)
            except DuplicateKeyError:
                return False
            return True
        result = await collection.replace_one({"_id": event.stream_id, "_v": doc["_v"]}, new)
        return result.matched_count == 1

    async def catch_up_stream(self, projection: Projection, stream: str) -> None:
        collection = self._db[projection.collection]
        for _ in range(100):
            doc = await collection.find_one({"_id": stream.split(":", 1)[1]})
            pending = await self._events.read(stream, after=doc["_v"] if doc else 0)
            if not pending:
                return
            for event in pending:
                if not await self._write(projection, doc, event):
                    break  # someone else is projecting this stream too: reload and go on
                doc = projection.apply(doc, event)
            else:
                return
        log.warning("projection.contended", stream=stream)

    async def refold(self, projection: Projection, stream: str) -> None:
        """Write a document of an older shape again, folded from its whole stream."""
        doc: dict[str, Any] | None = None
        for event in await self._events.read(stream, after=0):
            doc = projection.apply(doc, event)
        if doc is not None:
            doc["_id"], doc["_fmt"] = stream.split(":", 1)[1], FORMAT
            await self._db[projection.collection].replace_one({"_id": doc["_id"]}, doc, upsert=True)

    async def catch_up(self) -> int:
        """At start: bring every stream's document up to the stream's head. Returns streams repaired."""
        repaired = 0
        for projection in self._by_kind.values():
            heads = await self._events.heads(projection.stream_kind)
            collection = self._db[projection.collection]
            versions: dict[str, int] = {}
            async for doc in collection.find({}, {"_v": 1, "_fmt": 1}):
                versions[doc["_id"]] = doc["_v"] if doc.get("_fmt") == FORMAT else -1
            for stream, last in heads.items():
                version = versions.get(stream.split(":", 1)[1], 0)
                if version == -1:
                    await self.refold(projection, stream)
                    repaired += 1
                elif version < last:
                    await self.catch_up_stream(projection, stream)
                    repaired += 1
        if repaired:
            log.info("projections.caught_up", streams=repaired)
        return repaired

    async def rebuild(self) -> int:
        """Throw the projections away and fold the whole log again. Returns events applied."""
        for projection in self._by_kind.values():
            await self._db[projection.collection].delete_many({})
        applied = written = 0
        current: tuple[str, dict[str, Any]] | None = None  # events come stream by stream: one doc in memory
        async for event in self._events.all():
            projection = self._by_kind.get(event.stream_kind)
            if projection is None:
                continue
            if current and current[0] != event.stream:
                written += await self._insert(*current)
                current = None
            doc = projection.apply(current[1] if current else None, event)
            doc["_id"], doc["_fmt"] = event.stream_id, FORMAT
            current = (event.stream, doc)
            applied += 1
        if current:
            written += await self._insert(*current)
        log.info("projections.rebuilt", events=applied, documents=written)
        return applied

    async def _insert(self, stream: str, doc: dict[str, Any]) -> int:
        await self._db[self._by_kind[stream.split(":", 1)[0]].collection].insert_one(doc)
        return 1
