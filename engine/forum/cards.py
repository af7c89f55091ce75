"""The request card in the client's topic: what was understood, the quote, the payment."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from domain.clients import Assistant
from domain.events import EventType
from domain.formats import money
from domain.intake import Understanding
from domain.lifecycle import RequestState
from domain.requests import ServiceRequest
from domain.texts import TELEGRAM_MAX
from engine import queries as q
from engine.deps import Deps
from engine.outbox import WORDS_IN_CARD, marked
from engine.staff_texts import StaffText, bound, for_client, language_of, reason_text
from engine.translations import translation_of


async def request_card(deps: Deps, request_id: str, hint: str = "") -> str:
    current = await q.request(deps.store, request_id)
    assert current is not None
    client = await q.client(deps.store, current.client_id)
    t = await for_client(deps, client) if client else bound("en")
    if client is None or not client.translated or deps.interpreter is None:
        return render(current, deps.policy.tz, hint, t)
    reader = await q.assistant(deps.store, client.assistant_id)
    if reader is not None and client.language is not None and reader.speaks(client.language):
        return render(current, deps.policy.tz, hint, t)  # (they read the client's words as written)
    return render(current, deps.policy.tz, hint, t, await as_read(deps, current, reader))


@dataclass(frozen=True, slots=True)
class AsRead:
    """A request's words as its assistant read them in the topic: translated (`pairs`: "AR→RU"), the message
    that opened it (None: it was not translated) apart from those it took in since."""

    first: str | None
    since: str
    pairs: str


_WORDS = (EventType.REQUEST_OPENED, EventType.REQUEST_MESSAGE_ADDED, EventType.REQUEST_DETAILS_CHANGED)
_TAKEN_IN = (
    "/request",
    "/request-more",
)  # a client's message's cause, then these (engine/requests/intake.py)


async def words_of(deps: Deps, request: ServiceRequest) -> list[tuple[str, str | None]]:
    """The client's words the request took in, oldest first, each with the cause of the message that
    brought them (None: not a message's, e.g. an assistant's /edit)."""
    words = []
    for event in await deps.store.events.read(f"request:{request.id}"):
        said = event.data.get("text") if event.type in _WORDS else None
        if said:
            message = next((event.cause.removesuffix(s) for s in _TAKEN_IN if event.cause.endswith(s)), None)
            words.append((said, message))
    return words


async def as_read(deps: Deps, request: ServiceRequest, reader: Assistant | None = None) -> AsRead | None:
    """Each of the client's messages the request took in, as the topic showed it: by its translation where
    one was made in a language the assistant (`reader`, when known) reads; None when none was (the card shows
    the words as written)."""
    parts: list[str] = []
    pairs: list[str] = []
    first_translated = False
    for said, message in await words_of(deps, request):
        done = await translation_of(deps, message, reader) if message else None
        if done is None or not done.data.get("text"):  # (erased: the words are gone from both)
            parts.append(said)
            continue
        first_translated |= not parts
        parts.append(done.data["text"])
        pair = f"{(done.data.get('source') or '?').upper()}→{done.data['target'].upper()}"
        pairs += [pair] if pair not in pairs else []
    if not pairs or not parts:
        return None
    return AsRead(parts[0] if first_translated else None, "\n".join(parts[1:]), ", ".join(pairs))


def when_text(d: Understanding, tz: ZoneInfo, t: StaffText) -> str:
    """The day and time as the topic reads them: "Sun 29 Nov, 20:30", "~10:00" for a part of the day."""
    if not d.when:
        return t("card-time-unsure") if d.time_unsure else "—"
    locale = getattr(t, "language", "en")  # (babel reads letters as fields: words stay outside the pattern)
    day = format_datetime(d.when, "EEE d MMM", tzinfo=tz, locale=locale)
    hour = ("~" if d.time_approx else "") + format_datetime(d.when, "HH:mm", tzinfo=tz)
    return f"{day}, {hour}" if d.time_known else t("card-day-only", day=day)


SINCE = 300  # characters of what a request took in after its first message, on its card


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 3] + "…"


def render(
    request: ServiceRequest,
    tz: ZoneInfo,
    hint: str = "",
    t: StaffText | None = None,
    read: AsRead | None = None,
) -> str:
    """`hint`: the commands that move an open request along (from the topic command table); `t`: the
    reader's language (English by default); `read`: the words as translated for the assistant, shown
    marked, with the client's own beneath (each cut, so a card stays within a Telegram message: the words
    and a cancellation's reason are cut shorter when the rest leaves them less room)."""
    for most, reason in (
        (WORDS_IN_CARD, WORDS_IN_CARD),
        (WORDS_IN_CARD, 200),
        (500, 200),
        (200, 100),
        (80, 80),
    ):
        card = _render(request, tz, hint, t or bound("en"), read, most, reason)
        if len(card) <= TELEGRAM_MAX:
            return card
    return _cut(card, TELEGRAM_MAX)


