"""Deadlines: every timer of the service, one document each, claimed with an expiring lease like a delivery.

`due_ms` is when it may be taken next (its due time, or a firing worker's lease end), None once it is over.
Nothing in-process holds a timer: a restart loses none, and two instances on one store fire each once (the
claim is one atomic `{_id, due_ms <= now}` update; the event a firing writes has a cause derived from the
deadline's id, round and step). `v` counts its writes: the board's cards keep the first-response and
first-quote clocks under it (storage/board.py), written here after each of theirs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from domain.deadlines import Deadline
from storage.board import CLOCKED, BoardCards
from storage.leases import checked_claim, claimable, lease_end
from storage.timefmt import from_ms, to_ms

WAITING, FIRING, OVER = "waiting", "firing", "over"


def _doc(deadline: Deadline) -> dict[str, Any]:
    return {
        "subject": deadline.subject,
        "kind": deadline.kind,
        "round": deadline.round,
        "step": deadline.step,
        "data": deadline.data,
        "due_ms": to_ms(deadline.due),
        "status": WAITING,
        "worker": None,
        "failed": None,  # why a step was set aside (a new round starts clean)
        "ran_out": False,  # its last step is done and what it watched still holds (see `fired`)
    }


def deadline_of(doc: dict[str, Any]) -> Deadline:
    return Deadline(doc["_id"], from_ms(doc["at_ms"]), doc["subject"], doc["round"], doc["step"], doc["data"])


class Deadlines:
    def __init__(self, db: AsyncDatabase) -> None:
        self._items = db["deadlines"]
        self._cards = BoardCards(db)

    async def set(self, deadline: Deadline) -> bool:
        """Set it, or move it to a new round; the same round again is a no-op (a retry, an event seen twice,
        a step already fired). True when written."""
        current = await self._items.find_one({"_id": deadline.id}, {"round": 1})
        if current is not None and current["round"] == deadline.round:
            return False
        return await self._write(deadline, current)

    async def start(self, deadline: Deadline, since: datetime, new: bool = False) -> bool:
        """Start a wait that began at `since` unless one is running (a client still waiting keeps their
        first message's time) or it was stopped at or after `since` (an answer already came). `new`: most
        likely never started (a request's first wait): written without a read first."""
        if new and await self._write(deadline, None, since_ms=to_ms(since)):
            return True
        current = await self._items.find_one({"_id": deadline.id}, {"round": 1, "status": 1, "stopped_ms": 1})
        if current is not None and (current["status"] != OVER or current.get("stopped_ms", 0) > to_ms(since)):
            return False
        return await self._write(deadline, current, since_ms=to_ms(since))

    async def _write(self, deadline: Deadline, current: dict | None, since_ms: int = 0) -> bool:
        fields = {**_doc(deadline), "at_ms": to_ms(deadline.due), "since_ms": since_ms}
        if current is None:
            try:
                await self._items.insert_one(doc := {"_id": deadline.id, **fields, "v": 1})
            except DuplicateKeyError:  # set by someone else just now
                return False
            await self._cards.clock(doc)
            return True
        return await self._update({"_id": deadline.id, "round": current["round"]}, fields)

    async def _update(self, where: dict[str, Any], fields: dict[str, Any]) -> bool:
        """One write, counted (`v`); a clock a card shows is then written onto it (storage/board.py). True
        when one matched."""
        update = {"$set": fields, "$inc": {"v": 1}}
        if where["_id"].split(":", 1)[0] not in CLOCKED:
            return (await self._items.update_one(where, update)).matched_count == 1
        doc = await self._items.find_one_and_update(where, update, return_document=ReturnDocument.AFTER)
        if doc is not None:
            await self._cards.clock(doc)
        return doc is not None

    async def stop(self, deadline_id: str, at: datetime) -> None:
        """Moot from `at` on (the client was answered): a wait that began later is left running. A firing
        already under way reads `current` before it acts."""
        await self._update(
            {"_id": deadline_id, "since_ms": {"$lte": to_ms(at)}},
            {"status": OVER, "due_ms": None, "worker": None, "stopped_ms": to_ms(at), "ran_out": False},
        )

    async def hasten(self, deadline_id: str, now: datetime) -> bool:
        """A waiting deadline falls due now (a firing under way is left alone). True when moved."""
        return await self._update(
            {"_id": deadline_id, "status": WAITING, "due_ms": {"$gt": to_ms(now)}},
            {"due_ms": to_ms(now), "at_ms": to_ms(now)},
        )

    async def current(self, deadline_id: str) -> dict[str, Any] | None:
        return await self._items.find_one({"_id": deadline_id})

    async def due(self, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
        """What may be taken now, earliest first (an index range on `due_ms`)."""
        found = self._items.find({"due_ms": {"$lte": to_ms(now)}}).sort("due_ms", ASCENDING).limit(limit)
        return await found.to_list()

    async def next_due(self) -> datetime | None:
        doc = await self._items.find_one({"due_ms": {"$gte": 0}}, {"due_ms": 1}, sort=[("due_ms", ASCENDING)])
        return from_ms(doc["due_ms"]) if doc else None

    async def claim(self, deadline_id: str, worker: str, now: datetime, lease: timedelta) -> Deadline | None:
        """Take it for `lease`; None when it is not due or someone else has it."""
        doc = await self._items.find_one_and_update(
            claimable(deadline_id, to_ms(now)),
            {"$set": {"status": FIRING, "worker": worker, "due_ms": lease_end(to_ms(now), lease)}},
            return_document=ReturnDocument.AFTER,
        )
        return deadline_of(checked_claim(doc, deadline_id, worker)) if doc else None

    async def fired(
        self, deadline: Deadline, worker: str, then: Deadline | None = None, now: datetime | None = None
    ) -> None:
        """Done with this step: on to the next step (`then`, the same id), or over — and then a wait that
        began before `now` (its messages seen again by a sweep) does not start it anew. Over with its steps
        done, a wait is not answered: it `ran_out` (the ladder found nobody to hand the client to, the leads
        were told of an unquoted request), and the board's card still shows it until it is answered."""
        update: dict[str, Any] = {"status": OVER, "due_ms": None, "worker": None, "ran_out": True}
        if now is not None:
            update["stopped_ms"] = to_ms(now)
        if then is not None:
            update = {**_doc(then), "at_ms": to_ms(then.due)}
        await self._update({"_id": deadline.id, "worker": worker, "round": deadline.round}, update)

    async def set_aside(self, deadline: Deadline, worker: str, reason: str, now: datetime) -> None:
        """Failed for good: over at once (a later wait starts anew), the reason kept for whoever looks."""
        failed = {"failed": reason}
        await self._update(
            {"_id": deadline.id, "worker": worker, "round": deadline.round},
            {
                "status": OVER,
                "due_ms": None,
                "worker": None,
                "stopped_ms": to_ms(now),
                "ran_out": False,
                **failed,
            },
        )

    async def count_waiting(self) -> int:
        return await self._items.count_documents({"due_ms": {"$gte": 0}})
