"""`Deps`, built once from the settings: by the engine runtime for the service, and by the CLI for a command
that writes (so its events go through the same door, and its timers are kept)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from bot import metrics
from bot.channels import message_channels
from bot.settings import Settings
from channels.telegram import limits
from domain.clock import Clock
from domain.payments import PaymentGateway
from domain.signin import Signer
from engine.clock import timers
from engine.deps import CallPort, Deps, Interpreter, Policy, SpeechPort
from engine.i18n import translator
from storage.budgets import Budgets, Limits
from storage.store import Store

if TYPE_CHECKING:  # (the CLI builds Deps too, and never translates: it does not import the HTTP client)
    import aiohttp


TELEGRAM_LIMITS = Limits(
    per_chat=limits.KEEP_PER_CHAT,
    group_window=limits.GROUP_WINDOW,
    group_limit=limits.KEEP_GROUP_LIMIT,
    global_window=limits.GLOBAL_WINDOW + limits.MARGIN,
    global_limit=limits.GLOBAL_LIMIT,
    card_interval=limits.CARD_INTERVAL,
)


async def build_deps(
    settings: Settings,
    store: Store,
    clock: Clock,
    *,
    stand_ins: bool = False,  # the sandbox's providers: its Telegram opens a Mini App over plain http
    payments: PaymentGateway | None = None,
    calls: CallPort | None = None,
    interpreter: Interpreter | None = None,
    speech: SpeechPort | None = None,
) -> Deps:
    policy = Policy(
        promises=settings.clock.promises,
        test_payments=settings.cloudpayments.cloudpayments_test_mode,
        receipts=settings.cloudpayments.cloudpayments_receipts,
        prepayment=settings.cloudpayments.cloudpayments_receipts
        and settings.cloudpayments.cloudpayments_receipt_settlement == "prepayment",
        tz=settings.app.timezone,
        place=settings.app.place,
        reminder_templates=settings.twilio.reminder_templates,
    )
    deps = Deps(
        store,
        clock,
        translator(),
        settings.telegram.telegram_staff_chat_id,
        policy,
        payments=payments,
        signer=await _signer(settings, store),
        calls=calls,
        interpreter=interpreter,
        speech=speech,
        console_url=f"{settings.http.base_url}/console",
        app_url=_app_url(settings, stand_ins),
        channels=message_channels(),
        forum_load=Budgets(store.db, TELEGRAM_LIMITS).group_load,  # (read only when the team has two forums)
    )
    deps.listeners.add(partial(timers.on_event, deps))  # first: whoever listens next sees the timers kept
    deps.listeners.add(metrics.EventCounts())
    return deps


def _app_url(settings: Settings, stand_ins: bool) -> str | None:
    """Telegram opens a Mini App only from https (the sandbox's stand-in for Telegram takes its own http)."""
    base = settings.http.base_url
    return f"{base}/app/" if base.startswith("https://") or stand_ins else None


async def _signer(settings: Settings, store: Store) -> Signer | None:
    """Console links, the console's form tokens and a client's page links are signed with a key of their own,
    never one derived from the bot token (rotating the token voids none of them): CONSOLE_SECRET's, or without
    it a random key the store keeps for every instance. No bot, no links (they are sent by the bot)."""
    if settings.telegram.telegram_bot_token is None:
        return None
    secret = settings.app.console_secret
    if secret is not None:
        return Signer.derived(secret.get_secret_value())
    return Signer(await store.console.signing_key())


def speech(settings: Settings, session: aiohttp.ClientSession) -> SpeechPort | None:
    """The speech provider the settings name, over `session` (None: voicemails stay audio only)."""
    from interpreters.speechkit import SpeechKit

    tr = settings.translation
    if tr.speech_provider == "yandex" and tr.yandex_speechkit_api_key and tr.yandex_folder_id:
        key = tr.yandex_speechkit_api_key.get_secret_value()
        return SpeechPort(SpeechKit(session, key, tr.yandex_folder_id, tr.yandex_speechkit_api_base))
    return None


def interpreter(settings: Settings, session: aiohttp.ClientSession) -> Interpreter | None:
    """The translation provider the settings name, over `session` (None: translation is off)."""
    from interpreters.deepl import DeepL
    from interpreters.deepl import default_base as deepl_base
    from interpreters.yandex import YandexTranslate

    tr = settings.translation
    if tr.translation_provider == "deepl" and tr.deepl_auth_key is not None:
        key = tr.deepl_auth_key.get_secret_value()
        return DeepL(session, key, tr.deepl_api_base or deepl_base(key))
    if tr.translation_provider == "yandex" and tr.yandex_translate_api_key and tr.yandex_folder_id:
        key = tr.yandex_translate_api_key.get_secret_value()
        return YandexTranslate(session, key, tr.yandex_folder_id, tr.yandex_translate_api_base)
    return None
