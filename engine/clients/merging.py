"""One person, one client: a phone shared on Telegram that an earlier client already uses (they wrote on
WhatsApp first) joins the two. The earlier client stays; the later one is merged into it by events (its
identities linked there, its open requests moved there, itself marked merged), and its topic is closed with a
pointer to the surviving one."""

from __future__ import annotations

import re

from domain.clients import Client
from domain.errors import InvalidValue
from domain.events import SYSTEM, Event, EventType
from domain.phones import to_e164
from engine import queries as q
from engine.clients.registry import client_actor, refresh_card
from engine.deps import Deps
from engine.forum.escalations import topic_link
from engine.forum.staff_chat import staff_chat_for
from engine.forum.topics import CHANNEL_NAMES, tell_topic
from engine.invocation import Invocation
from engine.outbox import close_topic
from engine.staff_texts import StaffText


async def share_phone(deps: Deps, client: Client, raw: str, cause: str) -> Client:
    """Kept, and shown on the card; returns the client to go on with (the earlier one, when the same person
    wrote on WhatsApp first)."""
    phone = to_e164(raw)
    event = (
        await deps.record(
            f"client:{client.id}",
            EventType.CLIENT_PHONE_SHARED,
            {"phone": phone},
            client_actor(client.id),
            cause,
        )
    ).event
    client = await q.known_client(deps.store, client.id)
    await refresh_card(deps, event, 0, client)
    return await merge_same_phone(deps, client, phone, cause)


def _number(client: Client) -> int:
    return int(client.id.split("-")[1])


async def merge_same_phone(deps: Deps, client: Client, phone: str, cause: str) -> Client:
    """After `client` shared `phone`: the client to go on with (the earlier one, if they are the same person).
    Two clients are one person only when their channels do not overlap (one on Telegram, one on WhatsApp)."""
    for other in await q.clients_with_phone(deps.store, phone):
        if other.id == client.id or other.merged_into:
            continue
        channels = {i.channel for i in client.identities}
        if channels & {i.channel for i in other.identities}:
            continue  # two accounts on one channel: two people sharing a number, or a mistake; left apart
        survivor, duplicate = (other, client) if _number(other) < _number(client) else (client, other)
        return await merge(deps, survivor, duplicate, cause)
    return client


async def merge_command(deps: Deps, cmd: Invocation) -> None:
    """/merge C-1042 in a client's topic (leads): C-1042 is this same person (they called, or wrote from
    another channel, before sharing their number); everything goes on in this topic."""
    await merge_by_hand(deps, cmd.client, cmd.args, f"{cmd.cause}/staff")


_CLIENT_ID = re.compile(r"(?:[CcСс]\s*-?\s*)?(\d{1,9})")  # (the C typed in Cyrillic too: С)


def client_id_said(wanted: str) -> str | None:
    """A client's id as a lead types it: 'C-1042', 'c1042', 'С-1042' (a Cyrillic С), '1042' → 'C-1042'."""
    words = wanted.split()
    match = _CLIENT_ID.fullmatch(words[0]) if words else None
    return f"C-{int(match[1])}" if match else None


async def merge_by_hand(deps: Deps, survivor: Client, wanted: str, cause: str) -> Client:
    """A lead's merge of the client named `wanted` into `survivor`, refused when it cannot be one person."""
    named = client_id_said(wanted)
    if named is None:
        raise InvalidValue("Write /merge C-1042 (the id is on the other client's card).", key="merge-what")
    other = await q.client(deps.store, named)
    if other is None:
        raise InvalidValue(f"There is no client {named}.", key="merge-unknown", client=named)
    if survivor.merged_into:  # (a merged client's page or topic: the person lives on elsewhere)
        raise InvalidValue(f"{survivor.id} was merged before.", key="merge-merged", client=survivor.id)
    if other.id == survivor.id:
        raise InvalidValue("That is this client.", key="merge-self")
    if other.merged_into and other.merged_into != survivor.id:  # (merged here already: a replay finishes it)
        raise InvalidValue(f"{other.id} was merged before.", key="merge-merged", client=other.id)
    if {i.channel for i in survivor.identities} & {i.channel for i in other.identities}:
        raise InvalidValue(
            "Both write on the same channel: two accounts, not one person.", key="merge-same-channel"
        )
    return await merge(deps, survivor, other, cause, by_hand=True)


async def merge(deps: Deps, survivor: Client, duplicate: Client, cause: str, by_hand: bool = False) -> Client:
    """`by_hand`: a lead said they are one person (the same phone did not)."""
    for identity in duplicate.identities:
        await deps.record(
            f"client:{survivor.id}",
            EventType.CLIENT_IDENTITY_LINKED,
            {"identity": identity.to_data()},
            SYSTEM,
            f"{cause}/merge/{identity.channel.value}",
        )
    if duplicate.phone and not survivor.phone:  # their calls find the survivor from now on
        await deps.record(
            f"client:{survivor.id}",
            EventType.CLIENT_PHONE_SHARED,
            {"phone": duplicate.phone},
            SYSTEM,
            f"{cause}/merge/phone",
        )
    if duplicate.email and not survivor.email:  # their fiscal receipts go on reaching them
        await deps.record(
            f"client:{survivor.id}",
            EventType.CLIENT_EMAIL_SET,
            {"email": duplicate.email},
            SYSTEM,
            f"{cause}/merge/email",
        )
    merged = (
        await deps.record(
            f"client:{duplicate.id}", EventType.CLIENT_MERGED, {"into": survivor.id}, SYSTEM, f"{cause}/merge"
        )
    ).event
    for request in await q.open_requests(deps.store, duplicate.id):
        await deps.record(
            f"request:{request.id}",
            EventType.REQUEST_MOVED,
            {"client_id": survivor.id, "from": duplicate.id},
            SYSTEM,
            f"{cause}/merge/{request.id}",
        )
    if duplicate.conversation_open and not survivor.conversation_open:
        await deps.record(
            f"client:{survivor.id}", EventType.CONVERSATION_OPENED, {}, SYSTEM, f"{cause}/merge/open"
        )
    survivor = await q.known_client(deps.store, survivor.id)
    await _tell(deps, survivor, duplicate, merged, by_hand)
    return survivor


async def _tell(deps: Deps, survivor: Client, duplicate: Client, merged: Event, by_hand: bool) -> None:
    """The duplicate's topic points to the survivor's and is closed; the survivor's hears of it."""
    channels = ", ".join(CHANNEL_NAMES.get(i.channel.value, i.channel.value) for i in survivor.identities)
    if duplicate.topic is not None and not duplicate.topic.lost:
        link = (
            topic_link(survivor.topic.chat_id, survivor.topic.thread_id)
            if survivor.topic and not survivor.topic.lost
            else None
        )

        def note(t: StaffText) -> str:
            where = link or t("merged-their-topic")
            names = {"duplicate": duplicate.name, "survivor": survivor.name, "where": where}
            return t("merged-duplicate-by-hand", **names) if by_hand else t("merged-duplicate", **names)

        await tell_topic(deps, duplicate, merged, note, 0)
        chat = await staff_chat_for(deps, duplicate)
        if chat is not None:
            await deps.deliver(close_topic(merged, 1, chat, duplicate.id))
    await tell_topic(
        deps,
        survivor,
        merged,
        lambda t: t("merged-survivor", survivor=survivor.name, duplicate=duplicate.name, channels=channels),
        2,
    )
    await refresh_card(deps, merged, 3, survivor)
