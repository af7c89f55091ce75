"""The request lifecycle: intake, the card in the topic, quotes, fulfilment, the client's quote buttons."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import structlog

from bot.engine import queries as q
from bot.engine.client_outbox import to_client
from bot.engine.client_texts import pay_button, quote_buttons, quote_text
from bot.engine.deps import Deps
from bot.engine.outbox import card_update, to_topic
from bot.engine.topics import staff_chat_for
from domain.clients import Client
from domain.errors import DomainError, InvalidValue
from domain.events import Actor, ActorKind, Event, EventType
from domain.intake import Category, Understanding, describes_new_need, understand
from domain.lifecycle import RequestState
from domain.money import Money
from domain.quote_parsing import parse_quote
from domain.quotes import Quote
from domain.requests import ServiceRequest
from payments.cloudpayments import GatewayError
from storage.counters import next_value
from storage.deliveries import Delivery

log = structlog.get_logger(__name__)

EDITABLE = ("when", "category", "guests", "place", "budget")


async def open_requests(deps: Deps, client_id: str) -> list[ServiceRequest]:
    docs = await deps.store.db["requests"].find({"client_id": client_id, "open": True}).to_list()
    return sorted((ServiceRequest.from_doc(d) for d in docs), key=lambda r: int(r.id.split("-")[1]))


async def request(deps: Deps, request_id: str) -> ServiceRequest | None:
    doc = await deps.store.db["requests"].find_one({"_id": request_id})
    return ServiceRequest.from_doc(doc) if doc else None


async def decide(deps: Deps, current: ServiceRequest, decision: tuple, actor: Actor, cause: str) -> Event:
    kind, data = decision
    return await deps.record(f"request:{current.id}", kind, data, actor, cause, expected_seq=current.version)


def _substantial(text: str, learned: Understanding) -> bool:
    """Worth a request of its own: something understood, or more than a greeting."""
    signal = learned.category is not Category.OTHER or learned.when or learned.guests or learned.places
    return bool(signal) or len(text.split()) >= 4


async def _staff(deps: Deps, client: Client) -> int | None:
    return await staff_chat_for(deps, client)


async def _deliver_to_topic(
    deps: Deps,
    client: Client,
    event: Event,
    texts: list[str],
    first_n: int = 0,
    card_of: str | None = None,
    repost: bool = False,
) -> None:
    staff_chat = await _staff(deps, client)
    if staff_chat is None:
        return
    deliveries: list[Delivery] = [
        to_topic(event, first_n + i, staff_chat, client.id, text) for i, text in enumerate(texts)
    ]
    if card_of:
        deliveries.append(
            card_update(
                event, first_n + len(texts), staff_chat, client.id, repost=repost, card=f"request:{card_of}"
            )
        )
    await deps.deliver(*deliveries)


async def _to_client(deps: Deps, client: Client, event: Event, n: int, text: str, **options) -> None:
    await to_client(deps, client, event, n, text, **options)


async def open_request(
    deps: Deps, client: Client, text: str, actor: Actor, cause: str, acknowledge: bool = True
) -> ServiceRequest:
    prior = await deps.store.events.by_cause(cause)  # a replay keeps the number it took
    request_id = (
        prior.stream.split(":", 1)[1] if prior else f"R-{await next_value(deps.store.db, 'request', 1001)}"
    )
    learned = understand(text, deps.clock.now(), deps.tz)
    kind, data = ServiceRequest.open(request_id, client.id, text, learned)
    event = await deps.record(f"request:{request_id}", kind, data, actor, cause)
    opened = await request(deps, request_id)
    if acknowledge:
        assistant = await q.assistant(deps.store, client.assistant_id)
        await _to_client(
            deps,
            client,
            event,
            0,
            deps.t(
                client.language,
                "request-received",
                number=request_id,
                assistant=assistant.name if assistant else "—",
            ),
        )
    await _deliver_to_topic(deps, client, event, [], first_n=1, card_of=request_id, repost=True)
    return opened


async def intake(deps: Deps, client: Client, text: str, cause: str) -> None:
    """A client's words: a new request, or more about the open one."""
    learned = understand(text, deps.clock.now(), deps.tz)
    current = (await open_requests(deps, client.id) or [None])[-1]
    actor = Actor(ActorKind.CLIENT, client.id)
    if current is None or describes_new_need(learned, current.details):
        if _substantial(text, learned):
            await open_request(deps, client, text, actor, f"{cause}/request")
        return
    event = await decide(deps, current, current.add_message(text, learned), actor, f"{cause}/request-more")
    await _deliver_to_topic(deps, client, event, [], card_of=current.id)


