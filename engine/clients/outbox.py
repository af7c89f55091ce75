"""Everything the client is sent goes out on the channel they last wrote on, composed by that channel's own
rules (its spec in `deps.channels`: buttons, splitting, media). Buttons a channel cannot show come back as
numbered choices, remembered here so the client's digit answers them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from domain.clients import Channel, Client
from domain.events import Actor, ActorKind, Event, EventType
from domain.miniapp import is_quiet
from domain.outbound import Buttons, Composed, Message, Template, to_doc
from engine import queries as q
from engine.deps import Deps
from storage.deliveries import Delivery


async def last_channel(deps: Deps, client: Client) -> Channel:
    last = (await q.conversation(deps.store, client.id)).last_channel
    if last is not None and client.identity(last):
        return last
    return client.identities[0].channel if client.identities else Channel.TELEGRAM


async def proactive_channel(deps: Deps, client: Client) -> Channel:
    """Where the service writes of its own accord (a reminder, a rating question, a new assistant): the
    channel the client prefers (set in their page) when they can be written to there; else their last."""
    if client.contact in (Channel.TELEGRAM.value, Channel.WHATSAPP.value):
        preferred = Channel(client.contact)
        if client.identity(preferred) is not None and preferred not in client.unreachable:
            return preferred
    return await last_channel(deps, client)


def quiet_now(deps: Deps, client: Client) -> bool:
    """Inside the client's quiet hours (business time), when nothing merely nice to say is sent."""
    return is_quiet(client.quiet, deps.clock.now().astimezone(deps.policy.tz).hour)


async def free_to_write(deps: Deps, client: Client, channel: Channel | None = None) -> bool:
    """Can the service write to the client now (on `channel`, else their last) without a paid template? Not
    on WhatsApp outside its 24-hour window: what is merely nice to say (a reminder, a rating question) is then
    left unsaid."""
    if (channel or await last_channel(deps, client)) is not Channel.WHATSAPP:
        return True
    return (await q.conversation(deps.store, client.id)).window_open(deps.clock.now())


def parts(
    channel: Channel, address: str, lane: str, event: Event, n: int, composed: Composed
) -> list[Delivery]:
    """One delivery per part, in order: the first is `<event id>:<n>`, the others `<id>.<k>` (deterministic,
    so a replay stores nothing new)."""
    first = f"{event.id}:{n}"
    return [
        Delivery(
            first if k == 0 else f"{first}.{k}", channel.value, address, to_doc(part), event.id, lane=lane
        )
        for k, part in enumerate(composed.parts)
    ]


def template(event: Event, n: int, channel: Channel, address: str, lane: str, out: Template) -> Delivery:
    """An approved template (WhatsApp's re-open message), in the lane it is given."""
    return Delivery(f"{event.id}:{n}", channel.value, address, to_doc(out), event.id, lane=lane)


async def send(
    deps: Deps,
    client: Client,
    event: Event,
    n: int,
    message: Message,
    *,
    channel: Channel | None = None,
    meta: dict[str, Any] | None = None,
    even_unreachable: bool = False,
) -> Composed | None:
    """Compose `message` for the client's channel (their last, unless named) and store its parts; None when
    the client cannot be written to there (`even_unreachable`: an assistant's own words are stored anyway, and
    fail where the channel refuses them). A refusal (a file the channel cannot carry) stores nothing."""
    channel = channel or await last_channel(deps, client)
    identity = client.identity(channel)
    spec = deps.channels.get(channel)
    if identity is None or spec is None or (channel in client.unreachable and not even_unreachable):
        return None
    composed = spec.compose(message, lambda message_id: deps.t(client.language, message_id))
    if composed.refused is not None:
        return composed
    if composed.choices:
        await deps.record(
            f"conversation:{client.id}",
            EventType.CHOICES_OFFERED,
            {"channel": channel.value, "choices": dict(composed.choices)},
            Actor(ActorKind.SYSTEM, "concierge"),
            f"{event.id}:{n}/choices",
        )
    deliveries = parts(channel, identity.external_id, spec.lane(identity.external_id), event, n, composed)
    if meta and deliveries:
        deliveries[0] = replace(deliveries[0], meta=meta)
    await deps.deliver(*deliveries)
    return composed


async def to_client(
    deps: Deps,
    client: Client,
    event: Event,
    n: int,
    text: str,
    *,
    buttons: Buttons = (),
    reply_to: int | None = None,
    channel: Channel | None = None,
) -> None:
    message = Message(text, buttons, reply_to=None if reply_to is None else str(reply_to))
    await send(deps, client, event, n, message, channel=channel)
