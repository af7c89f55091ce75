from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from storage import step_reads, together


async def next_value(db: AsyncDatabase, name: str, start: int = 1) -> int:
    """A gap-tolerant sequence (request numbers R-1042, client ids, inbox arrival order). A step that shares
    draws with the others of this moment, in one write (storage/together.py)."""
    if step_reads.sharing():
        return start - 1 + await together.drawn(db, name, advance)
    return start - 1 + await advance(db, name, 1)


async def advance(db: AsyncDatabase, name: str, count: int) -> int:
    """Move the sequence on by `count` numbers: the last of them."""
    doc = await db["counters"].find_one_and_update(
        {"_id": name}, {"$inc": {"n": count}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    assert doc is not None  # upserted, and read after the update
    return int(doc["n"])