# --- the assistant's commands ------------------------------------------------------------------------------
async def command(
    deps: Deps,
    assistant_actor: Actor,
    lead: bool,
    client: Client,
    name: str,
    args: str,
    event: Event,
    cause: str,
) -> bool:
    """Request commands typed in the topic. False: not a request command."""
    handlers = {
        "quote": _quote,
        "edit": _edit,
        "new": _new,
        "progress": _progress,
        "done": _done,
        "cancel": _cancel,
        "refund": _refund,
    }
    handler = handlers.get(name)
    if handler is None:
        return False
    try:
        await handler(deps, assistant_actor, lead, client, args, event, cause)
    except (DomainError, GatewayError) as error:
        await _deliver_to_topic(deps, client, event, [f"⚠️ {error}"], first_n=50)
    return True


async def _target(deps: Deps, client: Client, states: tuple[RequestState, ...]) -> ServiceRequest:
    """The request a command acts on: the latest one in one of `states`."""
    docs = await deps.store.db["requests"].find({"client_id": client.id}).to_list()
    candidates = sorted((ServiceRequest.from_doc(d) for d in docs), key=lambda r: int(r.id.split("-")[1]))
    for candidate in reversed(candidates):
        if candidate.state in states:
            return candidate
    wanted = " or ".join(s.value for s in states)
    raise InvalidValue(f"{client.name} has no request that is {wanted}. /new opens one.")


async def _quote(
    deps: Deps, actor: Actor, _lead: bool, client: Client, args: str, event: Event, cause: str
) -> None:
    current = await _target(deps, client, (RequestState.NEW, RequestState.QUOTED))
    currency, items = parse_quote(args)
    if deps.payments is None:
        raise InvalidValue("Payments are not configured (CLOUDPAYMENTS_PUBLIC_ID, CLOUDPAYMENTS_API_SECRET).")
    quote = Quote(current.next_quote_version, items, currency, deps.clock.now() + deps.quote_validity)
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
    )
    previous = current.payment_link
    quoted = await decide(
        deps,
        current,
        current.quote_with(quote, {"order_id": link.order_id, "url": link.url, "number": link.number}),
        actor,
        f"{cause}/quote",
    )
    current = await request(deps, current.id)
    notes = [f"🧾 Quote v{quote.version} sent to the client: {quote.total.format('en')}."]
    if previous:
        try:
            await deps.payments.cancel_order(
                previous["order_id"], request_id=f"cancel:{previous['order_id']}"
            )
            notes.append(f"The link of v{quote.version - 1} is cancelled.")
        except GatewayError as error:
            notes.append(f"⚠️ The old link could not be cancelled: {error}")
    card = client.saved_card["last_four"] if client.saved_card else None
    await _to_client(
        deps,
        client,
        quoted,
        0,
        quote_text(deps, client, current, quote),
        buttons=quote_buttons(deps, client, current, quote, link.url, card),
    )
    await _deliver_to_topic(deps, client, quoted, notes, first_n=1, card_of=current.id)


