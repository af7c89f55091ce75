"""Money: CloudPayments notifications, one-tap token payments, refunds, receipts."""

from __future__ import annotations

import structlog

from domain import receipts
from domain.clients import Client
from domain.errors import ConcurrencyConflict, DomainError
from domain.events import Actor, ActorKind, ClientAction, Event, EventType
from domain.formats import money
from domain.ledger import Payment
from domain.lifecycle import RequestState
from domain.money import Money
from domain.payments import Charged, CheckCode, Declined, GatewayError, NeedsConfirmation, Notification
from domain.requests import ServiceRequest, invoice_id, parse_invoice_id
from engine import queries as q
from engine.client_texts import locale_of, page_row, receipt_text, refund_text
from engine.clients.outbox import to_client
from engine.deps import Deps
from engine.forum.escalations import tell_leads
from engine.requests.intake import decide, deliver_to_topic, send_pay_link
from engine.staff_texts import StaffText, Text, language_of
from storage.counters import next_value

log = structlog.get_logger(__name__)

CLOUDPAYMENTS = Actor(ActorKind.PROVIDER, "cloudpayments")
RACES = 5  # a money event decided again on the fresh state when another write to its request came first
# an unexpected payment's deliveries after its line in the topic (0); its return's line, when it went back
EXTRA_CLIENT, EXTRA_LEADS, EXTRA_RETURNED = 1, 2, 3


async def _request_of(deps: Deps, invoice: str) -> tuple[ServiceRequest | None, int | None]:
    parsed = parse_invoice_id(invoice)
    if parsed is None:
        return None, None
    return await q.request(deps.store, parsed[0]), parsed[1]


async def check_code(deps: Deps, note: Notification) -> int:
    """May this payment go ahead? Answered synchronously to CloudPayments' `check`."""
    current, version = await _request_of(deps, note.invoice_id)
    if current is None or current.quote is None:
        return CheckCode.UNKNOWN_INVOICE
    if note.test_mode and not deps.policy.test_payments:
        return CheckCode.REJECTED  # a test card against the live service: no money would move
    if note.account_id != current.client_id:
        return CheckCode.WRONG_ACCOUNT
    if version != current.quote.version or current.state is not RequestState.QUOTED:
        return CheckCode.REJECTED  # a revised quote, or already paid or cancelled
    if note.amount != current.quote.total:
        return CheckCode.WRONG_AMOUNT
    if not current.quote.is_valid_at(deps.clock.now()):
        return CheckCode.EXPIRED
    return CheckCode.ACCEPT


async def _number(deps: Deps, prefix: str, counter: str) -> str:
    return f"{prefix}-{await next_value(deps.store.db, counter, 10001)}"


async def _unexpected(
    deps: Deps,
    client: Client,
    current: ServiceRequest,
    transaction_id: int,
    reason: str,
    actor: Actor,
    cause: str,
    note: Text,
) -> Event:
    """Money moved that the request did not expect: kept in its log, and the topic is told. Returns the
    event it was kept as."""
    event = (
        await deps.record(
            f"request:{current.id}",
            EventType.PAYMENT_FAILED,
            {"transaction_id": transaction_id, "reason": reason},
            actor,
            f"{cause}/unexpected",
        )
    ).event
    await deliver_to_topic(deps, client, event, [note])
    return event


async def _extra_money(
    deps: Deps, client: Client, current: ServiceRequest, event: Event, amount: Money, transaction_id: int
) -> None:
    """A payment the request did not need (paid from two devices at once, an old link after a cancel): the
    client is told it comes back, and the leads — who alone can refund — hear of it where they look, with
    the transaction to refund in CloudPayments (/refund returns the request's own payment)."""
    text = deps.t(client.language, "pay-extra", amount=money(amount, locale_of(client)), number=current.id)
    await to_client(deps, client, event, EXTRA_CLIENT, text)

    def told(t: StaffText) -> str:
        said = money(amount, language_of(t))
        return t("pay-extra-leads", request=current.id, amount=said, transaction=str(transaction_id))

    await tell_leads(deps, client, event, EXTRA_LEADS, told)


