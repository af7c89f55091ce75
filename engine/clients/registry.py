"""Clients: registration, assignment, language, phone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import structlog

from domain.assignment import candidates
from domain.clients import Assistant, Channel, Client, Language
from domain.events import SYSTEM, Actor, ActorKind, Event, EventType
from domain.messages import Person
from domain.outbound import Button, Buttons
from engine import queries as q
from engine.clients import page
from engine.clients.outbox import free_to_write, proactive_channel, to_client
from engine.deps import Deps, Entry
from engine.forum.topics import retitle, staff_chat_for, tell_topic
from engine.outbox import card_update
from storage.claims import claimed, phone_claimed_for, reclaimed
from storage.counters import next_value
from storage.step_reads import first_attempt

log = structlog.get_logger(__name__)

LANGUAGE_BUTTONS: Buttons = (
    (
        Button("English", data="lang:en"),
        Button("العربية", data="lang:ar"),
        Button("Русский", data="lang:ru"),
    ),
)


def client_actor(client_id: str) -> Actor:
    return Actor(ActorKind.CLIENT, client_id)


async def ensure_client(deps: Deps, person: Person, cause: str) -> tuple[Client, bool]:
    """The client behind this identity; registered (and assigned) on first contact."""
    client, new, _first = await ensure_client_with(deps, person, cause)
    return client, new


async def ensure_client_with(
    deps: Deps, person: Person, cause: str, first: Callable[[str], Entry] | None = None
) -> tuple[Client, bool, Event | None]:
    """`ensure_client`, and `first(client id)` (their message) recorded with a registration it makes: the
    event, or None when it was not (the caller records it)."""
    existing = await q.client_by_identity(deps.store, person.identity)
    if existing is not None:
        # registered by this very message (processed again after a crash): still new, so still greeted
        registered = await deps.store.events.replayed(registration_cause(existing.id))
        return existing, registered is not None and registered.data.get("first_contact") == cause, None
    whatsapp = person.identity.channel is Channel.WHATSAPP
    if whatsapp and (same := await q.client_by_phone(deps.store, person.identity.external_id)):
        return await _link(deps, same, person, cause), False, None
    language = Language.parse(person.language_code)
    details = {
        "name": person.name.strip() or "Guest",
        "username": person.username,
        "language": language.value if language else None,
        "identities": [person.identity.to_data()],
        "phone": person.identity.external_id if whatsapp else None,
    }
    client, new, event = await register(deps, _claim(person), details, cause, first)
    if person.identity not in client.identities:  # a call from this number registered them a moment before
        return await _link(deps, client, person, cause), False, event
    return client, new, event


def _claim(person: Person) -> str:
    """What a first contact claims: a WhatsApp number is the caller's number too (one person)."""
    identity = person.identity
    return f"phone:{identity.external_id}" if identity.channel is Channel.WHATSAPP else identity.key


def registration_cause(client_id: str) -> str:
    return f"register:{client_id}"  # (never the claim: a cause is kept for good, a claim names the person)


async def _link(deps: Deps, same: Client, person: Person, cause: str) -> Client:
    """The client who has this number (shared on Telegram, or a call) gets this identity too."""
    linked = (
        await deps.record(
            f"client:{same.id}",
            EventType.CLIENT_IDENTITY_LINKED,
            {"identity": person.identity.to_data()},
            client_actor(same.id),
            f"{cause}/link",
        )
    ).event
    joined = await q.known_client(deps.store, same.id)
    await refresh_card(deps, linked, 0, joined)  # the card lists WhatsApp now
    return joined


async def register(
    deps: Deps, claim: str, details: dict[str, Any], cause: str, first: Callable[[str], Entry] | None = None
) -> tuple[Client, bool, Event | None]:
    """One client per identity (or number) whoever else registers it at the same moment, on any instance:
    the claim is unique (storage/claims.py), so a twin or a replay gets the client the first one chose.
    Returns the client, whether `cause` registered it, and `first`'s event when recorded with it."""
    client_id, _client, fresh = await _claimed_id(deps, claim)
    fresh = fresh and first_attempt()
    return await _enrolled(deps, client_id, details, cause, fresh=fresh, first=first if fresh else None)


