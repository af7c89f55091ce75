"""Commands about the conversation itself: /note, /card, /close, and the leads' /assign and /take (in the
client's topic, in the console, or answering an escalation line)."""

from __future__ import annotations

from domain.clients import Client
from domain.errors import InvalidValue
from domain.events import EventType
from domain.outbound import Message, read_doc
from engine import queries as q
from engine.clients.merging import client_id_said
from engine.clients.outbox import to_client
from engine.clients.registry import reassign
from engine.conversation import interpreting
from engine.deps import Deps
from engine.forum.topics import staff_chat_for, tell_topic
from engine.invocation import Invocation, Place
from engine.outbox import card_update
from engine.staff_texts import st


async def note(deps: Deps, cmd: Invocation) -> None:
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
    if cmd.place is Place.CONSOLE:  # typed in the topic, it is there already
        await tell_topic(
            deps, cmd.client, noted, lambda t: t("console-note", assistant=cmd.assistant.name, text=cmd.args)
        )


async def card(deps: Deps, cmd: Invocation) -> None:
    staff_chat = await staff_chat_for(deps, cmd.client)
    if staff_chat is not None:
        await deps.deliver(card_update(cmd.recorded, 0, staff_chat, cmd.client.id, repost=True))


async def close(deps: Deps, cmd: Invocation) -> None:
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


async def _client_meant(deps: Deps, cmd: Invocation, words: str) -> Client:
    """The client a lead means: the topic's (or the console page's), the one an escalation line they answer
    is about, or a client id among `words`."""
    if cmd.about is not None:
        return cmd.about
    if cmd.reply_to is not None and cmd.chat_id is not None:
        line = await deps.store.deliveries.by_provider_message("telegram", f"{cmd.chat_id}:{cmd.reply_to}")
        out = read_doc(line.payload) if line else None
        about = (out.about or out.topic) if isinstance(out, Message) else None
        if about and (client := await q.client(deps.store, about)):
            return client
    wanted = client_id_said(words)
    if wanted and (client := await q.client(deps.store, wanted)):
        return client
    raise InvalidValue("Answer an escalation line with /take (or write /take C-1042).", key="take-what")


async def assign(deps: Deps, cmd: Invocation) -> str | None:
    client = await _client_meant(deps, cmd, "")
    chosen = await q.active_assistant_named(deps.store, cmd.args)
    if chosen is None:
        if cmd.about is None:
            raise InvalidValue(
                f"No active assistant is called “{cmd.args.strip()}”. Answer the line with /assign <name>.",
                key="no-assistant-line",
                name=cmd.args.strip(),
            )
        raise InvalidValue(
            f"No active assistant is called “{cmd.args}”. Try /assign <name>.",
            key="no-assistant",
            name=cmd.args,
        )
    await interpreting.for_new_assistant(deps, client, chosen)  # (before the cards are edited)
    await reassign(deps, client, chosen, cmd.actor, cmd.recorded, "assigned")
    return _moved(cmd, client, chosen.name)


async def take(deps: Deps, cmd: Invocation) -> str | None:
    client = await _client_meant(deps, cmd, cmd.args)
    await interpreting.for_new_assistant(deps, client, cmd.assistant)
    await reassign(deps, client, cmd.assistant, cmd.actor, cmd.recorded, "taken")
    return _moved(cmd, client, cmd.assistant.name)


def _moved(cmd: Invocation, client: Client, to: str) -> str | None:
    """Answering a line elsewhere in the forum, the lead hears where the client went (a topic and the
    console see the handover itself)."""
    return None if cmd.about is not None else st(cmd.assistant, "moved", client=client.name, assistant=to)
