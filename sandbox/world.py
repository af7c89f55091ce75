"""The sandbox world: fake Telegram, Twilio and CloudPayments servers on loopback, a demo staff forum, demo
assistants and client personas. Started in-process by the service when no real credential is configured."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from domain.clock import Clock
from sandbox.calls import SandboxPhone
from sandbox.cloudpayments import FakeCloudPayments
from sandbox.interpreter import FakeInterpreter
from sandbox.telegram import FakeTelegram
from sandbox.twilio import FakeTwilio

STAFF_CHAT = -1001000000001
# the lead's saved replies a new sandbox starts with (the console's Replies page changes them)
SAVED_REPLIES = {
    "car-ready": {
        "en": "{client}, your car for {request} is ready at {time}; the chauffeur meets you. {assistant}",
        "ar": "{client}، سيارتكم للطلب {request} جاهزة في {time}. سيستقبلكم السائق عند الباب. {assistant}",
        "ru": "{client}, машина по запросу {request} готова к {time}; водитель встретит вас. {assistant}",
    },
    "table-confirmed": {
        "en": "{client}, your table for {request} is confirmed for {time}. Enjoy your evening. {assistant}",
        "ar": "{client}، تم تأكيد طاولتكم للطلب {request} في {time}. نتمنى لكم أمسية ممتعة. {assistant}",
        "ru": "{client}, столик по запросу {request} подтверждён на {time}. Приятного вечера! {assistant}",
    },
}

ASSISTANTS = (
    {
        "telegram_id": 7001,
        "name": "Amira",
        "languages": "ar,en",
        "lead": True,
        "ui_language": "en",
        "phone": "+971500007001",
    },
    {
        "telegram_id": 7002,
        "name": "Dmitri",
        "languages": "ru,en",
        "lead": False,
        "ui_language": "ru",
        "phone": "+79160007002",
    },
)
VOICE_NUMBER = "+74950000000"  # the sandbox's concierge number


@dataclass(frozen=True)
class Persona:
    key: str
    first_name: str
    last_name: str
    language: str
    telegram_id: int
    phone: str

    def telegram_user(self) -> dict[str, Any]:
        return {
            "id": self.telegram_id,
            "is_bot": False,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "language_code": self.language,
        }

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


PERSONAS = (
    Persona("layla", "Layla", "Al Mansouri", "ar", 500_100_001, "+971501110001"),
    Persona("james", "James", "Whitmore", "en", 500_100_002, "+447700900002"),
    Persona("irina", "Irina", "Volkova", "ru", 500_100_003, "+79161110003"),
)


@dataclass
class SandboxWorld:
    telegram: FakeTelegram
    twilio: FakeTwilio
    payments: FakeCloudPayments
    interpreter: FakeInterpreter
    bot_token: str
    webhook_secret: str
    public_base_url: str
    urls: dict[str, str] = field(default_factory=dict)
    runners: list[web.AppRunner] = field(default_factory=list)
    phone: SandboxPhone | None = None  # plays Twilio for calls placed from the sandbox page

    def persona(self, key: str) -> Persona:
        return next(p for p in PERSONAS if p.key == key)

    async def close(self) -> None:
        for runner in self.runners:
            await runner.cleanup()


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


GENERATION_IDS = 1_000_000  # ids one run of the sandbox may hand out (updates, messages, SIDs, transactions)


async def start(clock: Clock, public_base_url: str, generation: int = 1) -> SandboxWorld:
    """`generation` counts the starts on the same data: each one hands out ids past every earlier one's."""
    base = (generation - 1) * GENERATION_IDS
    token = f"{secrets.randbelow(10**9) + 10**9}:sandbox-{secrets.token_urlsafe(24)}"
    world = SandboxWorld(
        telegram=FakeTelegram(token, clock, id_base=base),
        twilio=FakeTwilio("AC" + secrets.token_hex(16), secrets.token_urlsafe(24), clock, id_base=base),
        payments=FakeCloudPayments(
            "pk_sandbox_" + secrets.token_hex(8), secrets.token_urlsafe(24), clock, id_base=base
        ),
        interpreter=FakeInterpreter(
            secrets.token_urlsafe(16) + ":fx", secrets.token_urlsafe(16), "b1gsandbox"
        ),
        bot_token=token,
        webhook_secret=secrets.token_urlsafe(24),
        public_base_url=public_base_url,
    )
    world.telegram.forum(STAFF_CHAT, "Concierge · Staff")
    if generation > 1:  # the personas met the bot before the restart: it may write to them first
        for persona in PERSONAS:
            world.telegram.started(persona.telegram_user())
    for name, fake in (
        ("telegram", world.telegram),
        ("twilio", world.twilio),
        ("cloudpayments", world.payments),
        ("interpreter", world.interpreter),
    ):
        runner, url = await _serve(fake.app())
        world.runners.append(runner)
        world.urls[name] = url
    world.twilio.base_url = world.urls["twilio"]
    world.payments.base_url = f"{public_base_url}/sandbox"  # payment links open the sandbox checkout
    world.payments.receipt_url = f"{public_base_url}/webhooks/cloudpayments/receipt"
    world.phone = SandboxPhone(world.twilio, public_base_url, VOICE_NUMBER, clock.now, id_base=base)
    return world