async def claim_for(deps: Deps, claim: str) -> tuple[str, Client | None]:
    """The id of the client this claim names (drawn now, when it names nobody yet), and that client when it
    is registered already (by a twin, or an attempt before a crash); an erased one's claim is a new id's."""
    client_id, client, _fresh = await _claimed_id(deps, claim)
    return client_id, client


async def _claimed_id(deps: Deps, claim: str) -> tuple[str, Client | None, bool]:
    """`claim_for`, and whether the id was drawn now (the claim named nobody)."""

    async def new_id() -> str:
        return f"C-{await next_value(deps.store.db, 'client', 1001)}"

    client_id, fresh = await claimed(deps.store.db, claim, new_id)
    if fresh:  # (a number just drawn names nobody yet: nothing to read)
        return client_id, None, True
    before = await q.client(deps.store, client_id)
    if before is not None and before.erased:
        return await reclaimed(deps.store.db, claim, client_id, new_id), None, True
    return client_id, before, False


async def claimed_phone(deps: Deps, client_id: str) -> str | None:
    """The number a client's id was claimed for before they were registered (a call answered first)."""
    return await phone_claimed_for(deps.store.db, client_id)


async def enrol(
    deps: Deps,
    client_id: str,
    details: dict[str, Any],
    cause: str,
    assigns: str | None = None,
    fresh: bool = False,
) -> tuple[Client, bool]:
    """Register the client of a claimed id, and assign them (`assigns`: the assistant chosen before, whose
    phone rang first). Twins, replays and every callback of a call may enrol the same id at once: the
    registration opens the client's stream (once), the assignment is once by its cause. `fresh`: the id was
    drawn by this first attempt (nobody can have registered it): their assistant is chosen before the
    registration and recorded with it."""
    client, new, _first = await _enrolled(deps, client_id, details, cause, assigns, fresh)
    return client, new


async def _enrolled(
    deps: Deps,
    client_id: str,
    details: dict[str, Any],
    cause: str,
    assigns: str | None = None,
    fresh: bool = False,
    first: Callable[[str], Entry] | None = None,
) -> tuple[Client, bool, Event | None]:
    """`enrol`, and `first(client id)` recorded with the registration (its event; None: it was not)."""
    stream = f"client:{client_id}"
    registering = Entry(
        stream,
        EventType.CLIENT_REGISTERED,
        {"client_id": client_id, **details, "first_contact": cause},
        client_actor(client_id),
        registration_cause(client_id),
        expected_seq=0,  # a registration opens its stream, never lands behind another's event
    )
    # the assignment decided first and recorded with the registration (one write each); a registration the
    # log refuses (a twin's, a replay's) is recorded alone, and the assignment decided after it, as before
    chosen = assigns or (await _chosen(deps, Language.parse(details.get("language"))) if fresh else None)
    assigning = f"{registration_cause(client_id)}/assign"
    assigned = [Entry(stream, EventType.CLIENT_ASSIGNED, {"assistant_id": chosen}, SYSTEM, assigning)]
    together = [registering, *(assigned if chosen else []), *([first(client_id)] if first else [])]
    recorded = await deps.record_all(*together)
    registered = recorded[0]
    if not chosen or len(recorded) == 1:
        client_id = registered.event.data["client_id"]  # the twin's, when it registered first
        language = Language.parse(registered.event.data.get("language"))
        assigning = f"{registration_cause(client_id)}/assign"
        await assign(deps, client_id, language, assigning, unassigned=not registered.duplicate, to=assigns)
    client = await q.client(deps.store, client_id)
    if client is None:
        raise LookupError("a registered client is not projected")
    if client.merged_into and (survivor := await q.client(deps.store, client.merged_into)):
        client = survivor  # registered once, then found to be someone else's second account
    event = recorded[-1].event if first and len(recorded) == len(together) else None
    return client, registered.event.data.get("first_contact") == cause, event


