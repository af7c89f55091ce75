"""The staff forum: what an Executive Assistant writes in a client's topic."""

from __future__ import annotations

import structlog

from domain.clients import Channel
from domain.events import SYSTEM, Actor, ActorKind, EventType
from domain.messages import Inbound, Kind
from domain.outbound import Message, from_doc, text_of, topic_of
from engine import queries as q
from engine.clients.registry import refresh_card
from engine.commands import forum as staff_commands
from engine.commands import topic as topic_commands
from engine.conversation.messages import relay_to_client
from engine.deps import Deps
from engine.forum.escalations import ForumTopics
from engine.forum.topics import tell_topic
from engine.team import sign_in
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
    """Only staff. In a client's topic: to the client, or a topic command. Elsewhere in the forum (General,
    ⚠️ Escalations): only the staff commands that work anywhere; conversation there is left alone."""
    assistant = await q.staff_member(deps.store, user_id)
    thread = thread_id if is_topic else None  # a forum topic's (None: General, or not a forum)
    client = await q.client_by_topic(deps.store, chat_id, thread) if thread is not None else None
    if assistant is not None and client is None:
        if message.kind is Kind.TEXT and staff_commands.is_command(message.text):
            purpose = await ForumTopics(deps).purpose_of(chat_id, thread) if thread is not None else None
            where = staff_commands.Where(chat_id, purpose, reply_to=_int(message.reply_to))
            await staff_commands.dispatch(deps, assistant, message.text.strip(), where, cause)
        return
    if assistant is None or client is None:
        log.info("staff.ignored", staff=assistant is not None, topic_known=client is not None)
        return
    actor = Actor(ActorKind.ASSISTANT, assistant.id)
    text = (message.text or "").strip()
    if message.kind is Kind.TEXT and text.startswith("/"):
        await topic_commands.dispatch(deps, assistant, client, text, cause)
        return
    why = None
    if not client.identities:
        why = "calls-only-client"  # they have only called: no chat to write to
    elif Channel.TELEGRAM in client.unreachable:
        why = "not-delivered-blocked"
    if why is not None:
        event = (
            await deps.record(
                f"conversation:{client.id}",
                EventType.STAFF_COMMAND_ISSUED,
                {"command": "undeliverable", "args": ""},
                actor,
                f"{cause}/command",
            )
        ).event
        await tell_topic(deps, client, event, lambda t: t(why))
        return
    await relay_to_client(deps, client, actor, message, cause)


def _int(value: int | str | None) -> int | None:
    return int(value) if value is not None else None


async def private_command(deps: Deps, user_id: int, message: Inbound, cause: str) -> bool:
    """/away /back /stats from an assistant in a private chat with the bot (True); anyone else is a client."""
    if not staff_commands.is_command(message.text, private=True):
        return False
    assistant = await q.staff_member(deps.store, user_id)
    if assistant is None:
        return False
    where = staff_commands.Where(user_id, private=True)
    await staff_commands.dispatch(deps, assistant, (message.text or "").strip(), where, cause)
    return True


async def client_blocked(deps: Deps, delivery: Delivery) -> None:
    """The client blocked the bot: remember it once and tell the assistant in the topic. (A sign-in link that
    could not reach an assistant is told where they asked for it.)"""
    sent = from_doc(delivery.payload)
    if isinstance(sent, Message) and sent.sign_in is not None:
        await sign_in.undeliverable(deps, delivery)
        return
    client = await q.client_by_identity_key(deps.store, f"telegram:{delivery.chat}")
    if client is None or Channel.TELEGRAM in client.unreachable:
        return
    event = (
        await deps.record(
            f"client:{client.id}",
            EventType.CLIENT_UNREACHABLE,
            {"channel": "telegram"},
            SYSTEM,
            f"blocked:{delivery.id}",
        )
    ).event
    await tell_topic(
        deps,
        client,
        event,
        lambda t: t("client-blocked"),
    )
    await refresh_card(deps, event, 1, await q.known_client(deps.store, client.id))


async def maybe_twice(deps: Deps, delivery: Delivery) -> None:
    """A message sent again after an interruption may have arrived twice: the assistant hears it, once."""
    sent = from_doc(delivery.payload)
    client_id = topic_of(sent)
    if client_id:
        client, where = await q.client(deps.store, client_id), "topic"
    else:
        client, where = await q.client_by_identity_key(deps.store, f"telegram:{delivery.chat}"), "client"
    if client is None:
        return
    event = (
        await deps.record(
            f"conversation:{client.id}",
            EventType.DELIVERY_PROBLEM,
            {"channel": "telegram", "problem": "maybe-twice", "delivery": delivery.id},
            SYSTEM,
            f"maybe-twice:{delivery.id}",
        )
    ).event
    text = text_of(sent)
    await tell_topic(
        deps,
        client,
        event,
        lambda t: t("maybe-twice", where=where, preview=(text or t("a-file"))[:80]),
    )