async def _extra_returned(deps: Deps, extra: Event, note: Notification) -> None:
    """CloudPayments says a payment the request did not need went back (refunded in its dashboard): the
    topic hears it; the request, which never took that money, stays as it is."""
    current = await q.known_request(deps.store, extra.stream_id)
    client = await _client(deps, current)

    def line(t: StaffText) -> str:
        amount, transaction = money(note.amount, language_of(t)), str(note.payment_transaction_id)
        return t("pay-extra-returned", amount=amount, transaction=transaction, request=current.id)

    await deliver_to_topic(deps, client, extra, [line], first_n=EXTRA_RETURNED)


async def _client(deps: Deps, current: ServiceRequest) -> Client:
    client = await q.client(deps.store, current.client_id)
    assert client is not None
    return client


async def record_payment(
    deps: Deps,
    current: ServiceRequest,
    amount: Money,
    transaction_id: int,
    card_mask: str | None,
    token: str | None,
    last_four: str | None,
    card_type: str | None,
) -> Event | None:
    """Paid: the request moves on, the card is kept for one tap, a receipt goes out, the topic is told.
    Returns the payment's event (None for money the request did not expect)."""
    client = await _client(deps, current)
    cause = f"cp:pay:{transaction_id}"
    if current.payment and current.payment.transaction_id == transaction_id:
        paid_event = await deps.store.events.by_cause(cause)  # recorded before: finish what may be missing
        if paid_event is None:  # (only this function records a payment, and under this cause)
            raise LookupError(f"{current.id} shows transaction {transaction_id} but the log has no {cause}")
    elif current.state is not RequestState.QUOTED or current.quote is None or amount != current.quote.total:
        event = await _unexpected(
            deps,
            client,
            current,
            transaction_id,
            "unexpected payment",
            CLOUDPAYMENTS,
            cause,
            lambda t: t(
                "pay-unexpected",
                amount=money(amount, language_of(t)),
                transaction=str(transaction_id),
                request=current.id,
                state=t(f"card-open-state-{current.state.value}"),
            ),
        )
        # (a payment of a quote revised meanwhile is no extra money: the new total is still owed)
        if current.state is not RequestState.QUOTED:
            await _extra_money(deps, client, current, event, amount, transaction_id)
        return None
    else:
        prior = await deps.store.events.by_cause(cause)
        receipt = prior.data["payment"]["receipt"] if prior else await _number(deps, "RC", "receipt")
        decision = current.pay(amount, transaction_id, card_mask, deps.clock.now(), receipt)
        paid_event = await decide(deps, current, decision, CLOUDPAYMENTS, cause)
    if token and last_four:
        await deps.record(
            f"client:{client.id}",
            EventType.CLIENT_CARD_SAVED,
            {"token": token, "last_four": last_four, "card_type": card_type or "Card"},
            CLOUDPAYMENTS,
            f"{cause}/card",
        )
    current = await q.known_request(deps.store, current.id)
    assistant = await q.assistant(deps.store, client.assistant_id)
    payment = current.payment
    assert payment is not None, "the request was just paid"
    await to_client(
        deps,
        client,
        paid_event,
        0,
        receipt_text(deps, client, current, payment, assistant.name if assistant else "—"),
        buttons=page_row(deps, client),
    )
    await deliver_to_topic(
        deps,
        client,
        paid_event,
        [
            lambda t: t(
                "pay-paid",
                request=current.id,
                amount=money(payment.amount, language_of(t)),
                card=card_mask or t("card-a-card"),
                transaction=str(transaction_id),
                receipt=payment.receipt,
            )
        ],
        first_n=1,
        card_of=current.id,
    )
    return paid_event


