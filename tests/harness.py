"""A whole concierge on loopback for tests and benchmarks: the app (real webhook endpoint, real aiogram
session, real store) and the fake Bot API, sharing one frozen clock that moves only when all workers wait."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app import create_app
from bot.engine_runtime import ENGINE, EngineRuntime
from bot.keys import STORE
from bot.settings import (
    AppSettings,
    CloudPaymentsSettings,
    HttpSettings,
    Settings,
    StoreSettings,
    TelegramSettings,
    TranslationSettings,
    TwilioSettings,
)
from bot.telegram_runtime import TELEGRAM, TelegramRuntime
from bot.whatsapp_runtime import WHATSAPP
from domain.clients import Client
from domain.clock import FrozenClock, SystemClock
from engine.deps import Deps
from engine.team import admin as staff_admin
from sandbox.cloudpayments import FakeCloudPayments
from sandbox.interpreter import FakeInterpreter
from sandbox.telegram import FakeTelegram
from sandbox.twilio import FakeTwilio
from storage.deliveries import DeliveryStatus
from storage.store import Store
from tests import reads

TOKEN = "123456789:AAH-concierge-test-token_abcdefghijkl"
STAFF_CHAT = -1001000000001
SECRET = "webhook-secret_0123"
PUBLIC = "https://concierge.example"
_user_ids = itertools.count(500_000_001)


def user(
    first_name: str,
    language_code: str | None = "en",
    username: str | None = None,
    last_name: str | None = None,
) -> dict[str, Any]:
    person: dict[str, Any] = {"id": next(_user_ids), "is_bot": False, "first_name": first_name}
    if last_name:
        person["last_name"] = last_name
    if username:
        person["username"] = username
    if language_code:
        person["language_code"] = language_code
    return person


TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "twilio-auth-token-for-tests"
TWILIO_FROM = "whatsapp:+14155238886"
VOICE_NUMBER = "+74951234567"
REOPEN_TEMPLATE = "HX" + "fedcba9876543210" * 2
REMINDER_TEMPLATE = "HX" + "0123456789abcdef" * 2  # set beside the re-open template (template_sid)
DEEPL_KEY = "deepl-key-for-tests:fx"
YANDEX_KEY = "yandex-api-key-for-tests"
YANDEX_FOLDER = "b1gtestfolder"
CP_PUBLIC_ID = "pk_concierge_test"
CP_SECRET = "cp-api-secret-for-tests"


def settings(
    mongo_url: str,
    db_name: str,
    api_base: str,
    tmp_path,
    mode: str = "webhook",
    payments_base: str | None = None,
    twilio_base: str | None = None,
    template_sid: str | None = None,
    test_payments: bool = True,
    voice: bool = False,
    receipts: bool | str = False,
    translation: str | None = None,
    interpreter_base: str | None = None,
    speech: bool = False,
    reminder_sid: str | None = None,
) -> Settings:
    twilio = TwilioSettings(
        twilio_account_sid=TWILIO_SID if twilio_base else None,
        twilio_auth_token=SecretStr(TWILIO_TOKEN) if twilio_base else None,
        twilio_whatsapp_from=TWILIO_FROM if twilio_base else None,
        twilio_api_base=twilio_base,
        twilio_template_reopen_sid=template_sid,
        twilio_template_reminder_sid=reminder_sid or (REMINDER_TEMPLATE if template_sid else None),
        twilio_voice_number=VOICE_NUMBER if voice and twilio_base else None,
    )
    payments = CloudPaymentsSettings(
        cloudpayments_public_id=CP_PUBLIC_ID if payments_base else None,
        cloudpayments_api_secret=SecretStr(CP_SECRET) if payments_base else None,
        cloudpayments_api_base=payments_base or "https://api.cloudpayments.ru",
        cloudpayments_test_mode=test_payments,  # the fake is a test account: its payments say TestMode=1
        cloudpayments_receipts=bool(receipts),
        cloudpayments_receipt_settlement="prepayment" if receipts == "prepayment" else "full",
        cloudpayments_inn="7708806062" if receipts else None,
        cloudpayments_taxation_system=1 if receipts else None,
        cloudpayments_vat="22" if receipts else None,
    )
    translating = TranslationSettings(
        translation_provider=translation or "off",
        deepl_auth_key=SecretStr(DEEPL_KEY) if translation else None,
        deepl_api_base=interpreter_base,
        yandex_translate_api_key=SecretStr(YANDEX_KEY) if translation else None,
        yandex_folder_id=YANDEX_FOLDER if translation or speech else None,
        yandex_translate_api_base=interpreter_base or "https://translate.api.cloud.yandex.net",
        speech_provider="yandex" if speech else "off",
        yandex_speechkit_api_key=SecretStr(YANDEX_KEY) if speech else None,
        yandex_speechkit_api_base=interpreter_base or "https://stt.api.cloud.yandex.net",
    )
    return Settings(
        cloudpayments=payments,
        twilio=twilio,
        translation=translating,
        store=StoreSettings(
            mongodb_url=SecretStr(mongo_url) if mongo_url else None,  # None: its own embedded store
            mongodb_db=db_name,
            concierge_data_dir=tmp_path,
        ),
        http=HttpSettings(public_base_url=PUBLIC),
        telegram=TelegramSettings(
            telegram_bot_token=SecretStr(TOKEN),
            telegram_staff_chat_id=STAFF_CHAT,
            telegram_webhook_secret=SecretStr(SECRET),
            telegram_api_base=api_base,
            telegram_mode=mode,
        ),
        app=AppSettings(),
    )


@dataclass
class Harness:
    fake: FakeTelegram
    http: TestClient
    clock: FrozenClock
    cp: FakeCloudPayments | None = None
    tw: FakeTwilio | None = None
    interpreter: FakeInterpreter | None = None

    @property
    def app(self) -> web.Application:
        return self.http.app

    @property
    def rt(self) -> TelegramRuntime:
        return self.app[TELEGRAM]

    @property
    def engine(self) -> EngineRuntime:
        return self.app[ENGINE]

    @property
    def store(self) -> Store:
        return self.app[STORE]

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> ClientResponse:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return await self.http.post("/webhooks/telegram", json=update, headers=headers)

    async def send(self, *updates: dict[str, Any]) -> None:
        for update in updates:
            response = await self.post(update)
            assert response.status == 200, await response.text()

    async def notify(self, kind: str, body: bytes, headers: dict[str, str]) -> ClientResponse:
        """A CloudPayments notification, as CloudPayments posts it."""
        return await self.http.post(f"/webhooks/cloudpayments/{kind}", data=body, headers=headers)

    async def wa(
        self,
        number: str,
        body: str = "",
        name: str = "Guest",
        media: list[tuple[bytes, str]] | None = None,
        signature: str | None = None,
    ) -> ClientResponse:
        """A WhatsApp message from `number`, posted and signed as Twilio does."""
        assert self.tw is not None
        return await self._twilio_post(
            "/webhooks/twilio/whatsapp", self.tw.inbound(number, body, name, media), signature
        )

    async def wa_status(self, sid: str, status: str, error_code: int | None = None) -> ClientResponse:
        assert self.tw is not None
        return await self._twilio_post("/webhooks/twilio/status", self.tw.status(sid, status, error_code))

    async def _twilio_post(
        self, path: str, params: dict[str, str], signature: str | None = None
    ) -> ClientResponse:
        params, headers = self.tw.signed(PUBLIC + path, params)
        if signature is not None:
            headers = {"X-Twilio-Signature": signature} if signature else {}
        return await self.http.post(path, data=params, headers=headers)

    def wa_texts(self, number: str) -> list[str]:
        return [m.body or "" for m in self.tw.to(number)]

    async def process_inbox(self) -> None:
        """Everything stored and due in the inbox is processed (one item per key per pass), nothing sent."""
        while await self.engine.inbox_worker.run_once():
            pass

    async def settle(self, max_rounds: int = 20_000) -> None:
        """Run the inbox and delivery workers until nothing is left, moving the clock only when all wait."""
        for _ in range(max_rounds):
            if self.fake.webhook:  # what Telegram itself posts (service messages), as Telegram would
                await self.send(*self.fake.take_service_updates())
            handled = await self.engine.inbox_worker.run_once()
            wake = await self.rt.delivery_worker.run_once()
            if (whatsapp := self.app.get(WHATSAPP)) is not None:
                wa_wake = await whatsapp.run_once()
                wake = wa_wake if wake is None else min(wake, wa_wake or wake)
            if handled:
                continue
            if not await self._work_left():
                return
            if wake is not None and wake > self.clock.now():
                self.clock.advance_to(wake)
            elif wake is None:
                self.clock.advance(seconds=1)
        raise AssertionError("the workers did not settle")

    async def _work_left(self) -> bool:
        """Whether a delivery is unfinished, an inbox item waits or Telegram has a service message to post.
        Only whether: one of each read at most (a queue of hundreds was read whole every round of `settle`),
        and the next read only when the one before found nothing."""
        return bool(
            await self.store.deliveries.unfinished("telegram", limit=1)
            or await self.store.deliveries.unfinished("whatsapp", limit=1)
            or await self.store.inbox.keys_with_work(limit=1)
            or (self.fake.webhook and self.fake.service_updates)
        )

    def dies_before_storing_deliveries(self, monkeypatch: pytest.MonkeyPatch, at: int = 1) -> dict[str, int]:
        """From now on, the process "dies" once, before storing the `at`-th batch of deliveries (the events
        before it are recorded): a kill between a decision and its deliveries. Returns the live call count.
        (`Deps` is frozen: the crash is patched into its class, for this engine's `Deps` only.)"""
        deliver, calls, deps = Deps.deliver, {"n": 0}, self.engine.deps

        async def dies_once(self_: Deps, *deliveries: Any) -> None:
            if self_ is deps:
                calls["n"] += 1
                if calls["n"] == at:
                    raise ConnectionError("killed before the deliveries were stored")
            await deliver(self_, *deliveries)

        monkeypatch.setattr(Deps, "deliver", dies_once)
        return calls

    async def add_staff(self, telegram_id: int, name: str, languages: str = "en", lead: bool = False) -> None:
        await staff_admin.add(self.engine.deps, telegram_id, name, languages, lead)

    def staff_user(self, telegram_id: int, name: str) -> dict[str, Any]:
        return {"id": telegram_id, "is_bot": False, "first_name": name}

    async def client_of(self, telegram_user: dict[str, Any]) -> Client:
        client = await reads.client_of(self.store, telegram_user)
        assert client is not None, f"no client is Telegram user {telegram_user['id']}"
        return client

    async def thread_of(self, telegram_user: dict[str, Any]) -> int | None:
        return reads.thread(await self.client_of(telegram_user))

    def topic_texts(self, thread_id: int) -> list[str]:
        """What the bot posted in a topic: relays and notes (client card and request cards left out)."""
        return [text for text in self._topic_posts(thread_id) if not text.startswith("📋 ")]

    async def topic_words(self, thread_id: int) -> list[str]:
        """`topic_texts`, with the words a request card carries in place of the relay of the message that
        opened it, as that relay would have read (marked, translated: "🟢 WhatsApp · 🌐 …")."""
        shown = []
        for m in self._topic_messages(thread_id):
            if not m["text"].startswith("📋 "):
                shown.append(m["text"])
            elif (words := await self.carried(m)) is not None:
                shown.append(words)
        return shown

    async def carried(self, message: dict[str, Any]) -> str | None:
        """The client's words a request card in the staff forum carries (None: it carries no one's)."""
        at = f"{STAFF_CHAT}:{message['message_id']}"
        sent = await self.store.deliveries.by_provider_message("telegram", at)
        return None if sent is None or sent.meta.get("source") is None else carried_words(message["text"])

    def request_cards(self, thread_id: int) -> list[str]:
        return [text for text in self._topic_posts(thread_id) if text.startswith("📋 ")]

    def _topic_posts(self, thread_id: int) -> list[str]:
        return [m["text"] for m in self._topic_messages(thread_id)]

    def _topic_messages(self, thread_id: int) -> list[dict[str, Any]]:
        chat = self.fake.chats[STAFF_CHAT]
        return [
            m
            for m in self.fake.topic_messages(STAFF_CHAT, thread_id)
            if "text" in m and m["message_id"] not in chat.pinned
        ]

    def to_user(self, telegram_user: dict[str, Any]) -> list[dict[str, Any]]:
        return self.fake.bot_messages(telegram_user["id"])

    async def failed_deliveries(self) -> int:
        return await self.store.deliveries.count(DeliveryStatus.FAILED)


_CARRIED = re.compile(
    r"^💬 (?P<via>.*?)(?P<pairs>🌐 [A-Z?]+→[A-Z]+(?:, [A-Z?]+→[A-Z]+)*: )?[“«](?P<said>.*)[”»]", re.DOTALL
)


def carried_words(card: str) -> str:
    """The client's words a request card carries, as their relay would have read."""
    lines = card.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("💬 "))
    end = next(i for i in range(start, len(lines)) if lines[i].endswith(("”", "»")))
    found = _CARRIED.fullmatch("\n".join(lines[start : end + 1]))
    assert found is not None, card
    return found["via"] + ("🌐 " if found["pairs"] else "") + found["said"]


