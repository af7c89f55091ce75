"""The clock acts: what each deadline does when it falls due. Every handler first checks that what it
watches still holds (the client still waits, the quote is still unpaid), writes its event with the
deadline's cause (a retry writes nothing twice, and the deliveries derived from it are the same ones), and
returns the next step of its ladder or None."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import structlog

from domain.assignment import choose_assistant
from domain.clients import Assistant, Client
from domain.deadlines import (
    BACK,
    CLIENT_REMINDER,
    FIRST_QUOTE,
    FIRST_RESPONSE,
    FULFILMENT,
    QUOTE_EXPIRY,
    QUOTE_REMINDER,
    RATING,
    Deadline,
    stamp,
)
from domain.events import SYSTEM, Event, EventType
from domain.lifecycle import RequestState
from domain.payments import GatewayError
from domain.promises import ESCALATE, FULFILMENT_STEPS, REASSIGN, REMIND
from domain.reminders import nice_moment, too_late
from domain.requests import ServiceRequest
from engine import queries as q
from engine.client_texts import locale_of, quote_buttons, when
from engine.clients.outbox import free_to_write, proactive_channel, quiet_now, to_client
from engine.clients.registry import refresh_card, tell_new_assistant
from engine.clock import timers
from engine.conversation import interpreting
from engine.deps import Deps
from engine.forum.escalations import tell_leads
from engine.forum.topics import say, staff_chat_for, tell_topic
from engine.outbox import Mentions, card_update, mention
from engine.requests import ratings, reminders
from engine.staff_texts import StaffText, for_client, moment_for, of, waited

log = structlog.get_logger(__name__)

Handler = Callable[[Deps, Deadline], Awaitable[Deadline | None]]
RETRY_CANCEL = timedelta(minutes=5)  # an expiry whose order could not be cancelled is tried again


def _rings(*people: Assistant | None) -> Mentions:
    return mention(*((a.telegram_id, a.name) for a in people if a is not None))


async def _record(
    deps: Deps, stream: str, kind: EventType, d: Deadline, suffix: str = "", **data: Any
) -> Event:
    payload = {"deadline": d.id, "step": d.step, **data}
    return (await deps.record(stream, kind, payload, SYSTEM, d.cause + suffix)).event


# --- the response promise: remind, escalate, reassign ---------------------------------------------------
async def first_response(deps: Deps, d: Deadline) -> Deadline | None:
    client = await q.client(deps.store, d.subject)
    if client is None:
        return None
    now, since = deps.clock.now(), datetime.fromisoformat(d.data["since"])
    ladder = datetime.fromisoformat(d.data.get("ladder", d.data["since"]))  # since the last handover
    promise = deps.policy.promises.response(client.vip)
    assistant = await q.assistant(deps.store, client.assistant_id)
    stream = f"conversation:{client.id}"
    before = await deps.store.events.by_cause(d.cause)  # this step acted before a crash
    handed_over = before is not None and before.data.get("action") in ("reassigned", "unassignable")
    if assistant is None or not assistant.present_at(now) or d.step >= REASSIGN or handed_over:
        return await _reassign(deps, client, assistant, d, since, now)
    common = {"promise": FIRST_RESPONSE, "since": d.data["since"], "assistant_id": assistant.id}
    if d.step == REMIND:
        event = await _record(deps, stream, EventType.RESPONSE_OVERDUE, d, action="reminded", **common)
        t = of(assistant)
        text = t("clock-reminded", assistant=assistant.name, client=client.name, wait=waited(t, since, now))
        await tell_topic(deps, client, event, text, mentions=_rings(assistant))
        return replace(d, step=ESCALATE, due=ladder + ESCALATE * promise)
    event = await _record(deps, stream, EventType.RESPONSE_OVERDUE, d, action="escalated", **common)
    minutes = str(int(promise.total_seconds() // 60))

    def escalated(t: StaffText) -> str:
        wait = waited(t, since, now)
        return t("clock-escalated", client=client.name, wait=wait, assistant=assistant.name, promise=minutes)

    await tell_leads(deps, client, event, 0, escalated)
    return replace(d, step=REASSIGN, due=ladder + REASSIGN * promise)


async def _reassign(
    deps: Deps, client: Client, old: Assistant | None, d: Deadline, since: datetime, now: datetime
) -> Deadline | None:
    """To a present assistant who speaks the client's language and has the fewest open conversations; the
    ladder starts again for them. Nobody: the leads are told, and the ladder ends."""
    stream = f"conversation:{client.id}"
    if (before := await deps.store.events.by_cause(d.cause)) is not None and before.data.get("to"):
        # reassigned before a crash: finish telling it, never choose again
        chosen, old = (
            await q.assistant(deps.store, before.data["to"]),
            await q.assistant(deps.store, before.data["assistant_id"]),
        )
    else:
        team = [
            a for a in await q.assistants(deps.store) if a.present_at(now) and a.id != client.assistant_id
        ]
        speakers = [a for a in team if a.speaks(client.language)] if client.language else team
        chosen = choose_assistant(speakers, client.language, await q.open_load(deps.store), 0)
    why = "away" if old is not None and not old.present_at(now) else "silent"
    common = {"promise": FIRST_RESPONSE, "since": d.data["since"], "assistant_id": old.id if old else None}
    if chosen is None:
        event = await _record(deps, stream, EventType.RESPONSE_OVERDUE, d, action="unassignable", **common)

        def nobody(t: StaffText) -> str:
            return t(
                "clock-unassignable",
                client=client.name,
                wait=waited(t, since, now),
                assistant=old.name if old else t("clock-nobody"),
                why=why,
                spoken=client.language.value.upper() if client.language else t("clock-their-language"),
            )

        await tell_leads(deps, client, event, 0, nobody)
        return None
    event = await _record(
        deps, stream, EventType.RESPONSE_OVERDUE, d, action="reassigned", to=chosen.id, **common
    )
    await deps.record(
        f"client:{client.id}",
        EventType.CLIENT_ASSIGNED,
        {"assistant_id": chosen.id, "reason": "unanswered"},
        SYSTEM,
        d.cause + "/assign",
    )
    client = await q.known_client(deps.store, client.id)
    await interpreting.for_new_assistant(deps, client, chosen)  # (before the cards are edited)

    def handover(t: StaffText) -> str:
        args = {"client": client.name, "assistant": chosen.name, "wait": waited(t, since, now)}
        if old is None:
            return t("clock-handover", **args)
        return t("clock-handover-from", **args, old=old.name, why=why)

    in_topic = of(chosen)
    text = handover(in_topic) + in_topic("clock-handover-above")
    await tell_topic(deps, client, event, text, 0, _rings(chosen, old))
    await tell_leads(deps, client, event, 1, handover)
    await tell_new_assistant(deps, client, event, 2, chosen)
    await refresh_card(deps, event, 3, client, requests=True)  # (:4 and on: the request cards)
    hand = d.data.get("hand", 0) + 1
    promise = deps.policy.promises.response(client.vip)
    data = {**d.data, "hand": hand, "ladder": now.isoformat()}  # the new assistant's ladder starts now
    return Deadline(d.id, now + promise, d.subject, f"{d.round.split('#')[0]}#{hand}", REMIND, data)


# --- the quote promise, the quote's reminder and expiry -------------------------------------------------
async def _fired_before(deps: Deps, d: Deadline) -> bool:
    """This step wrote its event before a crash: it finishes its telling whatever the state now."""
    return await deps.store.events.by_cause(d.cause) is not None


async def _request_and_client(deps: Deps, d: Deadline) -> tuple[ServiceRequest | None, Client | None]:
    request = await q.request(deps.store, d.subject)
    client = await q.client(deps.store, request.client_id) if request else None
    return request, client


async def first_quote(deps: Deps, d: Deadline) -> Deadline | None:
    request, client = await _request_and_client(deps, d)
    if request is None or client is None:
        return None
    if request.state is not RequestState.NEW and not await _fired_before(deps, d):
        return None
    now, since = deps.clock.now(), datetime.fromisoformat(d.data["since"])
    assistant = await q.assistant(deps.store, client.assistant_id)
    common = {"promise": FIRST_QUOTE, "since": d.data["since"], "assistant_id": client.assistant_id}
    stream = f"request:{request.id}"
    if d.step == REMIND and assistant is not None and assistant.present_at(now):
        event = await _record(deps, stream, EventType.RESPONSE_OVERDUE, d, action="reminded", **common)
        t = of(assistant)
        wait = waited(t, since, now)
        text = t("clock-quote-reminded", assistant=assistant.name, request=request.id, wait=wait)
        await tell_topic(deps, client, event, text, mentions=_rings(assistant))
        return replace(d, step=ESCALATE, due=since + ESCALATE * deps.policy.promises.first_quote)
    event = await _record(deps, stream, EventType.RESPONSE_OVERDUE, d, action="escalated", **common)

    def escalated(t: StaffText) -> str:
        who = assistant.name if assistant else t("clock-nobody")
        wait = waited(t, since, now)
        return t("clock-quote-escalated", request=request.id, client=client.name, wait=wait, who=who)

    await tell_leads(deps, client, event, 0, escalated)
    return None


def _live_quote(request: ServiceRequest | None, d: Deadline) -> bool:
    return (
        request is not None
        and request.state is RequestState.QUOTED
        and request.quote is not None
        and request.quote.version == d.data["version"]
        and not request.quote_lapsed
    )


async def quote_reminder(deps: Deps, d: Deadline) -> Deadline | None:
    request, client = await _request_and_client(deps, d)
    if request is None or client is None or not request.payment_link or request.quote is None:
        return None
    fired = await _fired_before(deps, d)  # (recorded before a crash: finished whatever the hour now)
    if not _live_quote(request, d) and not fired:
        return None
    channel = await proactive_channel(deps, client)
    if not await free_to_write(deps, client, channel):
        return None  # WhatsApp's window closed: a reminder is not worth a paid template
    if not fired and quiet_now(deps, client):
        return None  # their quiet hours (set in their page): a nudge about a quote is left unsaid
    quote = request.quote
    event = await _record(deps, f"request:{request.id}", EventType.QUOTE_REMINDED, d, version=quote.version)
    card = client.saved_card["last_four"] if client.saved_card else None
    text = deps.t(
        client.language,
        "quote-reminder",
        number=request.id,
        total=quote.total.format(locale_of(client)),
        until=when(deps, client, quote.valid_until),
    )
    buttons = quote_buttons(deps, client, request, quote, request.payment_link["url"], card)
    await to_client(deps, client, event, 0, text, buttons=buttons, channel=channel)
    await say(
        deps, client, event, "clock-quote-lapses-soon", 1, version=str(quote.version), request=request.id
    )
    return None


async def quote_expiry(deps: Deps, d: Deadline) -> Deadline | None:
    request, client = await _request_and_client(deps, d)
    if request is None or client is None or request.quote is None:
        return None
    link = request.payment_link or {}
    if not _live_quote(request, d):
        before = await deps.store.events.by_cause(d.cause)
        if before is None:
            return None
        link = {"order_id": before.data.get("order_id")}  # lapsed before a crash: finish it
    if deps.payments is not None and link.get("order_id"):
        try:  # the payment page must stop taking money first; the request id makes a retry run once
            await deps.payments.cancel_order(link["order_id"], request_id=f"expire:{link['order_id']}")
        except GatewayError as error:
            log.warning("clock.order_cancel_failed", request_id=request.id, error=type(error).__name__)
            return replace(d, due=deps.clock.now() + RETRY_CANCEL)
    version = request.quote.version
    event = await _record(
        deps,
        f"request:{request.id}",
        EventType.QUOTE_EXPIRED,
        d,
        version=version,
        order_id=link.get("order_id"),
    )
    channel = await proactive_channel(deps, client)
    told = await free_to_write(deps, client, channel)  # outside WhatsApp's window: only the topic hears it
    if told:
        lapsed_text = deps.t(client.language, "quote-lapsed", number=request.id)
        await to_client(deps, client, event, 0, lapsed_text, channel=channel)
    staff_chat = await staff_chat_for(deps, client)
    t = await for_client(deps, client)
    lapsed = t("clock-quote-lapsed", version=str(version), request=request.id)
    told_or_not = t("clock-client-told") if told else t("clock-client-not-told")
    await tell_topic(deps, client, event, f"{lapsed} {told_or_not} {t('clock-quote-again')}", 1)
    if staff_chat is not None:
        await deps.deliver(card_update(event, 2, staff_chat, client.id, card=f"request:{request.id}"))
    return None


# --- a paid request's time ------------------------------------------------------------------------------
async def fulfilment(deps: Deps, d: Deadline) -> Deadline | None:
    request, client = await _request_and_client(deps, d)
    if request is None or client is None or request.details.when is None:
        return None
    live = request.state in (RequestState.PAID, RequestState.IN_PROGRESS)
    # a changed time is watched by the deadline set then
    if (not live or request.details.when.isoformat() != d.data["when"]) and not await _fired_before(deps, d):
        return None
    assistant = await q.assistant(deps.store, client.assistant_id)
    moment, tz = request.details.when, deps.policy.tz
    stream = f"request:{request.id}"
    if d.step < len(FULFILMENT_STEPS):
        event = await _record(
            deps, stream, EventType.FULFILMENT_DUE, d, action="reminded", when=d.data["when"]
        )
        t = of(assistant)
        name = assistant.name if assistant else t("clock-team")
        at, now = moment_for(t, moment, tz), deps.clock.now()
        if now < moment:
            left = waited(t, now, moment)
            text = t("clock-fulfilment-soon", assistant=name, request=request.id, at=at, left=left)
        else:  # fired late (the service was down, or the clock jumped): not "in 0 min"
            ago = waited(t, moment, now)
            text = t("clock-fulfilment-late", assistant=name, request=request.id, at=at, ago=ago)
        await tell_topic(deps, client, event, text, mentions=_rings(assistant))
    else:
        event = await _record(
            deps, stream, EventType.FULFILMENT_DUE, d, action="overdue", when=d.data["when"]
        )

        def overdue(t: StaffText) -> str:
            who = assistant.name if assistant else t("clock-nobody")
            at = moment_for(t, moment, tz)
            return t("clock-fulfilment-overdue", request=request.id, client=client.name, at=at, who=who)

        await tell_leads(deps, client, event, 0, overdue)
    return timers.fulfilment_step(request, deps.clock.now(), after=d.step)


async def client_reminder(deps: Deps, d: Deadline) -> Deadline | None:
    """The client reminded of their paid booking (engine/requests/reminders.py); then the next reminder."""
    request, client = await _request_and_client(deps, d)
    if request is None or client is None or request.details.when is None or client.erased:
        return None
    live = request.state in (RequestState.PAID, RequestState.IN_PROGRESS)
    if (not live or request.details.when.isoformat() != d.data["when"]) and not await _fired_before(deps, d):
        return None  # done, cancelled or refunded since; a changed time is watched by the reminder set then
    if not too_late(d.step, request.details.when, deps.clock.now()) or await _fired_before(deps, d):
        await reminders.remind(deps, request, client, d)
    # the next is found from this one's time: one missed while the service was down is judged in its turn
    return timers.reminder_step(request, d.due, deps.policy.tz, after=d.step)


async def rating(deps: Deps, d: Deadline) -> Deadline | None:
    """The rating question a fulfilment at night (or in the client's quiet hours) left for now."""
    request, client = await _request_and_client(deps, d)
    if request is None or client is None or client.erased or request.state is not RequestState.FULFILLED:
        return None  # (refunded since: not the moment to ask)
    fulfilled_at = datetime.fromisoformat(d.data["fulfilled"])
    if any(refund.at > fulfilled_at for refund in request.refunds):
        return None  # money went back after it was done (a partial refund): nor is this
    now = deps.clock.now()
    if (at := nice_moment(now, deps.policy.tz, client.quiet)) != now:  # their quiet hours changed meanwhile
        return replace(d, due=at) if at is not None else None
    await ratings.ask(deps, client, request, SYSTEM, fulfilled_at)
    return None


# --- presence -------------------------------------------------------------------------------------------
async def back(deps: Deps, d: Deadline) -> Deadline | None:
    assistant = await q.assistant(deps.store, d.subject)
    if assistant is None or not assistant.away or assistant.away_until is None:
        return None
    if stamp(assistant.away_until) != d.round:
        return None  # a later /away replaced this one
    await deps.record(f"assistant:{assistant.id}", EventType.ASSISTANT_BACK, {"by": "clock"}, SYSTEM, d.cause)
    return None


HANDLERS: dict[str, Handler] = {
    FIRST_RESPONSE: first_response,
    FIRST_QUOTE: first_quote,
    QUOTE_REMINDER: quote_reminder,
    QUOTE_EXPIRY: quote_expiry,
    FULFILMENT: fulfilment,
    CLIENT_REMINDER: client_reminder,
    RATING: rating,
    BACK: back,
}


async def fire(deps: Deps, deadline: Deadline) -> Deadline | None:
    """Do what `deadline` is for; returns its next step, or None when it is over."""
    handler = HANDLERS.get(deadline.kind)
    if handler is None:
        log.warning("clock.unknown_deadline", kind=deadline.kind)
        return None
    return await handler(deps, deadline)
