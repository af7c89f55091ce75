"""The one dispatch of staff commands, whatever the place: it records the command (StaffCommandIssued), checks
the place and the lead-only rule, runs the handler, and places the answer or the refusal where the command
was given — in the giver's language."""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.clients import Assistant
from domain.errors import DomainError, InvalidValue
from domain.events import EventType
from domain.payments import GatewayError
from engine.commands.table import COMMANDS, Command, Commands
from engine.deps import Deps
from engine.forum.escalations import ESCALATIONS
from engine.forum.topics import tell_topic
from engine.invocation import Forbidden, Invocation, Place
from engine.outbox import to_forum, to_forum_topic, to_private_chat
from engine.staff_texts import StaffText, of, refusal, st

REFUSAL = 50  # a refusal's delivery in a topic comes after every line the handler told there


@dataclass(frozen=True, slots=True)
class Outcome:
    answer: str | None = None  # what the handler answered (placed where the command was given)
    refused: str | None = None  # why it was not done, in the giver's language (placed there too)


def admit(command: Command | None, asked: Invocation, commands: Commands = COMMANDS) -> str | None:
    """Why `asked` may not run (in the giver's language), or None: the one check of places and roles."""
    t = of(asked.assistant)
    if command is None:
        return t("unknown-command", name=asked.name) + "\n" + commands.help(asked.place, t)
    if not asked.place & command.places:
        return t("unknown-command-here", name=asked.name) + "\n" + commands.help(asked.place, t)
    return role_refusal(command, asked.assistant)


def role_refusal(command: Command, who: Assistant) -> str | None:
    """The lead-only rule, for every place."""
    return leads_only(of(who), command.name) if command.lead_only and not who.lead else None


def leads_only(t: StaffText, what: str) -> str:
    """`what`: a `lead-only-<what>` text."""
    return t("only-leads", what=t(f"lead-only-{what}"))


def require_lead(viewer: Assistant, what: str) -> None:
    """A lead's action in the console (the table's lead-only commands, and the team, export and audit pages
    beside them): the same rule and the same refusal, answered 403."""
    if not viewer.lead:
        raise Forbidden(leads_only(of(viewer), what))


def is_command(name: str, commands: Commands = COMMANDS) -> bool:
    return commands.get(name) is not None


def console_may(viewer: Assistant, name: str, commands: Commands = COMMANDS) -> None:
    """The console's answer to a command it may not give (400) or that only a lead may (403): raised before
    anything is recorded, since the page itself answers."""
    command = commands.get(name)
    if command is None or not Place.CONSOLE & command.places:
        raise InvalidValue(st(viewer, "console-not-an-action", name=name))
    if (refused := role_refusal(command, viewer)) is not None:
        raise Forbidden(refused)


async def dispatch(deps: Deps, asked: Invocation, commands: Commands = COMMANDS) -> Outcome:
    """Run `asked` where it was given; a refusal is placed there too (the console raises it instead)."""
    command = commands.get(asked.name)
    refused = admit(command, asked, commands)
    if refused is not None and asked.place is Place.CONSOLE:
        console_may(asked.assistant, asked.name, commands)
    if refused is not None or command is None:
        shown = f"⚠️ {refused}" if command is not None else refused  # (an unknown name is no fault)
        await _place(deps, await _audit(deps, asked), shown or "", REFUSAL)
        return Outcome(refused=refused)
    cmd = await _audit(deps, asked) if command.audited else asked
    try:
        answer = await command.handler(deps, cmd)
    except (DomainError, GatewayError) as error:
        said = refusal(of(asked.assistant), error)
        cmd = cmd if cmd.event is not None else await _audit(deps, cmd)  # a refusal is always on record
        await _place(deps, cmd, f"⚠️ {said}", REFUSAL)
        return Outcome(refused=said)
    if answer:
        await _place(deps, cmd, answer, 0)
    return Outcome(answer=answer)


async def _audit(deps: Deps, asked: Invocation) -> Invocation:
    """Record the command as given (once: a replay after a crash finds it and says so)."""
    stream = f"conversation:{asked.about.id}" if asked.about else f"staff:{asked.assistant.id}"
    data: dict[str, str | None] = {"command": asked.name, "args": asked.args}
    if asked.place is Place.CONSOLE:
        data |= {"via": asked.via, "request_id": asked.request_id}
    kind, cause = EventType.STAFF_COMMAND_ISSUED, f"{asked.cause}/command"
    recorded = await deps.record(stream, kind, data, asked.actor, cause)
    return replace(asked, event=recorded.event, replayed=recorded.duplicate)


async def _place(deps: Deps, cmd: Invocation, text: str, n: int) -> None:
    """Where the command was given: its topic (which the console's commands are about too), the forum's
    General or ⚠️ Escalations topic, or the private chat (`n` matters only in a topic, where a handler may
    have told lines of its own)."""
    event = cmd.recorded
    if cmd.about is not None:
        await tell_topic(deps, cmd.about, event, text, n)
    elif cmd.chat_id is None:
        return
    elif cmd.place is Place.PRIVATE:
        await deps.deliver(to_private_chat(event, 0, cmd.chat_id, text))
    elif cmd.place is Place.ESCALATIONS:
        await deps.deliver(to_forum_topic(event, 0, cmd.chat_id, ESCALATIONS, text))
    else:
        await deps.deliver(to_forum(event, 0, cmd.chat_id, text))