async def start_harness(
    aiohttp_server,
    aiohttp_client,
    mongo_url,
    db_name,
    tmp_path,
    clock,
    mode: str = "webhook",
    payments: bool = True,
    whatsapp: bool = True,
    template_sid: str | None = None,
    test_payments: bool = True,
    voice: bool = False,
    extend: Callable[[web.Application], None] | None = None,
    receipts: bool | str = False,  # "prepayment": receipts say prepaid, the settlement's comes with /done
    translation: str | None = None,  # "deepl" or "yandex": the fake translator plays the provider
    speech: bool = False,  # voicemails in writing: the same fake plays SpeechKit
    reminder_sid: str | None = None,  # TWILIO_TEMPLATE_REMINDER_SID; unset: REMINDER_TEMPLATE beside one
) -> Harness:
    fake = FakeTelegram(TOKEN, clock)
    fake.forum(STAFF_CHAT)
    server = await aiohttp_server(fake.app())
    cp, cp_base, tw, tw_base = None, None, None, None
    if payments:
        cp = FakeCloudPayments(CP_PUBLIC_ID, CP_SECRET, clock)
        cp_server = await aiohttp_server(cp.app())
        cp_base = cp.base_url = str(cp_server.make_url("")).rstrip("/")
    if whatsapp:
        tw = FakeTwilio(TWILIO_SID, TWILIO_TOKEN, clock)
        tw_server = await aiohttp_server(tw.app())
        tw_base = tw.base_url = str(tw_server.make_url("")).rstrip("/")
    interpreter, interpreter_base = None, None
    if translation or speech:
        interpreter = FakeInterpreter(DEEPL_KEY, YANDEX_KEY, YANDEX_FOLDER)
        interpreter_server = await aiohttp_server(interpreter.app())
        interpreter_base = str(interpreter_server.make_url("")).rstrip("/")
    app_settings = settings(
        mongo_url,
        db_name,
        str(server.make_url("")).rstrip("/"),
        tmp_path,
        mode,
        cp_base,
        tw_base,
        template_sid,
        test_payments,
        voice,
        receipts,
        translation,
        interpreter_base,
        speech,
        reminder_sid,
    )
    app = create_app(app_settings, clock, start_workers=False)
    if extend is not None:  # another channel plugged in before the app starts (tests/toy_channel)
        extend(app)
    http = await aiohttp_client(app)
    harness = Harness(fake, http, clock, cp, tw, interpreter)
    if mode == "webhook":
        await asyncio.wait_for(harness.rt.webhook_set.wait(), 10)
    return harness


@asynccontextmanager
async def served_fake_telegram() -> AsyncIterator[tuple[FakeTelegram, str]]:
    """The fake Bot API with its staff forum, in real time on a loopback port: for service processes."""
    telegram = FakeTelegram(TOKEN, SystemClock())
    telegram.forum(STAFF_CHAT)
    runner = web.AppRunner(telegram.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield telegram, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def loopback_service(
    mongo_url: str, db_name: str, data: Path, clock: FrozenClock
) -> AsyncIterator[Harness]:
    """The service against the fake Bot API on loopback ports, outside pytest (the bench scripts): the workers
    are driven by `settle`, as in the tests."""
    fake = FakeTelegram(TOKEN, clock)
    fake.forum(STAFF_CHAT)
    fake_server = TestServer(fake.app())
    await fake_server.start_server()
    app = create_app(
        settings(mongo_url, db_name, str(fake_server.make_url("")).rstrip("/"), data),
        clock,
        start_workers=False,
    )
    http = TestClient(TestServer(app))
    await http.start_server()
    try:
        yield Harness(fake, http, clock)
    finally:
        await http.close()
        await fake_server.close()
