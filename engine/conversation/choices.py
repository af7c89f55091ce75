"""A client's message on a channel without buttons of its own (WhatsApp, or any other that composes buttons as
text): an answer to the choices it was last offered acts as the button would have, a language's name sets the
language ("language" alone asks which), anything else is a message like any other."""

from __future__ import annotations

from domain.clients import Client
from domain.intake.text import DIGITS
from domain.messages import Inbound, Kind, Person, language_named
from engine import queries as q
from engine.clients import registry as clients
from engine.clients.outbox import to_client
from engine.conversation import messages as conversation
from engine.deps import Deps
from engine.requests import quote_buttons

# what a client writes, alone, to be sent the one-time link to their own page
PAGE_WORDS = frozenset({"app", "my page", "تطبيق", "التطبيق", "صفحتي", "приложение", "моя страница"})
# what a client writes, alone, to be asked which language (Telegram's /language): the choices come numbered
LANGUAGE_WORDS = frozenset({"language", "lang", "اللغة", "لغة", "язык"})


async def message(deps: Deps, person: Person, inbound: Inbound, cause: str, client: Client | None) -> None:
    """`client`: who the person is, as the channel found them (None: a first message, which registers)."""
    body = (inbound.text or "").strip()
    choices = (await q.conversation(deps.store, client.id)).choices if client else {}
    # (an Arabic or Persian keyboard types the choice's digit as ٢ or ۲)
    data = {key.casefold(): value for key, value in choices.items()}.get(body.casefold().translate(DIGITS))
    if client is None:
        await conversation.client_message(deps, person, inbound, cause)  # registers (or joins by phone)
    elif inbound.kind is Kind.TEXT and data is not None:
        chosen = await conversation.received(deps, client, inbound, cause, command=f"choice:{data}")
        if data.startswith("lang:"):
            await clients.choose_language(deps, person, data.removeprefix("lang:"), cause)
        elif notice := await quote_buttons.quote_button(deps, client, data, cause):
            await to_client(deps, client, chosen, 0, notice)  # no button to answer: a message says it
    elif inbound.kind is Kind.TEXT and body.casefold().lstrip("/") in PAGE_WORDS:
        await conversation.app_command(deps, person, inbound, cause)
    elif inbound.kind is Kind.TEXT and body.casefold().lstrip("/") in LANGUAGE_WORDS:
        await conversation.language_command(deps, person, inbound, cause)
    elif inbound.kind is Kind.TEXT and (language := language_named(body)) and language is not client.language:
        # (the language they write in already: an answer to the assistant — "English?" "English." — relayed)
        await conversation.received(deps, client, inbound, cause, command="language")
        await clients.choose_language(deps, person, language.value, cause)
    else:
        await conversation.client_message(deps, person, inbound, cause)
