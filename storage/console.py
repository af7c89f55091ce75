"""The console's sign-in links, sessions and sign-in attempts: digests only, times in epoch milliseconds.

A link is used by one atomic update (`used_ms` unset and not expired → set), so two clicks on two instances
sign in once. Sessions are read by `_id` on every console request; ending one is one update."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from storage.timefmt import to_ms


class ConsoleAccess:
    def __init__(self, db: AsyncDatabase) -> None:
        self._links = db["console_links"]
        self._sessions = db["console_sessions"]
        self._attempts = db["console_attempts"]

    async def add_link(self, digest: str, assistant_id: str, telegram_id: int, expires: datetime) -> None:
        await self._links.insert_one(
            {
                "_id": digest,
                "assistant_id": assistant_id,
                "telegram_id": telegram_id,
                "expires_ms": to_ms(expires),
                "used_ms": 0,
            }
        )

    async def use_link(self, digest: str, now: datetime) -> dict[str, Any] | None:
        """The link's document if it was unused and in time; it is used from now on either way."""
        return await self._links.find_one_and_update(
            {"_id": digest, "used_ms": 0, "expires_ms": {"$gt": to_ms(now)}},
            {"$set": {"used_ms": to_ms(now)}},
            return_document=ReturnDocument.AFTER,
        )

    async def open_session(self, digest: str, assistant_id: str, now: datetime, hours: int) -> None:
        await self._sessions.insert_one(
            {
                "_id": digest,
                "assistant_id": assistant_id,
                "started_ms": to_ms(now),
                "expires_ms": to_ms(now + timedelta(hours=hours)),
                "ended_ms": 0,
            }
        )

    async def session(self, digest: str, now: datetime) -> dict[str, Any] | None:
        doc = await self._sessions.find_one({"_id": digest})
        if doc is None or doc["ended_ms"] or doc["expires_ms"] <= to_ms(now):
            return None
        return doc

    async def end_session(self, digest: str, now: datetime) -> None:
        await self._sessions.update_one({"_id": digest, "ended_ms": 0}, {"$set": {"ended_ms": to_ms(now)}})

    async def attempt(self, who: str, now: datetime, window: timedelta) -> int:
        """Count one sign-in attempt by `who` (a digest of the address) in the current window."""
        bucket = to_ms(now) // int(window.total_seconds() * 1000)
        doc = await self._attempts.find_one_and_update(
            {"_id": f"{who}:{bucket}"},
            {"$inc": {"n": 1}, "$set": {"at_ms": to_ms(now)}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc is not None  # upserted, and read after the update
        return doc["n"]

    async def prune(self, before: datetime) -> int:
        """Links and sessions that ended (or ran out) before `before`, and old attempt counts."""
        edge = to_ms(before)
        removed = (await self._links.delete_many({"expires_ms": {"$lt": edge}})).deleted_count
        removed += (await self._sessions.delete_many({"expires_ms": {"$lt": edge}})).deleted_count
        removed += (await self._attempts.delete_many({"at_ms": {"$lt": edge}})).deleted_count
        return removed
