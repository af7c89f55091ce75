"""What every staff command handler receives: one frozen value, whichever place the command was given in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Flag, auto

from domain.clients import Assistant, Client
from domain.errors import InvalidValue
from domain.events import Actor, Event


class Place(Flag):
    """Where a command may be given (a table row holds a set of them)."""

    TOPIC = auto()  # a client's topic in the staff forum
    FORUM = auto()  # the forum's General topic (or another topic that is no client's)
    ESCALATIONS = auto()  # the forum's ⚠️ Escalations topic
    PRIVATE = auto()  # a staff member's private chat with the bot
    CONSOLE = auto()  # a form in the staff console

    @classmethod
    def anywhere_in_the_forum(cls) -> Place:
        return cls.TOPIC | cls.FORUM | cls.ESCALATIONS


@dataclass(frozen=True, slots=True)
class Invocation:
    name: str  # the command's name, lower case, without the slash
    assistant: Assistant  # who gave it
    actor: Actor
    place: Place  # exactly one place
    args: str  # everything after the command's name, stripped
    cause: str  # the inbox item or console form it came from: derive every further cause from it
    about: Client | None = None  # the client whose topic (or console page) it was given in
    request_id: str | None = None  # the request it is about (the console acts on one); None: the latest
    chat_id: int | None = None  # the Telegram chat it was typed in (a forum, a private chat); None: console
    reply_to: int | None = None  # the message it answers (an escalation line names its client)
    event: Event | None = None  # the StaffCommandIssued it was recorded as (None: not recorded)
    replayed: bool = False  # recorded before: this is the same command processed again after a crash
    message_id: int | None = None  # the Telegram message it was typed as (None: the console)

    @property
    def via(self) -> str:
        return "console" if self.place is Place.CONSOLE else "telegram"

    @property
    def client(self) -> Client:
        """The client of a command that is only ever given about one (the table's places say so)."""
        assert self.about is not None, f"/{self.name} is about a client"
        return self.about

    @property
    def recorded(self) -> Event:
        assert self.event is not None, "an audited command"
        return self.event


class Forbidden(InvalidValue):
    """Something only a lead may do, asked by someone who is not one (the console answers 403)."""


def parse(text: str) -> tuple[str, str]:
    """'/Quote@bot 100 RUB car' → ('quote', '100 RUB car')."""
    name, _, args = text.strip()[1:].partition(" ")
    return name.split("@")[0].lower(), args.strip()
