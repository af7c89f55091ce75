"""Every outbound message, stored before it is sent, claimed by a worker with a lease that expires."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from domain.clock import Clock
from storage.counters import next_value
from storage.leases import checked_claim, claim_update, due
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
    )


def _claimed(worker: str, now: int, lease: timedelta) -> dict[str, Any]:
    update = claim_update(DeliveryStatus.SENDING.value, worker, now, lease)
    update["$set"]["calling_ms"] = 0  # this attempt has not called anyone yet
    return update


class Deliveries:
    def __init__(self, db: AsyncDatabase, clock: Clock, max_attempts: int = 10) -> None:
        self._db = db
        self._items = db["deliveries"]
        self._clock = clock
        self.max_attempts = max_attempts

    async def enqueue(self, delivery: Delivery, delay: timedelta = timedelta()) -> bool:
        """False when a delivery with this id exists already (the event was processed before)."""
        now = to_ms(self._clock.now())
        try:
            await self._items.insert_one(
                {
                    "_id": delivery.id,
                    "channel": delivery.channel,
                    "chat": delivery.chat,
                    "payload": delivery.payload,
                    "event_id": delivery.event_id,
                    "meta": delivery.meta,
                    "lane": delivery.lane or delivery.chat,
                    "prio": delivery.prio,
                    "merge_key": delivery.merge_key,
                    "n": await next_value(self._db, "deliveries"),
                    "status": DeliveryStatus.PENDING.value,
                    "attempts": 0,
                    "created_ms": now,
                    "next_attempt_ms": now + int(delay.total_seconds() * 1000),
                    "lease_ms": 0,
                    "worker": None,
                    "provider_message_id": None,
                    "error": None,
                    "sent_ms": None,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    @staticmethod
    def _due(now: int, also: dict[str, Any] | None = None) -> dict[str, Any]:
        return due(DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value, now, also)

    async def claim(
        self, worker: str, lease: timedelta, channel: str | None = None, chat: str | None = None
    ) -> Delivery | None:
        """Take the delivery that has waited longest. A lease that expired (a worker died) is taken over."""
        now = to_ms(self._clock.now())
        where = {k: v for k, v in (("channel", channel), ("chat", chat)) if v}
        doc = await self._items.find_one_and_update(
            self._due(now, where),
            _claimed(worker, now, lease),
            sort=[("next_attempt_ms", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return _delivery(doc) if doc else None

    async def claim_id(self, delivery_id: str, worker: str, lease: timedelta) -> Delivery | None:
        """Claim one chosen delivery, if it is still due and nobody holds it."""
        now = to_ms(self._clock.now())
        doc = await self._items.find_one_and_update(
            self._due(now, {"_id": delivery_id}),
            _claimed(worker, now, lease),
            return_document=ReturnDocument.AFTER,
        )
        return _delivery(checked_claim(doc, delivery_id, worker)) if doc else None

    async def calling(self, delivery_id: str, worker: str) -> None:
        """About to call the provider: from now on a takeover knows the message may have gone."""
        await self._items.update_one(
            {"_id": delivery_id, "worker": worker, "status": DeliveryStatus.SENDING.value},
            {"$set": {"calling_ms": to_ms(self._clock.now())}},
        )

    async def unfinished(self, channel: str, limit: int = 2000) -> list[Delivery]:
        """Pending and in-flight deliveries of a channel, oldest first (the worker's view of its queue)."""
        cursor = (
            self._items.find(
                {
                    "channel": channel,
                    "status": {"$in": [DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value]},
                }
            )
            .sort("n", ASCENDING)
            .limit(limit)
        )
        return [_delivery(doc) async for doc in cursor]

    async def sent(self, delivery_id: str, worker: str, provider_message_id: str | None) -> bool:
        result = await self._items.update_one(
            {"_id": delivery_id, "worker": worker, "status": DeliveryStatus.SENDING.value},
            {
                "$set": {
                    "status": DeliveryStatus.SENT.value,
                    "provider_message_id": provider_message_id,
                    "provider_status": "accepted",
                    "provider_rank": 0,
                    "sent_ms": to_ms(self._clock.now()),
                    "error": None,
                }
            },
        )
        return result.modified_count == 1

    async def retry(
        self, delivery_id: str, worker: str, error: str, after: timedelta, count_attempt: bool = True
    ) -> DeliveryStatus:
        """Try again after `after`. A wait the provider asked for (429) does not use up an attempt."""
        doc = await self._items.find_one({"_id": delivery_id, "worker": worker})
        if doc is None:
            return DeliveryStatus.PENDING
        if count_attempt and doc["attempts"] >= self.max_attempts:
            return await self.failed(delivery_id, worker, error)
        update: dict[str, Any] = {
            "$set": {
                "status": DeliveryStatus.PENDING.value,
                "error": error[:500],
                "next_attempt_ms": to_ms(self._clock.now() + after),
            }
        }
        if not count_attempt:
            update["$inc"] = {"attempts": -1}
        await self._items.update_one(
            {"_id": delivery_id, "worker": worker, "status": DeliveryStatus.SENDING.value}, update
        )
        return DeliveryStatus.PENDING

    async def hold_lane(self, lane: str, reason: str) -> int:
        result = await self._items.update_many(
            {"lane": lane, "status": {"$in": [DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value]}},
            {"$set": {"status": DeliveryStatus.HELD.value, "error": reason}},
        )
        return result.modified_count

    async def release_lane(self, lane: str) -> int:
        """Held deliveries go out again, in their original order."""
        result = await self._items.update_many(
            {"lane": lane, "status": DeliveryStatus.HELD.value},
            {"$set": {"status": DeliveryStatus.PENDING.value, "next_attempt_ms": to_ms(self._clock.now())}},
        )
        return result.modified_count

    async def uncertain(self, delivery_id: str, worker: str, error: str) -> None:
        await self._items.update_one(
            {"_id": delivery_id, "worker": worker, "status": DeliveryStatus.SENDING.value},
            {"$set": {"status": DeliveryStatus.UNCERTAIN.value, "error": error[:500]}},
        )

    async def provider_status(
        self, channel: str, provider_message_id: str, status: str, rank: int
    ) -> Delivery | None:
        """Move the provider's status forward only: callbacks arrive out of order, `read` outranks `sent`."""
        doc = await self._items.find_one_and_update(
            {"channel": channel, "provider_message_id": provider_message_id, "provider_rank": {"$lt": rank}},
            {"$set": {"provider_status": status, "provider_rank": rank}},
            return_document=ReturnDocument.AFTER,
        )
        return _delivery(doc) if doc else None

    async def fail_lane(self, lane: str, error: str) -> int:
        """Give up on everything still waiting in a lane (the recipient blocked us: no retry storm)."""
        result = await self._items.update_many(
            {"lane": lane, "status": DeliveryStatus.PENDING.value},
            {"$set": {"status": DeliveryStatus.FAILED.value, "error": error[:500]}},
        )
        return result.modified_count

    async def failed(self, delivery_id: str, worker: str, error: str) -> DeliveryStatus:
        await self._items.update_one(
            {"_id": delivery_id, "worker": worker, "status": DeliveryStatus.SENDING.value},
            {"$set": {"status": DeliveryStatus.FAILED.value, "error": error[:500]}},
        )
        return DeliveryStatus.FAILED

    async def get(self, delivery_id: str) -> Delivery | None:
        doc = await self._items.find_one({"_id": delivery_id})
        return _delivery(doc) if doc else None

    async def by_provider_message(self, channel: str, provider_message_id: str) -> Delivery | None:
        doc = await self._items.find_one({"channel": channel, "provider_message_id": provider_message_id})
        return _delivery(doc) if doc else None

    async def count(self, status: DeliveryStatus | None = None) -> int:
        return await self._items.count_documents({"status": status.value} if status else {})