def _edited(details: Understanding, field_name: str, value: str, deps: Deps) -> Understanding:
    if field_name == "when":
        try:
            moment = datetime.fromisoformat(value).replace(tzinfo=deps.tz)
            return replace(details, when=moment, time_known=len(value) > 10)
        except ValueError:
            learned = understand(value, deps.clock.now(), deps.tz)
            if learned.when is None:
                raise InvalidValue(f"“{value}” is not a time; try /edit when 2026-12-01 20:00") from None
            return replace(details, when=learned.when, time_known=learned.time_known)
    if field_name == "category":
        try:
            return replace(details, category=Category(value.lower().split()[0]))
        except ValueError:
            names = ", ".join(c.value for c in Category)
            raise InvalidValue(f"“{value}” is not a category; use one of {names}") from None
    if field_name == "guests":
        if not value.isdigit() or not 0 < int(value) < 1000:
            raise InvalidValue(f"“{value}” is not a number of guests")
        return replace(details, guests=int(value))
    if field_name == "place":
        return replace(details, places=tuple(p.strip() for p in value.split(";") if p.strip()))
    amount, _, currency = value.partition(" ")
    return replace(details, budget=Money.of(amount, currency or "RUB"))


async def _edit(
    deps: Deps, actor: Actor, _lead: bool, client: Client, args: str, event: Event, cause: str
) -> None:
    field_name, _, value = args.partition(" ")
    if field_name not in EDITABLE or not value.strip():
        raise InvalidValue(f"Write /edit <{'|'.join(EDITABLE)}> <value>, e.g. /edit when 2026-12-01 20:00")
    current = await _target(
        deps, client, (RequestState.NEW, RequestState.QUOTED, RequestState.PAID, RequestState.IN_PROGRESS)
    )
    details = _edited(current.details, field_name, value.strip(), deps)
    edited = await decide(deps, current, current.edit(details, field_name), actor, f"{cause}/edit")
    await _deliver_to_topic(deps, client, edited, [], card_of=current.id)


async def _new(
    deps: Deps, actor: Actor, _lead: bool, client: Client, args: str, event: Event, cause: str
) -> None:
    text = args.strip()
    if not text:
        for received in reversed(await deps.store.events.read(f"conversation:{client.id}")):
            said = received.data.get("message") or {}
            if (
                received.type is EventType.MESSAGE_RECEIVED
                and not received.data.get("command")
                and said.get("text")
            ):
                text = said["text"]
                break
    if not text:
        raise InvalidValue("Nothing to open a request from: write /new <what the client asks for>.")
    await open_request(deps, client, text, actor, f"{cause}/new", acknowledge=True)


async def _progress(
    deps: Deps, actor: Actor, _lead: bool, client: Client, _args: str, event: Event, cause: str
) -> None:
    current = await _target(deps, client, (RequestState.PAID,))
    started = await decide(deps, current, current.start(), actor, f"{cause}/start")
    await _to_client(
        deps, client, started, 0, deps.t(client.language, "request-in-progress", number=current.id)
    )
    await _deliver_to_topic(
        deps, client, started, [f"▶️ {current.id} is in progress."], first_n=1, card_of=current.id
    )


async def _done(
    deps: Deps, actor: Actor, _lead: bool, client: Client, _args: str, event: Event, cause: str
) -> None:
    current = await _target(deps, client, (RequestState.PAID, RequestState.IN_PROGRESS))
    if current.state is RequestState.PAID:
        await decide(deps, current, current.start(), actor, f"{cause}/start")
        current = await request(deps, current.id)
    done = await decide(deps, current, current.fulfil(), actor, f"{cause}/done")
    text = deps.t(client.language, "request-done", number=current.id, name=client.name.split()[0])
    await _to_client(deps, client, done, 0, text)
    await _deliver_to_topic(
        deps,
        client,
        done,
        [f"🏁 {current.id} fulfilled; the client was thanked."],
        first_n=1,
        card_of=current.id,
    )


async def _cancel(
    deps: Deps, actor: Actor, _lead: bool, client: Client, args: str, event: Event, cause: str
) -> None:
    current = await _target(
        deps, client, (RequestState.NEW, RequestState.QUOTED, RequestState.PAID, RequestState.IN_PROGRESS)
    )
    await cancel_request(deps, client, current, args.strip() or "cancelled by the assistant", actor, cause)


