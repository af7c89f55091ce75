"""What the sandbox keeps with the data it shares with the service: its id generation and its clock's offset.
A restart must neither reuse a provider id (the inbox would drop new messages as duplicates) nor move the
clock back (budgets, leases and heartbeats written ahead of the real time would stall every sender)."""

from __future__ import annotations

from datetime import timedelta

from pymongo.asynchronous.database import AsyncDatabase

from storage.counters import next_value

CLOCK = "clock"


async def next_generation(db: AsyncDatabase) -> int:
    return await next_value(db, "sandbox-generation")


async def clock_offset(db: AsyncDatabase) -> timedelta:
    doc = await db["sandbox"].find_one({"_id": CLOCK})
    return timedelta(milliseconds=int(doc["offset_ms"])) if doc else timedelta()


async def save_clock_offset(db: AsyncDatabase, offset: timedelta) -> None:
    await db["sandbox"].update_one(
        {"_id": CLOCK}, {"$set": {"offset_ms": offset // timedelta(milliseconds=1)}}, upsert=True
    )
