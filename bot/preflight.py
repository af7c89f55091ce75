"""The preflight: each configured integration asked, with its real API, whether it is set up as the service
needs, and one line for each thing that is not. `concierge check` prints them (exit 1 on any failure); the
service logs the failures as warnings when it starts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, cast

import aiohttp
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramUnauthorizedError
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure, PyMongoError
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client
from twilio.rest.messaging.v1.service import ServiceInstance

from bot.deps import interpreter
from bot.settings import Settings
from channels.telegram.client import make_bot
from domain.errors import Unavailable
from domain.payments import GatewayError
from interpreters.deepl import DeepL
from interpreters.yandex import YandexTranslate
from payments.cloudpayments import CloudPaymentsGateway
from storage.indexes import INDEXES
from storage.store import mongo_client

TIMEOUT = 10.0  # seconds for each integration: a check that hangs says so instead
RECENT_ERROR = timedelta(minutes=10)
TWILIO_SANDBOX = "whatsapp:+14155238886"  # the Twilio Sandbox for WhatsApp: no sender of any account


class Verdict(StrEnum):
    OK = "ok"
    FAIL = "FAIL"
    NOTE = "note"  # nothing wrong, but something this cannot check or a person should know


@dataclass(frozen=True)
class Finding:
    what: str
    verdict: Verdict
    line: str

    def __str__(self) -> str:
        return f"{self.verdict.value:<4}  {self.what}: {self.line}"


def _ok(what: str, line: str) -> Finding:
    return Finding(what, Verdict.OK, line)


def _fail(what: str, line: str) -> Finding:
    return Finding(what, Verdict.FAIL, line)


async def check(settings: Settings, *, starting: bool = False) -> list[Finding]:
    """`starting`: the service registers its own webhook as it starts, so its address is not judged then."""
    checks: list[tuple[str, Callable[[], Awaitable[list[Finding]]]]] = [("MongoDB", lambda: _store(settings))]
    if settings.telegram.telegram_bot_token is not None:
        checks.append(("Telegram", lambda: _telegram(settings, starting)))
    if settings.twilio.enabled:
        checks.append(("Twilio", lambda: _twilio(settings)))
    if settings.cloudpayments.enabled:
        checks.append(("CloudPayments", lambda: _cloudpayments(settings)))
    if settings.translation.translation_provider != "off":
        checks.append(("Translation", lambda: _translation(settings)))
    results = await asyncio.gather(*(_bounded(name, run) for name, run in checks))
    return [finding for findings in results for finding in findings]


async def _bounded(name: str, run: Callable[[], Awaitable[list[Finding]]]) -> list[Finding]:
    """One integration's lines; whatever it raises is its line too, never the end of the others'."""
    try:
        return await asyncio.wait_for(run(), TIMEOUT)
    except TimeoutError:
        return [_fail(name, f"did not answer within {TIMEOUT:.0f} s")]
    except Exception as error:  # an answer nobody foresaw: said in one line (its type, never its text)
        return [_fail(name, f"could not be checked ({type(error).__name__})")]


# --- MongoDB ------------------------------------------------------------------------------------------------
async def _store(settings: Settings) -> list[Finding]:
    store = settings.store
    if store.mongodb_url is None:
        return [
            Finding(
                "MongoDB",
                Verdict.NOTE,
                f"MONGODB_URL is unset: the embedded store in {store.concierge_data_dir} serves one machine; "
                "production runs MongoDB as a replica set (docker-compose.yml, or Atlas)",
            )
        ]
    client = mongo_client(store.mongodb_url.get_secret_value())
    try:
        return await _mongodb(client, store.mongodb_db)
    except OperationFailure as error:
        return [_fail("MongoDB", f"refused the credentials in MONGODB_URL or a command ({error.code})")]
    except PyMongoError as error:
        return [_fail("MongoDB", f"could not be reached at MONGODB_URL ({type(error).__name__})")]
    finally:
        await client.close()


async def _mongodb(client: AsyncMongoClient, db_name: str) -> list[Finding]:
    found = [topology(await client.admin.command("hello"))]
    db = client[db_name]
    missing = []
    for collection, models in INDEXES.items():
        have = {tuple(index["key"].items()) async for index in await db[collection].list_indexes()}
        missing += [
            f"{collection}.{model.document['name']}"
            for model in models
            if tuple(model.document["key"].items()) not in have
        ]
    if missing:
        found.append(
            _fail(
                "MongoDB indexes",
                f"{len(missing)} missing ({', '.join(missing[:3])}…): the service makes them as it starts",
            )
        )
    else:
        found.append(_ok("MongoDB indexes", f"all {sum(len(m) for m in INDEXES.values())} present"))
    return found


def topology(hello: Mapping[str, Any]) -> Finding:
    """What a server's `hello` says of it: the service needs a replica set (or mongos) that can write."""
    if hello.get("setName"):
        name = hello["setName"]
        if hello.get("isWritablePrimary"):
            return _ok("MongoDB", f"replica set {name}, a writable primary")
        return _fail("MongoDB", f"replica set {name} has no writable primary: nothing can be kept")
    if hello.get("msg") == "isdbgrid":
        return _ok("MongoDB", "a sharded cluster (mongos)")
    return _fail(
        "MongoDB", "a standalone server, not a replica set: run it with --replSet (docker-compose.yml)"
    )