async def notification(deps: Deps, note: Notification) -> None:
    """A stored pay, fail, refund, confirm, cancel or receipt notification; once per (type, TransactionId)."""
    if note.kind == "receipt":
        await fiscal_receipt(deps, note)
        return
    if note.kind == "refund":
        original = note.payment_transaction_id
        current = await q.request_paid_by(deps.store, original) if original is not None else None
        unknown = current is None and original is not None  # (not the request's payment: an extra one?)
        extra = await deps.store.events.by_cause(f"cp:pay:{original}/unexpected") if unknown else None
        if extra is not None:  # (money the request never took: not a refund of its payment)
            await _extra_returned(deps, extra, note)
            return
        if current is None:
            current, _ = await _request_of(deps, note.invoice_id)
        if current is None:
            log.warning("cloudpayments.refund_unknown", transaction=note.transaction_id)
            return
        await record_refund(deps, current, note.amount, note.transaction_id, CLOUDPAYMENTS)
        return
    current, _version = await _request_of(deps, note.invoice_id)
    if current is None:
        log.warning("cloudpayments.unknown_invoice", kind=note.kind, transaction=note.transaction_id)
        return
    if note.kind == "pay" and note.test_mode and not deps.policy.test_payments:
        await _test_payment(deps, current, note)
    elif note.kind == "pay":
        await record_payment(
            deps,
            current,
            note.amount,
            note.transaction_id,
            note.card_mask,
            note.token,
            note.card_last_four,
            note.card_type,
        )
    elif note.kind == "fail":
        await payment_failed(deps, current, note.transaction_id, note.reason or "declined", note.reason_code)
    else:
        log.info("cloudpayments.notification_noted", kind=note.kind, transaction=note.transaction_id)


def _receipt_of_payment(current: ServiceRequest, client: Client) -> receipts.FiscalReceipt | None:
    """As its order link's receipt was printed (kept with the link), whatever the settings say now."""
    printed = (current.payment_link or {}).get("receipt")
    if printed is None or current.quote is None:
        return None
    return receipts.for_quote(current.id, current.quote, client, prepaid=printed == receipts.PREPAYMENT)


def _receipt_of_refund(
    current: ServiceRequest, client: Client, amount: Money
) -> receipts.FiscalReceipt | None:
    """A refund's receipt mirrors the payment's: none if it had none; prepaid until the settlement."""
    printed = (current.payment_link or {}).get("receipt")
    if printed is None or current.quote is None or amount.currency != receipts.FISCAL_CURRENCY:
        return None
    settled = any(each.kind == "settlement" for each in current.fiscal_receipts)
    prepaid = printed == receipts.PREPAYMENT and not settled
    return receipts.for_amount(current.id, current.quote, amount, client, prepaid, "partial refund")


UNADDRESSED = 40  # the line's place among a payment's or a refund's deliveries (after its own and its card)


async def tell_unaddressed(
    deps: Deps,
    client: Client,
    event: Event,
    receipt: receipts.FiscalReceipt | None,
    request_id: str,
    n: int = UNADDRESSED,
) -> None:
    """54-FZ: a receipt with neither e-mail nor phone reaches no one (no payment page asked for one). The
    topic is told with the payment or refund it belongs to (once, whatever the retries): the assistant asks
    the client for an e-mail."""
    if receipt is None or receipt.addressed:
        return
    note: list[Text] = [lambda t: t("fiscal-no-contact", request=request_id)]
    await deliver_to_topic(deps, client, event, note, first_n=n)


async def fiscal_receipt(deps: Deps, note: Notification) -> None:
    """CloudKassir printed the fiscal receipt of a payment or a refund: kept on the request, its link sent to
    the client in their language, the topic told."""
    current, _ = await _request_of(deps, note.invoice_id)
    if current is None:
        current = await q.request_paid_by(deps.store, note.transaction_id)
    if current is None:
        log.warning("cloudpayments.receipt_unknown", transaction=note.transaction_id)
        return
    issued = receipts.issued(note.raw, note.amount, note.transaction_id)
    recorded = await deps.record(
        f"request:{current.id}",
        EventType.FISCAL_RECEIPT_ISSUED,
        {"receipt": issued.to_data()},
        CLOUDPAYMENTS,
        note.provider_id,
    )
    client = await _client(deps, current)  # (a replay delivers again under the same ids: sent once)
    if issued.url is not None:
        amount = issued.amount.format(locale_of(client))
        text = deps.t(
            client.language,
            "fiscal-receipt-refund"
            if issued.kind == "income_return"
            else "fiscal-receipt-settlement"
            if issued.kind == "settlement"
            else "fiscal-receipt",
            number=current.id,
            amount=amount,
            link=issued.url,
        )
        await to_client(deps, client, recorded.event, 0, text)
    # (a refund's receipt told as a payment's was read as money come in)
    await deliver_to_topic(
        deps,
        client,
        recorded.event,
        [
            lambda t: t(
                "fiscal-receipt-topic-refund"
                if issued.kind == "income_return"
                else "fiscal-receipt-topic-settlement"
                if issued.kind == "settlement"
                else "fiscal-receipt-topic",
                request=current.id,
                amount=money(issued.amount, language_of(t)),
                link=issued.url or "—",
            )
        ],
        first_n=1,
        card_of=current.id,
    )


