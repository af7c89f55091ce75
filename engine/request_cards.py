"""The request card in the client's topic: what was understood, the quote, the payment."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from domain.intake import Category
from domain.requests import ServiceRequest
from engine import queries as q
from engine.deps import Deps

CATEGORY_NAMES = {
    Category.CHAUFFEUR: "Chauffeur & transport",
    Category.DINING: "Dining",
    Category.HOTEL: "Hotel",
    Category.AVIATION: "Aviation",
    Category.EVENTS: "Events & tickets",
    Category.SHOPPING: "Shopping & gifts",
    Category.SECURITY: "Security",
    Category.WELLNESS: "Wellness & medical",
    Category.TOURS: "Tours & guides",
    Category.OTHER: "Other",
}
STATE_NAMES = {
    "new": "new",
    "quoted": "quoted",
    "paid": "PAID",
    "in_progress": "in progress",
    "fulfilled": "fulfilled",
    "cancelled": "cancelled",
    "refunded": "refunded",
}


async def request_card(deps: Deps, request_id: str, hint: str = "") -> str:
    current = await q.request(deps.store, request_id)
    assert current is not None
    return render(current, deps.tz, hint)


def render(request: ServiceRequest, tz: ZoneInfo, hint: str = "") -> str:
    """`hint`: the commands that move an open request along (from the topic command table)."""
    d = request.details
    when = "—"
    if d.when:  # (babel reads letters as fields: words stay outside the pattern)
        day = format_datetime(d.when, "EEE d MMM", tzinfo=tz, locale="en")
        hour = ("~" if d.time_approx else "") + format_datetime(d.when, "HH:mm", tzinfo=tz)
        when = f"{day}, {hour}" if d.time_known else f"{day} · time?"
    if d.urgent:
        when += " · ⚡ urgent"
    words = request.text if len(request.text) <= 300 else request.text[:297] + "…"
    lines = [
        f"📋 {request.id} · {CATEGORY_NAMES[d.category]} · {STATE_NAMES[request.state.value]}"
        + (" (quote lapsed)" if request.quote_lapsed else ""),
        f"🕗 {when}",
        f"👥 {d.guests or '—'}",
        f"📍 {', '.join(d.places) or '—'}",
        f"💰 Budget: {d.budget.format('en') if d.budget else '—'}",
        f"💬 “{words}”",
    ]
    if request.quote:
        until = format_datetime(request.quote.valid_until, "d MMM, HH:mm", tzinfo=tz, locale="en")
        lines.append(
            f"🧾 Quote v{request.quote.version}: {request.quote.total.format('en')}, valid until {until}"
        )
    if request.payment:
        lines.append(
            f"✅ Paid {request.payment.amount.format('en')} · {request.payment.card_mask or 'card'} · "
            f"transaction {request.payment.transaction_id} · receipt {request.payment.receipt}"
        )
    if request.refund:
        lines.append(
            f"↩️ Refunded {request.refund.amount.format('en')} · transaction {request.refund.transaction_id}"
        )
    if request.cancel_reason:
        lines.append(f"✖️ Cancelled: {request.cancel_reason}")
    if request.is_open and hint:
        lines.append(hint)
    return "\n".join(lines)
