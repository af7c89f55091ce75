"""Clients, their channel identities, and the Executive Assistants who serve them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain import search
from domain.errors import InvalidValue
from domain.events import Event, EventType


class Language(StrEnum):
    EN = "en"
    AR = "ar"
    RU = "ru"

    @classmethod
    def parse(cls, code: str | None) -> Language | None:
        """'ar-SA', 'RU', 'en' → a supported language; anything else → None (then we ask)."""
        if not code:
            return None
        base = code.strip().lower().replace("_", "-").split("-", 1)[0]
        return cls(base) if base in cls._value2member_map_ else None


class Channel(StrEnum):
    """The message channels a client writes on. A new channel adds its row here (and its folder, webhook,
    runtime and worker elsewhere; engine/ is not edited)."""

    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    TOY = "toy"  # tests only: tests/toy_channel proves the line above (no setting wires it in production)


@dataclass(frozen=True, slots=True)
class ChannelIdentity:
    """Who the person is on one channel: a Telegram user id, or a WhatsApp number in E.164."""

    channel: Channel
    external_id: str

    def __post_init__(self) -> None:
        if not self.external_id:
            raise InvalidValue("a channel identity needs an id")

    @property
    def key(self) -> str:
        return f"{self.channel.value}:{self.external_id}"

    def to_data(self) -> dict[str, str]:
        return {"channel": self.channel.value, "external_id": self.external_id}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ChannelIdentity:
        return cls(Channel(data["channel"]), data["external_id"])


def topic_key(chat_id: int, thread_id: int) -> str:
    """One scalar for (staff chat, thread): what the topic lookup seeks."""
    return f"{chat_id}:{thread_id}"


def mask_phone(e164: str | None) -> str:
    """+971501234567 → +971•••••4567: enough to recognise, not enough to leak."""
    if not e164:
        return ""
    return e164[:4] + "•" * max(len(e164) - 8, 1) + e164[-4:]


def mask_email(email: str | None) -> str:
    """layla@example.com → l•••@example.com: the topic sees that one is set, and whose."""
    if not email:
        return ""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


@dataclass(frozen=True, slots=True)
class Topic:
    """The client's topic in a staff forum."""

    chat_id: int
    thread_id: int
    generation: int
    card_message_id: int | None = None
    lost: bool = False  # deleted in Telegram: the next generation replaces it

    def to_data(self) -> dict[str, Any]:
        return {
            "chat_id": self.chat_id,
            "thread_id": self.thread_id,
            "generation": self.generation,
            "card_message_id": self.card_message_id,
            "lost": self.lost,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Topic:
        return cls(
            data["chat_id"],
            data["thread_id"],
            data["generation"],
            data.get("card_message_id"),
            data.get("lost", False),
        )


AFTER_ERASE_IGNORED = frozenset(
    {
        EventType.CLIENT_CONTACT_SET,
        EventType.CLIENT_EMAIL_SET,
        EventType.CLIENT_IDENTITY_LINKED,
        EventType.CLIENT_PHONE_SHARED,
        EventType.CLIENT_PREFERENCES_SET,
        EventType.CLIENT_TAGGED,
        EventType.CLIENT_CARD_SAVED,
        EventType.CLIENT_TOPIC_REQUESTED,
        EventType.CLIENT_TOPIC_OPENED,
        EventType.CONVERSATION_OPENED,
    }
)


@dataclass(frozen=True, slots=True)
class Client:
    id: str
    name: str
    language: Language | None = None
    username: str | None = None
    identities: tuple[ChannelIdentity, ...] = ()
    phone: str | None = None
    assistant_id: str | None = None
    tags: tuple[str, ...] = ()
    preferences: str = ""  # free text the team keeps ("halal only; Maybach; no calls after 22:00")
    unreachable: tuple[Channel, ...] = ()
    topic: Topic | None = None
    topic_generation: int = 0  # how many topics were requested; a lost topic is replaced by the next one
    conversation_open: bool = False
    saved_card: dict[str, str] | None = None  # {"token", "last_four", "card_type"}: one-tap payments
    merged_into: str | None = None  # a duplicate: the person is that client (no identity, no live topic here)
    erased: bool = False  # their personal data is gone (crypto-shredded): an id and the money records remain
    translated: bool = True  # their messages and the assistant's are machine-translated when needed
    contact: str | None = None  # how they prefer to be reached (CONTACTS): reminders and proactive messages
    quiet: tuple[int, int] | None = None  # hours (from, to) in business time when nothing proactive is sent
    email: str | None = None  # where their fiscal receipts go (54-FZ), set by them or the team
    version: int = 0

    @property
    def vip(self) -> bool:
        return "vip" in self.tags

    def identity(self, channel: Channel) -> ChannelIdentity | None:
        return next((i for i in self.identities if i.channel is channel), None)

    def _identity_key(self, channel: Channel) -> str | None:
        found = self.identity(channel)
        return found.key if found else None

    @property
    def awaiting_topic(self) -> bool:
        """A topic was requested and is not open yet."""
        return self.topic_generation > 0 and (self.topic is None or self.topic.lost)

    @property
    def needs_topic(self) -> bool:
        """No topic is open or on its way."""
        return self.topic_generation == 0 or (self.topic is not None and self.topic.lost)

    def _topic_of(self, generation: int) -> Topic | None:
        """The topic, when it is of this generation (an event about an older one changes nothing)."""
        return self.topic if self.topic and self.topic.generation == generation else None

    def apply(self, event: Event) -> Client:
        data, t = event.data, event.type
        if self.erased and t in AFTER_ERASE_IGNORED:
            changed = self  # (written in a race with the erase: nothing of the person is taken up again)
        elif t is EventType.CLIENT_IDENTITY_LINKED and data["identity"] is None:
            changed = self  # (erased: who they were on that channel is no longer known)
        elif t is EventType.CLIENT_IDENTITY_LINKED:
            identity = ChannelIdentity.from_data(data["identity"])
            identities = self.identities if identity in self.identities else (*self.identities, identity)
            changed = replace(
                self,
                identities=identities,
                unreachable=tuple(c for c in self.unreachable if c is not identity.channel),
            )
        elif t is EventType.CLIENT_LANGUAGE_CHANGED:
            changed = replace(self, language=Language(data["language"]))
        elif t is EventType.CLIENT_PHONE_SHARED:
            changed = replace(self, phone=data["phone"])
        elif t is EventType.CLIENT_EMAIL_SET:
            changed = replace(self, email=data["email"])
        elif t is EventType.CLIENT_ASSIGNED:
            changed = replace(self, assistant_id=data["assistant_id"])
        elif t is EventType.CLIENT_TAGGED:
            changed = replace(self, tags=tuple(sorted(set(data["tags"]))))
        elif t is EventType.CLIENT_PREFERENCES_SET:
            changed = replace(self, preferences=data["preferences"])
        elif t is EventType.CLIENT_UNREACHABLE:
            channel = Channel(data["channel"])
            changed = replace(self, unreachable=tuple(sorted({*self.unreachable, channel})))
        elif t is EventType.CLIENT_TOPIC_REQUESTED:
            changed = replace(
                self,
                topic_generation=data["generation"],
                topic=None if self.topic and self.topic.lost else self.topic,
            )
        elif t is EventType.CLIENT_TOPIC_OPENED:
            changed = replace(self, topic=Topic(data["chat_id"], data["thread_id"], data["generation"]))
        elif t is EventType.CLIENT_TOPIC_LOST:
            lost = self._topic_of(data["generation"])
            changed = replace(self, topic=replace(lost, lost=True)) if lost else self
        elif t is EventType.CLIENT_CARD_POSTED:
            same = self._topic_of(data["generation"])
            changed = replace(self, topic=replace(same, card_message_id=data["message_id"])) if same else self
        elif t is EventType.CLIENT_CARD_SAVED:
            changed = replace(self, saved_card={k: data[k] for k in ("token", "last_four", "card_type")})
        elif t is EventType.CLIENT_MERGED:
            changed = replace(
                self,
                merged_into=data["into"],
                identities=(),
                phone=None,
                conversation_open=False,
                unreachable=(),
            )
        elif t is EventType.CLIENT_ERASED:
            changed = replace(
                self,
                name="",
                username=None,
                identities=(),
                phone=None,
                tags=(),
                preferences="",
                unreachable=(),
                saved_card=None,
                conversation_open=False,
                contact=None,
                quiet=None,
                email=None,
                erased=True,
            )
        elif t is EventType.TRANSLATION_SET:
            changed = replace(self, translated=data["on"])
        elif t is EventType.CLIENT_DATA_EXPORTED:
            changed = self  # (the client's own data request, made in their page)
        elif t is EventType.CLIENT_CARD_REMOVED:
            changed = replace(self, saved_card=None)
        elif t is EventType.CLIENT_CONTACT_SET:
            quiet = data.get("quiet")
            changed = replace(
                self, contact=data.get("contact"), quiet=(quiet[0], quiet[1]) if quiet else None
            )
        elif t is EventType.CONVERSATION_OPENED:
            changed = replace(self, conversation_open=True)
        elif t is EventType.CONVERSATION_CLOSED:
            changed = replace(self, conversation_open=False)
        else:
            raise InvalidValue(f"{t} does not belong to a client stream")
        return replace(changed, version=event.seq)

    @classmethod
    def registered(cls, event: Event) -> Client:
        data = event.data
        if event.type is not EventType.CLIENT_REGISTERED:
            raise InvalidValue(f"a client stream starts with {EventType.CLIENT_REGISTERED}, not {event.type}")
        return cls(
            id=data["client_id"],
            name=data["name"],
            language=Language(data["language"]) if data.get("language") else None,
            username=data.get("username"),
            identities=tuple(ChannelIdentity.from_data(i) for i in data.get("identities", [])),
            phone=data.get("phone"),
            tags=tuple(data.get("tags", [])),
            version=event.seq,
        )

    def to_doc(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "name": self.name,
            "language": self.language.value if self.language else None,
            "username": self.username,
            "identities": [i.to_data() for i in self.identities],
            "identity_keys": [i.key for i in self.identities],
            # one scalar per channel: the lookup by identity is an index seek on every engine
            **{f"identity_{c.value}": self._identity_key(c) for c in Channel},
            "phone": self.phone,
            "assistant_id": self.assistant_id,
            "tags": list(self.tags),
            "preferences": self.preferences,
            # the console finds a client by these (domain/search.py): an indexed array, matched with $all
            "search": []
            if self.merged_into
            else search.keys(self.name, self.username, self.tags, self.phone),
            "unreachable": [c.value for c in self.unreachable],
            "topic": self.topic.to_data() if self.topic else None,
            # flat copies: the lookup by (staff chat, thread) is an indexed query
            "topic_chat_id": self.topic.chat_id if self.topic and not self.topic.lost else None,
            "topic_thread_id": self.topic.thread_id if self.topic and not self.topic.lost else None,
            "topic_key": topic_key(self.topic.chat_id, self.topic.thread_id)
            if self.topic and not self.topic.lost and not self.merged_into and not self.erased
            else None,
            "topic_generation": self.topic_generation,
            "awaiting_topic": self.topic_generation if self.awaiting_topic else None,
            "conversation_open": self.conversation_open,
            "open_with": self.assistant_id if self.conversation_open else None,
            "saved_card": self.saved_card,
            "merged_into": self.merged_into,
            "erased": self.erased,
            "translated": self.translated,
            "contact": self.contact,
            "quiet": list(self.quiet) if self.quiet else None,
            "email": self.email,
            "_v": self.version,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Client:
        return cls(
            id=doc["_id"],
            name=doc["name"],
            language=Language(doc["language"]) if doc.get("language") else None,
            username=doc.get("username"),
            identities=tuple(ChannelIdentity.from_data(i) for i in doc.get("identities", [])),
            phone=doc.get("phone"),
            assistant_id=doc.get("assistant_id"),
            tags=tuple(doc.get("tags", [])),
            preferences=doc.get("preferences", ""),
            unreachable=tuple(Channel(c) for c in doc.get("unreachable", [])),
            topic=Topic.from_data(doc["topic"]) if doc.get("topic") else None,
            topic_generation=doc.get("topic_generation", 0),
            conversation_open=doc.get("conversation_open", False),
            saved_card=doc.get("saved_card"),
            merged_into=doc.get("merged_into"),
            erased=doc.get("erased", False),
            translated=doc.get("translated", True),
            contact=doc.get("contact"),
            quiet=(doc["quiet"][0], doc["quiet"][1]) if doc.get("quiet") else None,
            email=doc.get("email"),
            version=doc["_v"],
        )


@dataclass(frozen=True, slots=True)
class Assistant:
    id: str
    telegram_id: int
    name: str
    languages: tuple[Language, ...] = field(default=(Language.EN,))
    lead: bool = False
    staff_chat_id: int | None = None
    active: bool = True
    away: bool = False
    away_until: datetime | None = None  # None while away: until they say /back
    ui_language: str = "en"  # the console and staff texts: en or ru
    phone: str | None = None  # E.164; the concierge number rings it (never shown to a client)
    translates: bool = True  # clients in a language they do not read are machine-translated for them
    version: int = 0

    def speaks(self, language: Language | None) -> bool:
        return language is not None and language in self.languages

    def present_at(self, now: datetime) -> bool:
        """Active and not away (an away with an end time is over once it passes, announced or not)."""
        gone = self.away and (self.away_until is None or now < self.away_until)
        return self.active and not gone

    @classmethod
    def added(cls, event: Event) -> Assistant:
        if event.type is not EventType.ASSISTANT_ADDED:
            raise InvalidValue(
                f"an assistant stream starts with {EventType.ASSISTANT_ADDED}, not {event.type}"
            )
        data = event.data
        return cls(
            id=data["assistant_id"],
            telegram_id=data["telegram_id"],
            name=data["name"],
            languages=tuple(Language(code) for code in data["languages"]),
            lead=data.get("lead", False),
            staff_chat_id=data.get("staff_chat_id"),
            ui_language=data.get("ui_language") or "en",
            phone=data.get("phone"),
            version=event.seq,
        )

    def apply(self, event: Event) -> Assistant:
        if event.type is EventType.ASSISTANT_UI_LANGUAGE_SET:
            return replace(self, ui_language=event.data["ui_language"], version=event.seq)
        if event.type is EventType.ASSISTANT_PHONE_SET:
            return replace(self, phone=event.data["phone"], version=event.seq)
        if event.type is EventType.TRANSLATION_SET:
            return replace(self, translates=event.data["on"], version=event.seq)
        if event.type is EventType.ASSISTANT_DEACTIVATED:
            return replace(self, active=False, version=event.seq)
        if event.type is EventType.ASSISTANT_REACTIVATED:
            return replace(self, active=True, version=event.seq)
        if event.type is EventType.ASSISTANT_AWAY:
            until = event.data.get("until")
            return replace(
                self,
                away=True,
                away_until=datetime.fromisoformat(until) if until else None,
                version=event.seq,
            )
        if event.type is EventType.ASSISTANT_BACK:
            return replace(self, away=False, away_until=None, version=event.seq)
        raise InvalidValue(f"{event.type} does not belong to an assistant stream")

    def to_doc(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "telegram_id": self.telegram_id,
            "name": self.name,
            "languages": [lang.value for lang in self.languages],
            "lead": self.lead,
            "staff_chat_id": self.staff_chat_id,
            "active": self.active,
            "away": self.away,
            "away_until": self.away_until.isoformat() if self.away_until else None,
            "ui_language": self.ui_language,
            "phone": self.phone,
            "translates": self.translates,
            "_v": self.version,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Assistant:
        return cls(
            id=doc["_id"],
            telegram_id=doc["telegram_id"],
            name=doc["name"],
            languages=tuple(Language(code) for code in doc["languages"]),
            lead=doc["lead"],
            staff_chat_id=doc.get("staff_chat_id"),
            active=doc["active"],
            away=doc.get("away", False),
            away_until=datetime.fromisoformat(doc["away_until"]) if doc.get("away_until") else None,
            ui_language=doc.get("ui_language", "en"),
            phone=doc.get("phone"),
            translates=doc.get("translates", True),
            version=doc["_v"],
        )
