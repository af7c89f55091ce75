"""A rolling upgrade: an older version keeps serving on the store while a newer one starts beside it, both
writing, until the older one stops. The older version is this code with a lower document format, a request
document without `paid_ms` and `quoted_by`, and an index list without `paid` but with one of its own. No index
it reads disappears while it runs; a document folded in the newer shape never goes back; both read what the
log says; once it is gone, a start drops its index and everything is in the newer shape."""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from bot.workers.lanes import HeartbeatLoop
from domain.clock import FrozenClock
from domain.events import Event, NewEvent
from domain.money import Money
from domain.projections import PROJECTIONS, apply_request
from domain.quotes import LineItem, Quote
from domain.requests import ServiceRequest
from storage import step_reads
from storage.heartbeats import Heartbeats
from storage.indexes import INDEXES, ensure_indexes, index_plan
from storage.projector import FORMAT, Projector
from storage.store import Store, open_store
from tests.integration.test_projections import CLIENT, EA, build_history

OLD_FORMAT = FORMAT - 1


def _old_request(doc: dict[str, Any] | None, event: Event) -> dict[str, Any]:
    """The older version's request document: no `paid_ms` and `quoted_by` yet (the latter is not in the
    document otherwise: only a fold from the log can add it)."""
    new = apply_request(doc, event)
    del new["paid_ms"], new["quoted_by"]
    return new


OLD_PROJECTIONS = tuple(
    dataclasses.replace(p, apply=_old_request) if p.collection == "requests" else p for p in PROJECTIONS
)
QUOTE = Quote(1, (LineItem("Roses", Money.of("5000", "RUB")),), "RUB", datetime(2027, 1, 1, tzinfo=UTC))
LEGACY = IndexModel([("state", ASCENDING)], name="legacy_state")  # an index only the older version reads
OLD_INDEXES = INDEXES | {
    "requests": [m for m in INDEXES["requests"] if m.document["name"] != "paid"] + [LEGACY]
}


async def _index_keys(db: AsyncDatabase) -> set[tuple[str, tuple]]:
    return {
        (collection, tuple(index["key"].items()))
        for collection in OLD_INDEXES
        async for index in await db[collection].list_indexes()
    }


def _keys(indexes: dict[str, list[IndexModel]]) -> set[tuple[str, tuple]]:
    return {(c, tuple(m.document["key"].items())) for c, models in indexes.items() for m in models}


async def _step(store: Store, request_id: str, decision, cause: str, meanwhile=None) -> ServiceRequest:
    """One step of `store`'s instance: read the request, record what it decides (`meanwhile` happens in
    between, elsewhere), read it again."""
    with step_reads.step():
        request = ServiceRequest.from_doc(await step_reads.by_id(store.db, "requests", request_id))
        kind, data = decision(request)
        if meanwhile is not None:  # (another instance: not in this step)
            await asyncio.create_task(meanwhile(), context=contextvars.Context())
        await store.record(NewEvent(f"request:{request_id}", kind, data, EA, cause), request.version)
        return ServiceRequest.from_doc(await step_reads.by_id(store.db, "requests", request_id))


async def _formats(db: AsyncDatabase) -> dict[str, int]:
    return {doc["_id"]: doc["_fmt"] async for doc in db["requests"].find({}, {"_fmt": 1})}


async def test_an_older_and_a_newer_version_serve_side_by_side(
    mongo_url: str, db_name: str, clock: FrozenClock, tmp_path: Path
) -> None:
    async with open_store(mongo_url, db_name, tmp_path, clock, prepare=False, catch_up=False) as shared:
        db = shared.db
        # the older version, started alone, serving
        old = dataclasses.replace(shared, projector=Projector(db, shared.events, OLD_PROJECTIONS, OLD_FORMAT))
        await ensure_indexes(db, drop_stale=True, indexes=OLD_INDEXES)
        await old.projector.start_up(clock.now())
        old_beat = HeartbeatLoop(Heartbeats(db), clock, "old", [], old.projector)
        await old_beat.run_once()
        await build_history(old, clock)  # R-1 quoted, paid, in progress; R-2 cancelled
        assert "paid_ms" not in await db["requests"].find_one({"_id": "R-1"})

        async with open_store(mongo_url, db_name, tmp_path, clock) as new:  # the newer one starts beside it
            new_beat = HeartbeatLoop(Heartbeats(db), clock, "new", [], new.projector)
            await new_beat.run_once()
            assert _keys(OLD_INDEXES) | _keys(INDEXES) <= await _index_keys(db)  # its own made, none dropped
            assert await _formats(db) == {"R-1": FORMAT, "R-2": FORMAT}  # folded again in its shape
            assert (await db["requests"].find_one({"paid_ms": {"$gt": 0}}))["_id"] == "R-1"

            # the older one writes to a document in the newer shape: it leaves it, and reads its own fold
            by_old = await _step(old, "R-1", lambda r: r.fulfil(), "cmd:done")
            assert by_old.state.value == "fulfilled"
            assert await _formats(db) == {"R-1": FORMAT, "R-2": FORMAT}  # not taken back to the old shape
            # a new request by the older one, in its shape
            kind, data = ServiceRequest.open("R-3", "C-1", "A table for two")
            await old.record(NewEvent("request:R-3", kind, data, CLIENT, "tg:20/0"))
            assert (await _formats(db))["R-3"] == OLD_FORMAT

            async def beats() -> None:
                clock.advance(seconds=5)
                await old_beat.run_once()
                await new_beat.run_once()  # the newer one folds what the older one wrote, in its shape
                assert await _formats(db) == {"R-1": FORMAT, "R-2": FORMAT, "R-3": FORMAT}

            # ... while a step of the older one has R-3 read in its shape: its write does not undo the refold
            by_old = await _step(old, "R-3", lambda r: r.cancel("later"), "cmd:cancel-3", meanwhile=beats)
            assert by_old.state.value == "cancelled" and (await _formats(db))["R-3"] == FORMAT
            r1 = await db["requests"].find_one({"_id": "R-1"})  # what either reads now: the log's state
            assert (r1["state"], r1["_v"], r1["paid_ms"] > 0, r1["quoted_by"]) == (
                "fulfilled",
                5,
                True,
                "A-1",
            )

            # the newer one writes to what the older one wrote since its last beat: folded again at once
            kind, data = ServiceRequest.open("R-4", "C-1", "Flowers")
            await old.record(NewEvent("request:R-4", kind, data, CLIENT, "tg:21/0"))
            await _step(old, "R-4", lambda r: r.quote_with(QUOTE, {"order_id": "o4", "url": "u"}), "cmd:q4")
            by_new = await _step(new, "R-4", lambda r: r.cancel("not needed"), "cmd:cancel-4")
            assert (by_new.state.value, by_new.quoted_by) == ("cancelled", "A-1")
            assert (await _formats(db))["R-4"] == FORMAT
            assert _keys(OLD_INDEXES) <= await _index_keys(db)  # all the older one reads, all along

            await old_beat.stop()  # the older one is gone
            await new_beat.stop()  # and the newer one restarts
        async with open_store(mongo_url, db_name, tmp_path, clock) as restarted:  # a start, alone now
            assert ("requests", (("state", 1),)) not in await _index_keys(restarted.db)
            plan = await index_plan(restarted.db)
            assert (plan.create, plan.drop) == ([], [])
            assert set((await _formats(restarted.db)).values()) == {FORMAT}
            assert await restarted.projector.refold_plan() == {}
            r3 = ServiceRequest.from_doc(await restarted.db["requests"].find_one({"_id": "R-3"}))
            assert (r3.state.value, r3.version) == ("cancelled", 2)
