"""Who calls: a number found among the clients, or a new number — answered before it is registered (the
call names the client id its claim drew and the assistant who will take them), and registered by the first of
the call's steps to need them."""

from __future__ import annotations

from typing import Any

import structlog

from domain.calls import caller_language
from domain.clients import Client, mask_phone
from domain.events import Event
from engine import queries as q
from engine.clients.registry import assign, claimed_phone, enrol, registration_cause
from engine.deps import Deps

log = structlog.get_logger(__name__)


async def known(deps: Deps, number: str) -> Client | None:
    """The client this number belongs to: a shared phone, a WhatsApp number, an earlier call."""
    if (known := await q.client_by_phone(deps.store, number)) is not None:
        return known
    return await q.client_by_identity_key(deps.store, f"whatsapp:{number}")


def details(number: str) -> dict[str, Any]:
    """A new caller: named by their number (masked), in the language of its country."""
    return {
        "name": mask_phone(number),
        "username": None,
        "language": caller_language(number).value,
        "identities": [],
        "phone": number,
    }


async def of_call(deps: Deps, received: Event) -> Client | None:
    """Who called (None: a withheld number). A new number answered before it was registered is registered
    here by the first of the call's steps to need them (the inbox's, or a callback Twilio waits on): the
    claim drawn at the answer names them, so twins and repeats register them once."""
    client_id = received.data["client_id"]
    if not client_id:
        return None
    assigns = received.data.get("assigns")
    if (client := await q.client(deps.store, client_id)) is not None:
        if client.assistant_id is None and assigns:  # (registered, and the service died before assigning)
            await assign(
                deps, client_id, client.language, f"{registration_cause(client_id)}/assign", to=assigns
            )
            client = await q.known_client(deps.store, client_id)
        return client
    number = await claimed_phone(deps, client_id)
    if number is None:  # (never: a claim is released only by erasing a registered client)
        log.warning("call.caller_unclaimed", client_id=client_id)
        return None
    cause = f"voice:{received.data['call_sid']}"
    client, _new = await enrol(deps, client_id, details(number), cause, assigns)
    return client
