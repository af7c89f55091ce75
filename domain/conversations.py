"""A client's conversation as the engine reads it: where they last wrote, when, and the choices offered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.clients import Channel

WHATSAPP_WINDOW = timedelta(hours=24)  # free-form WhatsApp messages only this long after the client wrote


@dataclass(frozen=True, slots=True)
class Conversation:
    client_id: str
    last_channel: Channel | None = None
    last_inbound: dict[Channel, datetime] = field(default_factory=dict)
    choices: dict[str, str] = field(default_factory=dict)  # "1" → callback data (WhatsApp numbered choices)

    def window_open(self, now: datetime) -> bool:
        last = self.last_inbound.get(Channel.WHATSAPP)
        return last is not None and now - last < WHATSAPP_WINDOW

    @classmethod
    def from_doc(cls, client_id: str, doc: dict[str, Any] | None) -> Conversation:
        if not doc:
            return cls(client_id)
        last = doc.get("last_channel")
        return cls(
            client_id,
            Channel(last) if last else None,
            {Channel(c): datetime.fromisoformat(at) for c, at in (doc.get("last_inbound") or {}).items()},
            dict(doc.get("choices") or {}),
        )
