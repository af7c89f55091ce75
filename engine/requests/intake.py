"""Requests: intake (a new request, or more of the open one), deciding on a request with optimistic
concurrency, cancelling, and the lines and card updates that tell the topic."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from domain.clients import Client
from domain.events import Actor, ActorKind, Event, EventType
from domain.formats import money
from domain.intake import Understanding, describes_new_need, understand
from domain.payments import GatewayError
from domain.requests import Decision, ServiceRequest
from engine import queries as q
from engine.client_texts import pay_button
from engine.clients.outbox import to_client
from engine.deps import Deps
from engine.forum.cards import when_text
from engine.forum.topics import FIRST_TOPIC, staff_chat_for
from engine.outbox import Words, card_update, to_topic
from engine.staff_texts import CANCELLED_BY_ASSISTANT, Text, for_client, language_of, reason_text
from storage.counters import next_value
from storage.deliveries import Delivery
from storage.step_reads import first_attempt, noted

log = structlog.get_logger(__name__)
T = EventType
# a request's state moved: the client card's list of open requests changes with it
MOVES = {T.REQUEST_OPENED, T.REQUEST_QUOTED, T.REQUEST_PAID, T.REQUEST_STARTED, T.REQUEST_FULFILLED}
MOVES |= {T.REQUEST_CANCELLED, T.REQUEST_REFUNDED}
CLIENT_CARD = 20  # its delivery's number: after every line an event makes (no caller makes twenty)


async def decide(deps: Deps, current: ServiceRequest, decision: Decision, actor: Actor, cause: str) -> Event:
    kind, data = decision
    return (
        await deps.record(f"request:{current.id}", kind, data, actor, cause, expected_seq=current.version)
    ).event


async def deliver_to_topic(
    deps: Deps,
    client: Client,
    event: Event,
    texts: list[Text],
    first_n: int = 0,
    card_of: str | None = None,
    repost: bool = False,
) -> None:
    """Lines in the client's topic (each a text, or made in the topic's language), then the card."""
    staff_chat = await staff_chat_for(deps, client)
    if staff_chat is None:
        return
    if any(callable(text) for text in texts):
        t = await for_client(deps, client)
        lines = [text(t) if callable(text) else text for text in texts]
    else:
        lines = [text for text in texts if isinstance(text, str)]  # (every one is)
    deliveries: list[Delivery] = [
        to_topic(event, first_n + i, staff_chat, client.id, text) for i, text in enumerate(lines)
    ]
    if card_of:
        deliveries.append(
            card_update(
                event, first_n + len(texts), staff_chat, client.id, repost=repost, card=f"request:{card_of}"
            )
        )
    if event.type in MOVES:  # the pinned client card lists the open requests with their states
        deliveries.append(card_update(event, CLIENT_CARD, staff_chat, client.id))
    await deps.deliver(*deliveries)


async def open_request(
    deps: Deps,
    client: Client,
    text: str,
    actor: Actor,
    cause: str,
    acknowledge: bool = True,
    learned: Understanding | None = None,
    words: Words | None = None,
) -> ServiceRequest:
    """`learned`: what intake already read from `text` (read here otherwise); `words`: the client's message
    that opens it, on its way to the topic — carried by the request's card when it may be (`_carries`), else
    relayed before any line about the request."""
    event = await _opened(deps, client, text, actor, cause, learned, words)
    opened = await q.known_request(deps.store, event.stream_id)
    if words is not None and (carried := await _carries(deps, client.id, words, event)):  # (not relayed)
        chat = int(words.relay.chat)
        await deps.deliver(card_update(event, 1, chat, client.id, True, f"request:{opened.id}", words))
    else:
        carried = False
        await _relay(deps, words)
    notes = _confirm_time(deps, opened) if opened.details.time_past else []
    card_of = None if carried else opened.id
    await deliver_to_topic(deps, client, event, notes, first_n=2, card_of=card_of, repost=True)
    if acknowledge:
        assistant = await q.assistant(deps.store, client.assistant_id)
        await to_client(
            deps,
            client,
            event,
            0,
            deps.t(
                client.language,
                "request-received",
                number=opened.id,
                assistant=assistant.name if assistant else "—",
            ),
        )
    return opened


async def _carries(deps: Deps, client_id: str, words: Words, opened: Event) -> bool:
    """May the request's card carry the words that opened it (one post, not two)? When they fit, and no relay
    of the client's waits in the topic (they write faster than the forum may post): then the words go behind
    it as a relay — the two merged into one post when the forum is busy — and the card waits behind them, as
    every card does. A second attempt keeps to what the first one stored."""
    if not first_attempt():  # (before anything read again: a translation may fail now, a client move on)
        if await deps.store.deliveries.stored(f"{opened.id}:1"):
            return True
        if await deps.store.deliveries.stored(words.relay.id):
            return False
    if not words.foldable:
        return False
    if noted(FIRST_TOPIC, client_id):  # their first topic asked for in this step: no relay of theirs yet
        return True
    return not await deps.store.deliveries.mergeable_waiting(words.relay.lane)


async def _opened(
    deps: Deps,
    client: Client,
    text: str,
    actor: Actor,
    cause: str,
    learned: Understanding | None,
    words: Words | None,
) -> Event:
    """The request recorded: the same cause at the same moment (a form sent twice at once) took two numbers,
    and the first recorded wins."""
    prior = await deps.store.events.replayed(cause)  # a replay keeps the number it took
    request_id = (
        prior.stream.split(":", 1)[1] if prior else f"R-{await next_value(deps.store.db, 'request', 1001)}"
    )
    learned = learned or understand(text, deps.clock.now(), deps.policy.tz, deps.policy.place)
    via = words.via if words is not None else None
    kind, data = ServiceRequest.open(request_id, client.id, text, learned, via)
    stream = f"request:{request_id}"
    return (await deps.record(stream, kind, data, actor, cause, opens=prior is None)).event


def _confirm_time(deps: Deps, request: ServiceRequest) -> list[Text]:
    """A time already past when the client wrote is kept as said, and the assistant is asked to confirm it."""
    details = request.details
    return [lambda t: t("req-time-past", request=request.id, at=when_text(details, deps.policy.tz, t))]


async def intake(deps: Deps, client: Client, text: str, cause: str, words: Words | None = None) -> None:
    """A client's words: a new request, or more about the open one. `words`: the message on its way to the
    topic, stored here before what it adds to a request is recorded (or after the request it opens is, by
    `open_request`: relayed, or carried by its card)."""
    actor = Actor(ActorKind.CLIENT, client.id)
    if await deps.store.events.replayed(f"{cause}/request") is not None:  # read before a crash: finish it
        await open_request(deps, client, text, actor, f"{cause}/request", words=words)  # (same number)
        return
    if (added := await deps.store.events.replayed(f"{cause}/request-more")) is not None:
        await _relay(deps, words)
        await _deliver_added(deps, client, added)
        return
    learned = understand(text, deps.clock.now(), deps.policy.tz, deps.policy.place)
    if learned.small_talk or learned.cancels:
        await _relay(deps, words)
        return  # thanks, yes, hello; "cancel the table": relayed, and nothing more (the assistant cancels)
    open_now = await q.open_requests(deps.store, client.id)
    current = open_now[-1] if open_now else None
    if learned.asks and (current is None or describes_new_need(learned, current.details)):
        await open_request(deps, client, text, actor, f"{cause}/request", learned=learned, words=words)
        return
    await _relay(deps, words)
    if current is None:
        return  # a question or a remark with nothing open: the assistant reads it in the topic
    event = await decide(deps, current, current.add_message(text, learned), actor, f"{cause}/request-more")
    await _deliver_added(deps, client, event)


async def _relay(deps: Deps, words: Words | None) -> None:
    if words is not None:
        await deps.deliver(*words.relayed)


async def words_shown(deps: Deps, words: Words, cause: str) -> None:
    """After a failure in reading a client's message: its words go to the topic as they are, unless they are
    on their way already (relayed, or carried by the card of the request they opened), come what may."""
    if await deps.store.deliveries.stored(words.relay.id):
        return
    opened = await deps.store.events.by_cause(f"{cause}/request")
    if opened is None or not await deps.store.deliveries.stored(f"{opened.id}:1"):
        await deps.deliver(*words.relayed)


async def _deliver_added(deps: Deps, client: Client, added: Event) -> None:
    """The card updated, after a line asking to confirm a time that had already passed, if it brought one."""
    notes: list[Text] = []
    if added.data.get("confirm_time"):
        request = await q.request(deps.store, added.stream_id)
        notes = _confirm_time(deps, request) if request else []
    await deliver_to_topic(deps, client, added, notes, card_of=added.stream_id)


async def cancel_request(
    deps: Deps,
    client: Client,
    current: ServiceRequest,
    reason: str,
    actor: Actor,
    cause: str,
    tell_client: bool = True,
    in_their_language: Callable[[str], Awaitable[str]] | None = None,
) -> None:
    """`in_their_language`: the assistant's reason as the client is to read it (translated when the
    assistant's other words would be)."""
    cancelled = await deps.store.events.by_cause(f"{cause}/cancel")  # recorded before a crash: finish it
    if cancelled is None:
        cancelled = await decide(deps, current, current.cancel(reason), actor, f"{cause}/cancel")
    notes: list[Text] = [lambda t: t("req-cancelled", request=current.id, reason=reason_text(t, reason))]
    if current.payment_link and not current.payment and deps.payments:  # (cancelling twice is harmless)
        try:
            await deps.payments.cancel_order(
                current.payment_link["order_id"], request_id=f"cancel:{current.payment_link['order_id']}"
            )
        except GatewayError as error:
            failure = str(error)  # (the note is made after the block, where `error` is unbound)
            notes.append(lambda t: t("req-link-not-cancelled", error=failure))
    if (paid := current.payment) is not None:
        notes.append(lambda t: t("req-cancelled-paid", amount=money(paid.amount, language_of(t))))
    if tell_client:
        text = deps.t(client.language, "request-cancelled", number=current.id)
        if actor.kind is ActorKind.ASSISTANT and reason and reason != CANCELLED_BY_ASSISTANT:
            said = await in_their_language(reason) if in_their_language else reason
            text += "\n" + deps.t(client.language, "request-cancelled-reason", reason=said)
        await to_client(deps, client, cancelled, 0, text)
    await deliver_to_topic(deps, client, cancelled, notes, first_n=1, card_of=current.id)


async def send_pay_link(
    deps: Deps, client: Client, current: ServiceRequest, event: Event, n: int, message_id: str
) -> None:
    assert current.quote is not None and current.payment_link is not None
    await to_client(
        deps,
        client,
        event,
        n,
        deps.t(client.language, message_id),
        buttons=pay_button(deps, client, current.quote, current.payment_link["url"]),
    )
