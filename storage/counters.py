from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase


async def next_value(db: AsyncDatabase, name: str, start: int = 1) -> int:
    """A gap-tolerant sequence (request numbers R-1042, client ids, inbox arrival order)."""
    doc = await db["counters"].find_one_and_update(
        {"_id": name}, {"$inc": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    assert doc is not None  # upserted, and read after the update
    return start - 1 + doc["n"]
