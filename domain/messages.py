"""Channel-neutral messages: what a client or an assistant sent, whatever the channel."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.clients import ChannelIdentity


class Kind(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    DOCUMENT = "document"
    VOICE = "voice"
    VIDEO = "video"
    AUDIO = "audio"
    LOCATION = "location"
    CONTACT = "contact"
    STICKER = "sticker"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message as the engine sees it. `ref` says where it lives on its channel so it can be copied."""

    kind: Kind
    text: str | None
    chat_id: int | str
    message_id: int | str
    reply_to: int | str | None = None
    extra: dict[str, Any] | None = None  # location coordinates, contact details, file ids

    @property
    def is_text(self) -> bool:
        return self.kind is Kind.TEXT

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "text": self.text,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "reply_to": self.reply_to,
            "extra": self.extra or {},
        }


@dataclass(frozen=True, slots=True)
class Person:
    """Who wrote, as the channel describes them."""

    identity: ChannelIdentity
    name: str
    username: str | None = None
    language_code: str | None = None
