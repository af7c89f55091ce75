"""Every outbound message, stored before it is sent, claimed by a worker with a lease that expires."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pymongo import ASCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from domain.clock import Clock
from domain.outbound import EditCard, PostCard, read_doc
from storage.arrival import Arrivals
from storage.bulk import duplicates
from storage.leases import checked_claim, claim_update, claimable
from storage.timefmt import to_ms


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # permanent: the channel refused it (blocked bot, bad number) or attempts ran out
    HELD = "held"  # waiting for the client to open a window again (WhatsApp's 24 hours)
    UNCERTAIN = "uncertain"  # the request left and no answer came: never sent again automatically


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str  # "<event id>:<n>": the same event never yields two different deliveries
    channel: str
    chat: str  # the destination and rate-limit bucket: "-100123" (a group), "42" (a private chat)
    payload: dict[str, Any]
    event_id: str
    lane: str = ""  # one lane goes out one message at a time, in order (a topic, a private chat)
    prio: int = 1  # within a lane, lower first: a topic must exist before anything is posted into it
    merge_key: str | None = None  # text relays with one key may be merged when the budget runs out
    attempts: int = 0
    provider_message_id: str | None = None
    status: DeliveryStatus = DeliveryStatus.PENDING
    meta: dict[str, Any] = field(default_factory=dict)
    n: int = 0
    next_attempt_ms: int = 0
    lease_ms: int = 0
    calling_ms: int = 0  # when the provider call of the current attempt began; 0: not called (yet)
    changed: int = 0  # the stamp of the last write
    provider_status: str | None = None  # what the provider last said of it (`read` outranks `delivered`)
    answer_lost: bool = False  # an earlier call left and its answer never came: it may have gone already

    @property
    def in_queue(self) -> bool:
        return self.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)

    @property
    def maybe_sent(self) -> bool:
        """Held by a worker that had called the provider: the message may have gone."""
        return self.status is DeliveryStatus.SENDING and self.calling_ms > 0


def _delivery(doc: dict[str, Any]) -> Delivery:
    return Delivery(
        id=doc["_id"],
        channel=doc["channel"],
        chat=doc["chat"],
        payload=doc["payload"],
        event_id=doc["event_id"],
        lane=doc.get("lane") or doc["chat"],
        prio=doc.get("prio", 1),
        merge_key=doc.get("merge_key"),
        attempts=doc["attempts"],
        provider_message_id=doc.get("provider_message_id"),
        status=DeliveryStatus(doc["status"]),
        meta=doc.get("meta") or {},
        n=doc.get("n", 0),
        next_attempt_ms=doc["next_attempt_ms"],
        lease_ms=doc["lease_ms"],
        calling_ms=doc.get("calling_ms") or 0,
        changed=doc.get("changed") or 0,
        provider_status=doc.get("provider_status"),
        answer_lost=doc.get("answer_lost", False),
    )


def _card(item: Delivery) -> tuple[str, str]:
    """The card a post or an edit is of, in its lane."""
    out = read_doc(item.payload)
    return item.lane, out.card if isinstance(out, PostCard | EditCard) else ""


def _as_claimed(item: Delivery, update: dict[str, Any]) -> Delivery:
    """A delivery as a claim of it left it, the claim having matched it as `item` shows it."""
    fields = update["$set"]
    return replace(
        item,
        status=DeliveryStatus(fields["status"]),
        lease_ms=fields["lease_ms"],
        calling_ms=fields["calling_ms"],
        changed=fields["changed"],
        attempts=item.attempts + update["$inc"]["attempts"],
    )


# Fields that keep the hot reads index seeks on both engines (test_query_plans.py): `due_ms` (when it may be
# claimed; None when finished or parked), `queue` (its channel while pending or in flight; None after) and
# `changed` (an arrival stamp renewed by every write: a worker reads only what changed since it last looked).
PARKED = {"due_ms": None, "queue": None}
QUEUED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


# the deliveries a step holds until its end (Deliveries.held); None: outside one, each is stored at once
_HELD: ContextVar[list[Delivery] | None] = ContextVar("held_deliveries", default=None)


class Deliveries:
    def __init__(self, db: AsyncDatabase, clock: Clock, max_attempts: int = 10) -> None:
        self._items = db["deliveries"]
        self._archive = db["deliveries_archive"]
        self._clock = clock
        self._arrivals = Arrivals(clock)
        self.max_attempts = max_attempts

    def _stamp(self, fields: dict[str, Any]) -> dict[str, Any]:
        return {**fields, "changed": self._arrivals.next()}

    def _settled(self, status: DeliveryStatus, error: str) -> dict[str, Any]:
        """Out of the queue for good: kept for lookups until the retention period ends."""
        now = to_ms(self._clock.now())
        return self._stamp({"status": status.value, "error": error[:500], "settled_ms": now, **PARKED})

    def _claimed(self, worker: str, now: int, lease: timedelta, calling: bool = False) -> dict[str, Any]:
        update = claim_update(DeliveryStatus.SENDING.value, worker, now, lease)
        # 0: no call made in this attempt yet; `calling`: the call follows at once (as `calling()` says)
        update["$set"] = self._stamp({**update["$set"], "calling_ms": now if calling else 0})
        return update

    @asynccontextmanager
    async def held(self, then: Callable[[frozenset[str]], None]) -> AsyncIterator[None]:
        """A step's deliveries (an inbox item handled) held and stored together at its end, in one write, and
        `then` called with their channels (those senders woken). A step that fails stores what it held all
        the same, as it would have one by one; a crash stores none of them, and the step, not done, is
        handled again and makes them again (deterministic ids), as it would after a crash between two writes.
        Nothing is sent before the step's end either way: the senders read only what is stored."""
        if _HELD.get() is not None:
            yield
            return
        token = _HELD.set([])
        try:
            yield
        finally:
            held = _HELD.get() or []
            _HELD.reset(token)
            if held:
                await self._insert_held(held)
                then(frozenset(delivery.channel for delivery in held))

    async def _insert_held(self, held: list[Delivery]) -> None:
        """A step's deliveries in one write — but an edit of a card the step also posts (a new topic's pinned
        card, which the step's new request changes) is moot from the start, as the worker would settle it
        unsent (the post shows the card as it is when it goes): not stored. Unless that post was stored
        before (the step handled again, the post maybe sent already): then the edits go too, in one more
        write."""
        posts = {_card(d): i for i, d in enumerate(held) if isinstance(read_doc(d.payload), PostCard)}
        moot = [d for d in held if isinstance(read_doc(d.payload), EditCard) and _card(d) in posts]
        if not moot:
            await self._insert(held)
            return
        rest = [d for d in held if d.id not in {m.id for m in moot}]
        stored = dict(zip((d.id for d in rest), await self._insert(rest), strict=True))
        if again := [d for d in moot if not stored[held[posts[_card(d)]].id]]:
            await self._insert(again)

    async def enqueue(self, delivery: Delivery, delay: timedelta = timedelta()) -> bool:
        """False when a delivery with this id exists already (the event was processed before). Inside
        `held`: True, and stored at the step's end (a duplicate then is left alone, as here)."""
        if (held := _HELD.get()) is not None and not delay:
            held.append(delivery)
            return True
        try:
            await self._items.insert_one(self._new(delivery, delay))
        except DuplicateKeyError:
            return False
        return True

    async def enqueue_all(self, deliveries: Sequence[Delivery]) -> list[bool]:
        """Several at once, in this order, in one write; each False when it exists already (inside `held`:
        True, stored at the step's end)."""
        if (held := _HELD.get()) is not None:
            held.extend(deliveries)
            return [True] * len(deliveries)
        return await self._insert(deliveries)

    async def _insert(self, deliveries: Sequence[Delivery]) -> list[bool]:
        docs = [self._new(delivery) for delivery in deliveries]
        try:
            await self._items.insert_many(docs, ordered=False)
        except BulkWriteError as error:
            refused = duplicates(error)
            return [i not in refused for i in range(len(docs))]
        return [True] * len(docs)

    def _new(self, delivery: Delivery, delay: timedelta = timedelta()) -> dict[str, Any]:
        now = to_ms(self._clock.now())
        due_ms = now + int(delay.total_seconds() * 1000)
        return {
            "_id": delivery.id,
            "channel": delivery.channel,
            "chat": delivery.chat,
            "payload": delivery.payload,
            "event_id": delivery.event_id,
            "meta": delivery.meta,
            "lane": delivery.lane or delivery.chat,
            "prio": delivery.prio,
            "merge_key": delivery.merge_key,
            "n": (stamp := self._arrivals.next()),
            "changed": stamp,
            "status": DeliveryStatus.PENDING.value,
            "attempts": 0,
            "created_ms": now,
            "next_attempt_ms": due_ms,
            "due_ms": due_ms,
            "queue": delivery.channel,
            "lease_ms": 0,
            "worker": None,
            "provider_message_id": None,
            "error": None,
            "sent_ms": None,
        }

    async def claim(self, worker: str, lease: timedelta, channel: str | None = None) -> Delivery | None:
        """Take the delivery that has waited longest. A lease that expired (a worker died) is taken over."""
        now = to_ms(self._clock.now())
        where: dict[str, Any] = {"due_ms": {"$lte": now}}
        if channel:
            where["queue"] = channel
        doc = await self._items.find_one_and_update(
            where,
            self._claimed(worker, now, lease),
            sort=[("due_ms", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return _delivery(doc) if doc else None

    async def claim_id(
        self, delivery_id: str, worker: str, lease: timedelta, calling: bool = False
    ) -> Delivery | None:
        """Claim one chosen delivery, if it is still due and nobody holds it; `calling`: about to call the
        provider with it (one write for the claim and `calling()`)."""
        now = to_ms(self._clock.now())
        doc = await self._items.find_one_and_update(
            claimable(delivery_id, now),
            self._claimed(worker, now, lease, calling),
            return_document=ReturnDocument.AFTER,
        )
        return _delivery(checked_claim(doc, delivery_id, worker)) if doc else None

    async def claim_all(
        self, items: Sequence[Delivery], worker: str, lease: timedelta
    ) -> list[Delivery | None]:
        """`claim_id(calling=True)` of several deliveries as the worker last read them, in one write: each
        on the condition that it is still due and unchanged since (its `changed` stamp), so that what it
        holds now is known without reading it back. When some are refused (taken, or changed meanwhile),
        those still held by `worker` under this claim's stamp are read back: the others are None."""
        if len(items) <= 1 or not all(item.changed for item in items):  # (a stamp to match: one at a time)
            return [await self.claim_id(item.id, worker, lease, True) for item in items]
        now = to_ms(self._clock.now())
        updates = [self._claimed(worker, now, lease, calling=True) for _ in items]
        ops = [
            UpdateOne({**claimable(item.id, now), "changed": item.changed}, update)
            for item, update in zip(items, updates, strict=True)
        ]
        result = await self._items.bulk_write(ops, ordered=False)
        if result.modified_count == len(items):
            return [_as_claimed(item, update) for item, update in zip(items, updates, strict=True)]
        found = {doc["_id"]: doc async for doc in self._items.find({"_id": {"$in": [i.id for i in items]}})}
        return [
            _delivery(doc)
            if (doc := found.get(item.id))
            and doc.get("worker") == worker
            and doc.get("changed") == update["$set"]["changed"]
            else None
            for item, update in zip(items, updates, strict=True)
        ]

    async def calling(self, delivery_id: str, worker: str) -> None:
        """About to call the provider: from now on a takeover knows the message may have gone."""
        await self._items.update_one(
            {"_id": delivery_id, "worker": worker, "status": DeliveryStatus.SENDING.value},
            {"$set": self._stamp({"calling_ms": to_ms(self._clock.now())})},
        )

    async def unfinished(self, channel: str, limit: int = 5000) -> list[Delivery]:
        """Pending and in-flight deliveries of a channel, oldest first (the worker's view of its queue)."""
        cursor = self._items.find({"queue": channel}).sort("n", ASCENDING).limit(limit)
        return [_delivery(doc) async for doc in cursor]

    async def changed_since(
        self, stamp: int, channel: str | None = None, limit: int = 5000
    ) -> list[Delivery]:
        """Every delivery written after `stamp` (of `channel`, or any; any status), in the order of the
        writes: a worker's queue kept up to date without reading the whole queue again. (Every delivery
        stored wakes every channel's worker: a worker reading the others' too made the store build twice
        the documents, each pass.)"""
        where: dict[str, Any] = {"changed": {"$gt": stamp}}
        if channel is not None:
            where["channel"] = channel
        cursor = self._items.find(where).sort("changed", ASCENDING).limit(limit)
        return [_delivery(doc) async for doc in cursor]

    async def sent(self, delivery_id: str, worker: str, provider_message_id: str | None) -> bool:
        result = await self._items.update_one(
            {"_id": delivery_id, "worker": worker, "status": DeliveryStatus.SENDING.value},
            {"$set": self._sent(provider_message_id, to_ms(self._clock.now()))},
        )
        return result.modified_count == 1

    async def sent_all(self, sent: Sequence[tuple[str, str | None]], worker: str) -> bool:
        """`sent` of several (id, provider's message id), in one write: True when every one was still held
        by `worker` (and is settled now)."""
        if len(sent) == 1:
            return await self.sent(sent[0][0], worker, sent[0][1])
        now = to_ms(self._clock.now())
        held = {"worker": worker, "status": DeliveryStatus.SENDING.value}
        ops = [UpdateOne({"_id": i, **held}, {"$set": self._sent(provider, now)}) for i, provider in sent]
        return not ops or (await self._items.bulk_write(ops, ordered=False)).modified_count == len(ops)

    async def moot(self, delivery_ids: list[str]) -> int:
        """Settled without being sent (edits of a card that one edit, or its post, shows as it is now): those
        still waiting and due, in one write; how many."""
        now = to_ms(self._clock.now())
        result = await self._items.update_many(
            {"_id": {"$in": delivery_ids}, "status": DeliveryStatus.PENDING.value, "due_ms": {"$lte": now}},
            {"$set": self._sent(None, now)},
        )
        return result.modified_count

    def _sent(self, provider_message_id: str | None, now: int) -> dict[str, Any]:
        return self._stamp(
            {
                "status": DeliveryStatus.SENT.value,
                "provider_message_id": provider_message_id,
                "provider_status": "accepted",
                "provider_rank": 0,
                "sent_ms": now,
                "settled_ms": now,
                "error": None,
                **PARKED,
            }
        )

    async def retry(
        self,
        delivery_id: str,
        worker: str,
        error: str,
        after: timedelta,
        count_attempt: bool = True,
        answer_lost: bool = False,
    ) -> DeliveryStatus:
        """Try again after `after`. A wait the provider asked for (429) does not use up an attempt;
        `answer_lost`: the call left and no answer came back (kept: the next send may repeat it)."""
        doc = await self._items.find_one({"_id": delivery_id, "worker": worker})
        if doc is None:
            return DeliveryStatus.PENDING
        if count_attempt and doc["attempts"] >= self.max_attempts:
            return await self.failed(delivery_id, worker, error)
        next_ms = to_ms(self._clock.now() + after)
        update: dict[str, Any] = {
            "$set": self._stamp(
                {
                    "status": DeliveryStatus.PENDING.value,
                    "error": error[:500],
                    "next_attempt_ms": next_ms,
                    "due_ms": next_ms,
                    **({"answer_lost": True} if answer_lost else {}),
                }
            )
        }
        if not count_attempt:
            update["$inc"] = {"attempts": -1}
        await self._items.update_one(
            {"_id": delivery_id, "worker": worker, "status": DeliveryStatus.SENDING.value}, update
        )
        return DeliveryStatus.PENDING

    async def mergeable_waiting(self, lane: str) -> bool:
        """Does a message that may be merged with the next (a relay of text, not yet being sent) wait in the
        lane? (Read through the `lane` index: the lane's items of the last two days, then archived.)"""
        if any(d.lane == lane and d.merge_key for d in _HELD.get() or ()):
            return True  # (held by this step: stored with it, pending)
        found = self._items.find({"lane": lane}, {"status": 1, "merge_key": 1})
        pending = DeliveryStatus.PENDING.value
        return any([doc async for doc in found if doc.get("merge_key") and doc["status"] == pending])

    async def _in_lane(self, lane: str, status: DeliveryStatus) -> list[dict[str, Any]]:
        """The lane's items in a status: found through the `lane` index (an update by an equality on any
        field but `_id` reads every row on nx-27017), then updated by `_id`."""
        found = self._items.find({"lane": lane}, {"status": 1, "channel": 1})
        return [doc async for doc in found if doc["status"] == status.value]

    async def _update_in_lane(self, lane: str, status: DeliveryStatus, fields: dict[str, Any]) -> int:
        docs = await self._in_lane(lane, status)
        if not docs:
            return 0
        result = await self._items.update_many(
            {"_id": {"$in": [d["_id"] for d in docs]}, "status": status.value}, {"$set": fields}
        )
        return result.modified_count

    async def hold_lane(self, lane: str, reason: str) -> int:
        held = {"status": DeliveryStatus.HELD.value, "error": reason, **PARKED}
        return sum(
            [await self._update_in_lane(lane, status, self._stamp(held)) for status in QUEUED],
        )

    async def release_lane(self, lane: str) -> int:
        """Held deliveries go out again, in their original order."""
        held = await self._in_lane(lane, DeliveryStatus.HELD)
        if not held:
            return 0
        now = to_ms(self._clock.now())
        again = {"status": DeliveryStatus.PENDING.value, "next_attempt_ms": now, "due_ms": now}
        again["queue"] = held[0]["channel"]  # a lane is one channel's
        return await self._update_in_lane(lane, DeliveryStatus.HELD, self._stamp(again))

    async def uncertain(self, delivery_id: str, worker: str, error: str) -> None:
        await self._items.update_one(
            {"_id": delivery_id, "worker": worker, "status": DeliveryStatus.SENDING.value},
            {"$set": self._settled(DeliveryStatus.UNCERTAIN, error)},
        )

    async def provider_status(
        self, channel: str, provider_message_id: str, status: str, rank: int
    ) -> Delivery | None:
        """Move the provider's status forward only: callbacks arrive out of order, `read` outranks `sent`."""
        found = await self.by_provider_message(channel, provider_message_id)
        if found is None:
            return None
        doc = await self._items.find_one_and_update(
            {"_id": found.id, "provider_rank": {"$lt": rank}},
            {"$set": {"provider_status": status, "provider_rank": rank}},
            return_document=ReturnDocument.AFTER,
        )
        return _delivery(doc) if doc else None

    async def fail_lane(self, lane: str, error: str) -> int:
        """Give up on everything still waiting in a lane (the recipient blocked us: no retry storm)."""
        return await self._update_in_lane(
            lane, DeliveryStatus.PENDING, self._settled(DeliveryStatus.FAILED, error)
        )

    async def failed(self, delivery_id: str, worker: str, error: str) -> DeliveryStatus:
        await self._items.update_one(
            {"_id": delivery_id, "worker": worker, "status": DeliveryStatus.SENDING.value},
            {"$set": self._settled(DeliveryStatus.FAILED, error)},
        )
        return DeliveryStatus.FAILED

    async def get(self, delivery_id: str) -> Delivery | None:
        doc = await self._items.find_one({"_id": delivery_id})
        return _delivery(doc) if doc else None

    async def stored(self, delivery_id: str) -> bool:
        """Was it stored (in the queue, or settled and archived; or held by this step)?"""
        if any(d.id == delivery_id for d in _HELD.get() or ()):
            return True
        for collection in (self._items, self._archive):
            if await collection.find_one({"_id": delivery_id}, {"_id": 1}) is not None:
                return True
        return False

    async def by_provider_message(self, channel: str, provider_message_id: str) -> Delivery | None:
        """What we sent under a provider's id (a reply to it names it), in the queue or in the archive: the
        one that carries someone's message (`meta.source`) before the edits of the same message (a card's),
        which share its id."""
        found: list[dict[str, Any]] = []
        for collection in (self._items, self._archive):
            found += await collection.find({"provider_message_id": provider_message_id}).to_list(100)
            if any(doc.get("meta", {}).get("source") is not None for doc in found):
                break  # (the archive is read only when the queue's have none)
        if not found:
            return None
        doc = next((d for d in found if d.get("meta", {}).get("source") is not None), found[0])
        return _delivery(doc) if doc["channel"] == channel else None

    async def archive_settled(self, before: datetime, batch: int = 500) -> int:
        """Move deliveries settled before `before` out of the working set, into `deliveries_archive` (kept
        for replies that name an old message; the events keep the facts). Returns how many moved."""
        moved = 0
        while docs := await self._items.find({"settled_ms": {"$lt": to_ms(before)}}).limit(batch).to_list():
            with contextlib.suppress(BulkWriteError):  # moved before by a run that died before deleting
                await self._archive.insert_many(docs, ordered=False)
            await self._items.delete_many({"_id": {"$in": [d["_id"] for d in docs]}})
            moved += len(docs)
        return moved

    async def count(self, status: DeliveryStatus | None = None) -> int:
        return await self._items.count_documents({"status": status.value} if status else {})
