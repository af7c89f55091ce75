"""Event envelopes and the catalogue of event types. Data is plain JSON: ints, strings, lists, dicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.errors import InvalidValue


class ActorKind(StrEnum):
    CLIENT = "client"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    PROVIDER = "provider"
    OPERATOR = "operator"  # a person at the command line (staff CLI, maintenance)


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: str

    def to_data(self) -> dict[str, str]:
        return {"kind": self.kind.value, "id": self.id}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Actor:
        return cls(ActorKind(data["kind"]), data["id"])


SYSTEM = Actor(ActorKind.SYSTEM, "concierge")


class EventType(StrEnum):
    CLIENT_REGISTERED = "ClientRegistered"
    CLIENT_IDENTITY_LINKED = "ClientIdentityLinked"
    CLIENT_LANGUAGE_CHANGED = "ClientLanguageChanged"
    CLIENT_PHONE_SHARED = "ClientPhoneShared"
    CLIENT_ASSIGNED = "ClientAssigned"
    CLIENT_TAGGED = "ClientTagged"
    CLIENT_UNREACHABLE = "ClientUnreachable"
    CLIENT_TOPIC_REQUESTED = "ClientTopicRequested"
    CLIENT_TOPIC_OPENED = "ClientTopicOpened"
    CLIENT_TOPIC_LOST = "ClientTopicLost"
    CLIENT_CARD_POSTED = "ClientCardPosted"
    FORUM_TOPIC_ORPHANED = "ForumTopicOrphaned"  # a topic we created but never recorded: removed
    CONVERSATION_OPENED = "ConversationOpened"
    CONVERSATION_CLOSED = "ConversationClosed"
    MESSAGE_RECEIVED = "MessageReceived"
    STAFF_MESSAGE_SENT = "StaffMessageSent"
    NOTE_ADDED = "NoteAdded"
    STAFF_COMMAND_ISSUED = "StaffCommandIssued"
    CLIENT_ACTION_TAKEN = "ClientActionTaken"  # a button the client tapped (ask, decline, pay by card)
    CHOICES_OFFERED = "ChoicesOffered"
    DELIVERY_PROBLEM = "DeliveryProblem"
    INBOX_ITEM_SET_ASIDE = "InboxItemSetAside"  # an inbound payload failed for good: a person must look
    PROJECTION_QUARANTINED = "ProjectionQuarantined"  # an event the projections cannot apply: leads told
    DEADLINE_SET_ASIDE = "DeadlineSetAside"  # a clock step failed for good: the leads must look
    ASSISTANT_ADDED = "AssistantAdded"
    ASSISTANT_DEACTIVATED = "AssistantDeactivated"
    ASSISTANT_REACTIVATED = "AssistantReactivated"
    REQUEST_OPENED = "RequestOpened"
    REQUEST_QUOTED = "RequestQuoted"
    REQUEST_PAID = "RequestPaid"
    REQUEST_STARTED = "RequestStarted"
    REQUEST_FULFILLED = "RequestFulfilled"
    REQUEST_CANCELLED = "RequestCancelled"
    REQUEST_REFUNDED = "RequestRefunded"
    REQUEST_MESSAGE_ADDED = "RequestMessageAdded"
    REQUEST_DETAILS_CHANGED = "RequestDetailsChanged"
    REQUEST_CARD_POSTED = "RequestCardPosted"
    PAYMENT_FAILED = "PaymentFailed"
    FISCAL_RECEIPT_ISSUED = "FiscalReceiptIssued"  # the 54-FZ receipt of a payment or a refund was printed
    CLIENT_CARD_SAVED = "ClientCardSaved"
    CLIENT_MERGED = "ClientMerged"  # the same person as an earlier client: everything goes on there
    REQUEST_MOVED = "RequestMoved"  # to the client a duplicate was merged into
    # the clock (issue 11): presence, promises kept or broken, quotes and fulfilment on time, satisfaction
    ASSISTANT_AWAY = "AssistantAway"
    ASSISTANT_BACK = "AssistantBack"
    RESPONSE_OVERDUE = "ResponseOverdue"  # a promise fell due unanswered: reminded, escalated or reassigned
    QUOTE_REMINDED = "QuoteReminded"
    QUOTE_EXPIRED = "QuoteExpired"
    CLIENT_REMINDED = "ClientReminded"  # a paid request's client reminded of its time (or why not)
    FULFILMENT_DUE = "FulfilmentDue"  # a paid request's time comes closer (reminder) or passed (overdue)
    RATING_ASKED = "RatingAsked"
    REQUEST_RATED = "RequestRated"
    RATING_COMMENTED = "RatingCommented"
    FORUM_TOPIC_REQUESTED = "ForumTopicRequested"  # the forum's own topics (⚠️ Escalations)
    FORUM_TOPIC_OPENED = "ForumTopicOpened"
    FORUM_TOPIC_LOST = "ForumTopicLost"
    # the staff console (issue 13)
    CLIENT_PREFERENCES_SET = "ClientPreferencesSet"
    ASSISTANT_UI_LANGUAGE_SET = "AssistantUiLanguageSet"
    CONSOLE_SIGN_IN_SENT = "ConsoleSignInSent"  # a one-time link went to an assistant (never the link itself)
    CONSOLE_SIGNED_IN = "ConsoleSignedIn"
    CLIENT_DATA_EXPORTED = "ClientDataExported"  # a data request: one client's complete history
    TRANSLATION_SET = "TranslationSet"  # (a client's or an assistant's stream) machine translation on or off
    MESSAGE_TRANSLATED = "MessageTranslated"  # a message machine-translated for the other side of the chat
    SAVED_REPLY_SET = "SavedReplySet"  # (stream reply:<name>) the team's saved reply, in each language
    SAVED_REPLY_REMOVED = "SavedReplyRemoved"
    SAVED_REPLY_USED = "SavedReplyUsed"  # (the client's conversation) sent to them, then as a staff message
    CLIENT_ERASED = "ClientErased"  # their key destroyed: what the log says of the person is unreadable
    # the phone (issue 14)
    ASSISTANT_PHONE_SET = "AssistantPhoneSet"  # where the concierge number rings them (never told to clients)
    CALL_RECEIVED = "CallReceived"  # stream call:<CallSid>: who called, whose phones ring in turn
    CALL_LEG_ENDED = "CallLegEnded"  # one assistant's phone rang: answered (and how long), busy, no answer
    CALL_ANSWERED = "CallAnswered"  # (the client's conversation) an assistant talked with them, so long
    CALL_MISSED = "CallMissed"  # (the client's conversation) nobody answered: a voicemail, or not
    CALL_REQUESTED = "CallRequested"  # /call: about to ask Twilio (a crash after it: told, never repeated)
    CALL_LEG_STATUS = "CallLegStatus"  # a leg's state, recorded only when it moves forward
    VOICEMAIL_RECORDED = "VoicemailRecorded"  # (the client's conversation) posted into the topic as audio
    VOICEMAIL_TRANSCRIBED = "VoicemailTranscribed"  # its words, recognised (the topic shows them under it)
    PHONE_ASKED = (
        "PhoneAsked"  # (the client's conversation) a Telegram client asked, once, to share their number
    )
    # the client's own page, the Mini App (issue 25)
    CLIENT_CARD_REMOVED = "ClientCardRemoved"  # the saved card forgotten: no one-tap payment until the next
    CLIENT_CONTACT_SET = "ClientContactSet"  # how they prefer to be reached, and their quiet hours
    CLIENT_EMAIL_SET = "ClientEmailSet"  # (issue 23) where their fiscal receipts go (None: removed)


def _check_json(value: Any, path: str = "data") -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("$") or "." in key:
                raise InvalidValue(f"{path}: key {key!r} cannot be stored")
            _check_json(item, f"{path}.{key}")
        return
    # floats lose exactness and datetimes lose precision in storage: use minor units and ISO strings
    raise InvalidValue(f"{path}: {type(value).__name__} is not allowed in event data")


@dataclass(frozen=True, slots=True)
class NewEvent:
    """What a use case decided; the event store gives it a seq, a time and a place in the hash chain."""

    stream: str
    type: EventType
    data: dict[str, Any]
    actor: Actor
    cause: str

    def __post_init__(self) -> None:
        if ":" not in self.stream:
            raise InvalidValue(f"stream {self.stream!r} must look like 'kind:id'")
        if not self.cause:
            raise InvalidValue("every event needs a cause")
        _check_json(self.data)

    @property
    def stream_kind(self) -> str:
        return self.stream.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class Event:
    stream: str
    seq: int
    type: EventType
    at: datetime
    actor: Actor
    cause: str
    data: dict[str, Any] = field(default_factory=dict)
    prev: str = ""
    hash: str = ""

    @property
    def id(self) -> str:
        return f"{self.stream}#{self.seq}"

    @property
    def stream_kind(self) -> str:
        return self.stream.split(":", 1)[0]

    @property
    def stream_id(self) -> str:
        return self.stream.split(":", 1)[1]


@dataclass(frozen=True, slots=True)
class ClientAction:
    """A button the client tapped under a quote: `action` is ask, decline or tap (pay with the saved card);
    `stale` when the quote it belonged to was no longer payable."""

    action: str
    request_id: str
    stale: bool = False

    def to_data(self) -> dict[str, Any]:
        return {"action": self.action, "request_id": self.request_id, "stale": self.stale}

    @classmethod
    def of(cls, event: Event) -> ClientAction | None:
        """The client action an event records, whichever way it was recorded: a ClientActionTaken, or — in
        the log before that type existed — a StaffCommandIssued whose command starts with "client-"."""
        if event.type is EventType.CLIENT_ACTION_TAKEN:
            data = event.data
            return cls(data["action"], data["request_id"], data.get("stale", False))
        command = event.data.get("command") or ""
        if event.type is not EventType.STAFF_COMMAND_ISSUED or not command.startswith("client-"):
            return None
        args = event.data.get("args") or ""
        if command.endswith(
            "-stale"
        ):  # client-<action>-stale, args = the button's data "<action>:<request>:<v>"
            parts = args.split(":")  # (empty once the client is erased)
            request_id = parts[1] if len(parts) > 1 else ""
            return cls(command.removeprefix("client-").removesuffix("-stale"), request_id, True)
        return cls({"client-asks": "ask", "client-one-tap": "tap"}.get(command, command), args)


def is_staff_command(event: Event) -> bool:
    """A command an assistant typed (the legacy client actions recorded under the same type are not)."""
    return event.type is EventType.STAFF_COMMAND_ISSUED and ClientAction.of(event) is None
