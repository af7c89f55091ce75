"""Saved replies (issue 24 §2): leads keep the library in the console; `/r <name>` in a topic (or the
console's reply box) sends one in the client's language with its variables filled in; every use is an
event."""

from __future__ import annotations

from dataclasses import dataclass

from babel.dates import format_datetime

from domain.clients import Assistant, Client
from domain.errors import InvalidValue
from domain.events import Actor, Event, EventType
from domain.messages import Inbound, Kind
from domain.saved_replies import LANGUAGES, SavedReply, render, unfilled, valid_name, valid_text
from engine import queries as q
from engine.client_texts import date_pattern
from engine.conversation.messages import relay_to_client
from engine.deps import Deps
from engine.forum.topics import tell_topic
from engine.invocation import Invocation
from engine.staff_texts import of


async def library(deps: Deps) -> list[SavedReply]:
    docs = await deps.store.db["saved_replies"].find({"removed": False}).to_list()
    return sorted((SavedReply.from_doc(d) for d in docs), key=lambda r: r.name)


async def saved(deps: Deps, name: str) -> SavedReply | None:
    doc = await deps.store.db["saved_replies"].find_one({"_id": name})
    found = SavedReply.from_doc(doc) if doc else None
    return found if found and not found.removed else None


async def keep(deps: Deps, actor: Actor, name: str, texts: dict[str, str], cause: str) -> str:
    """A saved reply added or changed (the same name): at least one language, each checked."""
    name = valid_name(name)
    kept = {lang: valid_text(texts.get(lang, ""), lang) for lang in LANGUAGES}
    kept = {lang: text for lang, text in kept.items() if text}
    if not kept:
        raise InvalidValue("A saved reply needs its text in at least one language.", key="reply-empty")
    await deps.record(f"reply:{name}", EventType.SAVED_REPLY_SET, {"texts": kept}, actor, cause)
    return name


async def remove(deps: Deps, actor: Actor, name: str, cause: str) -> None:
    if await saved(deps, valid_name(name)) is None:
        raise InvalidValue(f"No saved reply {name!r}.", key="reply-unknown", name=name)
    await deps.record(f"reply:{valid_name(name)}", EventType.SAVED_REPLY_REMOVED, {}, actor, cause)


@dataclass(frozen=True, slots=True)
class Filled:
    """A saved reply made ready for one client: in their language when it has it, its variables filled."""

    name: str
    language: str  # the language it is written in
    text: str
    unfilled: tuple[str, ...] = ()  # its variables with nothing to fill them here (each reads as a dash)


async def fill(deps: Deps, assistant: Assistant, client: Client, request_id: str | None, name: str) -> Filled:
    word = name.strip().lower()
    reply = next((r for r in await library(deps) if r.name == word), None)
    chosen = reply.text_for(client.language.value if client.language else None) if reply else None
    if reply is None or chosen is None:  # (a saved reply always has a text: checked when kept)
        raise InvalidValue(f"No saved reply {word!r}.", key="reply-unknown", name=word[:32])
    written_in, text = chosen
    values = await _values(deps, assistant, client, request_id, written_in)
    return Filled(reply.name, written_in, render(text, values), unfilled(text, values))


async def record_use(
    deps: Deps, actor: Actor, assistant: Assistant, client: Client, filled: Filled, cause: str, **more: bool
) -> Event:
    """Every use is an event on the client's conversation (`edited`: changed in the console before going)."""
    data = {"name": filled.name, "language": filled.language, "assistant_id": assistant.id} | more
    return (
        await deps.record(f"conversation:{client.id}", EventType.SAVED_REPLY_USED, data, actor, cause)
    ).event


async def send(deps: Deps, cmd: Invocation) -> str | None:
    """/r <name>: the saved reply, in the client's language, to the client; /r alone: what there is."""
    if not cmd.args.strip():
        names = ", ".join(r.name for r in await library(deps))
        t = of(cmd.assistant)
        return t("reply-list", names=names) if names else t("reply-none")
    client = cmd.client
    filled = await fill(deps, cmd.assistant, client, cmd.request_id, cmd.args)
    if filled.unfilled:  # sent at once: a dash would reach the client ("подтверждён на —")
        variables = ", ".join("{" + v + "}" for v in filled.unfilled)
        raise InvalidValue(
            f"«{filled.name}» was not sent: nothing to fill {variables} with yet.",
            key="reply-unfilled",
            name=filled.name,
            variables=variables,
        )
    used = await record_use(deps, cmd.actor, cmd.assistant, client, filled, f"{cmd.cause}/reply")
    message = Inbound(Kind.TEXT, filled.text, f"reply:{cmd.assistant.id}", used.cause)
    await relay_to_client(deps, client, cmd.actor, message, f"{cmd.cause}/reply", written_in=filled.language)
    await tell_topic(deps, client, used, lambda st: st("reply-sent", name=filled.name, text=filled.text), 0)
    return None


async def _values(
    deps: Deps, assistant: Assistant, client: Client, request_id: str | None, language: str
) -> dict[str, str]:
    request = await q.request(deps.store, request_id) if request_id else None
    if request is None:
        opened = await q.open_requests(deps.store, client.id)
        request = opened[-1] if opened else None
    when = ""
    if request is not None and request.details.when is not None:
        local = request.details.when.astimezone(deps.policy.tz)
        shape = "EEE d MMM, HH:mm" if request.details.time_known else "EEE d MMM"
        when = format_datetime(local, date_pattern(shape, language), locale=language)
    return {
        "client": client.name.split()[0] if client.name else "",
        "assistant": assistant.name,
        "request": request.id if request else "",
        "time": when,
    }
