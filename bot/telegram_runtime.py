"""Wires Telegram onto the engine: the bot, the dispatcher and routers, the sender and its delivery worker,
the webhook (or polling), and Telegram's side of the media bridge."""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import aiohttp
import structlog
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from aiohttp import web
from pymongo.errors import PyMongoError

from bot.deps import TELEGRAM_LIMITS
from bot.engine_runtime import ENGINE, EngineRuntime
from bot.keys import SETTINGS
from bot.media_bridge import MediaUnavailable
from bot.workers.tasks import Background, pause
from bot.workers.telegram_deliveries import TelegramDeliveryWorker, WorkerHooks
from channels.telegram import menus
from channels.telegram.client import make_bot
from channels.telegram.routers import check_update, client_router, forum_router, staff_router, update_key
from channels.telegram.sender import TelegramSender
from domain.messages import Inbound, Person
from engine import queries
from engine.clients import page as client_page
from engine.clients import registry as clients
from engine.commands import staff_messages as staff
from engine.commands.table import COMMANDS
from engine.conversation import messages as conversation
from engine.deps import Deps
from engine.forum import topics
from engine.forum.topics import Topics
from engine.i18n import STAFF_LANGUAGES
from engine.requests import quote_buttons
from engine.staff_texts import bound
from engine.team import sign_in
from storage.budgets import Budgets
from storage.inbox import InboxItem
from webhooks import health
from webhooks.telegram import TELEGRAM_INTAKE, TelegramIntake

log = structlog.get_logger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


