"""The ports a use case may touch: the store, the clock, the texts, payments, and the senders' wake."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.calls import VoiceLine
from domain.clock import Clock
from domain.events import Actor, Event, EventType, NewEvent
from domain.payments import PaymentGateway
from domain.promises import Promises
from domain.signin import Signer
from engine.i18n import Translator
from storage.deliveries import Delivery
from storage.store import Store


@dataclass
class Deps:
    """The ports a use case may touch."""

    store: Store
    clock: Clock
    t: Translator
    staff_chat_id: int | None  # the default staff forum (TELEGRAM_STAFF_CHAT_ID)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Moscow"))  # reading and showing times only
    payments: PaymentGateway | None = None  # None: CloudPayments is not configured
    quote_validity: timedelta = timedelta(hours=24)
    test_payments: bool = False  # CloudPayments' TestMode=1 counts as paid (a test account, the sandbox)
    wake_senders: list[Callable[[], None]] = field(default_factory=list)
    wake_clock: list[Callable[[], None]] = field(default_factory=list)  # a deadline fell due now
    promises: Promises = field(default_factory=Promises)
    on_recorded: Callable[[Deps, Event], Awaitable[None]] | None = None  # the timers (engine.clock.timers)
    signer: Signer | None = None  # the console's sign-in links (None: no bot to send them)
    # an outbound call (to, from, TwiML url, status callback) → its sid; None: calls are off
    place_call: Callable[[str, str, str, str], Awaitable[str]] | None = None
    voice: VoiceLine | None = None  # the concierge number and its callbacks (None: calls are off)
    console_url: str = "http://127.0.0.1:8080/console"

    async def record(
        self,
        stream: str,
        type: EventType,
        data: dict[str, Any],
        actor: Actor,
        cause: str,
        expected_seq: int | None = None,
    ) -> Event:
        """Append (idempotent by cause), project, and keep the timers it starts or stops; returns the event,
        whether new or recorded before (seen again, it changes no timer)."""
        event = (await self.store.record(NewEvent(stream, type, data, actor, cause), expected_seq)).event
        if self.on_recorded is not None:
            await self.on_recorded(self, event)
        return event

    async def deliver(self, *deliveries: Delivery) -> None:
        """Store outbound messages (deterministic ids: a replay stores nothing new) and wake the senders."""
        for delivery in deliveries:
            await self.store.deliveries.enqueue(delivery)
        for wake in self.wake_senders:
            wake()
