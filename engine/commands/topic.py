"""Every command typed in a client's topic, in one table: the forum help and the request card's hint line are
generated from it, the lead-only rule is enforced here once, and every handler takes one `TopicCommand`.
A new command is one handler and one row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from domain.clients import Assistant, Client
from domain.errors import DomainError, InvalidValue
from domain.events import Actor, ActorKind, EventType
from domain.payments import GatewayError
from engine.clients.merging import merge_command
from engine.commands import conversation as conv
from engine.commands import requests as req
from engine.conversation import call_back
from engine.deps import Deps
from engine.forum.topics import tell_topic
from engine.invocation import TopicCommand, parse
from engine.staff_texts import StaffText, bound, of, refusal

Handler = Callable[[Deps, TopicCommand], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Command:
    handler: Handler
    usage: str  # arguments, as the help shows them
    help: str
    lead_only: str | None = None  # what only a lead may do ("refund"): the refusal names it
    on_card: str | None = None  # how the request card's hint line shows it; None: not shown there
    audited: bool = True  # recorded as a StaffCommandIssued first (a note is its own event instead)


COMMANDS: dict[str, Command] = {
    "note": Command(conv.note, "<text>", "an internal note; never sent to the client", audited=False),
    "card": Command(conv.card, "", "post the client card again"),
    "close": Command(conv.close, "", "close the conversation (the client is thanked)"),
    "assign": Command(conv.assign, "<name>", "hand the client to another assistant", "reassign a client"),
    "take": Command(conv.take, "", "the client is yours from now on", "take a client"),
    "merge": Command(merge_command, "C-1042", "C-1042 is this same person: merged into this client", "merge"),
    "quote": Command(
        req.quote,
        "<amount> [RUB|USD|EUR|AED] <description>",
        "quote the open request (or /quote RUB and one 'item — amount' per line)",
        on_card="/quote",
    ),
    "edit": Command(
        req.edit,
        f"{'|'.join(req.EDITABLE)} <value>",
        "correct the request card",
        on_card=f"/edit {'|'.join(req.EDITABLE)}",
    ),
    "progress": Command(req.progress, "", "the paid request is under way", on_card="/progress"),
    "done": Command(req.done, "", "the request is fulfilled (the client is thanked)", on_card="/done"),
    "cancel": Command(req.cancel, "<reason>", "cancel the request", on_card="/cancel"),
    "new": Command(
        req.new, "[text]", "open a new request (from the text or the last message)", on_card="/new"
    ),
    "refund": Command(req.refund, "[amount]", "refund the paid request", "refund"),
    "call": Command(
        call_back.call_client, "", "call the client: your phone rings first (they see the concierge number)"
    ),
    "away": Command(conv.anywhere, "[for 2h | until 18:00]", "you are away (works anywhere in the forum)"),
    "back": Command(conv.anywhere, "", "you are back"),
    "stats": Command(conv.anywhere, "[7d]", "the figures (yours; a lead sees everyone's)"),
    "console": Command(conv.anywhere, "", "a sign-in link to the staff console, sent to you privately"),
}


def help_text(t: StaffText | None = None) -> str:
    """The commands of a topic in the reader's language (`help-topic-<name>`; the table's English without)."""
    t = t or bound("en")
    lines = [t("help-topic")]
    for name, command in COMMANDS.items():
        usage = f"/{name} {command.usage}".rstrip()
        lines.append(f"{usage} — {t(f'help-topic-{name}')}" + (t("help-leads") if command.lead_only else ""))
    lines.append(t("help-topic-else"))
    return "\n".join(lines)


def card_hint() -> str:
    """The last line of an open request's card: the commands that move it along."""
    return " · ".join(command.on_card for command in COMMANDS.values() if command.on_card)


async def dispatch(
    deps: Deps,
    assistant: Assistant,
    client: Client,
    text: str,
    cause: str,
    request_id: str | None = None,
    via: str = "topic",
) -> str | None:
    """Run a command typed in `client`'s topic by `assistant` (or given in the console, about `request_id`);
    every refusal is a line in the topic, and returned."""
    name, args = parse(text)
    actor = Actor(ActorKind.ASSISTANT, assistant.id)
    command = COMMANDS.get(name)
    event, replayed = None, False
    if command is None or command.audited:
        recorded = await deps.record(
            f"conversation:{client.id}",
            EventType.STAFF_COMMAND_ISSUED,
            {"command": name, "args": args}
            | ({"via": via, "request_id": request_id} if via != "topic" else {}),
            actor,
            f"{cause}/command",
        )
        event, replayed = recorded.event, recorded.duplicate  # a replay: processed again after a crash
    t = of(assistant)
    if command is None:
        assert event is not None, "an unknown command is recorded above"
        await tell_topic(deps, client, event, t("unknown-command", name=name) + "\n" + help_text(t))
        return t("unknown-command", name=name)
    try:
        if command.lead_only and not assistant.lead:
            raise InvalidValue(t("only-leads", what=t(f"lead-only-{name}")))
        typed = TopicCommand(assistant, actor, client, args, event, cause, replayed, name, request_id, via)
        await command.handler(deps, typed)
    except (DomainError, GatewayError) as error:
        if event is not None:
            refused = error  # (`error` is unbound once the block ends: a lambda names it otherwise)
            await tell_topic(deps, client, event, lambda topic: f"⚠️ {refusal(topic, refused)}", 50)
        return refusal(t, error)
    return None