def _render(
    request: ServiceRequest,
    tz: ZoneInfo,
    hint: str,
    t: StaffText,
    read: AsRead | None,
    most: int,
    reason: int,
) -> str:
    locale = getattr(t, "language", "en")
    d = request.details
    when = when_text(d, tz, t)
    if d.urgent:
        when += t("card-urgent")
    if d.when and d.time_past:
        when += t("card-time-past")
    # the message that opened it whole (within WORDS_IN_CARD: the card may be the only post that carries
    # it), then what the request took in since, cut (each of those was relayed on its own)
    said = marked(request.via)
    since = request.words_since
    if read is None or read.first is None:  # (the first words as written; what was added since as read)
        words = [f"💬 {said}“{_cut(request.first_words, most)}”"]
        since = read.since if read is not None else since
        words += [f"➕ “{_cut(since, SINCE)}”"] if since else []
    else:
        words = [t("card-words-translated", via=said, pairs=read.pairs, text=_cut(read.first, most))]
        words += [f"➕ “{_cut(read.since, SINCE)}”"] if read.since else []
        words.append(t("card-words-original", text=_cut(request.first_words, most)))
    state = t(f"card-state-{request.state.value}")
    lines = [
        f"📋 {request.id} · {t(f'card-category-{d.category.value}')} · {state}"
        + (t("card-quote-lapsed") if request.quote_lapsed else "")
        + (_partly_refunded(request, t) if request.partly_refunded else ""),
        f"🕗 {when}",
        f"👥 {d.guests or '—'}",
        f"📍 {', '.join(d.places) or '—'}",
        t("card-budget", budget=money(d.budget, locale) if d.budget else "—"),
        *words,
    ]
    if request.quote and request.state is RequestState.QUOTED and not request.quote_lapsed:
        until = format_datetime(request.quote.valid_until, "d MMM, HH:mm", tzinfo=tz, locale=locale)
        lines.append(
            t(
                "card-quote",
                version=request.quote.version,
                total=money(request.quote.total, locale),
                until=until,
            )
        )
    elif request.quote:  # (paid, under way, done, lapsed: how long it could be paid no longer matters)
        lines.append(
            t("card-quote-taken", version=request.quote.version, total=money(request.quote.total, locale))
        )
    if request.payment:
        paid = request.payment
        lines.append(
            t(
                "card-paid",
                amount=money(paid.amount, locale),
                card=paid.card_mask or t("card-a-card"),
                transaction=str(paid.transaction_id),
                receipt=paid.receipt,
            )
        )
    for refund in request.refunds:
        lines.append(
            t("card-refunded", amount=money(refund.amount, locale), transaction=str(refund.transaction_id))
        )
    for fiscal in request.fiscal_receipts:  # 54-FZ: the fiscal document of the payment and each refund
        lines.append(
            t(
                "card-fiscal-refund"
                if fiscal.kind == "income_return"
                else "card-fiscal-settlement"
                if fiscal.kind == "settlement"
                else "card-fiscal",
                amount=money(fiscal.amount, locale),
                link=fiscal.url or "—",
            )
        )
    if request.cancel_reason:
        lines.append(t("card-cancelled", reason=_cut(reason_text(t, request.cancel_reason), reason)))
    if request.is_open and hint:
        lines.append(hint)
    return "\n".join(lines)


def _partly_refunded(request: ServiceRequest, t: StaffText) -> str:
    assert request.paid is not None and request.refunded is not None
    locale = language_of(t)
    return t(
        "card-partly-refunded", refunded=money(request.refunded, locale), paid=money(request.paid, locale)
    )
