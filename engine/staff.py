"""The staff forum: what an Executive Assistant writes in a client's topic."""

from __future__ import annotations

import structlog

from domain.clients import Channel
from domain.events import SYSTEM, Actor, ActorKind, EventType
from domain.messages import Inbound, Kind
from engine import queries as q
from engine import topic_commands
from engine.clients import refresh_card
from engine.conversation import relay_to_client
from engine.deps import Deps
from engine.topics import tell_topic
from storage.deliveries import Delivery

log = structlog.get_logger(__name__)


async def staff_message(
    deps: Deps,
    user_id: int,
    chat_id: int,
    thread_id: int | None,
    is_topic: bool,
    message: Inbound,
    cause: str,
) -> None:
    """Only staff, only in a client's topic: the General topic and other chats never act as staff."""
    if not is_topic or thread_id is None:
        return
    assistant = await q.staff_member(deps.store, user_id)
    client = await q.client_by_topic(deps.store, chat_id, thread_id)
    if assistant is None or client is None:
        log.info("staff.ignored", staff=assistant is not None, topic_known=client is not None)
        return
    actor = Actor(ActorKind.ASSISTANT, assistant.id)
    text = (message.text or "").strip()
    if message.kind is Kind.TEXT and text.startswith("/"):
        await topic_commands.dispatch(deps, assistant, client, text, cause)
        return
    if Channel.TELEGRAM in client.unreachable:
        event = await deps.record(
            f"conversation:{client.id}",
            EventType.STAFF_COMMAND_ISSUED,
            {"command": "undeliverable", "args": ""},
            actor,
            f"{cause}/command",
        )
        await tell_topic(deps, client, event, "⚠️ Not delivered: the client has blocked the bot on Telegram.")
        return
    await relay_to_client(deps, client, actor, message, cause)


async def client_blocked(deps: Deps, delivery: Delivery) -> None:
    """The client blocked the bot: remember it once and tell the assistant in the topic."""
    client = await q.client_by_identity_key(deps.store, f"telegram:{delivery.chat}")
    if client is None or Channel.TELEGRAM in client.unreachable:
        return
    event = await deps.record(
        f"client:{client.id}",
        EventType.CLIENT_UNREACHABLE,
        {"channel": "telegram"},
        SYSTEM,
        f"blocked:{delivery.id}",
    )
    await tell_topic(
        deps,
        client,
        event,
        "⚠️ The client has blocked the bot on Telegram: messages to them are not delivered. "
        "They will reach us again as soon as they write.",
    )
    await refresh_card(deps, event, 1, await q.client(deps.store, client.id))


async def maybe_twice(deps: Deps, delivery: Delivery) -> None:
    """A message sent again after an interruption may have arrived twice: the assistant hears it, once."""
    client_id = delivery.payload.get("topic_of")
    if client_id:
        client, where = await q.client(deps.store, client_id), "in this topic"
    else:
        client, where = (
            await q.client_by_identity_key(deps.store, f"telegram:{delivery.chat}"),
            "to the client",
        )
    if client is None:
        return
    event = await deps.record(
        f"conversation:{client.id}",
        EventType.DELIVERY_PROBLEM,
        {"channel": "telegram", "problem": "maybe-twice", "delivery": delivery.id},
        SYSTEM,
        f"maybe-twice:{delivery.id}",
    )
    preview = (delivery.payload.get("text") or "a file")[:80]
    await tell_topic(
        deps, client, event, f"⚠️ After an interruption this may have been sent twice {where}: “{preview}”"
    )
