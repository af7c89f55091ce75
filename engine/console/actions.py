"""What an assistant does in the staff console: the same use cases as the forum's topic commands and the staff
CLI, never a second implementation. Each action carries the id of the form it came from (`console:<id>`), so a
form sent twice acts once; its events name the signed-in assistant as their actor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from domain.clients import Assistant, Client
from domain.errors import InvalidValue
from domain.events import Actor, ActorKind, Event, EventType
from domain.messages import Inbound, Kind
from domain.miniapp import email_of
from engine import queries as q
from engine.clients import erasure
from engine.clients.registry import refresh_card
from engine.commands.dispatch import dispatch, require_lead
from engine.conversation import saved_replies
from engine.conversation.messages import relay_to_client
from engine.deps import Deps
from engine.forum.topics import retitle, staff_chat_for, tell_topic
from engine.i18n import STAFF_LANGUAGES
from engine.invocation import Invocation, Place
from engine.outbox import to_topic_upload
from engine.staff_texts import for_client, st
from engine.team import admin as staff_admin
from storage.files import MAX_BYTES

MAX_TEXT = 4000  # a staff reply (Telegram's 4,096 less room for the topic's echo)
MAX_FILE = MAX_BYTES  # a file sent from the console (kept in the store: under a document's 16 MB)
MAX_CAPTION = 1000  # Telegram's caption is 1,024 characters
PHOTOS = {"image/jpeg", "image/png", "image/webp"}  # sent as a photo; anything else as a document


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    content_type: str
    content: bytes


MAX_PREFERENCES = 500
MAX_TAGS = 12
TAG = re.compile(r"^[\w\-]{1,24}$")
ACTION_ID = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")


def _cause(action_id: str, viewer: Assistant | None = None) -> str:
    if not ACTION_ID.match(action_id or ""):
        raise InvalidValue(st(viewer, "console-form-incomplete"))
    return f"console:{action_id}"


def _actor(viewer: Assistant) -> Actor:
    return Actor(ActorKind.ASSISTANT, viewer.id)


async def reply(
    deps: Deps,
    viewer: Assistant,
    client: Client,
    text: str,
    action_id: str,
    request_id: str | None = None,
    saved: str = "",
) -> None:
    """To the client through the same outbox as a reply typed in the topic; the topic sees it too. `saved`:
    the saved reply the box was filled with (its use is recorded, and whether it was edited first)."""
    text = text.strip()
    if not text:
        raise InvalidValue(st(viewer, "console-reply-empty"))
    if len(text) > MAX_TEXT:
        raise InvalidValue(st(viewer, "console-too-long", limit=str(MAX_TEXT)))
    if not client.identities:  # they have only called: no chat to write to (the topic refuses it too)
        raise InvalidValue(st(viewer, "calls-only-client"))
    cause, written_in = _cause(action_id, viewer), None
    if saved:
        filled = await saved_replies.fill(deps, viewer, client, request_id, saved)
        edited = text != filled.text
        await saved_replies.record_use(
            deps, _actor(viewer), viewer, client, filled, f"{cause}/saved", edited=edited
        )
        written_in = filled.language
    message = Inbound(Kind.TEXT, text, f"console:{viewer.id}", action_id)
    sent = await relay_to_client(deps, client, _actor(viewer), message, cause, written_in=written_in)
    await tell_topic(deps, client, sent, lambda t: t("console-reply", assistant=viewer.name, text=text), 5)


async def send_file(
    deps: Deps, viewer: Assistant, client: Client, file: Upload, caption: str, action_id: str
) -> None:
    """A file from the console to the client on their channel, as an assistant's message with it would go
    from the topic; kept in the store (every instance can hand it on) and shown in the topic too."""
    if not file.content:
        raise InvalidValue(st(viewer, "console-file-empty"))
    if len(file.content) > MAX_FILE:
        raise InvalidValue(st(viewer, "console-file-too-large", megabytes=str(MAX_FILE // 1024 // 1024)))
    if len(caption) > MAX_CAPTION:
        raise InvalidValue(st(viewer, "console-too-long", limit=str(MAX_CAPTION)))
    if not client.identities:
        raise InvalidValue(st(viewer, "calls-only-client"))
    cause = _cause(action_id, viewer)  # (sent twice, it is kept once, recorded once and delivered once)
    files, now = deps.store.files, deps.clock.now()
    kept = await files.keep(file.content, file.content_type, file.name, client.id, now)
    kind = Kind.PHOTO if file.content_type in PHOTOS else Kind.DOCUMENT
    extra = {"url": kept.ref, "mime_type": file.content_type, "file_name": file.name, "file_size": kept.size}
    message = Inbound(kind, caption.strip() or None, f"console:{viewer.id}", action_id, extra=extra)
    sent = await relay_to_client(deps, client, _actor(viewer), message, cause)
    staff_chat = await staff_chat_for(deps, client)
    if staff_chat is not None:  # the topic sees the file too
        texts = await for_client(deps, client)
        line = texts("console-file", assistant=viewer.name, name=file.name, text=caption.strip())
        await deps.deliver(to_topic_upload(sent, 5, staff_chat, client.id, kept.ref, file.content_type, line))


async def command(
    deps: Deps,
    viewer: Assistant,
    client: Client,
    name: str,
    args: str,
    request_id: str | None,
    action_id: str,
) -> str | None:
    """A command of the table given from the console about `client` (and one of their requests, or none:
    their page), built from the form as it is; the refusal (or None) — the topic hears either. A command the
    console may not give is refused with 400, one only a lead may give with 403, and neither is recorded."""
    if len(args) > MAX_TEXT:
        raise InvalidValue(st(viewer, "console-too-long", limit=str(MAX_TEXT)))
    asked = Invocation(
        name.strip().lower(),
        viewer,
        _actor(viewer),
        Place.CONSOLE,
        args.strip(),
        _cause(action_id, viewer),
        about=client,
        request_id=request_id,
    )
    return (await dispatch(deps, asked)).refused


def parse_tags(text: str, viewer: Assistant | None = None) -> list[str]:
    tags = sorted({t.strip().lower().lstrip("#") for t in re.split(r"[,\s]+", text) if t.strip()})
    bad = [t for t in tags if not TAG.match(t)]
    if bad:
        raise InvalidValue(st(viewer, "console-bad-tag", tag=bad[0]))
    if len(tags) > MAX_TAGS:
        raise InvalidValue(st(viewer, "console-too-many-tags", limit=str(MAX_TAGS)))
    return tags


async def set_profile(
    deps: Deps, viewer: Assistant, client: Client, tags: str, preferences: str, email: str, action_id: str
) -> Client:
    """Tags (VIP among them), preferences and the e-mail for fiscal receipts; the pinned card in the topic
    shows them. Every value is checked before anything is recorded."""
    cause = _cause(action_id, viewer)
    wanted_tags = parse_tags(tags, viewer)
    wanted_email = email_of(email)
    # one note a line (the client's page keeps its diet, car and seating notes as lines of their own)
    preferences = "\n".join(" ".join(line.split()) for line in preferences.splitlines() if line.strip())
    if len(preferences) > MAX_PREFERENCES:
        raise InvalidValue(st(viewer, "console-too-long", limit=str(MAX_PREFERENCES)))

    async def record(kind: EventType, data: dict[str, Any], what: str) -> Event:
        return (await deps.record(f"client:{client.id}", kind, data, _actor(viewer), f"{cause}/{what}")).event

    changed = tagged = None
    if wanted_tags != sorted(client.tags):
        changed = tagged = await record(EventType.CLIENT_TAGGED, {"tags": wanted_tags}, "tags")
    if preferences != client.preferences:
        changed = await record(EventType.CLIENT_PREFERENCES_SET, {"preferences": preferences}, "preferences")
    if wanted_email != client.email:
        changed = await record(EventType.CLIENT_EMAIL_SET, {"email": wanted_email}, "email")
    before, client = client, await q.known_client(deps.store, client.id)
    if changed is not None:
        await refresh_card(deps, changed, 0, client)
    if tagged is not None:  # (VIP set or taken off: the topic's name says it)
        await retitle(deps, tagged, 1, before, client)
    return client


async def set_ui_language(deps: Deps, viewer: Assistant, code: str, action_id: str) -> None:
    if code not in STAFF_LANGUAGES:
        raise InvalidValue(st(viewer, "console-languages", languages=", ".join(STAFF_LANGUAGES)))
    if code != viewer.ui_language:
        await deps.record(
            f"assistant:{viewer.id}",
            EventType.ASSISTANT_UI_LANGUAGE_SET,
            {"ui_language": code},
            _actor(viewer),
            _cause(action_id, viewer),
        )


async def add_assistant(
    deps: Deps,
    viewer: Assistant,
    telegram_id: str,
    name: str,
    languages: str,
    lead: bool,
    ui_language: str,
    action_id: str,
) -> Assistant:
    require_lead(viewer, "add")
    if not telegram_id.strip().isdigit() or len(telegram_id.strip()) > 15:
        raise InvalidValue(st(viewer, "console-telegram-id"))
    return await staff_admin.add(
        deps,
        int(telegram_id),
        name[:64],
        languages,
        lead,
        ui_language=ui_language,
        actor=_actor(viewer),
        cause=_cause(action_id, viewer),
    )


async def deactivate_assistant(deps: Deps, viewer: Assistant, assistant_id: str, action_id: str) -> Assistant:
    require_lead(viewer, "deactivate")
    target = await q.assistant(deps.store, assistant_id)
    if target is None:
        raise InvalidValue(st(viewer, "console-no-such-assistant"))
    if target.id == viewer.id:
        raise InvalidValue(st(viewer, "console-not-yourself"))
    return await staff_admin.deactivate(
        deps, target.telegram_id, actor=_actor(viewer), cause=_cause(action_id, viewer)
    )


async def exported(deps: Deps, viewer: Assistant, client: Client, action_id: str) -> None:
    """A data request is on record: who took whose history, when."""
    await deps.record(
        f"staff:{viewer.id}",
        EventType.CLIENT_DATA_EXPORTED,
        {"client_id": client.id},
        _actor(viewer),
        _cause(action_id, viewer),
    )


async def erase(deps: Deps, viewer: Assistant, client: Client, typed: str, action_id: str) -> None:
    """A lead erases a client, having typed the client's id again (nothing changes otherwise)."""
    require_lead(viewer, "erase")
    if typed.strip().upper() != client.id:
        raise InvalidValue(st(viewer, "console-confirm-erase", client=client.id))
    _cause(action_id, viewer)  # (a complete form: the erase itself is caused by the client's id)
    done = await erasure.erase(deps, _actor(viewer), client.id)
    if not done.compacted and deps.store.data_file is not None:  # the embedded store was busy
        raise InvalidValue(st(viewer, "console-erase-not-compacted", client=client.id))


async def keep_reply(deps: Deps, viewer: Assistant, name: str, texts: dict[str, str], action_id: str) -> None:
    require_lead(viewer, "replies")
    await saved_replies.keep(deps, _actor(viewer), name, texts, _cause(action_id, viewer))


async def remove_reply(deps: Deps, viewer: Assistant, name: str, action_id: str) -> None:
    require_lead(viewer, "replies")
    await saved_replies.remove(deps, _actor(viewer), name, _cause(action_id, viewer))
