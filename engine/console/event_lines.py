"""Any event as one readable line for staff (the console's timeline and activity log), in their language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from domain import formats
from domain.events import ActorKind, ClientAction, Event, EventType
from domain.money import Money
from domain.quote_parsing import without_cost
from domain.quotes import Quote
from engine.i18n import staff_translator
from engine.staff_texts import bound, reason_text

T = EventType
TEXT_LIMIT = 300
STAMP = "%d %b %H:%M:%S"  # an activity line's time: the page and the live stream write it alike

# the service's own plumbing: in the activity log, not in a request's story
QUIET = {
    T.CLIENT_TOPIC_REQUESTED,
    T.CLIENT_TOPIC_OPENED,
    T.CLIENT_CARD_POSTED,
    T.REQUEST_CARD_POSTED,
    T.CHOICES_OFFERED,
    T.FORUM_TOPIC_ORPHANED,
}
CHANNELS = {"telegram": "Telegram", "whatsapp": "WhatsApp", "voice": "Phone"}


@dataclass(frozen=True, slots=True)
class Line:
    event: Event
    actor: str
    kind: str  # client | staff | note | payment | system: how the timeline shows it
    text: str


def _money(data: Any, locale: str) -> str:
    return formats.money(Money.from_data(data), locale) if data else "—"


def _short(text: str | None) -> str:
    text = (text or "").strip()
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _args(event: Event, names: dict[str, str], locale: str) -> dict[str, Any]:
    data = event.data
    message = data.get("message") or {}
    args: dict[str, Any] = {}
    if event.type in (T.MESSAGE_RECEIVED, T.STAFF_MESSAGE_SENT):
        channel = message.get("channel") or data.get("channel") or "telegram"
        args["channel"] = CHANNELS.get(channel, channel)
        args["text"] = _short(message.get("text")) or f"[{message.get('kind', 'message')}]"
        args["command"] = data.get("command") or ""
    elif event.type in (T.NOTE_ADDED, T.VOICEMAIL_TRANSCRIBED):
        args["text"] = _short(data.get("text"))
    elif (action := ClientAction.of(event)) is not None:  # (a StaffCommandIssued too, in an older log)
        args |= {"action": action.action, "request": action.request_id or "—", "stale": str(action.stale)}
    elif event.type is T.STAFF_COMMAND_ISSUED:
        args["command"] = f"/{data.get('command')}"
        said = data.get("args") or ""
        # the supplier's cost is for leads and whoever quoted: a timeline line does not repeat it
        args["args"] = _short(without_cost(said) if data.get("command") == "quote" else said)
    elif event.type is T.REQUEST_QUOTED:
        quote = Quote.from_data(data["quote"])
        args |= {"version": quote.version, "amount": formats.money(quote.total, locale)}
    elif event.type in (T.REQUEST_PAID, T.REQUEST_REFUNDED):
        paid = data.get("payment") or data.get("refund") or {}
        args["amount"] = _money(paid.get("amount"), locale)
    elif event.type is T.REQUEST_CANCELLED:
        reason = data.get("reason") or ""
        args["reason"] = _short(reason_text(bound(locale), reason)) or "—"
    elif event.type is T.REQUEST_OPENED:
        args["text"] = _short(data.get("text"))
    elif event.type is T.CLIENT_TAGGED:
        args["tags"] = ", ".join(data.get("tags", [])) or "—"
    elif event.type is T.CLIENT_PREFERENCES_SET:
        args["text"] = _short(data.get("preferences")) or "—"
    elif event.type in (T.REQUEST_MESSAGE_ADDED, T.RATING_COMMENTED):
        args["text"] = _short(data.get("text")) or "—"
    elif event.type is T.MESSAGE_TRANSLATED:
        args |= {"text": _short(data.get("text")) or "—", "target": data.get("target") or "—"}
    elif event.type in (T.SAVED_REPLY_SET, T.SAVED_REPLY_REMOVED, T.SAVED_REPLY_USED):
        args["name"] = data.get("name") or event.stream_id
    elif event.type is T.TRANSLATION_SET:
        t = bound(locale)
        args["state"] = t("translate-on") if data.get("on") else t("translate-off")
    else:
        args |= _plain(data, names)
    return args


def _plain(data: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The arguments the other lines read (each only those its data holds), under names no line shares
    with the translator's own (`language`)."""
    assistant = data.get("assistant_id") or ""
    identity = data.get("identity") or {}
    channel = data.get("channel") or identity.get("channel") or ""
    return {
        "rating": data.get("score", "—"),
        "step": data.get("step", "—"),
        "action": data.get("action") or "",
        "assistant": names.get(assistant, assistant or "—"),
        "chosen": data.get("language") or data.get("ui_language") or "—",
        "name": data.get("name", ""),
        "channel": CHANNELS.get(channel, channel or "—"),
        "problem": data.get("problem") or "",
        "source": data.get("source") or "—",
        "into": data.get("into") or "—",
        "from": data.get("from") or "—",
        "to": data.get("client_id") or "—",
        "field": data.get("field") or "—",
        "version": data.get("version", "—"),
        "purpose": data.get("purpose") or "—",
        "direction": data.get("direction") or "",
        "status": data.get("status") or data.get("state") or "—",
    }


def _kind(event: Event) -> str:
    if event.type is T.NOTE_ADDED:
        return "note"
    if event.type in (T.REQUEST_PAID, T.REQUEST_REFUNDED, T.PAYMENT_FAILED):
        return "payment"
    if event.actor.kind is ActorKind.CLIENT:
        return "client"
    if event.actor.kind is ActorKind.ASSISTANT:
        return "staff"
    return "system"


def stamp(moment: datetime, tz: tzinfo, language: str = "en") -> str:
    """In the reader's language ("08 дек. 14:30:05"); English as strftime writes it."""
    return formats.strftime_in(moment.astimezone(tz), STAMP, language)


def line(event: Event, names: dict[str, str], language: str = "en") -> Line:
    """`names`: assistant and client ids → names (an id not there is shown as it is)."""
    actor = names.get(event.actor.id) or {
        ActorKind.SYSTEM: "Concierge",
        ActorKind.PROVIDER: event.actor.id,
        ActorKind.OPERATOR: "operator",
    }.get(event.actor.kind, event.actor.id)
    # every type has its line (tests/unit/test_event_lines.py); a client's tap its own, however recorded
    message_id = "ev-ClientActionTaken" if ClientAction.of(event) else f"ev-{event.type.value}"
    text = staff_translator()(language, message_id, **_args(event, names, language))
    return Line(event, actor, _kind(event), text)
