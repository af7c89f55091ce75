"""Staff commands that work anywhere in the staff forum (and /away /back /stats in a private chat with the
bot): presence, figures, and the leads' /take and /assign from ⚠️ Escalations. Each is recorded (stream
`staff:<assistant>`) and answered where it was typed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeGuard

from domain import formats
from domain.clients import Assistant, Client
from domain.errors import DomainError, InvalidValue
from domain.events import Actor, ActorKind, Event, EventType
from domain.kpis import period
from domain.promises import away_until
from engine import queries as q
from engine.clients.registry import reassign
from engine.clock import kpis
from engine.deps import Deps
from engine.forum.escalations import ESCALATIONS
from engine.invocation import parse
from engine.outbox import to_forum, to_forum_topic, to_private_chat
from engine.staff_texts import StaffText, bound, language_of, of, refusal, st
from engine.team import sign_in
from storage.deliveries import Delivery


@dataclass(frozen=True, slots=True)
class Where:
    """Where a command was typed: a private chat, the forum's General topic, or one of its own topics."""

    chat_id: int
    purpose: str | None = None  # "escalations"
    private: bool = False
    reply_to: int | None = None  # the message it answers (an escalation line names its client)


Handler = Callable[[Deps, Assistant, str, Where, Event], Awaitable[str]]


async def away(deps: Deps, assistant: Assistant, args: str, where: Where, event: Event) -> str:
    until = away_until(args, deps.clock.now(), deps.policy.tz)
    await deps.record(
        f"assistant:{assistant.id}",
        EventType.ASSISTANT_AWAY,
        {"until": until.isoformat() if until else None},
        Actor(ActorKind.ASSISTANT, assistant.id),
        f"{event.cause}/away",
    )
    t = of(assistant)
    back = (
        t("away-until", until=f"{until.astimezone(deps.policy.tz):%d %b, %H:%M}")
        if until
        else t("away-until-back")
    )
    return t("away", assistant=assistant.name, back=back)


async def back(deps: Deps, assistant: Assistant, _args: str, _where: Where, event: Event) -> str:
    await deps.record(
        f"assistant:{assistant.id}",
        EventType.ASSISTANT_BACK,
        {"by": "assistant"},
        Actor(ActorKind.ASSISTANT, assistant.id),
        f"{event.cause}/back",
    )
    return st(assistant, "welcome-back", assistant=assistant.name)


async def stats(deps: Deps, assistant: Assistant, args: str, _where: Where, _event: Event) -> str:
    start, end = period(args or "7d", deps.clock.now())
    rows = await kpis.report(deps.store, start, end, deps.policy.promises)
    if not assistant.lead:
        rows = [row for row in rows if row.assistant_id == assistant.id]
    t = of(assistant)
    span = formats.period(end - start, language_of(t))
    title = t("stats-title", period=span, end=f"{end.astimezone(deps.policy.tz):%d %b %H:%M}") + (
        "" if assistant.lead else t("stats-yours")
    )
    return "\n".join([title, *kpis.lines(rows, t)])


async def _client_named(deps: Deps, args: str, where: Where) -> Client:
    """The client a lead means: the one an escalation line they answer is about, or a client id."""
    if where.reply_to is not None:
        line = await deps.store.deliveries.by_provider_message(
            "telegram", f"{where.chat_id}:{where.reply_to}"
        )
        about = line.payload.get("about") or line.payload.get("topic_of") if line else None
        if about and (client := await q.client(deps.store, about)):
            return client
    wanted = args.split()[0] if args.split() else ""
    if wanted and (client := await q.client(deps.store, wanted.upper())):
        return client
    raise InvalidValue("Answer an escalation line with /take (or write /take C-1042).", key="take-what")


async def take(deps: Deps, assistant: Assistant, args: str, where: Where, event: Event) -> str:
    client = await _client_named(deps, args, where)
    await reassign(deps, client, assistant, Actor(ActorKind.ASSISTANT, assistant.id), event, "taken")
    return st(assistant, "moved", client=client.name, assistant=assistant.name)


