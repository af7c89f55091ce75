"""WhatsApp: one conversation, the 24-hour window, numbered choices, and what Twilio tells us later."""

from __future__ import annotations

from typing import Any

import structlog

from domain.clients import Channel, Client
from domain.events import SYSTEM, EventType
from domain.messages import Inbound, Person
from domain.outbound import ChannelSpec, Template, TemplateSids, from_doc, text_of
from engine import queries as q
from engine.clients.outbox import template
from engine.conversation import choices
from engine.deps import Deps
from engine.forum.topics import tell_topic
from engine.i18n import DEFAULT
from engine.staff_texts import StaffText, Text
from storage.deliveries import Delivery

log = structlog.get_logger(__name__)

RANKS = {"queued": 1, "sending": 2, "sent": 3, "delivered": 4, "read": 5, "failed": 6, "undelivered": 6}


async def message(deps: Deps, person: Person, inbound: Inbound, cause: str) -> None:
    """An inbound WhatsApp message: a numbered choice, a language's name, or a message like any other."""
    number = person.identity.external_id
    lane = _spec(deps).lane(number)
    client = await _client_of(deps, number) or await q.client_by_phone(deps.store, number)
    await choices.message(deps, person, inbound, cause, client)
    # they wrote: the window is open again, and what waited for it goes out first, in order
    await deps.store.deliveries.release_lane(lane)
    deps.senders.wake()


def _spec(deps: Deps) -> ChannelSpec:
    """WhatsApp's spec (bot/channels.py): its lanes are named by it, not here."""
    spec = deps.channels.get(Channel.WHATSAPP)
    if spec is None:
        raise LookupError("WhatsApp is not among the message channels (deps.channels)")
    return spec


async def _client_of(deps: Deps, number: str) -> Client | None:
    return await q.client_by_identity_key(deps.store, f"whatsapp:{number}")


async def window_open(deps: Deps, number: str) -> bool:
    client = await _client_of(deps, number)
    return client is not None and (await q.conversation(deps.store, client.id)).window_open(deps.clock.now())


async def _tell_topic(
    deps: Deps, client: Client, kind: EventType, data: dict[str, Any], cause: str, note: Text
) -> None:
    event = (await deps.record(f"conversation:{client.id}", kind, data, SYSTEM, cause)).event
    await tell_topic(deps, client, event, note)


async def window_closed(deps: Deps, delivery: Delivery, templates: TemplateSids) -> None:
    """Hold the client's messages; send the approved re-open template in their language, or tell the
    assistant."""
    number = delivery.chat
    await deps.store.deliveries.hold_lane(delivery.lane, "outside the 24-hour window")
    client = await _client_of(deps, number)
    if client is None:
        return
    template_sid = templates.sid(client.language or DEFAULT)
    last = (await q.conversation(deps.store, client.id)).last_inbound.get(Channel.WHATSAPP)
    since = last.isoformat() if last else "never"
    cause = f"window:{client.id}:{since}"
    if template_sid:
        event = (
            await deps.record(
                f"conversation:{client.id}",
                EventType.DELIVERY_PROBLEM,
                {"channel": "whatsapp", "problem": "window-closed", "template": template_sid},
                SYSTEM,
                cause,
            )
        ).event
        reopen = Template(template_sid, {"1": client.name.split()[0]})
        # its own lane: it is not held with the messages it re-opens the window for
        lane = _spec(deps).template_lane(number)
        await deps.deliver(template(event, 0, Channel.WHATSAPP, number, lane, reopen))
        await tell_topic(
            deps,
            client,
            event,
            lambda t: t("wa-window-template-sent"),
            1,
        )
        return
    await _tell_topic(
        deps,
        client,
        EventType.DELIVERY_PROBLEM,
        {"channel": "whatsapp", "problem": "window-closed"},
        cause,
        lambda t: t("wa-window-no-template"),
    )


def _preview(delivery: Delivery, t: StaffText) -> str:
    """The message's first words for the topic's note; a file without words, in the reader's language."""
    return (text_of(from_doc(delivery.payload)) or t("a-file"))[:80]


async def _problem(deps: Deps, delivery: Delivery, cause: str, note: Text, **data: Any) -> None:
    """A message that may not have reached the client: recorded, and the assistant is told in the topic."""
    client = await _client_of(deps, delivery.chat)
    if client is not None:
        await _tell_topic(
            deps,
            client,
            EventType.DELIVERY_PROBLEM,
            {"channel": "whatsapp", "delivery": delivery.id, **data},
            cause,
            note,
        )


async def lapsed(deps: Deps, delivery: Delivery, template: bool) -> None:
    """A reminder whose turn came after WhatsApp's 24 hours: it went as its template, or not at all."""
    await _problem(
        deps,
        delivery,
        f"lapsed:{delivery.id}",
        lambda t: t("wa-lapsed", template="yes" if template else "no", preview=_preview(delivery, t)),
        problem="lapsed",
        as_template=template,
    )


async def uncertain(deps: Deps, delivery: Delivery, error: str) -> None:
    await _problem(
        deps,
        delivery,
        f"uncertain:{delivery.id}",
        lambda t: t("wa-uncertain", error=error, preview=_preview(delivery, t)),
        problem="uncertain",
    )


async def refused(deps: Deps, delivery: Delivery, code: int | None, error: str) -> None:
    await _problem(
        deps,
        delivery,
        f"refused:{delivery.id}",
        lambda t: t("wa-refused", code=str(code), error=error),
        problem="refused",
        code=code,
    )


async def status(deps: Deps, sid: str, state: str, error_code: str | None) -> None:
    """A status callback: forward only; a failure reaches the assistant with Twilio's error code."""
    rank = RANKS.get(state)
    if rank is None:
        return
    moved = await deps.store.deliveries.provider_status("whatsapp", sid, state, rank)
    if moved is not None and state in ("failed", "undelivered"):
        await _problem(
            deps,
            moved,
            f"wa-status:{sid}:{state}",
            lambda t: t("wa-undelivered", state=state, code=error_code or "—", preview=_preview(moved, t)),
            problem=state,
            code=error_code,
        )