async def _test_payment(deps: Deps, current: ServiceRequest, note: Notification) -> None:
    """A test-mode payment against the live service moved no money: the request stays as it was."""
    client = await _client(deps, current)
    await _unexpected(
        deps,
        client,
        current,
        note.transaction_id,
        "test-mode payment",
        CLOUDPAYMENTS,
        f"cp:pay:{note.transaction_id}",
        lambda t: t(
            "pay-test-mode",
            amount=money(note.amount, language_of(t)),
            transaction=str(note.transaction_id),
            request=current.id,
        ),
    )


async def payment_failed(
    deps: Deps, current: ServiceRequest, transaction_id: int, reason: str, code: str | None
) -> None:
    client = await _client(deps, current)
    event = (
        await deps.record(
            f"request:{current.id}",
            EventType.PAYMENT_FAILED,
            {"transaction_id": transaction_id, "reason": reason, "code": code},
            CLOUDPAYMENTS,
            f"cp:fail:{transaction_id}",
        )
    ).event
    if current.state is RequestState.QUOTED and current.payment_link:
        await send_pay_link(deps, client, current, event, 0, "payment-failed")
    await deliver_to_topic(
        deps,
        client,
        event,
        [
            lambda t: (
                t("pay-failed", request=current.id, reason=reason)
                + (t("pay-failed-code", code=code) if code else "")
                + t("pay-failed-link-again")
            )
        ],
        first_n=1,
    )


async def one_tap(deps: Deps, client: Client, current: ServiceRequest, cause: str) -> None:
    """Pay with the saved card; the bank may still want 3-D Secure, then the client gets the link."""
    assert current.quote is not None and current.payment_link is not None
    if deps.payments is None or not client.saved_card:
        await send_pay_link(
            deps, client, current, await _tap_event(deps, client, current, cause), 0, "payment-confirm-link"
        )
        return
    receipt = _receipt_of_payment(current, client)
    try:
        result = await deps.payments.charge_token(
            token=client.saved_card["token"],
            account_id=client.id,
            amount=current.quote.total,
            invoice_id=invoice_id(current.id, current.quote.version),
            description=current.id,
            request_id=f"tap:{current.id}:{current.quote.version}",
            receipt=receipt,
        )
    except GatewayError as error:
        result = Declined(str(error), None)
    if isinstance(result, Charged):
        saved = client.saved_card
        card = f"{result.card_type or saved['card_type']} •••• {result.card_last_four or saved['last_four']}"
        paid = await record_payment(
            deps, current, current.quote.total, result.transaction_id, card, None, None, None
        )
        if paid is not None:
            await tell_unaddressed(deps, client, paid, receipt, current.id)
        return
    event = await _tap_event(deps, client, current, cause)
    await send_pay_link(
        deps,
        client,
        current,
        event,
        0,
        "payment-confirm-link" if isinstance(result, NeedsConfirmation) else "payment-failed",
    )

    def why(t: StaffText) -> str:
        return t("pay-3ds") if isinstance(result, NeedsConfirmation) else result.reason

    await deliver_to_topic(
        deps,
        client,
        event,
        [lambda t: t("pay-one-tap-failed", request=current.id, why=why(t))],
        first_n=1,
    )


async def _tap_event(deps: Deps, client: Client, current: ServiceRequest, cause: str) -> Event:
    return (
        await deps.record(
            f"conversation:{client.id}",
            EventType.CLIENT_ACTION_TAKEN,
            ClientAction("tap", current.id).to_data(),
            Actor(ActorKind.CLIENT, client.id),
            f"{cause}/tap",
        )
    ).event


