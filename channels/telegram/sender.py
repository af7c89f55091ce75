"""Executes one stored Telegram delivery with aiogram and says what happened, in our terms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    MenuButtonWebApp,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyParameters,
    User,
    WebAppInfo,
)
from aiogram.types import (
    Message as AgMessage,
)

from channels.telegram.client import last_call_left, watch_calls
from domain.clients import Topic
from domain.outbound import (
    Button,
    Buttons,
    CloseTopic,
    CreateTopic,
    DeleteMessage,
    DeleteTopic,
    EditCard,
    Mention,
    MenuButton,
    Message,
    Outbound,
    PostCard,
    RenameTopic,
    Template,
    Unreadable,
    topic_of,
)
from domain.texts import TELEGRAM_CAPTION_MAX, TELEGRAM_MAX

log = structlog.get_logger(__name__)

THREAD_GONE = ("message thread not found", "topic_deleted", "topic deleted", "thread not found")


class TopicDirectory(Protocol):
    """What the sender needs from the engine: where a client's topic is, and to hear about new topics."""

    async def topic_for(self, client_id: str) -> Topic | None: ...
    async def card_text(self, client_id: str, card: str) -> str: ...
    async def card_message(self, client_id: str, card: str) -> int | None: ...
    async def topic_created(self, client_id: str, generation: int, chat_id: int, thread_id: int) -> None: ...
    async def card_posted(self, client_id: str, card: str, generation: int, message_id: int) -> None: ...
    async def card_lost(self, client_id: str, card: str, generation: int, message_id: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: int | None


@dataclass(frozen=True, slots=True)
class RetryLater:
    after: float
    error: str
    counts: bool = True  # False for a wait Telegram asked for (429): it is not a failed attempt
    throttled: bool = False
    answer_lost: bool = False  # the request left and no answer came back: Telegram may have done it


@dataclass(frozen=True, slots=True)
class Blocked:
    error: str


@dataclass(frozen=True, slots=True)
class TopicGone:
    client_id: str
    generation: int


@dataclass(frozen=True, slots=True)
class NotReady:
    reason: str


@dataclass(frozen=True, slots=True)
class Failed:
    error: str


Outcome = Sent | RetryLater | Blocked | TopicGone | NotReady | Failed


def _keyboard(buttons: Buttons) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if not buttons:
        return None
    if any(b.contact for row in buttons for b in row):  # share their own number: a reply keyboard
        rows = [[KeyboardButton(text=b.text, request_contact=True) for b in row] for row in buttons]
        return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, one_time_keyboard=True)
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=b.text, web_app=WebAppInfo(url=b.url))
                if b.app and b.url is not None
                else InlineKeyboardButton(text=b.text, url=b.url)
                if b.url is not None
                else InlineKeyboardButton(text=b.text, callback_data=b.data)
                for b in row
            ]
            for row in buttons
        ]
    )


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def folded(
    text: str, original: str, entities: list[MessageEntity] | None, limit: int = TELEGRAM_MAX
) -> tuple[str, list[MessageEntity] | None]:
    """`text`, then `original` as an expandable quote (offsets in UTF-16 code units), within Telegram's
    4,096 characters or a caption's `limit`: the original is cut, never the translation (left out, if no
    room is left)."""
    room = limit - len(text) - 2
    if room < 2:
        return text, entities
    quote = original if len(original) <= room else original[: max(room - 1, 0)] + "…"
    offset = len(text.encode("utf-16-le")) // 2 + 2
    length = len(quote.encode("utf-16-le")) // 2
    quoted = MessageEntity(type="expandable_blockquote", offset=offset, length=length)
    return f"{text}\n\n{quote}", [*(entities or []), quoted]


def mention_entities(text: str, mentions: tuple[Mention, ...]) -> list[MessageEntity] | None:
    """Each person whose name appears in `text` becomes a text mention there (offsets in UTF-16
    code units, as Telegram counts): the person is notified even in a muted topic."""
    entities = []
    for person in mentions:
        user_id, name = person.user_id, person.name
        at = text.find(name)
        if at >= 0 and name:
            entities.append(
                MessageEntity(
                    type="text_mention",
                    offset=_utf16(text[:at]),
                    length=_utf16(name),
                    user=User(id=int(user_id), is_bot=False, first_name=name),
                )
            )
    return entities or None


