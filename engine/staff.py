"""The staff forum: what an Executive Assistant writes in a client's topic."""

from __future__ import annotations

import structlog

from domain.clients import Assistant, Channel, Client
from domain.events import SYSTEM, Actor, ActorKind, Event, EventType
from domain.messages import Inbound, Kind
from engine import queries as q
from engine import request_commands
from engine.client_outbox import to_client
from engine.clients import refresh_card
from engine.conversation import relay_to_client
from engine.deps import Deps
from engine.outbox import card_update
from engine.topics import staff_chat_for, tell_topic
from storage.deliveries import Delivery

log = structlog.get_logger(__name__)

HELP = (
    "Commands in a client's topic: /note <text> (internal), /card, /close, /assign <name> (leads).\n"
    "Requests: /quote <amount> [RUB|USD|EUR|AED] <description> (or /quote RUB and one 'item — amount' per "
    "line), /edit when|category|guests|place|budget <value>, /new [text], /progress, /done, "
    "/cancel <reason>, /refund [amount] (leads).\n"
    "Anything else you write here goes to the client."
)


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
        command, _, args = text[1:].partition(" ")
        await _command(deps, assistant, actor, client, command.split("@")[0].lower(), args.strip(), cause)
        return
    if Channel.TELEGRAM in client.unreachable:
        event = await _audit(deps, client, actor, "undeliverable", "", cause)
        await tell_topic(deps, client, event, "⚠️ Not delivered: the client has blocked the bot on Telegram.")
        return
    await relay_to_client(deps, client, actor, message, cause)


async def _audit(deps: Deps, client: Client, actor: Actor, command: str, args: str, cause: str) -> Event:
    return await deps.record(
        f"conversation:{client.id}",
        EventType.STAFF_COMMAND_ISSUED,
        {"command": command, "args": args},
        actor,
        f"{cause}/command",
    )


async def _command(
    deps: Deps, assistant: Assistant, actor: Actor, client: Client, command: str, args: str, cause: str
) -> None:
    if command == "note":
        await deps.record(
            f"conversation:{client.id}",
            EventType.NOTE_ADDED,
            {"assistant_id": assistant.id, "text": args},
            actor,
            f"{cause}/note",
        )
        return
    event = await _audit(deps, client, actor, command, args, cause)
    if command == "card":
        staff_chat = await staff_chat_for(deps, client)
        if staff_chat is not None:
            await deps.deliver(card_update(event, 0, staff_chat, client.id, repost=True))
    elif command == "close":
        await _close(deps, assistant, actor, client, event, cause)
    elif command == "assign":
        await _assign(deps, assistant, client, event, args, cause)
    elif not await request_commands.command(deps, actor, assistant.lead, client, command, args, event, cause):
        await tell_topic(deps, client, event, f"Unknown command /{command}.\n{HELP}")


async def _close(
    deps: Deps, assistant: Assistant, actor: Actor, client: Client, event: Event, cause: str
) -> None:
    if client.conversation_open:
        await deps.record(
            f"client:{client.id}",
            EventType.CONVERSATION_CLOSED,
            {"by": assistant.id},
            actor,
            f"{cause}/close",
        )
    text = deps.t(client.language, "conversation-closed", name=client.name.split()[0])
    await to_client(deps, client, event, 0, text)
    await tell_topic(
        deps, client, event, f"✅ Conversation closed by {assistant.name}; the client was told.", 1
    )


async def _assign(deps: Deps, lead: Assistant, client: Client, event: Event, name: str, cause: str) -> None:
    if not lead.lead:
        await tell_topic(deps, client, event, "Only a lead can reassign a client.")
        return
    wanted = name.lower().lstrip("@")
    match = [a for a in await q.assistants(deps.store) if a.active and a.name.lower() == wanted]
    if not match:
        await tell_topic(deps, client, event, f"No active assistant is called “{name}”. Try /assign <name>.")
        return
    await deps.record(
        f"client:{client.id}",
        EventType.CLIENT_ASSIGNED,
        {"assistant_id": match[0].id},
        SYSTEM,
        f"{cause}/assign",
    )
    await tell_topic(deps, client, event, f"➡️ {client.name} is now with {match[0].name}.")
    await refresh_card(deps, event, 1, await q.client(deps.store, client.id))


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
