"""Topic commands about the conversation itself: /note, /card, /close, /assign."""

from __future__ import annotations

from domain.errors import InvalidValue
from domain.events import EventType
from engine import queries as q
from engine.clients.outbox import to_client
from engine.clients.registry import reassign
from engine.commands import forum as staff_commands
from engine.commands.forum import Where
from engine.deps import Deps
from engine.forum.topics import staff_chat_for, tell_topic
from engine.invocation import TopicCommand
from engine.outbox import card_update


async def note(deps: Deps, cmd: TopicCommand) -> None:
    if not cmd.args.strip():
        raise InvalidValue("A note needs a text: /note <text>.", key="note-empty")
    noted = (
        await deps.record(
            f"conversation:{cmd.client.id}",
            EventType.NOTE_ADDED,
            {"assistant_id": cmd.assistant.id, "text": cmd.args},
            cmd.actor,
            f"{cmd.cause}/note",
        )
    ).event
    if cmd.via == "console":  # typed in the topic, it is there already
        await tell_topic(
            deps, cmd.client, noted, lambda t: t("console-note", assistant=cmd.assistant.name, text=cmd.args)
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
    await tell_topic(deps, client, cmd.recorded, lambda t: t("closed", assistant=cmd.assistant.name), 1)


async def assign(deps: Deps, cmd: TopicCommand) -> None:
    chosen = await q.active_assistant_named(deps.store, cmd.args)
    if chosen is None:
        raise InvalidValue(
            f"No active assistant is called “{cmd.args}”. Try /assign <name>.",
            key="no-assistant",
            name=cmd.args,
        )
    await reassign(deps, cmd.client, chosen, cmd.actor, cmd.recorded, "assigned")


async def take(deps: Deps, cmd: TopicCommand) -> None:
    await reassign(deps, cmd.client, cmd.assistant, cmd.actor, cmd.recorded, "taken")


async def anywhere(deps: Deps, cmd: TopicCommand) -> None:
    """/away /back /stats typed in a client's topic: as anywhere in the forum, answered in the topic."""
    where = Where(cmd.client.topic.chat_id if cmd.client.topic else 0)
    answer = await staff_commands.run(deps, cmd.assistant, f"/{cmd.name} {cmd.args}", where, cmd.recorded)
    await tell_topic(deps, cmd.client, cmd.recorded, answer)
