"""Every staff command, in one table: where each may be given, who may give it, whether it is audited, and
its help (in the Fluent files, `help-command-<name>`). The forum's and the private chat's /help, Telegram's
command menus, the request card's hint line and the console's allowed actions are read from it; the dispatch
(engine/commands/dispatch.py) enforces the places and the lead-only rule once, for every place.
A new command is one handler, one row and one Fluent help id per staff language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from engine.clients.merging import merge_command
from engine.commands import anywhere
from engine.commands import conversation as conv
from engine.commands import requests as req
from engine.conversation import call_back, saved_replies
from engine.deps import Deps
from engine.invocation import Invocation, Place
from engine.staff_texts import StaffText, of, st

Handler = Callable[[Deps, Invocation], Awaitable[str | None]]  # an answer for whoever gave it, or None

IN_FORUM = Place.anywhere_in_the_forum()
ANYWHERE = IN_FORUM | Place.PRIVATE  # every place Telegram reaches (not the console: it shows a page)


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    handler: Handler
    places: Place
    usage: str = ""  # its arguments as typed (syntax, the same in every language)
    lead_only: bool = False  # the refusal names what is refused: `lead-only-<name>`
    audited: bool = True  # recorded as a StaffCommandIssued first (a note is its own event instead)
    card: str | None = None  # how the request card's hint line shows its arguments; None: not shown
    menu: bool = True  # in the help and Telegram's command menus
    form: bool = True  # where the console may give it: offered as a form on its pages (else only sent as one)

    @property
    def help_id(self) -> str:
        return f"help-command-{self.name}"

    def usage_line(self) -> str:
        return f"/{self.name} {self.usage}".rstrip()


@dataclass(frozen=True, slots=True)
class Commands:
    rows: tuple[Command, ...]

    def __iter__(self) -> Iterator[Command]:
        return iter(self.rows)

    def get(self, name: str) -> Command | None:
        return next((row for row in self.rows if row.name == name), None)

    def plus(self, *rows: Command) -> Commands:
        return Commands(self.rows + rows)

    def allowed(self, place: Place) -> tuple[str, ...]:
        """The commands that may be given in `place` (the console's allowed actions: `Place.CONSOLE`)."""
        return tuple(row.name for row in self.rows if place & row.places)

    def help(self, place: Place, t: StaffText) -> str:
        """What works in `place`, in the reader's language."""
        header, footer = _HELP[place & (Place.TOPIC | Place.PRIVATE) or Place.FORUM]
        lines = [t(header)]
        for row in self.rows:
            if row.menu and place & row.places:
                leads = t("help-leads") if row.lead_only else ""
                lines.append(f"{row.usage_line()} — {t(row.help_id)}{leads}")
        return "\n".join([*lines, *([t(footer)] if footer else [])])

    def menu(self, t: StaffText, place: Place = IN_FORUM) -> list[tuple[str, str]]:
        """(name, one line) for Telegram's command menu of `place` (a staff forum: every command of its
        topics, General and Escalations)."""
        return [(row.name, t(row.help_id)) for row in self.rows if row.menu and place & row.places]

    def card_hint(self) -> str:
        """The last line of an open request's card: the commands that move it along."""
        return " · ".join(f"/{row.name} {row.card}".rstrip() for row in self.rows if row.card is not None)


_HELP: dict[Place, tuple[str, str | None]] = {
    Place.TOPIC: ("help-topic", "help-topic-else"),
    Place.FORUM: ("help-anywhere", None),
    Place.PRIVATE: ("help-private", None),
}


async def help_here(_deps: Deps, cmd: Invocation) -> str:
    return COMMANDS.help(cmd.place, of(cmd.assistant))


async def start(_deps: Deps, cmd: Invocation) -> str:
    """A staff member pressing Start in a private chat with the bot is not a client: what works here."""
    return st(cmd.assistant, "staff-welcome", name=cmd.assistant.name) + "\n" + await help_here(_deps, cmd)


T, C = Place.TOPIC, Place.CONSOLE
EDITABLE = "|".join(req.EDITABLE)
COMMANDS = Commands(
    (
        Command("note", conv.note, T | C, "<text>", audited=False),
        Command("r", saved_replies.send, T | C, "<name>"),
        Command("card", conv.card, T),
        Command("close", conv.close, T | C, form=False),
        Command("assign", conv.assign, IN_FORUM | C, "<name>", lead_only=True),
        Command("take", conv.take, IN_FORUM | C, "", lead_only=True, form=False),
        Command("merge", merge_command, T | C, "C-1042", lead_only=True),
        Command("quote", req.quote, T | C, "<amount> [RUB|USD|EUR|AED] <description> [cost <n>]", card=""),
        Command("edit", req.edit, T | C, f"{EDITABLE} <value>", card=EDITABLE, form=False),
        Command("progress", req.progress, T | C, card=""),
        Command("done", req.done, T | C, card=""),
        Command("cancel", req.cancel, T | C, "<reason>", card=""),
        Command("new", req.new, T, "[text]", card=""),
        Command("refund", req.refund, T | C, "[amount]", lead_only=True),
        Command("call", call_back.call_client, T),
        Command("away", anywhere.away, ANYWHERE, "[for 2h | until 18:00]"),
        Command("back", anywhere.back, ANYWHERE),
        Command("stats", anywhere.stats, ANYWHERE, "[7d | 24h | 30d]"),
        Command("translate", anywhere.translate, ANYWHERE | C, "on | off"),
        Command("console", anywhere.console, ANYWHERE),
        Command("help", help_here, ANYWHERE),
        Command("start", start, Place.FORUM | Place.ESCALATIONS | Place.PRIVATE, menu=False),
    )
)
