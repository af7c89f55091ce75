"""The one real bridge between channels: files that cross from one to the other. Each channel runtime fills in
what it can fetch; the other side asks through here, never through the other runtime."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Fetch = Callable[[str], Awaitable[tuple[bytes, str]]]  # a reference → (content, content type)


class MediaUnavailable(LookupError):
    """No channel that can fetch this kind of file is wired."""


@dataclass
class MediaBridge:
    whatsapp_media: Fetch | None = None  # set by WhatsApp: a Twilio media URL (basic auth)
    telegram_file: Fetch | None = None  # set by Telegram: a Bot API file id

    async def fetch_whatsapp_media(self, url: str) -> tuple[bytes, str]:
        if self.whatsapp_media is None:
            raise MediaUnavailable("WhatsApp is not configured")
        return await self.whatsapp_media(url)

    async def fetch_telegram_file(self, file_id: str) -> tuple[bytes, str]:
        if self.telegram_file is None:
            raise MediaUnavailable("Telegram is not configured")
        return await self.telegram_file(file_id)
