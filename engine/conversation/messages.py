"""Messages both ways: client → their topic, assistant → client; the client's commands."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import structlog

from domain.clients import Channel, Client
from domain.errors import InvalidValue
from domain.events import SYSTEM, Actor, Event, EventType
from domain.intake import Understanding
from domain.messages import Inbound, Kind, Person
from domain.outbound import Media, Message
from domain.texts import TELEGRAM_CAPTION_MAX
from engine import queries as q
from engine.clients import page
from engine.clients.merging import share_phone
from engine.clients.outbox import send, to_client
from engine.clients.registry import (
    ask_language,
    client_actor,
    ensure_client,
    ensure_client_with,
    greeting,
    language_from_words,
)
from engine.conversation import interpreting
from engine.conversation.phone_ask import ask_phone
from engine.deps import Deps, Entry, Recorded
from engine.forum.topics import ensure_topic, staff_chat_for, tell_topic, topic_request, topic_requested
from engine.outbox import WORDS_IN_CARD, Words, caption_room, original_of, relay_to_topic
from engine.requests import intake as requests_flow
from engine.requests import ratings
from engine.staff_texts import StaffText, for_client
from storage.deliveries import Delivery

log = structlog.get_logger(__name__)

_NO_CAPTION = (Kind.LOCATION, Kind.CONTACT)  # what has no words of its own to translate


async def received(
    deps: Deps, client: Client, message: Inbound, cause: str, command: str | None = None, first: bool = False
) -> Event:
    """`first`: the client was registered by this message (their conversation opens with it)."""
    return (await deps.record_all(_received(client.id, message, cause, command, first)))[0].event


def _received(client_id: str, message: Inbound, cause: str, command: str | None, first: bool) -> Entry:
    data: dict[str, Any] = {
        "channel": message.channel.value,
        "message": message.to_data(),
        "command": command,
    }
    if (message.extra or {}).get("edited"):
        data["edited"] = True  # a correction of words already received: nothing new to answer (awaiting.py)
    stream = f"conversation:{client_id}"
    return Entry(
        stream, EventType.MESSAGE_RECEIVED, data, client_actor(client_id), f"{cause}/received", opens=first
    )


async def _client_with_message(
    deps: Deps, person: Person, message: Inbound, cause: str, command: str | None = None, opens: bool = False
) -> tuple[Client, bool, Event, list[Recorded] | None]:
    """The client (registered on first contact) and their message recorded: with the registration when it
    makes one (one write for both), otherwise after. `opens`: the message goes into the topic — a
    conversation not open is opened with it (and their topic asked for): what was recorded of that, or None
    (the caller opens it)."""
    client, new, event = await ensure_client_with(
        deps, person, cause, lambda client_id: _received(client_id, message, cause, command, True)
    )
    client = await _reachable_again(deps, client, cause, message.channel)
    if event is not None:
        return client, new, event, None
    entries = [_received(client.id, message, cause, command, new)]
    if opens and not client.conversation_open:
        entries += await _opening(deps, client, cause)
    recorded = await deps.record_all(*entries)
    return client, new, recorded[0].event, recorded[1:] if len(recorded) > 1 else None


async def _reachable_again(
    deps: Deps, client: Client, cause: str, channel: Channel = Channel.TELEGRAM
) -> Client:
    """They wrote on this channel, so they can be reached there again (Telegram: they unblocked the bot)."""
    if channel not in client.unreachable:
        return client
    identity = client.identity(channel)
    if identity is None:  # (ensure_client found or linked them by this channel's identity)
        raise LookupError(f"client {client.id} wrote on {channel.value} but has no identity there")
    await deps.record(
        f"client:{client.id}",
        EventType.CLIENT_IDENTITY_LINKED,
        {"identity": identity.to_data()},
        client_actor(client.id),
        f"{cause}/reachable",
    )
    return await q.known_client(deps.store, client.id)


async def start(deps: Deps, person: Person, message: Inbound, cause: str) -> None:
    """/start: register (or welcome back); ask the language when Telegram's is not one we speak."""
    client, new, event, _ = await _client_with_message(deps, person, message, cause, "start")
    await page.set_menu(deps, client, event, 2)  # the chat's menu button opens their page
    if client.language is None:
        await ask_language(deps, client, event, 0)
    else:
        await to_client(deps, client, event, 0, await greeting(deps, client, returning=not new))


async def help_command(deps: Deps, person: Person, message: Inbound, cause: str) -> None:
    client, _new = await ensure_client(deps, person, cause)
    event = await received(deps, client, message, cause, command="help")
    await to_client(deps, client, event, 0, deps.t(client.language, "help"))


async def app_command(deps: Deps, person: Person, message: Inbound, cause: str) -> None:
    """/app (or "app" on WhatsApp): their own page — the Mini App's button, or a one-time link."""
    client, _new = await ensure_client(deps, person, cause)
    event = await received(deps, client, message, cause, command="app")
    await page.offer(deps, client, event, 0)


