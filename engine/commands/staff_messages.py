"""The staff forum: what an Executive Assistant writes in a client's topic, elsewhere in the forum, or in a
private chat with the bot — a command (to the one dispatch) or, in a topic, a reply to the client."""

from __future__ import annotations

import structlog

from domain.clients import Assistant, Channel, Client
from domain.events import SYSTEM, Actor, ActorKind, EventType
from domain.messages import Inbound, Kind
from domain.outbound import DeleteMessage, Message, PostCard, from_doc, read_doc, text_of, topic_of
from engine import queries as q
from engine.clients.registry import refresh_card
from engine.commands.dispatch import dispatch, is_command
from engine.conversation.messages import relay_to_client
from engine.deps import Deps
from engine.forum.escalations import ESCALATIONS, ForumTopics
from engine.forum.topics import tell_topic
from engine.invocation import Invocation, Place, parse
from engine.outbox import to_forum
from engine.staff_texts import st
from engine.team import sign_in
from storage.deliveries import Delivery

log = structlog.get_logger(__name__)


def asked(
    assistant: Assistant,
    text: str,
    place: Place,
    cause: str,
    chat_id: int,
    about: Client | None = None,
    reply_to: int | None = None,
    message_id: int | None = None,
    request_id: str | None = None,
) -> Invocation:
    """A command as typed in Telegram."""
    name, args = parse(text)
    actor = Actor(ActorKind.ASSISTANT, assistant.id)
    return Invocation(
        name,
        assistant,
        actor,
        place,
        args,
        cause,
        about,
        request_id,
        chat_id,
        reply_to,
        message_id=message_id,
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
    """Only staff. In a client's topic: to the client, or a command. Elsewhere in the forum (General,
    ⚠️ Escalations): only commands; conversation there is left alone."""
    text = (message.text or "").strip()
    if message.kind is Kind.TEXT and text.startswith("/") and parse(text)[0] == "chatid":
        # setting up (no forum yet), the forum itself, or the team: a stranger writes nothing to the log
        if deps.staff_chat_id in (None, chat_id) or await q.staff_member(deps.store, user_id) is not None:
            await _tell_chat_id(deps, chat_id, thread_id, cause)
        return
    assistant = await q.staff_member(deps.store, user_id)
    thread = thread_id if is_topic else None
    client = await q.client_by_topic(deps.store, chat_id, thread) if thread is not None else None
    if assistant is not None and client is None:
        if message.kind is Kind.TEXT and text.startswith("/") and is_command(parse(text)[0]):
            purpose = await ForumTopics(deps).purpose_of(chat_id, thread) if thread is not None else None
            place = Place.ESCALATIONS if purpose == ESCALATIONS else Place.FORUM
            await dispatch(
                deps, asked(assistant, text, place, cause, chat_id, reply_to=_int(message.reply_to))
            )
        return
    if assistant is None or client is None:
        log.info("staff.ignored", staff=assistant is not None, topic_known=client is not None)
        return
    actor = Actor(ActorKind.ASSISTANT, assistant.id)
    if message.kind is Kind.TEXT and text.startswith("/"):
        typed, card = _int(message.message_id), await _card_of(deps, chat_id, message.reply_to)
        invocation = asked(
            assistant, text, Place.TOPIC, cause, chat_id, client, message_id=typed, request_id=card
        )
        await dispatch(deps, invocation)
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


async def _tell_chat_id(deps: Deps, chat_id: int, thread_id: int | None, cause: str) -> None:
    """/chatid in a group the bot is in: the id to put in TELEGRAM_STAFF_CHAT_ID (while setting up, nobody
    may be staff yet). Answered in the chat's General topic."""
    event = (
        await deps.record(
            f"forum:{chat_id}",
            EventType.STAFF_COMMAND_ISSUED,
            {"command": "chatid", "args": "", "thread": thread_id},
            SYSTEM,
            f"{cause}/chatid",
        )
    ).event
    forum = chat_id == deps.staff_chat_id
    text = st(None, "chatid-this-forum" if forum else "chatid-answer", chat=str(chat_id))
    await deps.deliver(to_forum(event, 1, chat_id, text))


async def _card_of(deps: Deps, chat_id: int, reply_to: int | str | None) -> str | None:
    """The request whose card a command answers (a swipe-reply to `📋 R-1002 …`): with several open, /quote,
    /edit, /done … act on that one, not on the latest."""
    if reply_to is None:
        return None
    delivery = await deps.store.deliveries.by_provider_message("telegram", f"{chat_id}:{reply_to}")
    card = str(delivery.payload.get("card") or "") if delivery is not None else ""
    return card.removeprefix("request:") if card.startswith("request:") else None


def _int(value: int | str | None) -> int | None:
    return int(value) if value is not None else None


async def private_command(deps: Deps, user_id: int, message: Inbound, cause: str) -> bool:
    """A staff command from a staff member in a private chat with the bot (True); anyone else is a client."""
    text = (message.text or "").strip()
    if not text.startswith("/") or not is_command(parse(text)[0]):
        return False
    assistant = await q.staff_member(deps.store, user_id)
    if assistant is None:
        return False
    await dispatch(deps, asked(assistant, text, Place.PRIVATE, cause, user_id))
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


async def refused(deps: Deps, delivery: Delivery, error: str) -> None:
    """Telegram refused for good to take a message out of a topic (a /quote that said a cost): the topic
    is told, so nobody believes it gone. Other refusals are the senders' own to report."""
    taken_out = read_doc(delivery.payload)  # (one this version cannot read fails on its own: not here)
    if not isinstance(taken_out, DeleteMessage):
        return
    client = await q.client(deps.store, taken_out.topic)
    events = await deps.store.events.by_ids([delivery.event_id])
    if client is None or not events:
        return
    await tell_topic(deps, client, events[0], lambda t: t("message-not-taken-out"), n=delivery.n + 1)


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
    if isinstance(sent, PostCard):  # (a copy of it may be above, no longer kept up to date)
        text = f"📋 {sent.card.removeprefix('request:')}" if sent.card != "client" else f"👤 {client.name}"
    await tell_topic(
        deps,
        client,
        event,
        lambda t: t("maybe-twice", where=where, preview=(text or t("a-file"))[:80]),
    )