async def cancel_request(
    deps: Deps,
    client: Client,
    current: ServiceRequest,
    reason: str,
    actor: Actor,
    cause: str,
    tell_client: bool = True,
) -> None:
    cancelled = await decide(deps, current, current.cancel(reason), actor, f"{cause}/cancel")
    notes = [f"✖️ {current.id} cancelled: {reason}"]
    if current.state is RequestState.QUOTED and current.payment_link and deps.payments:
        try:
            await deps.payments.cancel_order(
                current.payment_link["order_id"], request_id=f"cancel:{current.payment_link['order_id']}"
            )
        except GatewayError as error:
            notes.append(f"⚠️ The payment link could not be cancelled: {error}")
    if current.payment:
        notes.append(
            f"💸 It was paid ({current.payment.amount.format('en')}). "
            f"A lead can refund it with /refund or /refund <amount>."
        )
    if tell_client:
        text = deps.t(client.language, "request-cancelled", number=current.id)
        if actor.kind is ActorKind.ASSISTANT and reason and reason != "cancelled by the assistant":
            text += "\n" + deps.t(client.language, "request-cancelled-reason", reason=reason)
        await _to_client(deps, client, cancelled, 0, text)
    await _deliver_to_topic(deps, client, cancelled, notes, first_n=1, card_of=current.id)


async def _refund(
    deps: Deps, actor: Actor, lead: bool, client: Client, args: str, event: Event, cause: str
) -> None:
    from bot.engine.payments_flow import refund

    if not lead:
        raise InvalidValue("Only a lead can refund.")
    current = await _target(
        deps,
        client,
        (RequestState.PAID, RequestState.IN_PROGRESS, RequestState.FULFILLED, RequestState.CANCELLED),
    )
    if current.payment is None:
        raise InvalidValue(f"{current.id} was never paid.")
    amount = (
        Money.of(args.strip(), current.payment.amount.currency) if args.strip() else current.payment.amount
    )
    await refund(deps, client, current, amount, actor, cause)


# --- the client's buttons under a quote --------------------------------------------------------------------
async def quote_button(deps: Deps, client: Client, data: str, cause: str) -> None:
    from bot.engine.payments_flow import one_tap

    action, _, rest = data.partition(":")
    request_id, _, version = rest.partition(":")
    current = await request(deps, request_id)
    if current is None or current.client_id != client.id:
        return
    actor = Actor(ActorKind.CLIENT, client.id)
    live = (
        current.state is RequestState.QUOTED
        and current.quote
        and str(current.quote.version) == (version or str(current.quote.version))
    )
    if action == "ask":
        assistant = await q.assistant(deps.store, client.assistant_id)
        noted = await deps.record(
            f"conversation:{client.id}",
            EventType.STAFF_COMMAND_ISSUED,
            {"command": "client-asks", "args": request_id},
            actor,
            f"{cause}/ask",
        )
        await _to_client(
            deps,
            client,
            noted,
            0,
            deps.t(client.language, "quote-question", assistant=assistant.name if assistant else "—"),
        )
        await _deliver_to_topic(
            deps, client, noted, [f"❓ The client has a question about {request_id}."], first_n=1
        )
    elif not live:
        noted = await deps.record(
            f"conversation:{client.id}",
            EventType.STAFF_COMMAND_ISSUED,
            {"command": f"client-{action}-stale", "args": data},
            actor,
            f"{cause}/stale",
        )
        assistant = await q.assistant(deps.store, client.assistant_id)
        await _to_client(
            deps,
            client,
            noted,
            0,
            deps.t(client.language, "quote-expired", assistant=assistant.name if assistant else "—"),
        )
    elif action == "decline":
        await cancel_request(deps, client, current, "declined by the client", actor, cause, tell_client=False)
        declined = await deps.store.events.by_cause(f"{cause}/cancel")
        await _to_client(
            deps, client, declined, 0, deps.t(client.language, "quote-declined", number=request_id)
        )
    elif action == "tap":
        await one_tap(deps, client, current, cause)


async def send_pay_link(
    deps: Deps, client: Client, current: ServiceRequest, event: Event, n: int, message_id: str
) -> None:
    assert current.quote is not None and current.payment_link is not None
    await _to_client(
        deps,
        client,
        event,
        n,
        deps.t(client.language, message_id),
        buttons=pay_button(deps, client, current.quote, current.payment_link["url"]),
    )
