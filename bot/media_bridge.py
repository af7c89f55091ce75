"""The one real bridge between channels: files that cross from one to the other. Each channel runtime fills in
what it can fetch; the other side asks through here, never through the other runtime."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from domain.outbound import STORED

Fetch = Callable[[str], Awaitable[tuple[bytes, str]]]  # a reference → (content, content type)


class MediaUnavailable(LookupError):
    """No channel that can fetch this kind of file is wired."""


@dataclass
class MediaBridge:
    whatsapp_media: Fetch | None = None  # set by WhatsApp: a Twilio media URL (basic auth)
    telegram_file: Fetch | None = None  # set by Telegram: a Bot API file id
    stored_file: Fetch | None = None  # set by the engine: a file kept in the store ("stored:…")

    async def fetch_whatsapp_media(self, url: str) -> tuple[bytes, str]:
        if self.whatsapp_media is None:
            raise MediaUnavailable("WhatsApp is not configured")
        return await self.whatsapp_media(url)

    async def fetch_media(self, url: str) -> tuple[bytes, str]:
        """What the Telegram sender uploads: a file kept in the store, or one on Twilio's media host."""
        if url.startswith(STORED) and self.stored_file is not None:
            return await self.stored_file(url)
        return await self.fetch_whatsapp_media(url)

    async def fetch_file(self, file_id: str) -> tuple[bytes, str]:
        """What a media link serves Twilio: a file kept in the store, or one posted in Telegram."""
        if file_id.startswith(STORED) and self.stored_file is not None:
            return await self.stored_file(file_id)
        return await self.fetch_telegram_file(file_id)

    async def fetch_telegram_file(self, file_id: str) -> tuple[bytes, str]:
        if self.telegram_file is None:
            raise MediaUnavailable("Telegram is not configured")
        return await self.telegram_file(file_id)
