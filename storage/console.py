"""The console's sign-in links, sessions and sign-in attempts: digests only, times in epoch milliseconds; and,
when CONSOLE_SECRET is not set, the key their links are signed with.

A link is used by one atomic update (`used_ms` unset and not expired → set), so two clicks on two instances
sign in once. Sessions are read by `_id` on every console request; ending one is one update."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from storage.timefmt import to_ms

SIGNING_KEY = "console-links"


class ConsoleAccess:
    def __init__(self, db: AsyncDatabase) -> None:
        self._links = db["console_links"]
        self._sessions = db["console_sessions"]
        self._attempts = db["console_attempts"]
        self._keys = db["console_keys"]

    async def signing_key(self) -> bytes:
        """The key console links are signed with when CONSOLE_SECRET is not set: 32 random bytes, made once by
        whichever instance asks first (one `_id`, so of two asking at once one insert wins and both read
        it). Kept until the store is: rotating the bot token leaves it as it is."""
        doc = await self._keys.find_one({"_id": SIGNING_KEY})
        if doc is None:
            fresh = base64.b64encode(secrets.token_bytes(32)).decode()
            try:
                await self._keys.insert_one({"_id": SIGNING_KEY, "key": fresh})
                return base64.b64decode(fresh)
            except DuplicateKeyError:  # another instance made it first: theirs is the key
                doc = await self._keys.find_one({"_id": SIGNING_KEY})
                assert doc is not None
        return base64.b64decode(doc["key"])

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
