"""`concierge audit verify`: walk every stream and check seq continuity, the hash chain, and that the
projections' pure apply functions can fold it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from domain.events import Event
from domain.projections import PROJECTIONS
from storage.events import EventStore
from storage.hashing import GENESIS, event_hash


@dataclass(frozen=True, slots=True)
class AuditReport:
    streams: int
    events: int
    broken: str | None  # the first broken link, in words

    @property
    def intact(self) -> bool:
        return self.broken is None


async def verify(db: AsyncDatabase, events: EventStore) -> AuditReport:
    """Safe while the service writes: the projections' versions are read first, then the log. An event is
    always appended before its projection moves, so every version read is covered by the log read after it;
    what is written meanwhile only lengthens the log."""
    projected = {
        f"{projection.stream_kind}:{doc['_id']}": doc["_v"]
        for projection in PROJECTIONS
        async for doc in db[projection.collection].find({}, {"_v": 1})
    }
    streams = count = 0
    stream, seq, prev = None, 0, GENESIS
    folded: dict[str, Any] | None = None  # the stream's document so far (one in memory)
    heads: dict[str, int] = {}
    async for event in events.all(sealed=True):  # the chain covers the data as stored
        count += 1
        if event.stream != stream:
            if stream is not None:
                heads[stream] = seq
            stream, seq, prev, folded = event.stream, 0, GENESIS, None
            streams += 1
        if event.seq != seq + 1:
            missing = f"{seq + 1}" if event.seq == seq + 2 else f"{seq + 1}..{event.seq - 1}"
            return AuditReport(streams, count, f"{event.stream}: event seq {missing} is missing (deleted)")
        if event.prev != prev:
            return AuditReport(streams, count, f"{event.id}: prev does not match the hash of seq {seq}")
        expected = event_hash(
            prev,
            stream=event.stream,
            seq=event.seq,
            type=event.type.value,
            at=event.at,
            actor=event.actor.to_data(),
            cause=event.cause,
            data=event.data,
        )
        if event.hash != expected:
            return AuditReport(streams, count, f"{event.id}: content does not match its hash (edited)")
        seq, prev = event.seq, event.hash
        try:
            folded = _fold(folded, (await events.vault.open([event]))[0])
        except Exception as error:  # whatever the apply function raises: the log does not project
            reason = f"{event.id}: {event.type.value} cannot be applied ({type(error).__name__})"
            return AuditReport(streams, count, reason)
    if stream is not None:
        heads[stream] = seq
    # The tail of a stream can only be missed by the chain; the projections remember how far it went.
    for name, version in projected.items():
        if version > heads.get(name, 0):
            return AuditReport(
                streams, count, f"{name}: events after seq {heads.get(name, 0)} up to {version} are missing"
            )
    return AuditReport(streams, count, None)


def _fold(doc: dict[str, Any] | None, event: Event) -> dict[str, Any] | None:
    projection = next((p for p in PROJECTIONS if p.stream_kind == event.stream_kind), None)
    return projection.apply(doc, event) if projection else None
