"""Topic commands that move a request along: /quote /edit /new /progress /done /cancel /refund."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

import structlog

from domain import receipts
from domain.clients import Client
from domain.errors import ConcurrencyConflict, DomainError, InvalidValue
from domain.events import Event, EventType
from domain.formats import money
from domain.intake import Understanding, understand
from domain.intake.words import Category
from domain.lifecycle import RequestState
from domain.payments import GatewayError
from domain.quote_parsing import DEFAULT_CURRENCY, amount_said, cost_said, parse_quote_and_cost
from domain.quotes import Quote
from domain.receipts import FISCAL_CURRENCY
from domain.requests import ServiceRequest, invoice_id
from engine import queries as q
from engine.client_texts import quote_buttons, quote_text
from engine.clients.outbox import to_client
from engine.conversation import messages
from engine.deps import Deps
from engine.i18n import STAFF_LANGUAGES
from engine.invocation import Invocation
from engine.outbox import delete_message
from engine.requests import payments as payments_flow
from engine.requests import ratings
from engine.requests.intake import (
    cancel_request,
    decide,
    deliver_to_topic,
    open_request,
)
from engine.staff_texts import CANCELLED_BY_ASSISTANT, Text, bound, language_of

log = structlog.get_logger(__name__)
# the delivery number of a /quote's removal from its topic (after its notes, and a refusal's 50); +1: the line
# saying it could not be taken out
TAKE_OUT = 60
TO_PAY = timedelta(minutes=30)  # the least time a quote gives to pay, however soon its service
DAY_ENDS = time(23, 59)  # a quote for a day without a time is payable until then (business time)


QUOTE_CURRENCIES = ("RUB", "USD", "EUR", "AED")  # as the console offers them


def quote_currencies(deps: Deps) -> tuple[str, ...]:
    """The currencies a quote may be in: roubles only with fiscal receipts on (54-FZ)."""
    return (FISCAL_CURRENCY,) if deps.policy.receipts else QUOTE_CURRENCIES


def _quote_sent(request_id: str, quote: Quote) -> Text:
    """Names the request: a client with several open has several quotes in one topic."""
    total = quote.total
    return lambda t: t(
        "quote-sent", version=str(quote.version), request=request_id, total=money(total, language_of(t))
    )


EDITABLE = ("when", "category", "guests", "place", "budget")


async def _target(
    deps: Deps, client: Client, states: tuple[RequestState, ...], request_id: str | None = None
) -> ServiceRequest:
    """The request a command acts on: the one named (from the console), or the latest one in `states`."""
    wanted = " or ".join(s.value for s in states)
    shown = " / ".join(s.value for s in states)  # (for a reader in any language)
    for candidate in reversed(await q.requests_of(deps.store, client.id)):
        if request_id is not None and candidate.id == request_id:
            if candidate.state not in states:
                raise InvalidValue(
                    f"{candidate.id} is {candidate.state.value}, not {wanted}.",
                    key="request-state",
                    request=candidate.id,
                    state=candidate.state.value,
                    wanted=shown,
                )
            return candidate
        if request_id is None and candidate.state in states:
            return candidate
    if request_id is not None:
        raise InvalidValue(
            f"{client.name} has no request {request_id}.",
            key="no-such-request",
            client=client.name,
            request=request_id,
        )
    raise InvalidValue(
        f"{client.name} has no request that is {wanted}. /new opens one.",
        key="no-request",
        client=client.name,
        wanted=shown,
    )


async def quote(deps: Deps, cmd: Invocation) -> None:
    try:
        await _quote(deps, cmd)
    except DomainError:  # refused: a cost it said leaves the topic all the same
        if cost_said(cmd.args) and cmd.event is not None:
            await _take_out(deps, cmd, cmd.event)
        raise


def quote_valid_until(deps: Deps, request: ServiceRequest) -> datetime:
    """A quote may be paid for QUOTE_VALIDITY, but not past the time of what it is for (a car at 6:00
    quoted the evening before lapsed at 21:00 the next day) or the end of its day when it has no time
    (tickets for tonight quoted at 20:00 were payable until 20:00 the next day): then, and never sooner than
    TO_PAY from now (a car in ten minutes is still paid for on the way)."""
    now, details = deps.clock.now(), request.details
    until = now + deps.policy.quote_validity
    if details.when is not None:  # (a day without a time: until that day ends, 23:59)
        day_ends = datetime.combine(details.when.astimezone(deps.policy.tz).date(), DAY_ENDS, deps.policy.tz)
        until = min(until, max(details.when if details.time_known else day_ends, now + TO_PAY))
    return until


async def _quote(deps: Deps, cmd: Invocation) -> None:
    client, actor, args, cause = cmd.client, cmd.actor, cmd.args, cmd.cause
    if (quoted := await deps.store.events.by_cause(f"{cause}/quote")) is not None:
        # this /quote was recorded before a crash: finish telling it, never quote a next version
        made = Quote.from_data(quoted.data["quote"])
        request = await q.known_request(deps.store, quoted.stream_id)
        told = [_quote_sent(request.id, made), *_cost_kept(cmd, quoted)]
        await _tell_quote(deps, client, quoted, request, made, quoted.data["payment_link"]["url"], told)
        await _take_out_cost(deps, cmd, quoted)
        return
    current = await _target(deps, client, (RequestState.NEW, RequestState.QUOTED), cmd.request_id)
    currency, items, cost = parse_quote_and_cost(args)
    if currency not in quote_currencies(deps):
        raise InvalidValue(
            "With fiscal receipts on (54-FZ), quotes are in roubles: /quote 45000 RUB …",
            key="receipts-roubles",
        )
    if deps.payments is None:
        raise InvalidValue(
            "Payments are not configured (CLOUDPAYMENTS_PUBLIC_ID, CLOUDPAYMENTS_API_SECRET).",
            key="no-payments",
        )
    quote = Quote(current.next_quote_version, items, currency, quote_valid_until(deps, current))
    current.quote_with(quote, {}, cost)  # every rule of the decision holds before CloudPayments is asked
    description = f"{current.id}: " + "; ".join(item.description for item in items)
    link = await deps.payments.create_order(
        invoice_id=f"{current.id}/{quote.version}",
        account_id=client.id,
        amount=quote.total,
        description=description[:250],
        culture={"ar": "ar-AE", "ru": "ru-RU"}.get(
            client.language.value if client.language else "en", "en-US"
        ),
        request_id=f"order:{current.id}:{quote.version}",
        receipt=receipts.for_quote(current.id, quote, client, prepaid=deps.policy.prepayment)
        if deps.policy.receipts
        else None,
    )
    # how its receipts are printed, kept with the link: a refund or a settlement follows it, not the settings
    printed = (
        {"receipt": receipts.PREPAYMENT if deps.policy.prepayment else receipts.FULL}
        if deps.policy.receipts
        else {}
    )
    previous = current.payment_link
    try:
        quoted = await decide(
            deps,
            current,
            current.quote_with(
                quote, {"order_id": link.order_id, "url": link.url, "number": link.number} | printed, cost
            ),
            actor,
            f"{cause}/quote",
        )
    except DomainError as refused:
        if not isinstance(refused, ConcurrencyConflict):  # (a race is tried again, with this same order)
            await _withdraw(deps, link.order_id)  # refused for good: no payable link may be left behind
        raise
    current = await q.known_request(deps.store, current.id)
    notes: list[Text] = [_quote_sent(current.id, quote), *_cost_kept(cmd, quoted)]
    if previous:
        try:
            await deps.payments.cancel_order(
                previous["order_id"], request_id=f"cancel:{previous['order_id']}"
            )
            notes.append(lambda t: t("quote-old-link-cancelled", version=str(quote.version - 1)))
        except GatewayError as error:
            failure = str(error)  # (the note is made after the block, where `error` is unbound)
            notes.append(lambda t: t("quote-old-link-not-cancelled", error=failure))
    await _tell_quote(deps, client, quoted, current, quote, link.url, notes)
    await _take_out_cost(deps, cmd, quoted)


def _cost_kept(cmd: Invocation, quoted: Event) -> list[Text]:
    if not quoted.data.get("cost"):
        return []
    taken_out = cmd.message_id is not None
    return [lambda t: t("quote-cost-kept", assistant=cmd.assistant.name, taken_out=str(taken_out).lower())]


async def _take_out_cost(deps: Deps, cmd: Invocation, quoted: Event) -> None:
    """The /quote typed with a cost leaves the topic (the whole team reads the forum): the cost and the
    margin are for leads and whoever quoted, in the console."""
    if quoted.data.get("cost"):
        await _take_out(deps, cmd, quoted)


async def _take_out(deps: Deps, cmd: Invocation, event: Event) -> None:
    if cmd.message_id is not None and cmd.chat_id is not None:
        await deps.deliver(delete_message(event, TAKE_OUT, cmd.chat_id, cmd.client.id, cmd.message_id))


async def _withdraw(deps: Deps, order_id: str) -> None:
    assert deps.payments is not None
    try:
        await deps.payments.cancel_order(order_id, request_id=f"cancel:{order_id}")
    except GatewayError as error:
        log.warning("quote.order_not_withdrawn", error=type(error).__name__)


async def _tell_quote(
    deps: Deps,
    client: Client,
    quoted: Event,
    current: ServiceRequest,
    quote: Quote,
    url: str,
    notes: list[Text],
) -> None:
    card = client.saved_card["last_four"] if client.saved_card else None
    await to_client(
        deps,
        client,
        quoted,
        0,
        quote_text(deps, client, current, quote),
        buttons=quote_buttons(deps, client, current, quote, url, card),
    )
    await deliver_to_topic(deps, client, quoted, notes, first_n=1, card_of=current.id)


def category_said(value: str) -> Category | None:
    """A category as an assistant types it: its code ('dining') or its name as the card or the console shows
    it in a staff language ('Рестораны', 'водитель и транспорт', 'экскурсии'), in any case."""
    said = " ".join(value.lower().split())
    for category in Category:
        names = {category.value}
        for language in STAFF_LANGUAGES:
            t = bound(language)
            names |= {t(f"category-{category.value}").lower(), t(f"card-category-{category.value}").lower()}
        if said in names or said.split(" ")[0] == category.value:
            return category
    return None


def _edited(details: Understanding, field_name: str, value: str, deps: Deps) -> Understanding:
    if field_name == "when":
        try:
            moment = datetime.fromisoformat(value).replace(tzinfo=deps.policy.tz)
            # the assistant set it: confirmed, even if already past
            return replace(
                details,
                when=moment,
                time_known=len(value) > 10,
                time_approx=False,
                time_past=False,
                time_unsure=False,
            )
        except ValueError:
            learned = understand(value, deps.clock.now(), deps.policy.tz, deps.policy.place)
            if learned.when is None:
                raise InvalidValue(
                    f"“{value}” is not a time; try /edit when 2026-12-01 20:00", key="edit-time", text=value
                ) from None
            return replace(
                details,
                when=learned.when,
                time_known=learned.time_known,
                time_approx=learned.time_approx,
                time_past=False,
                time_unsure=learned.time_unsure,
            )
    if field_name == "category":
        if (category := category_said(value)) is None:
            names = ", ".join(c.value for c in Category)
            raise InvalidValue(
                f"“{value}” is not a category; use one of {names}",
                key="edit-category",
                text=value,
                names=names,
            )
        return replace(details, category=category)
    if field_name == "guests":
        if not value.isdigit() or not 0 < int(value) < 1000:
            raise InvalidValue(f"“{value}” is not a number of guests", key="edit-guests", text=value)
        return replace(details, guests=int(value))
    if field_name == "place":
        return replace(details, places=tuple(p.strip() for p in value.split(";") if p.strip()))
    return replace(details, budget=amount_said(value, DEFAULT_CURRENCY))


async def edit(deps: Deps, cmd: Invocation) -> None:
    client, actor, args, cause = cmd.client, cmd.actor, cmd.args, cmd.cause
    field_name, _, value = args.partition(" ")
    if field_name not in EDITABLE or not value.strip():
        fields = "|".join(EDITABLE)
        raise InvalidValue(
            f"Write /edit <{fields}> <value>, e.g. /edit when 2026-12-01 20:00",
            key="edit-usage",
            fields=fields,
        )
    current = await _target(
        deps,
        client,
        (RequestState.NEW, RequestState.QUOTED, RequestState.PAID, RequestState.IN_PROGRESS),
        cmd.request_id,
    )
    details = _edited(current.details, field_name, value.strip(), deps)
    edited = await decide(deps, current, current.edit(details, field_name), actor, f"{cause}/edit")
    await deliver_to_topic(deps, client, edited, [], card_of=current.id)


async def new(deps: Deps, cmd: Invocation) -> None:
    client, actor, args, cause = cmd.client, cmd.actor, cmd.args, cmd.cause
    text = args.strip()
    if not text:
        for received in reversed(await deps.store.events.read(f"conversation:{client.id}")):
            said = received.data.get("message") or {}
            if (
                received.type is EventType.MESSAGE_RECEIVED
                and not received.data.get("command")
                and not received.data.get("edited")  # (a correction of an older message)
                and said.get("text")
            ):
                text = said["text"]
                break
    if not text:
        raise InvalidValue(
            "Nothing to open a request from: write /new <what the client asks for>.", key="new-empty"
        )
    await open_request(deps, client, text, actor, f"{cause}/new", acknowledge=True)


async def progress(deps: Deps, cmd: Invocation) -> None:
    client, actor, cause = cmd.client, cmd.actor, cmd.cause
    # recorded before a crash? then only the telling is left: the state moved on already
    started = await deps.store.events.by_cause(f"{cause}/start")
    if started is None:
        current = await _target(deps, client, (RequestState.PAID,), cmd.request_id)
        started = await decide(deps, current, current.start(), actor, f"{cause}/start")
    number = started.stream_id
    await to_client(deps, client, started, 0, deps.t(client.language, "request-in-progress", number=number))
    await deliver_to_topic(
        deps, client, started, [lambda t: t("req-in-progress", request=number)], first_n=1, card_of=number
    )


async def done(deps: Deps, cmd: Invocation) -> None:
    client, actor, cause = cmd.client, cmd.actor, cmd.cause
    fulfilled = await deps.store.events.by_cause(f"{cause}/done")  # recorded before a crash: tell it
    if fulfilled is None:
        current = await _target(deps, client, (RequestState.PAID, RequestState.IN_PROGRESS), cmd.request_id)
        if current.state is RequestState.PAID:
            await decide(deps, current, current.start(), actor, f"{cause}/start")
            current = await q.known_request(deps.store, current.id)
        fulfilled = await decide(deps, current, current.fulfil(), actor, f"{cause}/done")
    number = fulfilled.stream_id
    text = deps.t(client.language, "request-done", number=number, name=client.name.split()[0])
    await to_client(deps, client, fulfilled, 0, text)
    await deliver_to_topic(
        deps,
        client,
        fulfilled,
        [lambda t: t("req-fulfilled", request=number)],
        first_n=1,
        card_of=number,
    )
    await _settle_prepayment(deps, client, await q.known_request(deps.store, number), fulfilled)
    request = await q.known_request(deps.store, number)
    await ratings.ask(deps, client, request, fulfilled.actor, fulfilled.at)  # (now, or by the clock)


SETTLEMENT_NOTE = 30  # its line's place among the deliveries of /done (after the card and the rating's)


async def _settle_prepayment(deps: Deps, client: Client, request: ServiceRequest, fulfilled: Event) -> None:
    """54-FZ: the service is rendered, so the prepayment's receipt is followed by the settlement's (the same
    request id whatever the retries: CloudKassir prints it once)."""
    printed = (request.payment_link or {}).get("receipt")
    if printed != receipts.PREPAYMENT or deps.payments is None or request.quote is None:
        return
    left = request.refundable  # what was paid and not refunded: what the service was rendered for
    if left is None or left.minor <= 0:
        return
    receipt = receipts.for_amount(request.id, request.quote, left, client)
    try:
        await deps.payments.settle_prepayment(
            invoice_id=invoice_id(request.id, request.quote.version),
            account_id=client.id,
            receipt=receipt,
            request_id=f"settle:{request.id}",
        )
    except GatewayError as error:
        reason = str(error)
        log.warning("fiscal.settlement_failed", request_id=request.id)  # (alerted: deploy/alerts.yml)
        note: list[Text] = [lambda t: t("fiscal-settlement-failed", request=request.id, reason=reason)]
        await deliver_to_topic(deps, client, fulfilled, note, first_n=SETTLEMENT_NOTE)
        return
    await payments_flow.tell_unaddressed(deps, client, fulfilled, receipt, request.id, SETTLEMENT_NOTE + 1)


async def cancel(deps: Deps, cmd: Invocation) -> None:
    client, actor, args, cause = cmd.client, cmd.actor, cmd.args, cmd.cause
    if (cancelled := await deps.store.events.by_cause(f"{cause}/cancel")) is not None:
        current = await q.known_request(deps.store, cancelled.stream_id)  # recorded before a crash: finish it
    else:
        current = await _target(
            deps,
            client,
            (RequestState.NEW, RequestState.QUOTED, RequestState.PAID, RequestState.IN_PROGRESS),
            cmd.request_id,
        )
    command = cmd.recorded

    async def in_their_language(reason: str) -> str:  # (as the assistant's other words: translated)
        return await messages.in_their_language(deps, client, cmd.assistant.id, command, reason)

    reason = args.strip() or CANCELLED_BY_ASSISTANT
    await cancel_request(deps, client, current, reason, actor, cause, in_their_language=in_their_language)


async def refund(deps: Deps, cmd: Invocation) -> None:
    client, actor, args, cause = cmd.client, cmd.actor, cmd.args, cmd.cause
    # refunded in full before a crash, maybe untold: tell it. A partial one is asked of the bank again under
    # the same request id, which answers the same refund, so it is recognised and told, never made twice.
    if cmd.replayed:
        latest = (
            await q.request(deps.store, cmd.request_id)
            if cmd.request_id
            else next(reversed(await q.requests_of(deps.store, client.id)), None)
        )
        if latest is not None and latest.state is RequestState.REFUNDED and latest.refund is not None:
            await payments_flow.record_refund(
                deps, latest, latest.refund.amount, latest.refund.transaction_id, actor
            )
            return
    current = await _target(
        deps,
        client,
        (RequestState.PAID, RequestState.IN_PROGRESS, RequestState.FULFILLED, RequestState.CANCELLED),
        cmd.request_id,
    )
    if current.payment is None:
        raise InvalidValue(f"{current.id} was never paid.", key="never-paid", request=current.id)
    left = current.refundable or current.payment.amount  # (nothing left: refund_of says so)
    amount = amount_said(args, left.currency) if args.strip() else left
    await payments_flow.refund(deps, client, current, amount, actor, cause, replayed=cmd.replayed)