# --- Telegram -----------------------------------------------------------------------------------------------
async def _telegram(settings: Settings, starting: bool) -> list[Finding]:
    tg = settings.telegram
    assert tg.telegram_bot_token is not None
    bot = make_bot(tg.telegram_bot_token.get_secret_value(), tg.telegram_api_base, timeout=TIMEOUT)
    try:
        try:
            me = await bot.get_me()
        except TelegramUnauthorizedError:
            return [_fail("Telegram bot", "TELEGRAM_BOT_TOKEN is refused: copy it again from @BotFather")]
        except TelegramNetworkError:
            return [_fail("Telegram bot", f"the Bot API at {tg.telegram_api_base} could not be reached")]
        found = [_ok("Telegram bot", f"@{me.username} answers")]
        found += await _forum(bot, me.id, tg.telegram_staff_chat_id)
        found += await _webhook(bot, settings, starting)
        return found
    finally:
        await bot.session.close()


async def _forum(bot: Bot, bot_id: int, chat_id: int | None) -> list[Finding]:
    what = "Telegram staff forum"
    if chat_id is None:
        return [
            _fail(what, "TELEGRAM_STAFF_CHAT_ID is not set: add the bot to the forum and send /chatid there")
        ]
    try:
        chat = await bot.get_chat(chat_id)
    except TelegramAPIError:
        return [_fail(what, f"the bot cannot see chat {chat_id}: add the bot to the forum, or fix the id")]
    if chat.type != "supergroup" or not chat.is_forum:
        return [
            _fail(what, f"{chat.title or chat_id} is not a forum: turn Topics on in the group's settings")
        ]
    try:
        member = await bot.get_chat_member(chat_id, bot_id)
    except TelegramAPIError:
        return [_fail(what, f"the bot's rights in {chat.title} could not be read")]
    if member.status not in ("administrator", "creator"):
        return [_fail(what, f"the bot is not an administrator of {chat.title}: make it one")]
    if member.status == "administrator" and not getattr(member, "can_manage_topics", False):
        return [_fail(what, f"the bot may not manage topics in {chat.title}: allow 'Manage topics'")]
    found = [_ok(what, f"{chat.title}: a forum, the bot an administrator that manages topics")]
    if member.status == "administrator" and not getattr(member, "can_delete_messages", False):
        line = "the bot may not delete messages: a /quote that says a cost stays in its topic for all to read"
        found.append(Finding(what, Verdict.NOTE, f"{line}; allow 'Delete messages'"))
    return found


