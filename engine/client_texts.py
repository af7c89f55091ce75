"""Client-facing compositions: the quote, receipts. Every sentence comes from locales/; amounts and dates are
formatted for the client's locale, times shown in the business timezone."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime

from domain.clients import Client, Language
from domain.ledger import Payment
from domain.outbound import Button, Buttons
from domain.quotes import Quote
from domain.requests import ServiceRequest
from engine.deps import Deps


def locale_of(client: Client) -> str:
    return (client.language or Language.EN).value


def date_pattern(pattern: str, locale: str) -> str:
    """A date pattern as the locale punctuates it: Arabic takes its own comma (“8 ديسمبر، 20:00”)."""
    return pattern.replace(",", "،") if locale == "ar" else pattern


def when(deps: Deps, client: Client, moment: datetime) -> str:
    locale = locale_of(client)
    return format_datetime(
        moment, date_pattern("d MMMM, HH:mm", locale), tzinfo=deps.policy.tz, locale=locale
    )


def _items(quote: Quote, locale: str) -> list[str]:
    return [f"• {item.description} — {item.amount.format(locale)}" for item in quote.items]


def quote_text(deps: Deps, client: Client, request: ServiceRequest, quote: Quote) -> str:
    t, lang, locale = deps.t, client.language, locale_of(client)
    title = "quote-title" if quote.version == 1 else "quote-revised-title"
    return "\n".join(
        [
            t(lang, title, number=request.id),
            "",
            *_items(quote, locale),
            "",
            t(lang, "quote-total", total=quote.total.format(locale)),
            t(lang, "quote-valid", until=when(deps, client, quote.valid_until)),
            t(lang, "quote-how-to-pay"),
        ]
    )


def quote_buttons(
    deps: Deps, client: Client, request: ServiceRequest, quote: Quote, url: str, card_last4: str | None
) -> Buttons:
    t, lang = deps.t, client.language
    card: Buttons = (
        ((Button(t(lang, "button-pay-card", last4=card_last4), data=f"tap:{request.id}:{quote.version}"),),)
        if card_last4
        else ()
    )
    return (
        *pay_button(deps, client, quote, url),
        *card,
        (
            Button(t(lang, "button-ask"), data=f"ask:{request.id}"),
            Button(t(lang, "button-decline"), data=f"decline:{request.id}:{quote.version}"),
        ),
        *page_row(deps, client),
    )


def open_button(deps: Deps, language: Language | None) -> Button | None:
    """The button that opens the client's own page in Telegram (WhatsApp leaves it out: a Mini App)."""
    if deps.app_url is None:
        return None
    return Button(deps.t(language, "app-open-button"), url=deps.app_url, app=True)


def page_row(deps: Deps, client: Client) -> Buttons:
    button = open_button(deps, client.language)
    return ((button,),) if button else ()


def pay_button(deps: Deps, client: Client, quote: Quote, url: str) -> Buttons:
    text = deps.t(client.language, "button-pay", total=quote.total.format(locale_of(client)))
    return ((Button(text, url=url),),)


def receipt_text(
    deps: Deps, client: Client, request: ServiceRequest, payment: Payment, assistant: str
) -> str:
    t, lang, locale = deps.t, client.language, locale_of(client)
    assert request.quote is not None
    lines = [
        t(lang, "receipt-title", receipt=payment.receipt),
        t(lang, "receipt-request", number=request.id),
        "",
        *_items(request.quote, locale),
        "",
        t(lang, "receipt-paid", total=payment.amount.format(locale)),
    ]
    if payment.card_mask:
        lines.append(t(lang, "receipt-card", card=payment.card_mask))
    lines += [
        t(
            lang,
            "receipt-transaction",
            transaction=str(payment.transaction_id),
            date=when(deps, client, payment.at),
        ),
        "",
        t(lang, "receipt-thanks", assistant=assistant),
    ]
    return "\n".join(lines)


def refund_text(deps: Deps, client: Client, request: ServiceRequest, refund: Payment) -> str:
    t, lang, locale = deps.t, client.language, locale_of(client)
    return "\n".join(
        [
            t(lang, "refund-title", receipt=refund.receipt),
            t(lang, "receipt-request", number=request.id),
            "",
            t(lang, "refund-amount", amount=refund.amount.format(locale)),
            *_so_far(deps, client, request),
            t(
                lang,
                "receipt-transaction",
                transaction=str(refund.transaction_id),
                date=when(deps, client, refund.at),
            ),
            "",
            t(lang, "refund-note"),
        ]
    )


def _so_far(deps: Deps, client: Client, request: ServiceRequest) -> list[str]:
    """After part of a payment, or more than one refund: how much of what was paid is back."""
    if request.paid is None or request.refunded is None:
        return []
    if not request.partly_refunded and len(request.refunds) < 2:
        return []
    locale = locale_of(client)
    return [
        deps.t(
            client.language,
            "refund-so-far",
            refunded=request.refunded.format(locale),
            paid=request.paid.format(locale),
        )
    ]
