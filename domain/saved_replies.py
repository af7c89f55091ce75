"""Saved replies: a team's library of answers, one text per client language, with variables filled in when
one is sent (`{client}`, `{assistant}`, `{request}`, `{time}`). Kept as events (stream `reply:<name>`),
folded into `saved_replies`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from domain.errors import InvalidValue
from domain.events import Event, EventType

VARIABLES = ("client", "assistant", "request", "time")
LANGUAGES = ("en", "ar", "ru")
MAX_TEXT = 2000
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_VARIABLE = re.compile(r"\{([^{}]*)\}")


def valid_name(raw: str) -> str:
    name = raw.strip().lower()
    if not NAME.match(name):
        raise InvalidValue(
            "A saved reply's name is a short word: letters, digits, - and _ (like welcome or car-ready).",
            key="reply-name",
        )
    return name


def valid_text(raw: str, language: str) -> str:
    text = raw.strip()
    if len(text) > MAX_TEXT:
        raise InvalidValue(f"A saved reply is at most {MAX_TEXT} characters.", key="reply-too-long")
    unknown = sorted({v for v in _VARIABLE.findall(text) if v not in VARIABLES})
    if unknown:
        known = ", ".join("{" + v + "}" for v in VARIABLES)
        raise InvalidValue(
            f"Unknown variable {{{unknown[0]}}} ({language}): use {known}.",
            key="reply-variable",
            variable=unknown[0],
        )
    return text


@dataclass(frozen=True, slots=True)
class SavedReply:
    name: str
    texts: dict[str, str] = field(default_factory=dict)  # language → text
    removed: bool = False
    version: int = 0

    def text_for(self, language: str | None) -> tuple[str, str] | None:
        """(language, text): the client's language, else English, else any there is."""
        for each in (language, "en", *LANGUAGES):
            if each and self.texts.get(each):
                return each, self.texts[each]
        return None

    def apply(self, event: Event) -> SavedReply:
        if event.type is EventType.SAVED_REPLY_SET:
            return SavedReply(self.name, dict(event.data["texts"]), False, event.seq)
        if event.type is EventType.SAVED_REPLY_REMOVED:
            return SavedReply(self.name, self.texts, True, event.seq)
        raise InvalidValue(f"{event.type} does not belong to a saved reply")

    def to_doc(self) -> dict[str, Any]:
        return {"_id": self.name, "texts": self.texts, "removed": self.removed, "_v": self.version}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> SavedReply:
        return cls(doc["_id"], dict(doc.get("texts") or {}), doc.get("removed", False), doc["_v"])


def apply_saved_reply(doc: dict[str, Any] | None, event: Event) -> dict[str, Any]:
    reply = SavedReply(event.stream_id) if doc is None else SavedReply.from_doc(doc)
    return reply.apply(event).to_doc()


def unfilled(text: str, values: dict[str, str]) -> tuple[str, ...]:
    """The variables `text` uses that have no value here (a request with no time yet: `{time}`)."""
    return tuple(dict.fromkeys(v for v in _VARIABLE.findall(text) if v in VARIABLES and not values.get(v)))


def render(text: str, values: dict[str, str]) -> str:
    """The text with its variables filled in (one that has no value here reads as a dash)."""
    return _VARIABLE.sub(lambda m: values.get(m.group(1)) or "—", text)
