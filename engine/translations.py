"""What translation stands between a client and their assistant, and the translation a client's message got:
read by the forum's cards and the client's page as well as by the conversation (engine/conversation/
interpreting.py makes the translations)."""

from __future__ import annotations

from domain.clients import Assistant, Client, Language
from domain.events import Event
from engine.deps import Deps


def bridges(deps: Deps, client: Client, assistant: Assistant | None) -> bool:
    """Translation stands between the client and their assistant, whenever the client has it on: a translator
    is set, the assistant takes it, and does not read the client's language."""
    return (
        deps.interpreter is not None
        and assistant is not None
        and assistant.translates
        and client.language is not None
        and not assistant.speaks(client.language)
    )


async def translation_of(deps: Deps, message_cause: str, reader: Assistant | None = None) -> Event | None:
    """The translation made for the assistant of the client's message taken in under `message_cause` (its
    MessageReceived is `<cause>/received`, engine/conversation/messages.py). For a `reader` (an assistant the
    translation bridges to): the first one made when they read its language, else the one made for them
    when the client was handed to them (`handover_cause`)."""
    cause = translation_cause(f"{message_cause}/received")
    first = await deps.store.events.by_cause(cause)
    if reader is None or (first is not None and reader.speaks(Language.parse(first.data.get("target")))):
        return first
    return await deps.store.events.by_cause(handover_cause(cause, reader))


def handover_cause(first: str, reader: Assistant) -> str:
    """Of a message's translation for an assistant the client was handed to (its first one, `first`, was made
    in a language they do not read, or none was)."""
    return f"{first}/{reader.languages[0].value}"


def translation_cause(translated: str) -> str:
    """Of the event whose words were translated."""
    return f"{translated}/translated"