async def language_command(deps: Deps, person: Person, message: Inbound, cause: str) -> None:
    client, _new = await ensure_client(deps, person, cause)
    event = await received(deps, client, message, cause, command="language")
    await ask_language(deps, client, event, 0)


async def client_message(deps: Deps, person: Person, message: Inbound, cause: str) -> None:
    """A real message: kept, relayed into the client's topic (created on the first one), in order."""
    own_contact = message.kind is Kind.CONTACT and bool(message.extra and message.extra.get("own"))
    client, new, event, opened = await _client_with_message(
        deps, person, message, cause, opens=not own_contact
    )
    if own_contact and message.extra:
        try:
            client = await share_phone(deps, client, message.extra["phone_number"], f"{cause}/phone")
        except InvalidValue:
            log.info("contact.unusable_phone", client_id=client.id)
    if new and client.language is not None:
        await to_client(deps, client, event, 1, await greeting(deps, client))
    elif new:
        await ask_language(deps, client, event, 1)
    elif message.kind is Kind.TEXT and client.language is None:  # asked, not answered: they write in it
        client = await language_from_words(deps, client, person, cause)
    words = await _into_topic(deps, client, event, message, cause, opened)
    if words is None:
        return
    if message.kind is not Kind.TEXT or not message.text:
        await deps.deliver(*words.relayed)
        return
    try:
        if await ratings.comment(deps, client, message.text, cause):
            await deps.deliver(*words.relayed)
            return  # a word about the service just rated, not a new request
        await requests_flow.intake(deps, client, message.text, cause, words)  # relayed, or in the card
    except Exception:
        await requests_flow.words_shown(deps, words, cause)  # (then the item is retried, or set aside)
        raise
    await ask_phone(deps, client, message.text, cause)


async def client_edited(deps: Deps, person: Person, message: Inbound, cause: str) -> None:
    """A text the client changed after sending it (Telegram): the new words go into their topic marked as an
    edit, so the assistant reads the correction; not read again for a request (the first words were)."""
    client = await q.client_by_identity(deps.store, person.identity)
    if client is None or message.kind is not Kind.TEXT or not message.text:
        return  # (a caption changed under a file already copied: the copy keeps the first)
    if message.text.lstrip().startswith("/"):
        return  # a command typed again: commands act when sent, and an edit is no new message
    edited = replace(message, extra={"edited": True})
    words = await _into_topic(deps, client, await received(deps, client, edited, cause), edited, cause)
    if words is not None:
        await deps.deliver(*words.relayed)


async def from_app(deps: Deps, client: Client, message: Inbound, asked: Understanding, cause: str) -> None:
    """A request made in the client's own page (the Mini App): their words as a message of theirs, relayed
    like one (so the response clock starts), and a request opened with exactly what the form said."""
    event = await received(deps, client, message, cause)
    words = await _into_topic(deps, client, event, message, cause)
    if words is None:
        return
    actor, text = client_actor(client.id), message.text or ""
    try:
        await requests_flow.open_request(
            deps, client, text, actor, f"{cause}/request", learned=asked, words=words
        )
    except Exception:
        await requests_flow.words_shown(deps, words, cause)
        raise


async def _opening(deps: Deps, client: Client, cause: str) -> list[Entry]:
    """The conversation opened, and the client's topic asked for with it when they have none (one write
    for both)."""
    opening = Entry(f"client:{client.id}", EventType.CONVERSATION_OPENED, {}, SYSTEM, f"{cause}/open")
    staff_chat = await staff_chat_for(deps, client) if client.needs_topic else None
    return [opening, *([topic_request(client, staff_chat)] if staff_chat is not None else [])]


async def _opened(deps: Deps, client_id: str, recorded: list[Recorded]) -> None:
    """After the opening (`_opening`, recorded): the topic asked for with it set up, or, as after any
    opening, the client's topic made sure of (recorded alone: an earlier attempt's, or none asked for)."""
    client = await q.known_client(deps.store, client_id)
    if len(recorded) == 2:
        await topic_requested(deps, client, recorded[1].event, fresh=not recorded[1].duplicate)
    else:
        await ensure_topic(deps, client)


