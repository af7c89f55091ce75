"""Builds the staff forum's deliveries (and the private Telegram lines that are not a client's: sign-in
links, answers to staff). Each holds a neutral message or a forum operation (domain/outbound.py) as a
document; every one derives from an event: id = '<event id>:<n>'."""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.clients import Channel
from domain.events import Event
from domain.messages import Inbound, Kind
from domain.outbound import (
    Buttons,
    CloseTopic,
    CreateTopic,
    DeleteMessage,
    DeleteTopic,
    EditCard,
    Media,
    Mention,
    Message,
    Original,
    Outbound,
    PostCard,
    RenameTopic,
    to_doc,
)
from domain.texts import TELEGRAM_CAPTION_MAX, TELEGRAM_MAX, split_text
from storage.deliveries import Delivery

TELEGRAM = "telegram"
TRANSLATED = "🌐 "  # before a translation of what a client wrote
Mentions = list[list[int | str]]  # [[telegram user id, name], ...]


def _delivery(
    event: Event, n: int, chat_id: int, lane: str, out: Outbound, prio: int = 1, merge_key: str | None = None
) -> Delivery:
    return Delivery(
        f"{event.id}:{n}",
        TELEGRAM,
        str(chat_id),
        to_doc(out),
        event.id,
        lane=lane,
        prio=prio,
        merge_key=merge_key,
    )


def original_of(message: Inbound) -> Original:
    return Original(str(message.chat_id), str(message.message_id))


def _topic_lane(staff_chat_id: int, client_id: str) -> str:
    return f"tg:{staff_chat_id}:{client_id}"


def private_chat(event: Event, n: int, chat_id: int, message: Message) -> Delivery:
    """A message into a private chat with the bot (composed for Telegram already)."""
    return _delivery(event, n, chat_id, f"tg:{chat_id}", message)


def to_private_chat(
    event: Event,
    n: int,
    chat_id: int,
    text: str,
    *,
    buttons: Buttons = (),
    reply_to: int | None = None,
) -> Delivery:
    message = Message(text, buttons, reply_to=None if reply_to is None else str(reply_to))
    return private_chat(event, n, chat_id, message)


def to_topic(
    event: Event,
    n: int,
    staff_chat_id: int,
    client_id: str,
    text: str,
    *,
    merge: bool = False,
    reply_to: int | None = None,
    mentions: Mentions | None = None,
    folded: str | None = None,
) -> Delivery:
    message = Message(
        text,
        reply_to=None if reply_to is None else str(reply_to),
        topic=client_id,
        mentions=tuple(Mention(int(user), str(name)) for user, name in mentions or []),
        folded=folded,
    )
    return _delivery(
        event,
        n,
        staff_chat_id,
        _topic_lane(staff_chat_id, client_id),
        message,
        merge_key=f"topic:{client_id}" if merge else None,
    )


def mention(*people: tuple[int, str]) -> Mentions:
    """Telegram user mentions for names that appear in a text (their phones ring): [[user id, name], ...]."""
    return [[user_id, name] for user_id, name in people]


def to_forum_topic(
    event: Event,
    n: int,
    staff_chat_id: int,
    purpose: str,
    text: str,
    *,
    about: str | None = None,
    mentions: list[list[int | str]] | None = None,
) -> Delivery:
    """A line in one of the forum's own topics (⚠️ Escalations), created when first needed."""
    message = Message(
        text,
        topic=forum_topic_id(staff_chat_id, purpose),
        about=about,
        mentions=tuple(Mention(int(user), str(name)) for user, name in mentions or []),
    )
    return _delivery(event, n, staff_chat_id, f"tg:{staff_chat_id}:{purpose}", message)


def to_forum_topic_upload(
    event: Event, n: int, staff_chat_id: int, purpose: str, url: str, content_type: str, caption: str
) -> Delivery:
    """A file fetched from a provider (a withheld caller's voicemail), uploaded into a forum topic."""
    message = Message(
        caption,
        media=Media(Kind.AUDIO, url=url, content_type=content_type),
        topic=forum_topic_id(staff_chat_id, purpose),
    )
    return _delivery(event, n, staff_chat_id, f"tg:{staff_chat_id}:{purpose}", message)


def forum_topic_id(staff_chat_id: int, purpose: str) -> str:
    """Where the sender finds a forum topic (in place of a client id): 'forum:<chat>/<purpose>'."""
    return f"forum:{staff_chat_id}/{purpose}"