async def refund(
    deps: Deps,
    client: Client,
    current: ServiceRequest,
    amount: Money,
    actor: Actor,
    cause: str,
    replayed: bool = False,
) -> None:
    assert current.payment is not None
    if deps.payments is None:
        raise GatewayError("Payments are not configured.")
    try:
        current.refund_of(amount, 0, deps.clock.now(), "check")  # refuse a bad amount before asking the bank
    except DomainError:
        if not replayed:
            raise
        # this very command may have refunded before a crash (what is left then looks too little): the
        # bank answers the same refund to the same request id, and it is told once
    # one request id per command: a replay gets the same refund back, a second partial refund is its own
    receipt = _receipt_of_refund(current, client, amount)
    refund_tx = await deps.payments.refund(
        transaction_id=current.payment.transaction_id,
        amount=amount,
        request_id=f"refund:{cause}",
        receipt=receipt,
    )
    refunded = await record_refund(deps, current, amount, refund_tx, actor)
    if refunded is not None:
        await tell_unaddressed(deps, client, refunded, receipt, current.id)


async def record_refund(
    deps: Deps, current: ServiceRequest, amount: Money, refund_tx: int, actor: Actor
) -> Event | None:
    """The bank has refunded: recorded whatever else the request's log took meanwhile (its card posted, a
    note), decided again on the request as it is then — never refused for a race once the money moved.
    Returns the refund's event (None for a refund the request did not expect)."""
    for _ in range(RACES):
        try:
            return await _record_refund(deps, current, amount, refund_tx, actor)
        except ConcurrencyConflict:
            current = await q.known_request(deps.store, current.id)
    return await _record_refund(deps, current, amount, refund_tx, actor)


async def _record_refund(
    deps: Deps, current: ServiceRequest, amount: Money, refund_tx: int, actor: Actor
) -> Event | None:
    client = await _client(deps, current)
    cause = f"cp:refund:{refund_tx}"
    # as it is now: CloudPayments' refund notification may have been recorded while the bank answered us
    current = await q.request(deps.store, current.id) or current
    left = current.refundable
    if any(each.transaction_id == refund_tx for each in current.refunds):
        event = await deps.store.events.by_cause(cause)
        if event is None:  # (only this function records a refund, and under this cause)
            raise LookupError(f"{current.id} shows refund {refund_tx} but the log has no {cause}")
    elif left is None or left.currency != amount.currency or left < amount:
        await _unexpected(
            deps,
            client,
            current,
            refund_tx,
            "unexpected refund",
            actor,
            cause,
            lambda t: t(
                "pay-refund-unexpected",
                amount=money(amount, language_of(t)),
                transaction=str(refund_tx),
                request=current.id,
            ),
        )
        return None
    else:
        prior = await deps.store.events.by_cause(cause)
        receipt = prior.data["refund"]["receipt"] if prior else await _number(deps, "RF", "refund")
        event = await decide(
            deps, current, current.refund_of(amount, refund_tx, deps.clock.now(), receipt), actor, cause
        )
    current = await q.known_request(deps.store, current.id)
    refund = next(each for each in current.refunds if each.transaction_id == refund_tx)
    await to_client(deps, client, event, 0, refund_text(deps, client, current, refund))
    await deliver_to_topic(
        deps, client, event, [_refunded_note(current, refund)], first_n=1, card_of=current.id
    )
    return event


def _refunded_note(current: ServiceRequest, refund: Payment) -> Text:
    """The refund, and for part of a payment how much of it is back so far."""
    paid_in, refunded_so_far = current.paid, current.refunded
    assert paid_in is not None and refunded_so_far is not None

    def note(t: StaffText) -> str:
        locale = language_of(t)
        paid, refunded = money(paid_in, locale), money(refunded_so_far, locale)
        text = t(
            "pay-refunded",
            amount=money(refund.amount, locale),
            request=current.id,
            transaction=str(refund.transaction_id),
        )
        if current.partly_refunded:
            state = t(f"card-open-state-{current.state.value}")  # (in the reader's language)
            text += " " + t("pay-refunded-so-far", refunded=refunded, paid=paid, state=state)
        elif len(current.refunds) > 1:
            text += " " + t("pay-refunded-all", paid=paid)
        return text

    return note
