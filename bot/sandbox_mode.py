"""Sandbox mode: with no channel or payment credential, the service starts the sandbox world (fake Telegram,
Twilio and CloudPayments on loopback) and wires itself to it exactly as it would to the real services."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

import structlog
from aiohttp import web
from pydantic import SecretStr

from bot.engine_runtime import ENGINE
from bot.keys import CLOCK, SETTINGS, STORE
from bot.settings import (
    CloudPaymentsSettings,
    HttpSettings,
    Settings,
    TelegramSettings,
    TranslationSettings,
    TwilioSettings,
)
from domain.clock import ShiftedClock
from domain.events import Actor, ActorKind
from engine import queries
from engine.conversation import saved_replies
from engine.team import admin as staff_admin
from engine.team import sign_in
from sandbox import world as sandbox_world
from sandbox.web import CONSOLE_LINK, FAST_FORWARD, SANDBOX_WORLD
from storage import sandbox as sandbox_state

log = structlog.get_logger(__name__)
_FORWARDING = asyncio.Lock()


def public_url(settings: Settings) -> str:
    if settings.http.public_base_url:
        return settings.http.public_base_url
    host = settings.http.http_host if settings.http.http_host not in ("0.0.0.0", "::", "") else "127.0.0.1"  # noqa: S104
    return f"http://{host}:{settings.http.http_port}"


def wired(settings: Settings, world: sandbox_world.SandboxWorld) -> Settings:
    """The same settings, with the sandbox's credentials and API bases."""
    return settings.model_copy(
        update={
            "http": HttpSettings(
                http_host=settings.http.http_host,
                http_port=settings.http.http_port,
                public_base_url=world.public_base_url,
            ),
            "telegram": TelegramSettings(
                telegram_bot_token=SecretStr(world.bot_token),
                telegram_staff_chat_id=sandbox_world.STAFF_CHAT,
                telegram_webhook_secret=SecretStr(world.webhook_secret),
                telegram_mode="webhook",
                telegram_api_base=world.urls["telegram"],
            ),
            "twilio": TwilioSettings(
                twilio_account_sid=world.twilio.account_sid,
                twilio_auth_token=SecretStr(world.twilio.auth_token),
                twilio_whatsapp_from="whatsapp:+14155238886",
                twilio_api_base=world.urls["twilio"],
                twilio_voice_number=sandbox_world.VOICE_NUMBER,
            ),
            "cloudpayments": CloudPaymentsSettings(
                cloudpayments_public_id=world.payments.public_id,
                cloudpayments_api_secret=SecretStr(world.payments.secret),
                cloudpayments_api_base=world.urls["cloudpayments"],
                cloudpayments_test_mode=True,
                # the sandbox prints 54-FZ receipts (as a company on the simplified system, without VAT)
                cloudpayments_receipts=True,
                cloudpayments_taxation_system=1,
                cloudpayments_vat="none",
            ),
            # the sandbox's translator speaks DeepL's API: a Russian-only assistant reads an English client
            "translation": TranslationSettings(
                translation_provider="deepl",
                deepl_auth_key=SecretStr(world.interpreter.deepl_key),
                deepl_api_base=world.urls["interpreter"],
                # and SpeechKit's: a typed voicemail is heard back as it was written
                speech_provider="yandex",
                yandex_speechkit_api_key=SecretStr(world.interpreter.yandex_key),
                yandex_folder_id=world.interpreter.folder_id,
                yandex_speechkit_api_base=world.urls["interpreter"],
            ),
        }
    )


async def _fast_forward(app: web.Application, by: timedelta) -> datetime:
    """The sandbox's clock jumps ahead, and the deadline runner and the senders look again at once."""
    clock = app[CLOCK]
    if not isinstance(clock, ShiftedClock):
        raise web.HTTPConflict(text="this clock cannot be moved")
    async with _FORWARDING:  # saved in order: the offset kept is never older than the clock
        now = clock.fast_forward(by)
        await sandbox_state.save_clock_offset(app[STORE].db, clock.offset)
    engine = app[ENGINE]
    engine.deps.deadline_runner.wake()
    engine.deps.senders.wake()
    return now


async def _console_link(app: web.Application, telegram_id: int) -> str:
    """The path of a fresh one-time sign-in link for a sandbox assistant (what /console would send them)."""
    deps = app[ENGINE].deps
    assistant = await queries.staff_member(deps.store, telegram_id)
    if assistant is None:
        raise web.HTTPNotFound(text="that assistant is not on the team")
    _nonce, url = await sign_in.issue(deps, assistant)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def _restore_clock(app: web.Application) -> None:
    """A restarted sandbox keeps its fast-forwarded time: going back would leave budgets, leases and
    heartbeats written ahead of the clock, and every sender waiting for them."""
    clock, saved = app[CLOCK], await sandbox_state.clock_offset(app[STORE].db)
    if isinstance(clock, ShiftedClock) and saved > clock.offset:
        clock.fast_forward(saved - clock.offset)


async def sandbox_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    await _restore_clock(app)
    generation = await sandbox_state.next_generation(app[STORE].db)
    world = await sandbox_world.start(app[CLOCK], public_url(settings), generation)
    app[SANDBOX_WORLD] = world
    app[FAST_FORWARD] = partial(_fast_forward, app)
    app[CONSOLE_LINK] = partial(_console_link, app)
    app[SETTINGS] = wired(settings, world)
    try:
        yield
    finally:
        await world.close()


async def sandbox_team_ctx(app: web.Application) -> AsyncIterator[None]:
    """After the engine: the sandbox's team is written through its `Deps` (timers and live log hear of it)."""
    deps, world = app[ENGINE].deps, app[SANDBOX_WORLD]
    for assistant in sandbox_world.ASSISTANTS:
        known = await queries.assistant_by_telegram_id(deps.store, assistant["telegram_id"])
        if known is not None and not known.phone:  # (a sandbox from before calls existed)
            await staff_admin.set_phone(deps, assistant["telegram_id"], assistant["phone"])
        if known is None:
            await staff_admin.add(
                deps,
                assistant["telegram_id"],
                assistant["name"],
                assistant["languages"],
                assistant["lead"],
                None,
                ui_language=assistant["ui_language"],
                phone=assistant["phone"],
            )
    if not await saved_replies.library(deps):  # a first start: the lead's library, to try /r and the console
        lead = next(a for a in sandbox_world.ASSISTANTS if a["lead"])
        actor = Actor(ActorKind.ASSISTANT, f"A-{lead['telegram_id']}")
        for name, texts in sandbox_world.SAVED_REPLIES.items():
            await saved_replies.keep(deps, actor, name, texts, f"sandbox:reply:{name}")
    team = ", ".join(a.name for a in await queries.assistants(deps.store))
    log.info("sandbox.ready", url=f"{world.public_base_url}/sandbox", assistants=team)
    print(f"\n  Concierge sandbox: open {world.public_base_url}/sandbox\n", flush=True)
    yield