def to_forum(event: Event, n: int, staff_chat_id: int, text: str) -> Delivery:
    """A line in the staff forum's General topic: for what belongs to no client."""
    return _delivery(event, n, staff_chat_id, f"tg:{staff_chat_id}:general", Message(text))


def close_topic(event: Event, n: int, staff_chat_id: int, client_id: str) -> Delivery:
    """Close a client's topic (a duplicate merged away): it stays readable, nobody writes there by mistake."""
    return _delivery(event, n, staff_chat_id, _topic_lane(staff_chat_id, client_id), CloseTopic(client_id))


def delete_message(event: Event, n: int, staff_chat_id: int, client_id: str, message_id: int) -> Delivery:
    """Take a message out of a client's topic (in the topic's lane: after what went there before it)."""
    lane = _topic_lane(staff_chat_id, client_id)
    return _delivery(event, n, staff_chat_id, lane, DeleteMessage(client_id, message_id))


def delete_topic(event: Event, staff_chat_id: int, thread_id: int) -> Delivery:
    return _delivery(event, 0, staff_chat_id, f"tg:{staff_chat_id}:general", DeleteTopic(thread_id))


CONTINUED = 900  # a long text's parts after the first in the topic: `<event>:901`, … (clear of the others)
MORE_PARTS = 3  # at most: WhatsApp's and Telegram's longest text (4,096) with its marks and translation fits
MARKS = {Channel.WHATSAPP: "🟢 WhatsApp · "}  # what came on a channel other than Telegram is marked so
EDITED = "✏️ "  # the new words of a message the client changed after sending it


def mark(channel: Channel) -> str:
    return "" if channel is Channel.TELEGRAM else MARKS.get(channel, f"{channel.value} · ")


def marked(via: str | None) -> str:
    """The mark of a channel named by its value (a request's `via`), none for Telegram's."""
    if not via:
        return ""
    try:
        return mark(Channel(via))
    except ValueError:  # (a channel this version does not know)
        return f"{via} · "


def relay_to_topic(
    event: Event,
    n: int,
    staff_chat_id: int,
    client_id: str,
    message: Inbound,
    reply_to: int | None = None,
    translation: str | None = None,
    note: str = "",
) -> tuple[Delivery, ...]:
    """Text is sent (and may be merged under pressure); Telegram media is copied as it is (but for a caption
    translated, or said to be untranslated: `note`); any other channel's media is fetched from its provider
    (`extra["media"]`: url and content type, as its normaliser gives them) and uploaded. What came on another
    channel than Telegram is marked so. The relay, then — for a text longer than a message holds (WhatsApp's
    4,096 characters with their mark, a long translation) — the rest in parts right behind it."""
    lane = _topic_lane(staff_chat_id, client_id)
    copied = message.channel is Channel.TELEGRAM  # Telegram to Telegram: copyMessage
    said = (EDITED if (message.extra or {}).get("edited") else "") + mark(message.channel)
    if message.kind is Kind.TEXT:
        if translation is not None:  # the client's own words folded beneath the last part, or after it
            text, original = f"{said}{TRANSLATED}{translation}", message.text or ""
        else:
            text, original = note + said + (message.text or ""), ""
        parts = split_text(text, TELEGRAM_MAX)
        if len(parts) > MORE_PARTS + 1:  # (no channel sends such a text: bounded all the same, and said so)
            parts = [*parts[:MORE_PARTS], parts[MORE_PARTS][: TELEGRAM_MAX - 1] + "…"]
        folds: list[str | None] = [None] * len(parts)
        if len(parts[-1]) + 2 + len(original) <= TELEGRAM_MAX:
            folds[-1] = original or None
        elif original:  # (no room left beneath the translation: the client's words whole, on their own)
            parts, folds = [*parts, original], [*folds, None]
        relay = to_topic(
            event,
            n,
            staff_chat_id,
            client_id,
            parts[0],
            merge=translation is None and not note,
            reply_to=reply_to,
            folded=folds[0],
        )
        more = range(1, len(parts))
        return relay, *(
            to_topic(event, CONTINUED + k, staff_chat_id, client_id, parts[k], folded=folds[k]) for k in more
        )
    if not copied and message.kind is Kind.LOCATION:
        extra = message.extra or {}
        where = f"📍 https://maps.google.com/?q={extra.get('latitude')},{extra.get('longitude')}"
        return (to_topic(event, n, staff_chat_id, client_id, said + where, merge=True),)
    # a file: its caption translated like a text, with the client's own words folded beneath
    caption = (note + said + (message.text or "").strip()).strip(" ·")
    folded_caption: str | None = None
    if translation is not None:
        caption, folded_caption = f"{said}{TRANSLATED}{translation}", message.text
    if not copied:
        media = (message.extra or {}).get("media") or [{}]
        url, content_type = media[0].get("url"), media[0].get("content_type")
        upload = to_topic_upload(
            event, n, staff_chat_id, client_id, url, content_type, caption, folded_caption
        )
        return (upload,)
    recaption = translation is not None or bool(note)
    copy = Message(
        caption if recaption else "",
        original=original_of(message),
        reply_to=None if reply_to is None else str(reply_to),
        topic=client_id,
        folded=folded_caption,
        recaption=recaption,
    )
    return (_delivery(event, n, staff_chat_id, lane, copy),)