async def assign(
    deps: Deps,
    client_id: str,
    language: Language | None,
    cause: str,
    unassigned: bool = False,
    to: str | None = None,
) -> None:
    """`unassigned`: the client was registered by this very step, so nothing has assigned them yet (a twin
    that does at the same moment records the same cause: one of the two is kept). `to`: the assistant
    chosen before the registration (a call rang them first)."""
    if not unassigned and (recorded := await deps.store.events.by_cause(cause)) is not None:
        # (recorded with the registration by an attempt that died before projecting it: projected now)
        await deps.store.projector.project(recorded)
        return
    chosen_id = to
    if chosen_id is None:
        chosen = await choose(deps, language)
        if chosen is None:
            log.warning("assignment.no_active_assistant", client_id=client_id)
            return
        chosen_id = chosen.id
    await deps.record(
        f"client:{client_id}", EventType.CLIENT_ASSIGNED, {"assistant_id": chosen_id}, SYSTEM, cause
    )


async def _chosen(deps: Deps, language: Language | None) -> str | None:
    chosen = await choose(deps, language)
    return chosen.id if chosen is not None else None


async def choose(deps: Deps, language: Language | None, turn: int | None = None) -> Assistant | None:
    """Who would take a new client of this language now (domain/assignment.py). The turn is drawn only when
    assistants are tied (a write: one fewer on a new client's path when one is plainly the least loaded), and
    not at all when given: a new client's own number, drawn already (`client_number`), takes turns as well."""
    team = await q.assistants(deps.store)
    present = [a for a in team if a.present_at(deps.clock.now())]
    pool = (
        present or team
    )  # away assistants take no new clients (unless everyone is away: the clock escalates)
    if len(alone := candidates(pool, language, {})) < 2:
        return alone[0] if alone else None  # (one who may take them: the loads only narrow, none is read)
    tied = candidates(pool, language, await q.open_load(deps.store), await _forum_load(deps, pool))
    if len(tied) < 2:
        return tied[0] if tied else None
    if turn is None:
        turn = await next_value(deps.store.db, "assignment_rotation")
    return tied[turn % len(tied)]


def client_number(client_id: str) -> int:
    """C-1042 → 1042: the clients' own sequence (storage/counters.py), one number for each new client."""
    return int(client_id.rsplit("-", 1)[1])


async def _forum_load(deps: Deps, team: list[Assistant]) -> dict[str, float]:
    """Per assistant, how much of their forum's minute of posts is in use — read only when the team posts in
    more than one forum (with one, it cannot tell them apart)."""
    forum_of = {a.id: str(chat) if (chat := a.staff_chat_id or deps.staff_chat_id) else None for a in team}
    forums = sorted({forum for forum in forum_of.values() if forum is not None})
    if deps.forum_load is None or len(forums) < 2:
        return {}
    used = await deps.forum_load(forums, deps.clock.now())
    # one with no forum has no room at all: their clients' words would reach no one
    return {a: used.get(forum, 0.0) if forum is not None else 1.0 for a, forum in forum_of.items()}


async def reassign(deps: Deps, client: Client, to: Assistant, actor: Actor, event: Event, how: str) -> None:
    """A person moved the client to `to` (/assign, /take); the topic hears it (their phone rings) and the
    cards show it (the pinned card and each open request's, in the new assistant's language), and the client
    is told who now takes care of them (unless they were with `to` already). Deliveries `<event>:1` and on
    (the command's own answer is `:0`)."""
    assigned = await deps.record(
        f"client:{client.id}",
        EventType.CLIENT_ASSIGNED,
        {"assistant_id": to.id, "reason": how, "from": client.assistant_id},
        actor,
        f"{event.cause}/assign",
    )
    client = await q.known_client(deps.store, client.id)
    moved = client.name
    await tell_topic(
        deps,
        client,
        event,
        lambda t: t("moved", client=moved, assistant=to.name),
        1,
        [[to.telegram_id, to.name]],
    )
    if assigned.event.data.get("from") != to.id:  # (as recorded: a replay knows whom they were with)
        await tell_new_assistant(deps, client, event, 2, to)
    await refresh_card(deps, event, 3, client, requests=True)


