"""Channel-neutral messages: what a client or an assistant sent, whatever the channel."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.clients import Channel, ChannelIdentity, Language


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
    extra: dict[str, Any] | None = None  # location coordinates, contact details, file ids, media URLs
    channel: Channel = Channel.TELEGRAM

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
            "channel": self.channel.value,
        }


@dataclass(frozen=True, slots=True)
class Person:
    """Who wrote, as the channel describes them."""

    identity: ChannelIdentity
    name: str
    username: str | None = None
    language_code: str | None = None


_ARABIC = re.compile("[\u0600-\u06ff]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z]")
LANGUAGE_NAMES = {
    Language.EN: ("english", "английский", "انجليزي", "الإنجليزية", "الانجليزية", "إنجليزي"),
    Language.AR: ("arabic", "العربية", "عربي", "عربية", "арабский"),
    Language.RU: ("russian", "русский", "по-русски", "روسي", "الروسية"),
}


def language_of_script(text: str) -> Language | None:
    """The language a first message is most likely in, from its letters."""
    counts = {
        Language.AR: len(_ARABIC.findall(text)),
        Language.RU: len(_CYRILLIC.findall(text)),
        Language.EN: len(_LATIN.findall(text)),
    }
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] else None


def language_named(text: str) -> Language | None:
    """A message that is just the name of a language ("Русский", "العربية", "English") asks to switch."""
    word = text.strip().strip(".!").lower()
    return next((lang for lang, names in LANGUAGE_NAMES.items() if word in names), None)