def caption_room(channel: Channel) -> int:
    """How long a caption's translation may be in the topic: Telegram's limit less the marks before it."""
    return TELEGRAM_CAPTION_MAX - len(mark(channel) + TRANSLATED)


def to_topic_upload(
    event: Event,
    n: int,
    staff_chat_id: int,
    client_id: str,
    url: str | None,
    content_type: str | None,
    caption: str,
    folded: str | None = None,
) -> Delivery:
    """A file fetched from a provider as it is sent (WhatsApp media, a voicemail), uploaded into the topic;
    `folded`: the caption as the client wrote it, beneath its translation."""
    message = Message(
        caption, media=Media(url=url, content_type=content_type), topic=client_id, folded=folded
    )
    return _delivery(event, n, staff_chat_id, _topic_lane(staff_chat_id, client_id), message)


def create_topic(
    event: Event, staff_chat_id: int, lane: str, owner: str, generation: int, name: str
) -> Delivery:
    return _delivery(event, 0, staff_chat_id, lane, CreateTopic(owner, generation, name), prio=0)


def topic_setup(
    event: Event, staff_chat_id: int, client_id: str, generation: int, name: str
) -> list[Delivery]:
    """Create the topic, then post and pin the card: first in the lane, before anything waiting there."""
    lane = _topic_lane(staff_chat_id, client_id)
    return [
        create_topic(event, staff_chat_id, lane, client_id, generation, name),
        _delivery(event, 1, staff_chat_id, lane, PostCard(client_id), prio=0),
    ]


def rename_topic(event: Event, n: int, staff_chat_id: int, client_id: str, name: str) -> Delivery:
    """The topic's name again (a VIP tag set or removed), in the topic's lane after what waits there."""
    lane = _topic_lane(staff_chat_id, client_id)
    return _delivery(event, n, staff_chat_id, lane, RenameTopic(client_id, name), prio=1)


def card_update(
    event: Event,
    n: int,
    staff_chat_id: int,
    client_id: str,
    repost: bool = False,
    card: str = "client",
    words: Words | None = None,
) -> Delivery:
    """Post a card again (`repost`) or edit it in place; `card` is "client" or "request:<id>". A posted card
    waits behind the relays of its topic (`prio` 2: the client's words first; it shows the request as it is
    when it goes, so nothing is lost by waiting) — unless it carries the words that opened its request
    (`words`): then it goes as their relay would have, in its place (a reply to it threads to them)."""
    op = PostCard(client_id, card) if repost else EditCard(client_id, card)
    lane = _topic_lane(staff_chat_id, client_id)
    if words is not None and repost:
        return replace(_delivery(event, n, staff_chat_id, lane, op), meta={"source": words.source})
    return _delivery(event, n, staff_chat_id, lane, op, prio=2 if repost else 1)


WORDS_IN_CARD = 1000  # characters of a client's words (and of their translation) a request card shows whole


@dataclass(frozen=True, slots=True)
class Words:
    """A client's message on its way into their topic: its relay, and whether the card of a request it opens
    may carry it instead (`foldable`: a text with no reply to thread and no note, short enough for the card to
    show whole, translated or not) — one post instead of two."""

    relay: Delivery
    source: int | str  # the client's message id
    foldable: bool
    via: str | None = None  # the channel it came on, when not Telegram (the card marks the words so)
    more: tuple[Delivery, ...] = ()  # the rest of a text longer than one message, right behind the relay

    @property
    def relayed(self) -> tuple[Delivery, ...]:
        """What relaying the words stores: the relay, and the rest of a long text."""
        return self.relay, *self.more
