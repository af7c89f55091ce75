"""Everything the client is sent goes out on the channel they last wrote on. WhatsApp has no inline buttons:
link buttons become the link itself, the others numbered choices the client answers with a digit."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from domain.clients import Channel, Client
from domain.events import Actor, ActorKind, Event, EventType
from domain.texts import TELEGRAM_MAX, WHATSAPP_MAX, split_text
from engine import queries as q
from engine.deps import Deps
from engine.outbox import Buttons, to_private_chat
from storage.deliveries import Delivery

WHATSAPP = "whatsapp"


async def last_channel(deps: Deps, client: Client) -> Channel:
    last = (await q.conversation(deps.store, client.id)).last_channel
    if last is not None and client.identity(last):
        return last
    return client.identities[0].channel if client.identities else Channel.TELEGRAM


async def free_to_write(deps: Deps, client: Client) -> bool:
    """Can the service write to the client now without a paid template? Not on WhatsApp outside its 24-hour
    window: what is merely nice to say (a reminder, a rating question) is then left unsaid."""
    if await last_channel(deps, client) is not Channel.WHATSAPP:
        return True
    return (await q.conversation(deps.store, client.id)).window_open(deps.clock.now())


def whatsapp_number(client: Client) -> str:
    """The number of a client `last_channel` finds on WhatsApp (it does only for one with that identity)."""
    identity = client.identity(Channel.WHATSAPP)
    if identity is None:
        raise LookupError(f"client {client.id} has no WhatsApp identity to write to")
    return identity.external_id


def whatsapp_delivery(event: Event, n: int, number: str, op: str, **payload: Any) -> Delivery:
    return Delivery(
        f"{event.id}:{n}",
        WHATSAPP,
        number,
        {"op": op, "to": number, **payload},
        event.id,
        lane=f"wa:{number}",
    )


def parts(first: Delivery, texts: list[str], key: str = "text") -> list[Delivery]:
    """One delivery per part of a long text, in order: the first keeps its id, the others are `<id>.<k>`
    (deterministic, so a replay stores nothing new); buttons ride on the last part."""
    if len(texts) == 1:
        return [first]
    buttons = first.payload.get("buttons")
    out = []
    for k, text in enumerate(texts):
        payload = {**first.payload, key: text, "buttons": buttons if k == len(texts) - 1 else None}
        out.append(replace(first, id=first.id if k == 0 else f"{first.id}.{k}", payload=payload))
    return out


def whatsapp_texts(event: Event, n: int, number: str, text: str) -> list[Delivery]:
    return parts(whatsapp_delivery(event, n, number, "text", text=text), split_text(text, WHATSAPP_MAX))


def degrade(deps: Deps, client: Client, text: str, buttons: Buttons | None) -> tuple[str, dict[str, str]]:
    """(text with links and numbered choices, {"1": callback data, ...})."""
    if not buttons:
        return text, {}
    lines = [text, ""]
    choices: dict[str, str] = {}  # its number → the button's callback data
    for row in buttons:
        for button in row:
            if "url" in button:
                lines.append(f"{button['text']}: {button['url']}")
            else:
                number = str(len(choices) + 1)
                choices[number] = button["data"]
                lines.append(f"{number} — {button['text']}")
    if choices:
        lines += ["", deps.t(client.language, "choices-hint")]
    return "\n".join(lines), choices


async def to_client(
    deps: Deps,
    client: Client,
    event: Event,
    n: int,
    text: str,
    *,
    buttons: Buttons | None = None,
    reply_to: int | None = None,
) -> None:
    channel = await last_channel(deps, client)
    if channel is Channel.WHATSAPP:
        number = whatsapp_number(client)
        body, choices = degrade(deps, client, text, buttons)
        if choices:
            await deps.record(
                f"conversation:{client.id}",
                EventType.CHOICES_OFFERED,
                {"channel": WHATSAPP, "choices": choices},
                Actor(ActorKind.SYSTEM, "concierge"),
                f"{event.id}:{n}/choices",
            )
        await deps.deliver(*whatsapp_texts(event, n, number, body))
        return
    identity = client.identity(Channel.TELEGRAM)
    if identity is not None and Channel.TELEGRAM not in client.unreachable:
        chat = int(identity.external_id)
        first = to_private_chat(event, n, chat, text, buttons=buttons, reply_to=reply_to)
        await deps.deliver(*parts(first, split_text(text, TELEGRAM_MAX)))