MAX_UPLOAD = 20 * 1024 * 1024
MAX_PHOTO = 10 * 1024 * 1024  # sendPhoto's limit
PHOTOS = {"image/jpeg", "image/png", "image/webp"}
UPLOADS = {"image": "photo", "video": "video", "audio": "audio"}
UPLOAD_CALLS: dict[
    str, Callable[[Bot, BufferedInputFile, str | None, dict[str, Any]], Awaitable[AgMessage]]
] = {
    "photo": lambda bot, file, caption, where: bot.send_photo(photo=file, caption=caption, **where),
    "video": lambda bot, file, caption, where: bot.send_video(video=file, caption=caption, **where),
    "audio": lambda bot, file, caption, where: bot.send_audio(audio=file, caption=caption, **where),
    "document": lambda bot, file, caption, where: bot.send_document(document=file, caption=caption, **where),
}
MediaFetcher = Callable[[str], Awaitable[tuple[bytes, str]]]


def _caption(message: Message) -> tuple[str, list[MessageEntity] | None]:
    """A message's text as a caption: within Telegram's limit, what it translates folded beneath."""
    caption = message.text[:TELEGRAM_CAPTION_MAX]
    if message.folded:
        return folded(caption, message.folded, None, TELEGRAM_CAPTION_MAX)
    return caption, None