async def tell_new_assistant(deps: Deps, client: Client, event: Event, n: int, assistant: Assistant) -> None:
    """One line to the client: who now takes care of them — when free to write (never a paid template)."""
    channel = await proactive_channel(deps, client)
    if await free_to_write(deps, client, channel):
        line = deps.t(client.language, "client-reassigned", assistant=assistant.name)
        await to_client(deps, client, event, n, line, channel=channel)


async def greeting(deps: Deps, client: Client, returning: bool = False) -> str:
    assistant = await q.assistant(deps.store, client.assistant_id)
    first_name = client.name.split()[0]
    if assistant is None:
        return deps.t(client.language, "welcome-team", name=first_name)
    message_id = "welcome-back" if returning else "welcome"
    return deps.t(client.language, message_id, name=first_name, assistant=assistant.name)


def language_data(client: Client, language: Language) -> dict[str, Any]:
    """A language change's event: the language, and the one it replaces (`was`: the topic's name said it)."""
    was = client.language.value if client.language else None
    return {"language": language.value, "first": client.language is None, "was": was}


def as_before(client: Client, event: Event) -> Client:
    """The client as a language change found them — as recorded with it, so the same should the step be
    handled again after a crash (when the client read at its start has the new language already)."""
    return replace(client, language=Language.parse(event.data["was"])) if "was" in event.data else client


async def ask_language(deps: Deps, client: Client, event: Event, n: int) -> None:
    text = "\n".join(deps.t(language, "language-choose") for language in Language)
    await to_client(deps, client, event, n, text, buttons=LANGUAGE_BUTTONS)


async def refresh_card(deps: Deps, event: Event, n: int, client: Client, requests: bool = False) -> None:
    """The client's pinned card edited (`<event>:<n>`); with `requests`, each open request's card too
    (`:<n + 1>`, … oldest first): a new assistant reads the cards in their own language."""
    staff_chat = await staff_chat_for(deps, client)
    if staff_chat is None or client.topic is None:
        return
    await deps.deliver(card_update(event, n, staff_chat, client.id))
    for i, request in enumerate(await q.open_requests(deps.store, client.id) if requests else [], n + 1):
        await deps.deliver(card_update(event, i, staff_chat, client.id, card=f"request:{request.id}"))


async def choose_language(deps: Deps, person: Person, code: str, cause: str) -> None:
    language = Language.parse(code)
    client, _new = await ensure_client(deps, person, cause)
    if language is None:
        return
    await _set_language(deps, client, language, cause, told=True)


async def language_from_words(deps: Deps, client: Client, person: Person, cause: str) -> Client:
    """A client who has not said their language — their first message had no letters (an emoji, a voice note,
    a photo) and the question asked then was not answered — writes words: their language is the one they
    write in, as a first message's would have been, and they are welcomed in it (they were only asked)."""
    language = Language.parse(person.language_code)
    if client.language is not None or language is None:
        return client
    await _set_language(deps, client, language, cause, told=False)
    return await q.known_client(deps.store, client.id)


async def _set_language(deps: Deps, client: Client, language: Language, cause: str, told: bool) -> None:
    """`told`: the client chose it, and is told it is set (else it was read from their words)."""
    event = (
        await deps.record(
            f"client:{client.id}",
            EventType.CLIENT_LANGUAGE_CHANGED,
            language_data(client, language),
            client_actor(client.id),
            f"{cause}/language",
        )
    ).event
    first_time = event.data.get("first", False)  # as decided the first time, should this be a replay
    before, client = as_before(client, event), await q.known_client(deps.store, client.id)
    texts = [deps.t(language, "language-set")] if told else []
    if first_time:
        texts.append(await greeting(deps, client))
    for n, text in enumerate(texts):
        await to_client(deps, client, event, n, text)
    await refresh_card(deps, event, len(texts), client)
    await page.set_menu(deps, client, event, len(texts) + 1)  # the menu button, named in their language
    await retitle(deps, event, len(texts) + 2, before, client)  # (the topic's name says their language)
