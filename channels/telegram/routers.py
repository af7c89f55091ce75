"""aiogram routers: thin handlers that turn Telegram updates into calls on the engine's ports."""

from __future__ import annotations

import contextlib
from typing import Any, Protocol

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message, Update, User
from pydantic import ValidationError

from domain.clients import Channel, ChannelIdentity
from domain.errors import InvalidValue
from domain.messages import Inbound, Kind, Person
from domain.payloads import check_storable

MEDIA = ("photo", "document", "voice", "video", "audio", "sticker", "video_note", "animation")


class ClientPort(Protocol):
    async def start(self, person: Person, message: Inbound, cause: str) -> None: ...
    async def language_command(self, person: Person, message: Inbound, cause: str) -> None: ...
    async def message(self, person: Person, message: Inbound, cause: str) -> None: ...
    async def edited(self, person: Person, message: Inbound, cause: str) -> None: ...
    async def language_chosen(self, person: Person, code: str, cause: str) -> None: ...
    async def quote_button(self, person: Person, data: str, cause: str) -> str | None: ...
    async def help(self, person: Person, message: Inbound, cause: str) -> None: ...
    async def app_command(self, person: Person, message: Inbound, cause: str) -> None: ...


class StaffPort(Protocol):
    async def staff_message(
        self, user_id: int, chat_id: int, thread_id: int | None, is_topic: bool, message: Inbound, cause: str
    ) -> None: ...
    async def topic_seen(self, chat_id: int, thread_id: int, name: str, ours: bool, cause: str) -> None: ...


def person(user: User) -> Person:
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return Person(ChannelIdentity(Channel.TELEGRAM, str(user.id)), name, user.username, user.language_code)


def author(message: Message) -> Person:
    assert message.from_user is not None  # the routers' filters let only messages with a sender through
    return person(message.from_user)


def inbound(message: Message) -> Inbound:
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    base: dict[str, Any] = {
        "chat_id": message.chat.id,
        "message_id": message.message_id,
        "reply_to": reply_to,
    }
    if message.text is not None:
        return Inbound(Kind.TEXT, message.text, **base)
    if message.location is not None:
        # as text: event data carries no floats (their JSON is not canonical)
        extra: dict[str, Any] = {
            "latitude": str(message.location.latitude),
            "longitude": str(message.location.longitude),
        }
        return Inbound(Kind.LOCATION, None, extra=extra, **base)
    if message.contact is not None:
        own = (
            message.contact.user_id is not None
            and message.from_user is not None
            and message.contact.user_id == message.from_user.id
        )
        extra = {"phone_number": message.contact.phone_number, "own": own, "name": message.contact.first_name}
        return Inbound(Kind.CONTACT, None, extra=extra, **base)
    for kind in MEDIA:
        if (media := getattr(message, kind)) is not None:
            mapped = Kind(kind) if kind in Kind._value2member_map_ else Kind.OTHER
            file = media[-1] if isinstance(media, list) else media  # photos come in sizes: the largest last
            extra = {
                "media": kind,
                "file_id": file.file_id,
                "file_size": getattr(file, "file_size", None),
                "file_name": getattr(file, "file_name", None),
                "mime_type": getattr(file, "mime_type", None),
            }
            return Inbound(
                mapped, message.caption, extra={k: v for k, v in extra.items() if v is not None}, **base
            )
    return Inbound(Kind.OTHER, message.caption, **base)


def client_router() -> Router:
    router = Router(name="client-chat")
    router.message.filter(F.chat.type == ChatType.PRIVATE, F.from_user)
    router.edited_message.filter(F.chat.type == ChatType.PRIVATE, F.from_user)

    @router.message(CommandStart())
    async def on_start(message: Message, client_port: ClientPort, cause: str) -> None:
        await client_port.start(author(message), inbound(message), cause)

    @router.message(Command("language"))
    async def on_language(message: Message, client_port: ClientPort, cause: str) -> None:
        await client_port.language_command(author(message), inbound(message), cause)

    @router.message(Command("help"))
    async def on_help(message: Message, client_port: ClientPort, cause: str) -> None:
        await client_port.help(author(message), inbound(message), cause)

    @router.message(Command("app"))
    async def on_app(message: Message, client_port: ClientPort, cause: str) -> None:
        await client_port.app_command(author(message), inbound(message), cause)

    @router.message()
    async def on_message(message: Message, client_port: ClientPort, cause: str) -> None:
        await client_port.message(author(message), inbound(message), cause)

    @router.edited_message()
    async def on_edited(message: Message, client_port: ClientPort, cause: str) -> None:
        await client_port.edited(author(message), inbound(message), cause)

    @router.callback_query(F.data.startswith("lang:"))
    async def on_language_chosen(callback: CallbackQuery, client_port: ClientPort, cause: str) -> None:
        with contextlib.suppress(
            TelegramAPIError
        ):  # the spinner stops either way; the choice is what matters
            await callback.answer()
        assert callback.data is not None  # the filter matched it
        await client_port.language_chosen(
            person(callback.from_user), callback.data.removeprefix("lang:"), cause
        )

    @router.callback_query(F.data.regexp(r"^(tap|ask|decline|rate|remind):"))
    async def on_quote_button(callback: CallbackQuery, client_port: ClientPort, cause: str) -> None:
        assert callback.data is not None  # the filter matched it
        notice = None
        try:
            notice = await client_port.quote_button(person(callback.from_user), callback.data, cause)
        finally:  # the spinner stops either way; a spent button says why nothing happened
            with contextlib.suppress(TelegramAPIError):
                await callback.answer(notice)

    return router


