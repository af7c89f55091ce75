"""What the engine sends, said once for every channel: a neutral message (text, buttons, media, reply-to) or
one of the staff forum's operations. Each channel's `compose` (channels/<name>/compose.py) fits a message to
its own limits; a delivery stores the result with `to_doc`, and the sender reads it back with `from_doc`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.clients import Channel, Language
from domain.messages import Kind

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Button:
    """Answered with `data` (a tap), opens `url` (in the chat's own Mini App view when `app`: Telegram only),
    or asks for the person's own number (`contact`)."""

    text: str
    data: str | None = None
    url: str | None = None
    contact: bool = False
    app: bool = False

    def to_doc(self) -> dict[str, str]:
        doc = {"text": self.text}
        if self.url is not None:
            doc["url"] = self.url
        if self.app:
            doc["app"] = "1"
        if self.data is not None:
            doc["data"] = self.data
        if self.contact:
            doc["contact"] = "own"
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Button:
        return cls(
            str(doc["text"]), doc.get("data"), doc.get("url"), bool(doc.get("contact")), bool(doc.get("app"))
        )


Buttons = tuple[tuple[Button, ...], ...]


def buttons_of(rows: list[list[dict[str, str]]] | None) -> Buttons:
    """Rows of buttons from their documents ({"text", "data"|"url"|"contact"})."""
    return tuple(tuple(Button.from_doc(b) for b in row) for row in rows or [])


@dataclass(frozen=True, slots=True)
class Mention:
    """A person named in the text whose phone should ring (a Telegram user in the staff forum)."""

    user_id: int
    name: str


STORED = "stored:"  # a media url naming a file kept in our store (storage/files.py), not on any channel


@dataclass(frozen=True, slots=True)
class Media:
    """A file to send: one a provider keeps (`url`, fetched as it is sent) or a Telegram file (`file_id`)."""

    kind: Kind = Kind.DOCUMENT
    url: str | None = None
    file_id: str | None = None
    content_type: str | None = None
    file_name: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Original:
    """The message as it arrived on its channel: a channel that can copy it (Telegram to Telegram) does."""

    chat: str
    message_id: str


@dataclass(frozen=True, slots=True)
class SignIn:
    """A console sign-in link made from `nonce` only as it is sent: the stored message never holds it."""

    nonce: str
    button: str
    staff: str
    answer_chat: int | None = None  # the forum to tell when the assistant's private chat is closed


@dataclass(frozen=True, slots=True)
class Message:
    text: str = ""
    buttons: Buttons = ()
    media: Media | None = None
    original: Original | None = None
    reply_to: str | None = None  # the message it answers, in the chat it goes to
    topic: str | None = None  # in the staff forum: the topic of this client id, or "forum:<chat>/<purpose>"
    mentions: tuple[Mention, ...] = ()
    about: str | None = None  # the client a line for the leads is about (/take answers it)
    sign_in: SignIn | None = None
    folded: str | None = None  # shown folded beneath the text (the original of a translated message)
    recaption: bool = False  # a copy's caption replaced by the text (a translated caption), not kept
    # a client's one-time link to their own page, made from this nonce only as it is sent ("{link}" in text)
    page_link: str | None = None


@dataclass(frozen=True, slots=True)
class Template:
    """A message approved in advance (WhatsApp's way to re-open a conversation window)."""

    content_sid: str
    variables: Mapping[str, str] = field(default_factory=dict)


_CONTENT_SID = re.compile(r"HX[0-9a-fA-F]{32}")
# what a message goes as when WhatsApp's 24 hours are over, in its delivery's meta: a Template's document, or
# None — not at all (a reminder: never a paid message by accident); a message without it waits for the window
OUTSIDE_WINDOW = "outside_window"


@dataclass(frozen=True, slots=True)
class TemplateSids:
    """One approved template in each language it was approved in (Twilio approves a Content template per
    language), and perhaps one SID for any language (a setting written before there were several)."""

    by_language: Mapping[Language, str] = field(default_factory=dict)
    any_language: str | None = None

    @classmethod
    def parse(cls, value: str | None) -> TemplateSids:
        """`ar=HX…,en=HX…,ru=HX…`, a bare `HX…` for any language, or both; a ValueError says what is wrong."""
        by_language: dict[Language, str] = {}
        any_language = None
        for part in filter(None, (p.strip() for p in (value or "").split(","))):
            code, named, sid = part.rpartition("=")
            code, sid = code.strip().lower(), sid.strip()
            if not _CONTENT_SID.fullmatch(sid):
                raise ValueError(
                    f"{part!r} is not a Content SID (HX and 32 hex digits), alone or after a language like "
                    "ar=HX…,en=HX…,ru=HX…"
                )
            if not named:
                if any_language is not None:
                    raise ValueError("names two SIDs for any language: give one, or one per language")
                any_language = sid
            elif code not in Language._value2member_map_:
                languages = ", ".join(language.value for language in Language)
                raise ValueError(f"{code!r} is not a client language ({languages})")
            elif Language(code) in by_language:
                raise ValueError(f"names two SIDs for {code}")
            else:
                by_language[Language(code)] = sid
        return cls(by_language, any_language)

    def sid(self, language: Language) -> str | None:
        """The template approved in `language`, else the one for any language: None, no template for them."""
        return self.by_language.get(language) or self.any_language


# the staff forum's operations
@dataclass(frozen=True, slots=True)
class CreateTopic:
    owner: str  # a client id, or "forum:<chat>/<purpose>"
    generation: int
    name: str


@dataclass(frozen=True, slots=True)
class PostCard:
    topic: str
    card: str = "client"  # or "request:<id>"


@dataclass(frozen=True, slots=True)
class EditCard:
    topic: str
    card: str = "client"


@dataclass(frozen=True, slots=True)
class RenameTopic:
    topic: str
    name: str


@dataclass(frozen=True, slots=True)
class CloseTopic:
    topic: str


@dataclass(frozen=True, slots=True)
class DeleteTopic:
    thread_id: int


@dataclass(frozen=True, slots=True)
class DeleteMessage:
    """A message taken out of a client's topic (a /quote that said the supplier's cost)."""

    topic: str
    message_id: int


@dataclass(frozen=True, slots=True)
class MenuButton:
    """The menu button of a client's private chat with the bot: it opens their page (a Telegram Mini App)."""

    text: str
    url: str


ForumOp = CreateTopic | PostCard | EditCard | RenameTopic | CloseTopic | DeleteTopic | DeleteMessage
Outbound = Message | Template | MenuButton | ForumOp


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A stored document this version cannot read (a newer shape during a rolling upgrade, a damaged one): it
    fails on its own, and every other delivery still goes."""

    reason: str


def read_doc(doc: Mapping[str, Any]) -> Outbound | Unreadable:
    """`from_doc`, for a sender: what cannot be read is an `Unreadable`, not an exception in its round."""
    try:
        return from_doc(doc)
    except (KeyError, TypeError, ValueError) as error:
        return Unreadable(f"{type(error).__name__}: {error}")


def topic_of(out: Outbound | Unreadable) -> str | None:
    """The topic an outbound item goes into (the sender finds it first), if any."""
    match out:
        case Message(topic=topic):
            return topic
        case (
            PostCard(topic=topic)
            | EditCard(topic=topic)
            | RenameTopic(topic=topic)
            | CloseTopic(topic=topic)
            | DeleteMessage(topic=topic)
        ):
            return topic
    return None


def text_of(out: Outbound) -> str:
    return out.text if isinstance(out, Message) else ""


# --- documents ---
def _message_doc(m: Message) -> Doc:
    doc: Doc = {"type": "message", "text": m.text}
    if m.buttons:
        doc["buttons"] = [[b.to_doc() for b in row] for row in m.buttons]
    if m.media is not None:
        media = m.media
        doc["media"] = {
            "kind": media.kind.value,
            "url": media.url,
            "file_id": media.file_id,
            "content_type": media.content_type,
            "file_name": media.file_name,
            "size": media.size,
        }
    if m.original is not None:
        doc["original"] = {"chat": m.original.chat, "message_id": m.original.message_id}
    if m.reply_to is not None:
        doc["reply_to"] = m.reply_to
    if m.topic is not None:
        doc["topic_of"] = m.topic
    if m.mentions:
        doc["mentions"] = [[p.user_id, p.name] for p in m.mentions]
    if m.about is not None:
        doc["about"] = m.about
    if m.folded is not None:
        doc["folded"] = m.folded
    if m.recaption:
        doc["recaption"] = True
    if m.sign_in is not None:
        s = m.sign_in
        doc["sign_in"] = {
            "nonce": s.nonce,
            "button": s.button,
            "staff": s.staff,
            "answer_chat": s.answer_chat,
        }
    if m.page_link is not None:
        doc["page_link"] = m.page_link
    return doc


def to_doc(out: Outbound) -> Doc:
    """The stored form: a plain document naming its type, readable by `from_doc` in any later version."""
    match out:
        case Message():
            return _message_doc(out)
        case Template(content_sid, variables):
            return {"type": "template", "content_sid": content_sid, "variables": dict(variables)}
        case CreateTopic(owner, generation, name):
            return {"type": "create_topic", "owner": owner, "generation": generation, "name": name}
        case PostCard(topic, card):
            return {"type": "post_card", "topic_of": topic, "card": card}
        case EditCard(topic, card):
            return {"type": "edit_card", "topic_of": topic, "card": card}
        case RenameTopic(topic, name):
            return {"type": "rename_topic", "topic_of": topic, "name": name}
        case CloseTopic(topic):
            return {"type": "close_topic", "topic_of": topic}
        case DeleteTopic(thread_id):
            return {"type": "delete_topic", "thread_id": thread_id}
        case DeleteMessage(topic, message_id):
            return {"type": "delete_message", "topic_of": topic, "message_id": message_id}
        case MenuButton(text, url):
            return {"type": "menu_button", "text": text, "url": url}


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _message(doc: Mapping[str, Any]) -> Message:
    media = doc.get("media")
    original = doc.get("original")
    sign_in = doc.get("sign_in")
    return Message(
        text=doc.get("text") or "",
        buttons=buttons_of(doc.get("buttons")),
        media=Media(
            Kind(media.get("kind") or Kind.DOCUMENT.value),
            media.get("url"),
            media.get("file_id"),
            media.get("content_type"),
            media.get("file_name"),
            media.get("size"),
        )
        if media
        else None,
        original=Original(str(original["chat"]), str(original["message_id"])) if original else None,
        reply_to=_str(doc.get("reply_to")),
        topic=doc.get("topic_of"),
        mentions=tuple(Mention(int(user_id), str(name)) for user_id, name in doc.get("mentions") or []),
        about=doc.get("about"),
        sign_in=SignIn(sign_in["nonce"], sign_in["button"], sign_in["staff"], sign_in.get("answer_chat"))
        if sign_in
        else None,
        folded=doc.get("folded"),
        recaption=bool(doc.get("recaption")),
        page_link=doc.get("page_link"),
    )


def from_doc(doc: Mapping[str, Any]) -> Outbound:
    """The message or operation a delivery holds; a document stored before this shape (an `op` name and
    vendor fields) is read as what it meant, so deliveries queued or archived by an older version still go
    out and still answer lookups."""
    if "op" in doc:
        return _legacy(doc)
    match doc["type"]:
        case "message":
            return _message(doc)
        case "template":
            return Template(doc["content_sid"], dict(doc.get("variables") or {}))
        case "create_topic":
            return CreateTopic(doc["owner"], int(doc["generation"]), doc["name"])
        case "post_card":
            return PostCard(doc["topic_of"], doc.get("card") or "client")
        case "edit_card":
            return EditCard(doc["topic_of"], doc.get("card") or "client")
        case "rename_topic":
            return RenameTopic(doc["topic_of"], doc["name"])
        case "close_topic":
            return CloseTopic(doc["topic_of"])
        case "delete_topic":
            return DeleteTopic(int(doc["thread_id"]))
        case "delete_message":
            return DeleteMessage(doc["topic_of"], int(doc["message_id"]))
        case "menu_button":
            return MenuButton(doc["text"], doc["url"])
    raise ValueError(f"not an outbound document: {doc['type']!r}")


def _legacy(doc: Mapping[str, Any]) -> Outbound:
    """The shape of the versions before the neutral message: {"op": ..., vendor fields}."""
    op, topic = doc["op"], doc.get("topic_of")
    base = Message(reply_to=_str(doc.get("reply_to")), topic=topic)
    match op:
        case "text":
            sign_in = (
                SignIn(
                    doc["sign_in"], doc.get("button") or "", doc.get("staff") or "", doc.get("answer_chat")
                )
                if doc.get("sign_in")
                else None
            )
            mentions = tuple(Mention(int(u), str(n)) for u, n in doc.get("mentions") or [])
            return _replace(
                base,
                text=doc.get("text") or "",
                buttons=buttons_of(doc.get("buttons")),
                mentions=mentions,
                about=doc.get("about"),
                sign_in=sign_in,
            )
        case "copy":
            return _replace(base, original=Original(str(doc["from_chat_id"]), str(doc["message_id"])))
        case "upload":
            media = Media(url=doc.get("url"), content_type=doc.get("content_type"))
            return _replace(base, text=doc.get("caption") or "", media=media)
        case "media":  # WhatsApp: a Telegram file through our media link
            media = Media(
                Kind.DOCUMENT,
                file_id=doc.get("file_id"),
                content_type=doc.get("mime"),
                file_name=doc.get("file_name"),
            )
            return Message(text=doc.get("text") or "", media=media)
        case "template":
            return Template(doc["content_sid"], dict(doc.get("variables") or {}))
        case "create_topic":
            return CreateTopic(doc["client_id"], int(doc["generation"]), doc["name"])
        case "card":
            return PostCard(topic or "", doc.get("card") or "client")
        case "edit_card":
            return EditCard(topic or "", doc.get("card") or "client")
        case "rename_topic":
            return RenameTopic(topic or "", doc["name"])
        case "close_topic":
            return CloseTopic(topic or "")
        case "delete_topic":
            return DeleteTopic(int(doc["message_thread_id"]))
    raise ValueError(f"not an outbound document: op {op!r}")


def _replace(message: Message, **changes: Any) -> Message:
    fields = {name: getattr(message, name) for name in Message.__slots__}
    return Message(**{**fields, **changes})


# --- what a channel makes of a message ---
@dataclass(frozen=True, slots=True)
class Refusal:
    """A message this channel cannot carry; the assistant is told with the channel's `notice` (a staff text
    id taking `problem`, `kind` and `megabytes`)."""

    notice: str
    problem: str
    kind: str = ""
    megabytes: str = ""


@dataclass(frozen=True, slots=True)
class Composed:
    """A message fitted to one channel: the parts to store and send in order, the numbered answers that stand
    for buttons the channel cannot show (answer → button data), or why it cannot be sent at all."""

    parts: tuple[Message, ...] = ()
    choices: Mapping[str, str] = field(default_factory=dict)
    refused: Refusal | None = None


Translate = Callable[[str], str]  # a client text by id, in the recipient's language
Compose = Callable[[Message, Translate], Composed]


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """What the engine needs to know of a message channel to write to a client on it."""

    channel: Channel
    compose: Compose
    lane_prefix: str  # one chat's messages go out in order in the lane "<prefix>:<address>"

    def lane(self, address: str) -> str:
        return f"{self.lane_prefix}:{address}"

    def template_lane(self, address: str) -> str:
        """Where a `Template` to this chat goes: a lane of its own ("<prefix>-template:<address>"), so it is
        not held with the messages it re-opens the conversation for."""
        return f"{self.lane_prefix}-template:{address}"

    def menu_lane(self, address: str) -> str:
        """Where the chat's menu button is set ("<prefix>-menu:<address>"): a setting, not a message, so it
        neither waits for the chat's messages nor makes them wait (the welcome goes at once)."""
        return f"{self.lane_prefix}-menu:{address}"


class ChannelRegistry:
    """The message channels the engine can write to a client on, keyed by channel (built in bot/)."""

    def __init__(self, *specs: ChannelSpec) -> None:
        self._specs: dict[Channel, ChannelSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: ChannelSpec) -> None:
        self._specs[spec.channel] = spec

    def get(self, channel: Channel) -> ChannelSpec | None:
        return self._specs.get(channel)

    def __contains__(self, channel: object) -> bool:
        return channel in self._specs
