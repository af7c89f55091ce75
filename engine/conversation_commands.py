"""Topic commands about the conversation itself: /note, /card, /close, /assign."""

from __future__ import annotations

from domain.errors import InvalidValue
from domain.events import SYSTEM, EventType
from engine import queries as q
from engine.client_outbox import to_client
from engine.clients import refresh_card
from engine.deps import Deps
from engine.outbox import card_update
from engine.topic_command import TopicCommand
from engine.topics import staff_chat_for, tell_topic


async def note(deps: Deps, cmd: TopicCommand) -> None:
    await deps.record(
        f"conversation:{cmd.client.id}",
        EventType.NOTE_ADDED,
        {"assistant_id": cmd.assistant.id, "text": cmd.args},
        cmd.actor,
        f"{cmd.cause}/note",
    )


async def card(deps: Deps, cmd: TopicCommand) -> None:
    staff_chat = await staff_chat_for(deps, cmd.client)
    if staff_chat is not None:
        await deps.deliver(card_update(cmd.recorded, 0, staff_chat, cmd.client.id, repost=True))


async def close(deps: Deps, cmd: TopicCommand) -> None:
    client = cmd.client
    if client.conversation_open:
        await deps.record(
            f"client:{client.id}",
            EventType.CONVERSATION_CLOSED,
            {"by": cmd.assistant.id},
            cmd.actor,
            f"{cmd.cause}/close",
        )
    text = deps.t(client.language, "conversation-closed", name=client.name.split()[0])
    await to_client(deps, client, cmd.recorded, 0, text)
    await tell_topic(
        deps, client, cmd.recorded, f"✅ Conversation closed by {cmd.assistant.name}; the client was told.", 1
    )


async def assign(deps: Deps, cmd: TopicCommand) -> None:
    client, name = cmd.client, cmd.args
    wanted = name.lower().lstrip("@")
    match = [a for a in await q.assistants(deps.store) if a.active and a.name.lower() == wanted]
    if not match:
        raise InvalidValue(f"No active assistant is called “{name}”. Try /assign <name>.")
    await deps.record(
        f"client:{client.id}",
        EventType.CLIENT_ASSIGNED,
        {"assistant_id": match[0].id},
        SYSTEM,
        f"{cmd.cause}/assign",
    )
    await tell_topic(deps, client, cmd.recorded, f"➡️ {client.name} is now with {match[0].name}.")
    await refresh_card(deps, cmd.recorded, 1, await q.client(deps.store, client.id))
