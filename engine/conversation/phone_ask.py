"""A Telegram client's number lets their call find them (one person, one client): asked once, politely, when
it matters — their first request, or when they ask to be called — with a button that shares their own
contact (Telegram's request_contact keyboard). What they share is kept by `merging.share_phone`."""

from __future__ import annotations

from domain.calls import asks_for_call
from domain.clients import Channel, Client
from domain.events import SYSTEM, EventType
from domain.outbound import Button
from engine.clients.outbox import last_channel, to_client
from engine.deps import Deps


async def ask_phone(deps: Deps, client: Client, text: str, cause: str) -> None:
    """After a message's intake: ask for the number if this is the moment, never a second time."""
    if deps.calls is None:  # no concierge number: nobody calls, so nothing to match a caller to
        return
    if client.phone or client.merged_into or client.identity(Channel.TELEGRAM) is None:
        return
    if await last_channel(deps, client) is not Channel.TELEGRAM:
        return
    opened = await deps.store.events.by_cause(f"{cause}/request")  # this message opened a request
    if opened is None and not asks_for_call(text):
        return
    asked = (
        await deps.record(  # one per client (its cause): the first moment asks, later ones find it
            f"conversation:{client.id}",
            EventType.PHONE_ASKED,
            {"by": cause},
            SYSTEM,
            f"phone-ask:{client.id}",
        )
    ).event
    if asked.data["by"] != cause:
        return  # asked before, at another message
    button = Button(deps.t(client.language, "phone-ask-button"), contact=True)
    await to_client(deps, client, asked, 0, deps.t(client.language, "phone-ask"), buttons=((button,),))
