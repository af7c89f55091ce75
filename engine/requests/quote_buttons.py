"""The client's buttons under a quote (numbered choices on WhatsApp): ask, decline, pay by saved card."""

from __future__ import annotations

from domain.clients import Client
from domain.events import Actor, ActorKind, ClientAction, Event, EventType
from domain.lifecycle import RequestState
from domain.quotes import Quote
from domain.requests import ServiceRequest
from engine import queries as q
from engine.client_texts import locale_of, quote_buttons, when
from engine.clients.outbox import to_client
from engine.deps import Deps
from engine.requests import ratings, reminders
from engine.requests.intake import cancel_request, deliver_to_topic
from engine.requests.payments import one_tap
from engine.staff_texts import DECLINED_BY_CLIENT


async def quote_button(deps: Deps, client: Client, data: str, cause: str) -> str | None:
    """Also a rating (`rate:<request>:<score>`), which arrives the same ways. Returns a short answer for
    the button itself (Telegram shows it over the chat) when the button is spent and nothing was done."""
    action, _, rest = data.partition(":")
    if action == "rate":
        await ratings.rated(deps, client, data, cause)
        return None
    if action == "remind":  # a reminder of a paid booking: all good, or a change
        return await reminders.answered(deps, client, rest)
    request_id, _, version = rest.partition(":")
    current = await q.request(deps.store, request_id)
    if current is None or current.client_id != client.id:
        return None
    if action in ("decline", "tap") and current.payment is not None:
        return deps.t(client.language, "quote-already-paid")  # spent: nothing to record, nothing to send
    actor = Actor(ActorKind.CLIENT, client.id)
    # a decline recorded before a crash is finished, not answered as a stale button
    declined = action == "decline" and await deps.store.events.by_cause(f"{cause}/cancel") is not None
    live = declined or (
        current.state is RequestState.QUOTED
        and current.quote
        and str(current.quote.version) == (version or str(current.quote.version))
    )
    if action == "ask":
        assistant = await q.assistant(deps.store, client.assistant_id)
        noted = await _action(deps, client, ClientAction("ask", request_id), f"{cause}/ask")
        await to_client(
            deps,
            client,
            noted,
            0,
            deps.t(client.language, "quote-question", assistant=assistant.name if assistant else "—"),
        )
        await deliver_to_topic(
            deps, client, noted, [lambda t: t("quote-question-asked", request=request_id)], first_n=1
        )
    elif not live:
        noted = await _action(deps, client, ClientAction(action, request_id, stale=True), f"{cause}/stale")
        if (replaced := _replaced_by(deps, current, version)) is not None:
            # an earlier version's button: the quote that replaced it is live, and is what to pay or decline
            card = client.saved_card["last_four"] if client.saved_card else None
            total, until = replaced.total.format(locale_of(client)), when(deps, client, replaced.valid_until)
            url = (current.payment_link or {})["url"]
            await to_client(
                deps,
                client,
                noted,
                0,
                deps.t(client.language, "quote-replaced", number=request_id, total=total, until=until),
                buttons=quote_buttons(deps, client, current, replaced, url, card),
            )
            return None
        assistant = await q.assistant(deps.store, client.assistant_id)
        await to_client(
            deps,
            client,
            noted,
            0,
            deps.t(client.language, "quote-expired", assistant=assistant.name if assistant else "—"),
        )
    elif action == "decline":
        await cancel_request(deps, client, current, DECLINED_BY_CLIENT, actor, cause, tell_client=False)
        cancelled = await deps.store.events.by_cause(f"{cause}/cancel")
        if cancelled is None:
            raise LookupError(f"cancel_request returned without recording {cause}/cancel")
        await to_client(
            deps, client, cancelled, 0, deps.t(client.language, "quote-declined", number=request_id)
        )
    elif action == "tap":
        await one_tap(deps, client, current, cause)
    return None


def _replaced_by(deps: Deps, current: ServiceRequest, version: str) -> Quote | None:
    """The quote that replaced version `version`, when it is still there to be paid."""
    quote = current.quote
    if current.state is not RequestState.QUOTED or quote is None or not current.payment_link:
        return None
    if not version.isdigit() or int(version) >= quote.version or quote.valid_until <= deps.clock.now():
        return None
    return quote


async def _action(deps: Deps, client: Client, action: ClientAction, cause: str) -> Event:
    return (
        await deps.record(
            f"conversation:{client.id}",
            EventType.CLIENT_ACTION_TAKEN,
            action.to_data(),
            Actor(ActorKind.CLIENT, client.id),
            cause,
        )
    ).event