async def _webhook(bot: Bot, settings: Settings, starting: bool) -> list[Finding]:
    info = await bot.get_webhook_info()
    found = []
    if settings.telegram_mode == "webhook":
        wanted = f"{settings.http.base_url}/webhooks/telegram"
        if info.url == wanted:
            found.append(_ok("Telegram webhook", f"set to {wanted}, {info.pending_update_count} waiting"))
        elif not starting:
            now = info.url or "not set"
            found.append(
                _fail("Telegram webhook", f"is {now}, not {wanted}: the service sets it as it starts")
            )
    elif info.url:
        found.append(
            _fail("Telegram webhook", f"is set ({info.url}) while the service polls: it is removed at start")
        )
    if info.last_error_date is not None:
        at = info.last_error_date.strftime("%Y-%m-%d %H:%M UTC")
        line = f"Telegram's last delivery failed at {at}: {info.last_error_message}"
        recent = datetime.now(UTC) - info.last_error_date < RECENT_ERROR  # (Telegram keeps the last for ever)
        found.append(
            _fail("Telegram webhook", line) if recent else Finding("Telegram webhook", Verdict.NOTE, line)
        )
    return found


# --- Twilio -------------------------------------------------------------------------------------------------
async def _twilio(settings: Settings) -> list[Finding]:
    tw = settings.twilio
    assert tw.twilio_account_sid is not None and tw.twilio_auth_token is not None
    http = AsyncTwilioHttpClient(timeout=TIMEOUT)
    client = Client(tw.twilio_account_sid, tw.twilio_auth_token.get_secret_value(), http_client=http)
    if tw.twilio_api_base:
        client.api.base_url = client.messaging.base_url = tw.twilio_api_base.rstrip("/")
    try:
        try:
            account = await client.api.v2010.accounts(tw.twilio_account_sid).fetch_async()
        except TwilioRestException as error:
            if error.status == 401:
                return [_fail("Twilio", "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are refused")]
            return [_fail("Twilio", f"the account could not be read (HTTP {error.status})")]
        except (TwilioException, OSError) as error:
            return [_fail("Twilio", f"could not be reached ({type(error).__name__})")]
        if account.status != "active":
            return [_fail("Twilio", f"the account is {account.status}")]
        found = [_ok("Twilio", f"account {account.friendly_name} is active")]
        found += await _numbers(client, settings)
        return found
    finally:
        await http.close()


async def _numbers(client: Client, settings: Settings) -> list[Finding]:
    tw, base = settings.twilio, settings.http.base_url
    found = []
    if tw.twilio_whatsapp_from:
        found += await _whatsapp_sender(client, tw.twilio_whatsapp_from, f"{base}/webhooks/twilio/whatsapp")
    if tw.twilio_voice_number:
        number = tw.twilio_voice_number
        listed = await client.incoming_phone_numbers.list_async(phone_number=number, limit=1)
        wanted = f"{base}/webhooks/twilio/voice"
        if not listed:
            found.append(
                _fail("Phone", f"TWILIO_VOICE_NUMBER {number} is not a number of this Twilio account")
            )
        elif (listed[0].voice_url or "").rstrip("/") != wanted:
            found.append(
                _fail(
                    "Phone",
                    f"calls to {number} go to {listed[0].voice_url or 'nowhere'}, not {wanted}: "
                    "set the number's Voice URL",
                )
            )
        else:
            found.append(_ok("Phone", f"calls to {number} come to {wanted}"))
    return found


