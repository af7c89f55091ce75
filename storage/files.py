"""Files an assistant sends a client from the console: kept in the store (one document each, by the SHA-256 of
its bytes), so every instance can hand them to Telegram or Twilio and show them in the timeline. An erase
removes the person's."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from datetime import datetime

from bson import Binary
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from domain.outbound import STORED as PREFIX  # a media reference to a file kept here
from storage.timefmt import to_ms

COLLECTION = "console_files"
MAX_BYTES = 15 * 1024 * 1024  # under a stored document's 16 MB, and WhatsApp's 16 MB for media


@dataclass(frozen=True, slots=True)
class Kept:
    ref: str  # "stored:<sha256>"
    size: int


class ConsoleFiles:
    def __init__(self, db: AsyncDatabase) -> None:
        self._files = db[COLLECTION]

    async def keep(self, content: bytes, content_type: str, name: str, client_id: str, at: datetime) -> Kept:
        """Store the file (the same bytes for the same client once); its reference."""
        digest = hashlib.sha256(content).hexdigest()
        doc = {
            "data": Binary(content),
            "content_type": content_type,
            "name": name,
            "size": len(content),
            "client": client_id,
            "at_ms": to_ms(at),
        }
        with contextlib.suppress(DuplicateKeyError):  # (kept before: the same bytes for the same client)
            await self._files.insert_one({"_id": f"{client_id}:{digest}", **doc})
        return Kept(f"{PREFIX}{client_id}:{digest}", len(content))

    async def fetch(self, ref: str) -> tuple[bytes, str]:
        """(content, content type) of a kept file; LookupError when it is not (or no longer) here."""
        doc = (
            await self._files.find_one({"_id": ref.removeprefix(PREFIX)}) if ref.startswith(PREFIX) else None
        )
        if doc is None:
            raise LookupError("no such file in the store")
        return bytes(doc["data"]), doc["content_type"]

    async def forget(self, client_ids: list[str]) -> int:
        return (await self._files.delete_many({"client": {"$in": client_ids}})).deleted_count
