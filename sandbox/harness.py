"""A whole concierge on loopback for tests and benchmarks: the app (real webhook endpoint, real aiogram
session, real store) and the fake Bot API, sharing one frozen clock that moves only when all workers wait."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient
from pydantic import SecretStr

from bot.app import create_app
from bot.engine import staff_admin
from bot.keys import STORE
from bot.settings import (
    AppSettings,
    CloudPaymentsSettings,
    HttpSettings,
    Settings,
    StoreSettings,
    TelegramSettings,
)
from bot.telegram_runtime import TELEGRAM, TelegramRuntime
from domain.clock import FrozenClock
from sandbox.cloudpayments import FakeCloudPayments
from sandbox.telegram import FakeTelegram
from storage.deliveries import DeliveryStatus
from storage.store import Store

TOKEN = "123456789:AAH-concierge-test-token_abcdefghijkl"  # noqa: S105 — the fake's, not a secret
STAFF_CHAT = -1001000000001
SECRET = "webhook-secret_0123"  # noqa: S105 — the fake's, not a secret
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


CP_PUBLIC_ID = "pk_concierge_test"
CP_SECRET = "cp-api-secret-for-tests"  # noqa: S105 — the fake's, not a secret


def settings(
    mongo_url: str,
    db_name: str,
    api_base: str,
    tmp_path,
    mode: str = "webhook",
    payments_base: str | None = None,
) -> Settings:
    payments = CloudPaymentsSettings(
        cloudpayments_public_id=CP_PUBLIC_ID if payments_base else None,
        cloudpayments_api_secret=SecretStr(CP_SECRET) if payments_base else None,
        cloudpayments_api_base=payments_base or "https://api.cloudpayments.ru",
    )
    return Settings(
        cloudpayments=payments,
        store=StoreSettings(
            mongodb_url=SecretStr(mongo_url), mongodb_db=db_name, concierge_data_dir=tmp_path
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

    @property
    def app(self) -> web.Application:
        return self.http.app

    @property
    def rt(self) -> TelegramRuntime:
        return self.app[TELEGRAM]

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

    async def settle(self, max_rounds: int = 20_000) -> None:
        """Run the inbox and delivery workers until nothing is left, moving the clock only when all wait."""
        for _ in range(max_rounds):
            handled = await self.rt.inbox_worker.run_once()
            wake = await self.rt.delivery_worker.run_once()
            if handled:
                continue
            queue = await self.store.deliveries.unfinished("telegram")
            inbox_busy = await self.store.inbox.keys_with_work()
            if not queue and not inbox_busy:
                return
            if wake is not None and wake > self.clock.now():
                self.clock.advance_to(wake)
            elif wake is None:
                self.clock.advance(seconds=1)
        raise AssertionError("the workers did not settle")

    async def add_staff(self, telegram_id: int, name: str, languages: str = "en", lead: bool = False) -> None:
        await staff_admin.add(self.store, telegram_id, name, languages, lead)

    def staff_user(self, telegram_id: int, name: str) -> dict[str, Any]:
        return {"id": telegram_id, "is_bot": False, "first_name": name}

    async def client_doc(self, telegram_user: dict[str, Any]) -> dict[str, Any]:
        return await self.store.db["clients"].find_one(
            {"identity_keys": {"$all": [f"telegram:{telegram_user['id']}"]}}
        )

    async def thread_of(self, telegram_user: dict[str, Any]) -> int:
        return (await self.client_doc(telegram_user))["topic_thread_id"]

    def topic_texts(self, thread_id: int) -> list[str]:
        """What the bot posted in a topic: relays and notes (client card and request cards left out)."""
        return [text for text in self._topic_posts(thread_id) if not text.startswith("📋 ")]

    def request_cards(self, thread_id: int) -> list[str]:
        return [text for text in self._topic_posts(thread_id) if text.startswith("📋 ")]

    def _topic_posts(self, thread_id: int) -> list[str]:
        chat = self.fake.chats[STAFF_CHAT]
        return [
            m["text"]
            for m in self.fake.topic_messages(STAFF_CHAT, thread_id)
            if "text" in m and m["message_id"] not in chat.pinned
        ]

    def to_user(self, telegram_user: dict[str, Any]) -> list[dict[str, Any]]:
        return self.fake.bot_messages(telegram_user["id"])

    async def failed_deliveries(self) -> int:
        return await self.store.deliveries.count(DeliveryStatus.FAILED)


async def start_harness(
    aiohttp_server,
    aiohttp_client,
    mongo_url,
    db_name,
    tmp_path,
    clock,
    mode: str = "webhook",
    payments: bool = True,
) -> Harness:
    fake = FakeTelegram(TOKEN, clock)
    fake.forum(STAFF_CHAT)
    server = await aiohttp_server(fake.app())
    cp, cp_base = None, None
    if payments:
        cp = FakeCloudPayments(CP_PUBLIC_ID, CP_SECRET, clock)
        cp_server = await aiohttp_server(cp.app())
        cp_base = cp.base_url = str(cp_server.make_url("")).rstrip("/")
    app = create_app(
        settings(mongo_url, db_name, str(server.make_url("")).rstrip("/"), tmp_path, mode, cp_base),
        clock,
        start_workers=False,
    )
    http = await aiohttp_client(app)
    harness = Harness(fake, http, clock, cp)
    if mode == "webhook":
        await asyncio.wait_for(harness.rt.webhook_set.wait(), 10)
    return harness
