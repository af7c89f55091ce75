"""What an erased client leaves outside the event log, removed: the webhook payloads they and their topic sent
(the inbox), the messages to and about them (deliveries, archived ones too), their timers' data, and the
words of their conversation kept for search."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.asynchronous.database import AsyncDatabase

from storage.board import BoardCards, clock_ids
from storage.deadlines import OVER
from storage.files import ConsoleFiles
from storage.words import MessageWords


@dataclass(frozen=True, slots=True)
class Scrubbed:
    inbox: int
    deliveries: int
    deadlines: int


def _of_stream(stream: str) -> dict:
    """Every delivery an event of `stream` made: ids are `<stream>#<seq>:<n>` ('$' sorts right after '#')."""
    return {"_id": {"$gte": f"{stream}#", "$lt": f"{stream}$"}}


async def scrub(
    db: AsyncDatabase, streams: list[str], inbox_keys: list[str], subjects: list[str], chats: list[str]
) -> Scrubbed:
    """`chats`: the person's chat ids and numbers (the Telegram budgets name them)."""
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
    await MessageWords(db).forget(streams)  # (their words, indexed for search)
    await ConsoleFiles(db).forget(subjects)  # (files sent to them from the console)
    budgets = [f"{kind}:{chat}" for chat in chats for kind in ("chat", "block")]
    await db["budgets"].delete_many({"_id": {"$in": budgets}})
    stopped = await db["deadlines"].update_many(
        {"subject": {"$in": subjects}},
        {
            "$set": {"status": OVER, "due_ms": None, "worker": None, "data": {}, "ran_out": False},
            "$inc": {"v": 1},
        },
    )
    cards = BoardCards(db)  # (their cards' clocks stopped with them)
    for subject in subjects:
        for deadline_id in clock_ids(subject, subject):
            await cards.clock_by_id(deadline_id)
    return Scrubbed(inbox, deliveries, stopped.modified_count)


@dataclass(frozen=True, slots=True)
class Scope:
    """What an erase removes outside the log. Worked out while the person's key still opens their data, and
    kept (`erasures`) until the erase is done: an erase cut short by a crash is finished from it."""

    streams: list[str]
    inbox_keys: list[str]
    chats: list[str]


async def remembered(db: AsyncDatabase, person: str, found: Scope) -> Scope:
    """`found`, with what an earlier, unfinished erase of the person worked out (kept until `forget`)."""
    earlier = await db["erasures"].find_one({"_id": person}) or {}
    scope = Scope(
        *(
            list(dict.fromkeys([*(earlier.get(name) or []), *getattr(found, name)]))
            for name in ("streams", "inbox_keys", "chats")
        )
    )
    kept = {"_id": person, "streams": scope.streams, "inbox_keys": scope.inbox_keys, "chats": scope.chats}
    await db["erasures"].replace_one({"_id": person}, kept, upsert=True)  # (the _id in it: see README)
    return scope


async def forget(db: AsyncDatabase, person: str) -> None:
    await db["erasures"].delete_one({"_id": person})