class EnginePorts:
    """The routers' ports (ClientPort, StaffPort), answered by the engine's use cases."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def start(self, person: Person, message: Inbound, cause: str) -> None:
        user_id = int(person.identity.external_id)
        if await staff.private_command(self._deps, user_id, message, cause):
            return  # an assistant opening their private chat with the bot (to receive sign-in links)
        await conversation.start(self._deps, person, message, cause)

    async def language_command(self, person: Person, message: Inbound, cause: str) -> None:
        await conversation.language_command(self._deps, person, message, cause)

    async def message(self, person: Person, message: Inbound, cause: str) -> None:
        user_id = int(person.identity.external_id)
        if await staff.private_command(self._deps, user_id, message, cause):
            return  # a staff member's command (/away, /back, /stats…)
        await conversation.client_message(self._deps, person, message, cause)

    async def edited(self, person: Person, message: Inbound, cause: str) -> None:
        await conversation.client_edited(self._deps, person, message, cause)

    async def help(self, person: Person, message: Inbound, cause: str) -> None:
        user_id = int(person.identity.external_id)
        if await staff.private_command(self._deps, user_id, message, cause):
            return  # a staff member's /help: what works in their private chat with the bot
        await conversation.help_command(self._deps, person, message, cause)

    async def app_command(self, person: Person, message: Inbound, cause: str) -> None:
        user_id = int(person.identity.external_id)
        if await staff.private_command(self._deps, user_id, message, cause):
            return  # (a staff member's private chat: no client page)
        await conversation.app_command(self._deps, person, message, cause)

    async def language_chosen(self, person: Person, code: str, cause: str) -> None:
        await clients.choose_language(self._deps, person, code, cause)

    async def quote_button(self, person: Person, data: str, cause: str) -> str | None:
        client, _new = await clients.ensure_client(self._deps, person, cause)
        return await quote_buttons.quote_button(self._deps, client, data, cause)

    async def staff_message(
        self, user_id: int, chat_id: int, thread_id: int | None, is_topic: bool, message: Inbound, cause: str
    ) -> None:
        await staff.staff_message(self._deps, user_id, chat_id, thread_id, is_topic, message, cause)

    async def topic_seen(self, chat_id: int, thread_id: int, name: str, ours: bool, cause: str) -> None:
        await topics.topic_seen(self._deps, chat_id, thread_id, name, ours, cause)


@dataclass
class TelegramRuntime:
    bot: Bot
    engine: EngineRuntime
    dispatcher: Dispatcher
    delivery_worker: TelegramDeliveryWorker
    sender: TelegramSender
    webhook_set: asyncio.Event = field(default_factory=asyncio.Event)
    menus_set: asyncio.Event = field(default_factory=asyncio.Event)

    async def store_update(self, provider_id: str, key: str, update: dict[str, Any]) -> bool:
        order = update.get("update_id") if isinstance(update.get("update_id"), int) else None
        return await self.engine.store_inbound(provider_id, "telegram", key, update, order)

    async def poll_once(self, offset: int, long_poll: int = 25) -> int:
        """One getUpdates round (polling mode): store what came, return the next offset."""
        updates = await self.bot.get_updates(
            offset=offset, timeout=long_poll, allowed_updates=ALLOWED_UPDATES
        )
        for update in updates:
            payload = update.model_dump(mode="json", exclude_none=True, by_alias=True)
            await self.store_update(f"tg:{update.update_id}", update_key(payload), payload)
            offset = update.update_id + 1
        return offset

    async def file(self, file_id: str) -> tuple[bytes, str]:
        """A file someone posted in Telegram (the media bridge's Telegram side)."""
        try:
            file = await self.bot.get_file(file_id)  # refused for files over the Bot API's 20 MB
            content = await self.bot.download_file(file.file_path)
        except (TelegramAPIError, aiohttp.ClientError) as error:
            raise MediaUnavailable(f"Telegram cannot serve the file ({type(error).__name__})") from None
        guessed = mimetypes.guess_type(file.file_path or "")[0]
        return content.read(), guessed or "application/octet-stream"


TELEGRAM = web.AppKey("telegram", TelegramRuntime)


def build(app: web.Application) -> TelegramRuntime:
    tg = app[SETTINGS].telegram
    engine = app[ENGINE]
    deps = engine.deps
    bot = make_bot(tg.telegram_bot_token.get_secret_value(), tg.telegram_api_base)
    directory = Topics(deps, card_hint=COMMANDS.card_hint())
    sender = TelegramSender(
        bot,
        directory,
        fetch_media=engine.media.fetch_media,
        sign_in_url=lambda nonce: (
            sign_in.link_url(deps, deps.signer.link_token(nonce)) if deps.signer else ""
        ),
        page_url=partial(client_page.page_url, deps),
    )
    worker = TelegramDeliveryWorker(
        deps.store.deliveries,
        sender,
        deps.clock,
        WorkerHooks(
            blocked=partial(staff.client_blocked, deps),
            topic_gone=directory.topic_gone,
            maybe_twice=partial(staff.maybe_twice, deps),
            refused=partial(staff.refused, deps),
        ),
        Budgets(deps.store.db, TELEGRAM_LIMITS),
        peers=engine.peers,
    )
    dispatcher = Dispatcher()
    dispatcher.include_routers(client_router(), forum_router(), staff_router())
    ports = EnginePorts(deps)

    async def handle(item: InboxItem) -> None:
        await dispatcher.feed_raw_update(
            bot, item.payload, client_port=ports, staff_port=ports, cause=item.id
        )

    runtime = TelegramRuntime(bot, engine, dispatcher, worker, sender)
    engine.register("telegram", handle)
    engine.add_sender(worker)
    engine.media.telegram_file = runtime.file
    return runtime


async def _until_done(
    what: str,
    action: Callable[[], Awaitable[None]],
    done: asyncio.Event,
    stopping: asyncio.Event,
    cap: float,
    delay: float = 1.0,
) -> None:
    """A call Telegram must take at start, tried again with back-off until it is (or the service stops)."""
    while not stopping.is_set():
        try:
            await action()
            log.info(f"telegram.{what}_set")
            done.set()
            return
        except (TelegramAPIError, PyMongoError) as error:
            log.warning(f"telegram.{what}_failed", error=type(error).__name__, retry_in=delay)
        await pause(stopping, delay)
        delay = min(delay * 2, cap)


async def _register_webhook(runtime: TelegramRuntime, url: str, secret: str, stopping: asyncio.Event) -> None:
    async def register() -> None:
        await runtime.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    await _until_done("webhook", register, runtime.webhook_set, stopping, 60)


async def _set_menus(runtime: TelegramRuntime, stopping: asyncio.Event) -> None:
    """The commands Telegram shows: clients' private chats in each language, every staff forum its own."""
    deps = runtime.engine.deps
    staff_menu: dict[str | None, list[tuple[str, str]]] = {
        language: COMMANDS.menu(bound(language or "en")) for language in (None, *STAFF_LANGUAGES[1:])
    }

    async def set_all() -> None:
        forums = {deps.staff_chat_id} | {a.staff_chat_id for a in await queries.assistants(deps.store)}
        await runtime.delivery_worker.ready(forums)  # (the forums are known here: their budgets too)
        for scope, language, commands in menus.all_menus(deps.t, sorted(f for f in forums if f), staff_menu):
            await runtime.bot.set_my_commands(commands, scope=scope, language_code=language)

    await _until_done("menus", set_all, runtime.menus_set, stopping, 300)


async def _poll(runtime: TelegramRuntime, stopping: asyncio.Event, first_delay: float = 1.0) -> None:
    """getUpdates for as long as the service runs: Telegram or the store being away only delays it."""
    deleted = asyncio.Event()

    async def delete() -> None:
        await runtime.bot.delete_webhook(drop_pending_updates=False)

    await _until_done("webhook_deleted", delete, deleted, stopping, 60, first_delay)
    offset, delay = 0, first_delay
    while not stopping.is_set():
        try:
            offset = await runtime.poll_once(offset)
            delay = first_delay
        except (TelegramAPIError, PyMongoError) as error:
            log.warning("telegram.polling_failed", error=type(error).__name__, retry_in=delay)
            await pause(stopping, delay)
            delay = min(delay * 2, 30)


def telegram_ctx(start_workers: bool):
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        if settings.telegram.telegram_bot_token is None:
            log.info("telegram.disabled", reason="TELEGRAM_BOT_TOKEN is not set")
            yield
            return
        runtime = build(app)
        app[TELEGRAM] = runtime
        secret = settings.telegram.telegram_webhook_secret
        if secret is not None:
            app[TELEGRAM_INTAKE] = TelegramIntake(
                secret.get_secret_value(),
                runtime.store_update,
                update_key,
                check_update,
                lambda provider_id, reason: runtime.engine.reject_inbound(provider_id, "telegram", reason),
            )
        tasks = Background()
        if settings.telegram_mode == "webhook":
            url = f"{settings.http.public_base_url}/webhooks/telegram"
            register = _register_webhook(runtime, url, secret.get_secret_value(), tasks.stopping)
            tasks.spawn(register, "webhook", once=True)
        tasks.spawn(_set_menus(runtime, tasks.stopping), "telegram-menus", once=True)
        app[health.READINESS_CHECKS]["telegram"] = tasks.readiness
        if start_workers:
            tasks.spawn(runtime.delivery_worker.run(tasks.stopping), "telegram-deliveries")
            if settings.telegram_mode == "polling":
                tasks.spawn(_poll(runtime, tasks.stopping), "telegram-polling")
        try:
            yield
        finally:
            await tasks.stop()
            await runtime.bot.session.close()

    return ctx