async def assign(deps: Deps, assistant: Assistant, args: str, where: Where, event: Event) -> str:
    client = await _client_named(deps, "", where)
    chosen = await q.active_assistant_named(deps.store, args)
    if chosen is None:
        raise InvalidValue(
            f"No active assistant is called “{args.strip()}”. Answer the line with /assign <name>.",
            key="no-assistant-line",
            name=args.strip(),
        )
    await reassign(deps, client, chosen, Actor(ActorKind.ASSISTANT, assistant.id), event, "assigned")
    return st(assistant, "moved", client=client.name, assistant=chosen.name)


async def start(_deps: Deps, assistant: Assistant, _args: str, _where: Where, _event: Event) -> str:
    """An assistant pressing Start in a private chat with the bot is not a client: what works here."""
    return st(assistant, "staff-welcome", name=assistant.name) + "\n" + help_text(True, of(assistant))


async def console(deps: Deps, assistant: Assistant, _args: str, where: Where, event: Event) -> str:
    await sign_in.send_link(deps, assistant, event, None if where.private else where.chat_id)
    return "" if where.private else st(assistant, "signin-sent-privately")


@dataclass(frozen=True, slots=True)
class StaffCommand:
    handler: Handler
    usage: str
    help: str
    lead_only: str | None = None
    private: bool = False  # also in a private chat with the bot
    menu: bool = True  # in the forum's command menu and help


COMMANDS: dict[str, StaffCommand] = {
    "start": StaffCommand(start, "", "what works in a private chat with the bot", private=True, menu=False),
    "away": StaffCommand(
        away, "[for 2h | until 18:00]", "you are away: no new clients, reminders to the leads", private=True
    ),
    "back": StaffCommand(back, "", "you are back", private=True),
    "stats": StaffCommand(
        stats, "[7d | 24h | 30d]", "the figures (yours; a lead sees everyone's)", private=True
    ),
    "console": StaffCommand(
        console, "", "a sign-in link to the staff console, in your private chat with the bot", private=True
    ),
    "take": StaffCommand(take, "", "answering an escalation: the client is yours", "take a client"),
    "assign": StaffCommand(
        assign, "<name>", "answering an escalation: the client goes to <name>", "reassign a client"
    ),
}


def help_text(private: bool = False, t: StaffText | None = None) -> str:
    t = t or bound("en")
    lines = [t("help-private") if private else t("help-anywhere")]
    for name, command in COMMANDS.items():
        if not command.menu or (private and not command.private):
            continue
        usage = f"/{name} {command.usage}".rstrip()
        lines.append(f"{usage} — {t(f'help-staff-{name}')}" + (t("help-leads") if command.lead_only else ""))
    return "\n".join(lines)


def is_command(text: str | None, private: bool = False) -> TypeGuard[str]:
    if not text or not text.startswith("/"):
        return False
    command = COMMANDS.get(parse(text)[0])
    return command is not None and (command.private or not private)


async def run(deps: Deps, assistant: Assistant, text: str, where: Where, event: Event) -> str:
    """The answer to a command already recorded as `event`; a refusal is an answer too."""
    name, args = parse(text)
    command = COMMANDS.get(name)
    try:
        t = of(assistant)
        if command is None or (where.private and not command.private):
            raise InvalidValue(t("unknown-command-here", name=name) + "\n" + help_text(where.private, t))
        if command.lead_only and not assistant.lead:
            raise InvalidValue(t("only-leads", what=t(f"lead-only-{name}")))
        return await command.handler(deps, assistant, args, where, event)
    except DomainError as error:
        return f"⚠️ {refusal(of(assistant), error)}"


async def dispatch(deps: Deps, assistant: Assistant, text: str, where: Where, cause: str) -> None:
    """A staff command outside a client's topic, answered where it was typed."""
    name, args = parse(text)
    event = (
        await deps.record(
            f"staff:{assistant.id}",
            EventType.STAFF_COMMAND_ISSUED,
            {"command": name, "args": args},
            Actor(ActorKind.ASSISTANT, assistant.id),
            f"{cause}/command",
        )
    ).event
    if answer := await run(deps, assistant, text, where, event):
        await deps.deliver(_answer(event, where, answer))


def _answer(event: Event, where: Where, text: str) -> Delivery:
    if where.private:
        return to_private_chat(event, 0, where.chat_id, text)
    if where.purpose == ESCALATIONS:
        return to_forum_topic(event, 0, where.chat_id, ESCALATIONS, text)
    return to_forum(event, 0, where.chat_id, text)