async def _into_topic(
    deps: Deps,
    client: Client,
    event: Event,
    message: Inbound,
    cause: str,
    opened: list[Recorded] | None = None,
) -> Words | None:
    """The message on its way into the client's topic (opened on the first): its relay, to be stored by the
    caller (or carried by the card of the request it opens); None while no forum is set. `opened`: the
    opening recorded with the message."""
    if opened is not None:
        await _opened(deps, client.id, opened)
    elif not client.conversation_open:
        known = await q.known_client(deps.store, client.id)
        await _opened(deps, client.id, await deps.record_all(*await _opening(deps, known, cause)))
    else:
        await ensure_topic(deps, await q.known_client(deps.store, client.id))
    client = await q.known_client(deps.store, client.id)
    staff_chat = await staff_chat_for(deps, client)
    if staff_chat is None:
        log.error("relay.no_staff_forum", client_id=client.id)  # kept in the log; relayed once configured
        return None
    reply_to = await _counterpart(deps, message.chat_id, message.reply_to)
    translation, note = None, ""
    if message.text and message.kind not in _NO_CAPTION:  # a text, or a file's caption (within its limit)
        limit = None if message.kind is Kind.TEXT else caption_room(message.channel)
        translated = await interpreting.for_assistant(deps, client, event, message.text, limit)
        if translated is not None and translated.text is None:  # needed, and the provider failed us
            note = (await for_client(deps, client))("translation-unavailable") + "\n"
        translation = translated.text if translated is not None else None
    relay, *more = relay_to_topic(event, 0, staff_chat, client.id, message, reply_to, translation, note)
    foldable = message.kind is Kind.TEXT and reply_to is None and not note and not more
    foldable &= max(len(message.text or ""), len(translation or "")) <= WORDS_IN_CARD
    via = None if message.channel is Channel.TELEGRAM else message.channel.value
    return Words(_with_source(relay, message.message_id), message.message_id, foldable, via, tuple(more))


def _with_source(delivery: Delivery, source: int | str) -> Delivery:
    """Remember which message it carries, so a reply to the copy can be threaded to the original."""
    return replace(delivery, meta={"source": source})


async def _counterpart(deps: Deps, chat_id: int | str, reply_to: int | str | None) -> int | None:
    """The message on the other side that a reply points at: replies stay threaded across the relay."""
    if reply_to is None:
        return None
    delivery = await deps.store.deliveries.by_provider_message("telegram", f"{chat_id}:{reply_to}")
    source = str(delivery.meta.get("source")) if delivery else ""
    # a Telegram message id; a WhatsApp message's or one made in the app cannot be replied to there
    return int(source) if source.lstrip("-").isdigit() else None


async def relay_to_client(
    deps: Deps, client: Client, assistant: Actor, message: Inbound, cause: str, written_in: str | None = None
) -> Event:
    """`written_in`: the language the text is known to be in (a saved reply's); else the writer's."""
    event = (
        await deps.record(
            f"conversation:{client.id}",
            EventType.STAFF_MESSAGE_SENT,
            {"assistant_id": assistant.id, "message": message.to_data()},
            assistant,
            f"{cause}/sent",
        )
    ).event
    reply_to = await _counterpart(deps, message.chat_id, message.reply_to)
    text = message.text or ""
    if text and message.kind not in _NO_CAPTION:  # a text, or a file's caption (within its limit)
        limit = None if message.kind is Kind.TEXT else TELEGRAM_CAPTION_MAX
        text = await in_their_language(deps, client, assistant.id, event, text, written_in, limit)
    outbound = Message(text, reply_to=None if reply_to is None else str(reply_to))
    if message.kind is not Kind.TEXT:
        extra = message.extra or {}
        media = Media(
            message.kind,
            url=extra.get("url"),  # a file sent from the console, kept in the store
            file_id=extra.get("file_id"),
            content_type=extra.get("mime_type"),
            file_name=extra.get("file_name"),
            size=extra.get("file_size"),
        )
        original = None if extra.get("url") else original_of(message)  # (posted in the topic: copied)
        outbound = replace(outbound, media=media, original=original, recaption=text != (message.text or ""))
    composed = await send(
        deps, client, event, 0, outbound, meta={"source": message.message_id}, even_unreachable=True
    )
    if composed is not None and (refused := composed.refused) is not None:
        await tell_topic(
            deps,
            client,
            event,
            lambda t: t(
                refused.notice, problem=refused.problem, kind=refused.kind, megabytes=refused.megabytes
            ),
        )
    return event


async def in_their_language(
    deps: Deps,
    client: Client,
    assistant_id: str,
    event: Event,
    text: str,
    written_in: str | None = None,
    limit: int | None = None,
) -> str:
    """What the client is sent: the assistant's words, translated when the client does not read them; the
    topic is told what went (or that the translation could not be had, and the words went as written)."""
    if deps.interpreter is None or not client.translated:  # (no read on a reply's path when it is off)
        return text
    writer = await q.assistant(deps.store, assistant_id)
    translated = await interpreting.for_client(deps, client, writer, event, text, written_in, limit)
    if translated is None:
        return text
    said = translated.text
    language = translated.target

    def line(t: StaffText) -> str:
        if said is None:
            return t("translation-not-sent")
        return t("translation-sent", tongue=t(f"language-{language}"), text=said)

    await tell_topic(deps, client, event, line, 1)
    return said or text
