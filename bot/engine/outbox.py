"""Builds Telegram deliveries. Every one derives from an event: id = '<event id>:<n>'."""

from __future__ import annotations

from typing import Any

from domain.events import Event
from domain.messages import Inbound, Kind
from storage.deliveries import Delivery

TELEGRAM = "telegram"


def to_private_chat(
    event: Event,
    n: int,
    chat_id: int,
    text: str,
    *,
    buttons: list[list[dict[str, str]]] | None = None,
    reply_to: int | None = None,
) -> Delivery:
    payload: dict[str, Any] = {
        "op": "text",
        "chat_id": chat_id,
        "text": text,
        "buttons": buttons,
        "reply_to": reply_to,
    }
    return Delivery(f"{event.id}:{n}", TELEGRAM, str(chat_id), payload, event.id, lane=f"tg:{chat_id}")


def copy_to_private_chat(
    event: Event, n: int, chat_id: int, message: Inbound, reply_to: int | None = None
) -> Delivery:
    payload = {
        "op": "copy",
        "chat_id": chat_id,
        "from_chat_id": message.chat_id,
        "message_id": message.message_id,
        "reply_to": reply_to,
    }
    return Delivery(f"{event.id}:{n}", TELEGRAM, str(chat_id), payload, event.id, lane=f"tg:{chat_id}")


def _topic_lane(staff_chat_id: int, client_id: str) -> str:
    return f"tg:{staff_chat_id}:{client_id}"


def to_topic(
    event: Event,
    n: int,
    staff_chat_id: int,
    client_id: str,
    text: str,
    *,
    merge: bool = False,
    reply_to: int | None = None,
) -> Delivery:
    payload = {
        "op": "text",
        "chat_id": staff_chat_id,
        "topic_of": client_id,
        "text": text,
        "reply_to": reply_to,
    }
    return Delivery(
        f"{event.id}:{n}",
        TELEGRAM,
        str(staff_chat_id),
        payload,
        event.id,
        lane=_topic_lane(staff_chat_id, client_id),
        merge_key=f"topic:{client_id}" if merge else None,
    )


def relay_to_topic(
    event: Event, n: int, staff_chat_id: int, client_id: str, message: Inbound, reply_to: int | None = None
) -> Delivery:
    """Text is sent (and may be merged under pressure); anything else is copied as it is."""
    if message.kind is Kind.TEXT:
        return to_topic(event, n, staff_chat_id, client_id, message.text or "", merge=True, reply_to=reply_to)
    payload = {
        "op": "copy",
        "chat_id": staff_chat_id,
        "topic_of": client_id,
        "from_chat_id": message.chat_id,
        "message_id": message.message_id,
        "reply_to": reply_to,
    }
    return Delivery(
        f"{event.id}:{n}",
        TELEGRAM,
        str(staff_chat_id),
        payload,
        event.id,
        lane=_topic_lane(staff_chat_id, client_id),
    )


def topic_setup(
    event: Event, staff_chat_id: int, client_id: str, generation: int, name: str
) -> list[Delivery]:
    """Create the topic, then post and pin the card: first in the lane, before anything waiting there."""
    lane = _topic_lane(staff_chat_id, client_id)
    create = {
        "op": "create_topic",
        "chat_id": staff_chat_id,
        "client_id": client_id,
        "generation": generation,
        "name": name,
    }
    card = {"op": "card", "chat_id": staff_chat_id, "topic_of": client_id}
    return [
        Delivery(f"{event.id}:0", TELEGRAM, str(staff_chat_id), create, event.id, lane=lane, prio=0),
        Delivery(f"{event.id}:1", TELEGRAM, str(staff_chat_id), card, event.id, lane=lane, prio=0),
    ]


def card_update(event: Event, n: int, staff_chat_id: int, client_id: str, repost: bool = False) -> Delivery:
    payload = {"op": "card" if repost else "edit_card", "chat_id": staff_chat_id, "topic_of": client_id}
    return Delivery(
        f"{event.id}:{n}",
        TELEGRAM,
        str(staff_chat_id),
        payload,
        event.id,
        lane=_topic_lane(staff_chat_id, client_id),
    )