class TelegramSender:
    def __init__(
        self,
        bot: Bot,
        topics: TopicDirectory,
        fetch_media: MediaFetcher | None = None,
        sign_in_url: Callable[[str], str] | None = None,
        page_url: Callable[[str], str] | None = None,
    ) -> None:
        self._bot = bot
        self._topics = topics
        self.fetch_media = fetch_media  # media from other channels (WhatsApp through Twilio)
        self.sign_in_url = sign_in_url  # a console sign-in link, made from its nonce only as it is sent
        self.page_url = page_url  # a client's one-time link to their page, made from its nonce likewise

    async def send(self, chat_id: int, out: Outbound | Unreadable, text: str | None = None) -> Outcome:
        """Send one stored message or forum operation to `chat_id`; `text` replaces a message's text (merged
        relays)."""
        topic: Topic | None = None
        client_id = topic_of(out)
        watch_calls()  # (a send is a task of its own: its calls are noted apart from the others')
        try:
            if client_id:
                topic = await self._topics.topic_for(client_id)
                if topic is None:
                    return NotReady(f"the topic of {client_id} is not open yet")
            match out:
                case Message(original=original) if original is not None:
                    return await self._copy(chat_id, out, topic)
                case Message(media=media) if media is not None:
                    return await self._upload(chat_id, out, topic)
                case Message():
                    return await self._text(chat_id, out, topic, text)
                case CreateTopic():
                    return await self._create_topic(chat_id, out)
                case DeleteTopic():
                    return await self._delete_topic(chat_id, out)
                case DeleteMessage():
                    return await self._delete_message(chat_id, out)
                case CloseTopic():
                    return await self._close_topic(topic)
                case RenameTopic():
                    return await self._rename_topic(out, topic)
                case PostCard():
                    return await self._card(chat_id, out, topic)
                case EditCard():
                    return await self._edit_card(out, topic)
                case MenuButton(text=label, url=url):
                    button = MenuButtonWebApp(text=label, web_app=WebAppInfo(url=url))
                    await self._bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
                    return Sent(None)
                case Template():
                    return Failed("Telegram has no templates")
                case Unreadable(reason):
                    return Failed(f"a stored delivery this version cannot read ({reason})")
        except TelegramRetryAfter as error:
            return RetryLater(float(error.retry_after), error.message, counts=False, throttled=True)
        except TelegramForbiddenError as error:
            if chat_id > 0:
                return Blocked(error.message)
            return RetryLater(300, f"the bot cannot post in the staff forum: {error.message}")
        except TelegramBadRequest as error:
            if topic is not None and client_id and any(s in error.message.lower() for s in THREAD_GONE):
                return TopicGone(client_id, topic.generation)
            return Failed(error.message)
        except TelegramUnauthorizedError as error:
            return RetryLater(300, f"the bot token was refused: {error.message}")
        except TelegramEntityTooLarge as error:  # (a network error to aiogram: Telegram answered 413)
            return Failed(error.message)
        except (TelegramNetworkError, TimeoutError) as error:
            # its request sent and no answer back (a timeout, a connection dropped on the way back): Telegram
            # may have done it — sent again, never lost, and said; one that never left (no connection made,
            # a timeout while connecting) is sent again silently
            return RetryLater(0, str(error) or type(error).__name__, answer_lost=last_call_left())
        except TelegramServerError as error:  # (Telegram answered, with an error: taken as not done)
            return RetryLater(0, str(error) or type(error).__name__)

    @staticmethod
    def _where(chat_id: int, topic: Topic | None, reply_to: str | None = None) -> dict[str, Any]:
        where: dict[str, Any] = {"chat_id": topic.chat_id if topic else chat_id}
        if topic:
            where["message_thread_id"] = topic.thread_id
        if reply_to:
            where["reply_parameters"] = ReplyParameters(
                message_id=int(reply_to), allow_sending_without_reply=True
            )
        return where

    async def _text(self, chat_id: int, message: Message, topic: Topic | None, text: str | None) -> Outcome:
        text = text or message.text
        buttons, preview = message.buttons, None
        if message.page_link is not None and self.page_url is not None:  # a client's one-time link (no https)
            text = text.replace("{link}", self.page_url(message.page_link))
            preview = LinkPreviewOptions(is_disabled=True)
        if message.sign_in is not None and self.sign_in_url is not None:
            # the link exists only in this call and in Telegram: the stored delivery holds the nonce
            url = self.sign_in_url(message.sign_in.nonce)
            text = text.replace("{link}", url)
            buttons = ((Button(message.sign_in.button, url=url),),) if url.startswith("https://") else ()
            preview = LinkPreviewOptions(is_disabled=True)  # a preview fetch must not spend the link
        entities = mention_entities(text, message.mentions)
        if message.folded:  # the original, folded beneath: an expandable quote
            text, entities = folded(text, message.folded, entities)
        sent = await self._bot.send_message(
            text=text,
            entities=entities,
            reply_markup=_keyboard(buttons),
            link_preview_options=preview,
            **self._where(chat_id, topic, message.reply_to),
        )
        return Sent(sent.message_id)

    async def _copy(self, chat_id: int, message: Message, topic: Topic | None) -> Outcome:
        assert message.original is not None
        recaptioned: dict[str, Any] = {}
        if message.recaption:  # (else the copy keeps its caption as it is, formatting included)
            caption, entities = _caption(message)
            recaptioned = {"caption": caption, "caption_entities": entities}
        copied = await self._bot.copy_message(
            from_chat_id=int(message.original.chat),
            message_id=int(message.original.message_id),
            **recaptioned,
            **self._where(chat_id, topic, message.reply_to),
        )
        return Sent(copied.message_id)

    async def _create_topic(self, chat_id: int, op: CreateTopic) -> Outcome:
        current = await self._topics.topic_for(op.owner)
        if current is not None and current.generation >= op.generation:
            return Sent(None)  # created already (a retry after the answer was recorded)
        topic = await self._bot.create_forum_topic(chat_id=chat_id, name=op.name[:128])
        await self._topics.topic_created(op.owner, op.generation, chat_id, topic.message_thread_id)
        return Sent(None)

    async def _delete_topic(self, chat_id: int, op: DeleteTopic) -> Outcome:
        try:
            await self._bot.delete_forum_topic(chat_id=chat_id, message_thread_id=op.thread_id)
        except TelegramBadRequest as error:
            if not any(mark in str(error).lower() for mark in THREAD_GONE):
                raise
        return Sent(None)  # gone either way

    async def _delete_message(self, chat_id: int, op: DeleteMessage) -> Outcome:
        try:
            await self._bot.delete_message(chat_id=chat_id, message_id=op.message_id)
        except TelegramBadRequest as error:
            if "message to delete not found" in error.message.lower():
                return Sent(None)  # gone already (a retry, or someone deleted it)
            if "can't be deleted" in error.message.lower():  # no right to, or older than 48 hours
                return Failed("Telegram refused to delete it: allow the bot to delete messages")
            raise
        return Sent(None)

    async def _close_topic(self, topic: Topic | None) -> Outcome:
        assert topic is not None
        try:
            await self._bot.close_forum_topic(chat_id=topic.chat_id, message_thread_id=topic.thread_id)
        except TelegramBadRequest as error:
            if (
                "not_modified" not in error.message.lower()
                and "topic_not_modified" not in error.message.lower()
            ):
                raise
        return Sent(None)

    async def _rename_topic(self, op: RenameTopic, topic: Topic | None) -> Outcome:
        assert topic is not None
        try:
            await self._bot.edit_forum_topic(
                chat_id=topic.chat_id, message_thread_id=topic.thread_id, name=op.name[:128]
            )
        except TelegramBadRequest as error:
            if "not_modified" not in error.message.lower():  # named so already (a retry)
                raise
        return Sent(None)

    async def _card(self, chat_id: int, op: PostCard, topic: Topic | None) -> Outcome:
        """Post a card ("client": pinned; "request:R-1042": the request's) into the topic."""
        assert topic is not None
        text = await self._topics.card_text(op.topic, op.card)
        message = await self._bot.send_message(text=text, **self._where(chat_id, topic))
        if op.card == "client":
            try:
                await self._bot.pin_chat_message(
                    chat_id=topic.chat_id, message_id=message.message_id, disable_notification=True
                )
            except (TelegramBadRequest, TelegramNetworkError) as error:  # not fatal: the card is there
                # (a network error: it may be pinned or not — posting the card again would leave two)
                log.warning("telegram.pin_failed", error=error.message)
        await self._topics.card_posted(op.topic, op.card, topic.generation, message.message_id)
        return Sent(message.message_id)

    async def _edit_card(self, op: EditCard, topic: Topic | None) -> Outcome:
        message_id = await self._topics.card_message(op.topic, op.card) if topic else None
        if topic is None or message_id is None:
            return Sent(None)  # no card yet: the one posted later will be current
        try:
            await self._bot.edit_message_text(
                text=await self._topics.card_text(op.topic, op.card),
                chat_id=topic.chat_id,
                message_id=message_id,
            )
        except TelegramBadRequest as error:
            if "message to edit not found" in error.message.lower():  # deleted in the topic: posted again
                log.info("telegram.card_lost", which=op.card.split(":", 1)[0])  # ("card" is redacted)
                await self._topics.card_lost(op.topic, op.card, topic.generation, message_id)
                return Sent(None)
            if "not modified" not in error.message:
                raise
        return Sent(message_id)

    async def _upload(self, chat_id: int, message: Message, topic: Topic | None) -> Outcome:
        """Media another channel received: fetched, then uploaded into the topic (or a note instead)."""
        assert message.media is not None
        media = message.media
        where = self._where(chat_id, topic, message.reply_to)
        caption = message.text or None
        try:
            if self.fetch_media is None or not media.url:
                raise LookupError("media fetching is not configured")
            content, content_type = await self.fetch_media(media.url)
        except OSError as error:
            return RetryLater(0, f"the media could not be fetched: {error}")
        except LookupError as refused:  # not fetchable: not Twilio's, gone, or its channel is not wired
            sent = await self._bot.send_message(
                text=f"{caption or ''}\n📎 A file arrived that cannot be shown here ({refused}).".strip(),
                **where,
            )
            return Sent(sent.message_id)
        content_type = content_type or media.content_type or "application/octet-stream"
        if len(content) > MAX_UPLOAD:
            note = (
                f"{caption or ''}\n📎 The client sent a {len(content) // 1024 // 1024} MB file "
                f"({content_type}); "
                "it is too large to show here. Ask them for a link or a smaller file."
            ).strip()
            sent = await self._bot.send_message(text=note, **where)
            return Sent(sent.message_id)
        kind = UPLOADS.get(content_type.split("/")[0], "document")
        if kind == "photo" and (content_type not in PHOTOS or len(content) > MAX_PHOTO):
            kind = "document"  # (what sendPhoto refuses — a GIF, an SVG, over 10 MB — goes as a file)
        extension = content_type.split("/")[-1].split(";")[0] or "bin"
        upload = BufferedInputFile(content, filename=media.file_name or f"whatsapp.{extension}")
        caption, entities = _caption(message)
        where |= {"caption_entities": entities} if entities else {}
        sent = await UPLOAD_CALLS[kind](self._bot, upload, caption or None, where)
        return Sent(sent.message_id)
