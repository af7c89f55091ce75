"""Which fields of which events are a client's personal data, and what each reads once the client is erased.

The event store encrypts these fields with the client's own key (crypto-shredding): erasing the client
destroys the key, and every such field then reads as its value here. What is not listed stays readable for
good — ids, times, states, and the money records the law makes us keep (amounts, currencies, what was sold,
transaction and receipt numbers). tests/unit/test_personal.py makes every event type choose a side."""

from __future__ import annotations

from typing import Any

from domain.events import EventType as T

_MESSAGE = {"message.text": "", "message.chat_id": "", "message.extra": {}}

# event type → {dotted path in its data: the value it reads as after the erase}
PERSONAL: dict[T, dict[str, Any]] = {
    T.CLIENT_REGISTERED: {"name": "", "username": None, "phone": None, "identities": []},
    T.CLIENT_IDENTITY_LINKED: {"identity": None},
    T.CLIENT_PHONE_SHARED: {"phone": None},
    T.CLIENT_PREFERENCES_SET: {"preferences": ""},
    T.CLIENT_EMAIL_SET: {"email": None},
    T.CLIENT_TAGGED: {"tags": []},
    T.CLIENT_CARD_SAVED: {"token": "", "last_four": "", "card_type": ""},
    T.MESSAGE_RECEIVED: _MESSAGE,
    T.STAFF_MESSAGE_SENT: _MESSAGE,
    T.NOTE_ADDED: {"text": ""},
    T.STAFF_COMMAND_ISSUED: {"args": ""},  # (about a client: "/cancel they changed plans")
    T.PHONE_ASKED: {"by": ""},
    T.REQUEST_OPENED: {"text": "", "details.places": []},
    T.REQUEST_MESSAGE_ADDED: {"text": "", "details.places": []},
    T.REQUEST_DETAILS_CHANGED: {"details.places": []},
    T.REQUEST_CANCELLED: {"reason": ""},
    T.RATING_COMMENTED: {"text": ""},
    T.REQUEST_PAID: {"payment.card_mask": None},
    T.REQUEST_REFUNDED: {"refund.card_mask": None},
    T.VOICEMAIL_RECORDED: {"recording_sid": ""},  # the voice itself, kept at Twilio
    T.VOICEMAIL_TRANSCRIBED: {"text": ""},
    T.MESSAGE_TRANSLATED: {"text": ""},
}

# Event types that say nothing of a client as a person: ids, states, times, amounts, staff facts. A new type
# goes in one of the two tables (a test checks), so nothing personal is written in the clear by oversight.
NOT_PERSONAL: frozenset[T] = frozenset(
    {
        T.CLIENT_LANGUAGE_CHANGED,
        T.CLIENT_ASSIGNED,
        T.CLIENT_UNREACHABLE,
        T.CLIENT_TOPIC_REQUESTED,
        T.CLIENT_TOPIC_OPENED,
        T.CLIENT_TOPIC_LOST,
        T.CLIENT_CARD_POSTED,
        T.CLIENT_MERGED,
        T.CLIENT_ERASED,
        T.CLIENT_DATA_EXPORTED,
        T.CLIENT_CARD_REMOVED,
        T.CLIENT_CONTACT_SET,
        T.TRANSLATION_SET,
        T.SAVED_REPLY_SET,
        T.SAVED_REPLY_REMOVED,
        T.SAVED_REPLY_USED,
        T.CONVERSATION_OPENED,
        T.CONVERSATION_CLOSED,
        T.CLIENT_ACTION_TAKEN,
        T.CHOICES_OFFERED,
        T.DELIVERY_PROBLEM,
        T.INBOX_ITEM_SET_ASIDE,
        T.PROJECTION_QUARANTINED,
        T.DEADLINE_SET_ASIDE,
        T.FORUM_TOPIC_ORPHANED,
        T.FORUM_TOPIC_REQUESTED,
        T.FORUM_TOPIC_OPENED,
        T.FORUM_TOPIC_LOST,
        T.REQUEST_STARTED,
        T.REQUEST_FULFILLED,
        T.REQUEST_CARD_POSTED,
        T.REQUEST_MOVED,
        T.RESPONSE_OVERDUE,
        T.QUOTE_REMINDED,
        T.QUOTE_EXPIRED,
        T.FULFILMENT_DUE,
        T.CLIENT_REMINDED,
        T.RATING_ASKED,
        T.REQUEST_RATED,
        T.CALL_RECEIVED,
        T.CALL_LEG_ENDED,
        T.CALL_ANSWERED,
        T.CALL_MISSED,
        T.CALL_REQUESTED,
        T.CALL_LEG_STATUS,
        # money records the law keeps (54-FZ, the Tax Code): what was sold, for how much, paid how and when
        T.REQUEST_QUOTED,
        T.PAYMENT_FAILED,
        T.FISCAL_RECEIPT_ISSUED,
        # the staff's own (an assistant is not erased with a client)
        T.ASSISTANT_ADDED,
        T.ASSISTANT_DEACTIVATED,
        T.ASSISTANT_REACTIVATED,
        T.ASSISTANT_AWAY,
        T.ASSISTANT_BACK,
        T.ASSISTANT_UI_LANGUAGE_SET,
        T.ASSISTANT_PHONE_SET,
        T.CONSOLE_SIGN_IN_SENT,
        T.CONSOLE_SIGNED_IN,
    }
)

# Stream kinds whose events are about one client, and how to find which: the stream's id (client:C-1,
# conversation:C-1) or the `client_id` of its first event (request:R-1, call:CA…). Any other stream
# (staff, assistant, forum, system) holds no client's personal data.
OWN_STREAMS = ("client", "conversation")
FIRST_EVENT_NAMES = ("request", "call")


def fields_of(kind: T) -> dict[str, Any]:
    return PERSONAL.get(kind, {})


def get_path(data: dict[str, Any], path: str) -> tuple[bool, Any]:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def with_path(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `data` with the value at `path` replaced (the dicts along the way copied, never shared)."""
    head, _, rest = path.partition(".")
    copy = dict(data)
    copy[head] = with_path(copy[head], rest, value) if rest else value
    return copy


def subject_of(stream: str, data: dict[str, Any]) -> str | None:
    """The client a stream's events are about when the stream's own name says so, or its first event does."""
    kind, _, ident = stream.partition(":")
    if kind in OWN_STREAMS:
        return ident
    if kind in FIRST_EVENT_NAMES:
        found = data.get("client_id")
        return found if isinstance(found, str) and found else None
    return None
