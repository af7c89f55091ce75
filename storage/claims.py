"""Who a first contact is: one client per Telegram account or phone number, however many twins of the
first message arrive at once, on any instance. The claim (`telegram:42`, `phone:+9715…`) is a unique
document kept outside the log, because it names the person: an erase removes it, and the log's causes
name only the client."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from storage import together


async def claimed(db: AsyncDatabase, claim: str, new_id: Callable[[], Awaitable[str]]) -> tuple[str, bool]:
    """The client the claim belongs to: the one a first contact (or its twin, or its replay) chose; and
    whether this call chose it. The unique `_id` answers who was first (no read before: a first contact is
    almost always the first; a twin or a replay wastes a number, which leaves a gap in the clients' ids)."""
    client_id = await new_id()
    try:
        await together.insert(db["claims"], {"_id": claim, "client_id": client_id})  # (alone unless sharing)
    except DuplicateKeyError:  # a twin claimed it first, or an attempt before a crash: theirs
        found = await db["claims"].find_one({"_id": claim})
        if found is None:  # (released by an erase in between: claim it again)
            return await claimed(db, claim, new_id)
        return str(found["client_id"]), False
    return client_id, True


async def reclaimed(db: AsyncDatabase, claim: str, erased: str, new_id: Callable[[], Awaitable[str]]) -> str:
    """A claim that still names an erased client (a message raced the erase): a new client's now."""
    fresh = await new_id()
    taken = await db["claims"].update_one({"_id": claim, "client_id": erased}, {"$set": {"client_id": fresh}})
    if taken.matched_count:
        return fresh
    return (await claimed(db, claim, new_id))[0]  # (another twin moved it first, or the erase released it)


async def phone_claimed_for(db: AsyncDatabase, client_id: str) -> str | None:
    """The number a client's id was claimed for (a call answered before its caller was registered). By
    equality on the `client` index: an `$in` of one is a scan on the embedded engine."""
    async for doc in db["claims"].find({"client_id": client_id}):
        if str(doc["_id"]).startswith("phone:"):
            return str(doc["_id"]).split(":", 1)[1]
    return None


async def claims_of(db: AsyncDatabase, client_ids: list[str]) -> list[str]:
    return [doc["_id"] async for doc in db["claims"].find({"client_id": {"$in": client_ids}})]


async def release(db: AsyncDatabase, client_ids: list[str]) -> int:
    """An erased person's claims: the same account or number writing again is a new client."""
    return (await db["claims"].delete_many({"client_id": {"$in": client_ids}})).deleted_count
