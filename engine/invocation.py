"""What every topic command handler receives."""

from __future__ import annotations

from dataclasses import dataclass

from domain.clients import Assistant, Client
from domain.events import Actor, Event


@dataclass(frozen=True, slots=True)
class TopicCommand:
    assistant: Assistant  # who typed it
    actor: Actor
    client: Client  # whose topic it was typed in
    args: str  # everything after the command's name, stripped
    event: (
        Event | None
    )  # the StaffCommandIssued it was recorded as (None for a command that is its own event)
    cause: str  # the inbox item it came from: derive every further cause from it
    replayed: bool = False  # recorded before: this is the same message processed again after a crash
    name: str = ""  # the command's name, as typed
    request_id: str | None = None  # the request it is about (the console acts on one); None: the latest
    via: str = "topic"  # "topic" or "console"

    @property
    def recorded(self) -> Event:
        assert self.event is not None, "an audited command"
        return self.event


def parse(text: str) -> tuple[str, str]:
    """'/Quote@bot 100 RUB car' → ('quote', '100 RUB car')."""
    name, _, args = text.strip()[1:].partition(" ")
    return name.split("@")[0].lower(), args.strip()
