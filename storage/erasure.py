"""What an erased client leaves outside the event log, removed: the webhook payloads they and their topic sent
(the inbox), the messages to and about them (deliveries, archived ones too), and their timers' data."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.asynchronous.database import AsyncDatabase

from storage.deadlines import OVER


@dataclass(frozen=True, slots=True)
class Scrubbed:
    inbox: int
    deliveries: int
    deadlines: int


def _of_stream(stream: str) -> dict:
    """Every delivery an event of `stream` made: ids are `<stream>#<seq>:<n>` ('$' sorts right after '#')."""
    return {"_id": {"$gte": f"{stream}#", "$lt": f"{stream}$"}}


async def scrub(
    db: AsyncDatabase, streams: list[str], inbox_keys: list[str], subjects: list[str]
) -> Scrubbed:
    deliveries = 0
    keys = set(inbox_keys)
    for collection in ("deliveries", "deliveries_archive"):
        for stream in streams:
            async for doc in db[collection].find(
                _of_stream(stream), {"channel": 1, "provider_message_id": 1}
            ):
                if doc.get("channel") == "whatsapp" and doc.get("provider_message_id"):
                    keys.add(f"wa-status:{doc['provider_message_id']}")  # Twilio's callbacks name the number
            deliveries += (await db[collection].delete_many(_of_stream(stream))).deleted_count
    inbox = (await db["inbox"].delete_many({"key": {"$in": sorted(keys)}})).deleted_count if keys else 0
    await db["translations"].delete_many({"client": {"$in": subjects}})  # (their words, cached translated)
    stopped = await db["deadlines"].update_many(
        {"subject": {"$in": subjects}},
        {"$set": {"status": OVER, "due_ms": None, "worker": None, "data": {}}},
    )
    return Scrubbed(inbox, deliveries, stopped.modified_count)