async def _whatsapp_sender(client: Client, sender: str, wanted: str) -> list[Finding]:
    """Where Twilio posts the sender's messages: its own webhook (the Senders API), or the Incoming Messages
    URL of the Messaging Service it is in, unless that service defers to each sender's webhook."""
    what = "WhatsApp sender"
    if sender == TWILIO_SANDBOX:
        line = (
            f"{sender} is the Twilio Sandbox for WhatsApp, which Twilio's API does not show: in its sandbox "
            f"settings 'When a message comes in' must be {wanted}"
        )
        return [Finding(what, Verdict.NOTE, line)]
    try:
        senders = await client.messaging.v2.channels_senders.list_async(channel="whatsapp")
        service = await _messaging_service(client, sender)
    except TwilioRestException as error:  # (the Senders API is a public beta)
        line = (
            f"Twilio's Senders API answered HTTP {error.status}: in the console its webhook must be {wanted}"
        )
        return [Finding(what, Verdict.NOTE, f"{sender}: {line}")]
    mine = next((each for each in senders if each.sender_id == sender), None)
    if mine is None:
        line = f"{sender} is not a WhatsApp sender of this Twilio account: fix TWILIO_WHATSAPP_FROM"
        return [_fail(what, line)]
    if mine.status not in ("ONLINE", "ONLINE:UPDATING"):
        line = f"{sender} is {mine.status}, not ONLINE: WhatsApp does not carry its messages yet"
        return [_fail(what, line)]
    if service is not None:
        url = service.inbound_request_url or ""
        if url.rstrip("/") != wanted:
            line = (
                f"{sender} is in Messaging Service {service.friendly_name}, whose incoming messages go to "
                f"{url or 'nowhere'}, not {wanted}: set the service's Incoming Messages request URL"
            )
            return [_fail(what, line)]
        return [_ok(what, f"{sender} is online; Messaging Service {service.friendly_name} posts to {wanted}")]
    webhook = cast(dict[str, str | None], mine.webhook or {})  # (the SDK types it str: it is an object)
    url = webhook.get("callback_url") or ""
    if url.rstrip("/") != wanted:
        line = f"messages to {sender} go to {url or 'nowhere'}, not {wanted}: set the sender's webhook URL"
        return [_fail(what, line)]
    return [_ok(what, f"{sender} is online; its messages come to {wanted}")]


async def _messaging_service(client: Client, sender: str) -> ServiceInstance | None:
    """The Messaging Service whose Incoming Messages URL receives `sender`'s messages, if any."""
    for service in await client.messaging.v1.services.list_async():
        if service.use_inbound_webhook_on_number:
            continue
        assert service.sid is not None
        members = await client.messaging.v1.services(service.sid).channel_senders.list_async()
        if any(member.sender == sender for member in members):
            return service
    return None


# --- CloudPayments ------------------------------------------------------------------------------------------
async def _cloudpayments(settings: Settings) -> list[Finding]:
    cp = settings.cloudpayments
    assert cp.cloudpayments_public_id is not None and cp.cloudpayments_api_secret is not None
    gateway = CloudPaymentsGateway(
        cp.cloudpayments_public_id,
        cp.cloudpayments_api_secret.get_secret_value(),
        cp.cloudpayments_api_base,
        TIMEOUT,
    )
    try:
        answer = await gateway.credentials_accepted()
    except GatewayError as error:
        return [_fail("CloudPayments", str(error))]
    finally:
        gateway.close()
    if not answer:
        return [_fail("CloudPayments", "CLOUDPAYMENTS_PUBLIC_ID and CLOUDPAYMENTS_API_SECRET are refused")]
    return [_ok("CloudPayments", "the Public ID and API secret are accepted")]


# --- Translation ------------------------------------------------------------------------------------------
async def _translation(settings: Settings) -> list[Finding]:
    async with aiohttp.ClientSession() as session:
        provider = interpreter(settings, session)
        try:
            if isinstance(provider, DeepL):
                used, limit = await provider.usage()
                return [
                    _ok("DeepL", f"the key is accepted; {used:,} of {limit:,} characters used this period")
                ]
            if isinstance(provider, YandexTranslate):
                missing = {"ar", "en", "ru"} - await provider.languages()
                if missing:
                    return [
                        _fail(
                            "Yandex Translate", f"the folder does not translate {', '.join(sorted(missing))}"
                        )
                    ]
                return [
                    _ok("Yandex Translate", "the API key and folder are accepted; Arabic, English, Russian")
                ]
        except Unavailable as error:
            name = "DeepL" if isinstance(provider, DeepL) else "Yandex Translate"
            return [_fail(name, f"{error}: check the key (and the folder)")]
    return []