def forum_router() -> Router:
    """Service messages of the staff forum: a topic was created (by us, perhaps in a call never answered)."""
    router = Router(name="staff-forum-service")
    router.message.filter(F.chat.type == ChatType.SUPERGROUP, F.forum_topic_created, F.message_thread_id)

    @router.message()
    async def on_topic_created(message: Message, staff_port: StaffPort, cause: str, bot: Bot) -> None:
        # the router's filter lets only topic creations in a thread through
        assert message.forum_topic_created is not None and message.message_thread_id is not None
        ours = message.from_user is not None and message.from_user.id == bot.id
        await staff_port.topic_seen(
            message.chat.id, message.message_thread_id, message.forum_topic_created.name, ours, cause
        )

    return router


def staff_router() -> Router:
    router = Router(name="staff-forum")
    router.message.filter(F.chat.type == ChatType.SUPERGROUP, F.from_user, ~F.from_user.is_bot)

    @router.message()
    async def on_staff_message(message: Message, staff_port: StaffPort, cause: str) -> None:
        assert message.from_user is not None  # the router's filter lets only messages with a sender through
        await staff_port.staff_message(
            message.from_user.id,
            message.chat.id,
            message.message_thread_id,
            bool(message.is_topic_message),
            inbound(message),
            cause,
        )

    return router


def _get(value: Any, *path: str) -> Any:
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    return value


def _id(value: Any) -> str | None:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else None


def update_key(update: dict[str, Any]) -> str:
    """What must be processed in order: one private chat, or one forum topic. Total: any object gets a key."""
    for kind in ("message", "edited_message"):
        if chat := _id(_get(update, kind, "chat", "id")):
            topic = _get(update, kind, "is_topic_message") is True
            thread = _id(_get(update, kind, "message_thread_id")) if topic else None
            return f"tg:{chat}" + (f":{thread}" if thread else "")
    if user := _id(_get(update, "callback_query", "from", "id")):
        return f"tg:{user}"
    if chat := _id(_get(update, "my_chat_member", "chat", "id")):
        return f"tg:{chat}"
    return "tg:other"


# The shape of most updates — a private chat's text message — is checked here field by field (aiogram builds
# some hundred fields of models to validate one: most of a webhook request's own time), in the one walk
# that also finds it storable: each field named has the type aiogram declares for it, required ones present,
# nothing else there, every integer within 64 bits, every text valid Unicode. What it accepts, aiogram reads
# and the store holds (tests/telegram/test_update_shape.py checks both on generated updates); anything else
# goes to `check_storable`, then to aiogram.
_USER = {
    "id": int,
    "is_bot": bool,
    "first_name": str,
    "last_name": str,
    "username": str,
    "language_code": str,
    "is_premium": bool,
}
_CHAT = {"id": int, "type": str, "first_name": str, "last_name": str, "username": str}
_ENTITY = {"type": str, "offset": int, "length": int}
_MESSAGE = {"message_id": int, "date": int, "chat": _CHAT, "from": _USER, "text": str, "entities": [_ENTITY]}
_UPDATE = {"update_id": int, "message": _MESSAGE}
_REQUIRED = {
    id(_USER): {"id", "is_bot", "first_name"},
    id(_CHAT): {"id", "type"},
    id(_ENTITY): {"type", "offset", "length"},
    id(_MESSAGE): {"message_id", "date", "chat"},
    id(_UPDATE): {"update_id", "message"},
}
# seconds since 1970: what Telegram sends (aiogram reads far larger ones as milliseconds)
_DATES = range(2**31)
_INT64 = range(-(2**63), 2**63)  # (what the store holds: BSON's integers)


def plain_shape(value: Any, shape: Any = _UPDATE) -> bool:
    """Whether `value` is an update of the plain shape above, and storable as it is (what `check_storable`
    would let through: its keys are the shape's, its depth the shape's). (A loop with the leaves checked in
    place: a call per field was most of its time.)"""
    if isinstance(shape, list):
        return isinstance(value, list) and all(plain_shape(item, shape[0]) for item in value)
    if not (
        isinstance(value, dict) and value.keys() <= shape.keys() and _REQUIRED[id(shape)] <= value.keys()
    ):
        return False
    for key, item in value.items():
        kind = shape[key]
        if kind is str:
            if type(item) is not str:
                return False
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False  # a lone surrogate: `check_storable` names it
        elif kind is int:
            if type(item) is not int or item not in _INT64:  # (exactly: a bool is not taken for an int)
                return False
        elif kind is bool:
            if type(item) is not bool:
                return False
        elif not plain_shape(item, kind):
            return False
    return shape is not _MESSAGE or value["date"] in _DATES


def check_update(update: dict[str, Any]) -> None:
    """InvalidValue unless the store can hold it as it is and aiogram can read it as an Update; the problem is
    named by field, never by value."""
    if plain_shape(update):
        return
    check_storable(update)  # (first: aiogram is never given what is nested too deep or is not JSON)
    try:
        Update.model_validate(update)
    except ValidationError as error:
        fields = sorted({".".join(str(p) for p in e["loc"][:4]) for e in error.errors()})[:3]
        raise InvalidValue(f"not a Telegram update ({', '.join(fields)})") from None
