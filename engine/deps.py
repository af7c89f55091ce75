"""The ports a use case may touch: the store, the clock, the texts, payments, the phone, and the registries
the runtime fills before it starts (who to wake, who hears of every event). Built once and frozen: every
event is written through `Deps.record`, the one door that also tells the timers and the console's live log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from domain.calls import VoiceLine
from domain.clock import Clock
from domain.errors import Unavailable
from domain.events import Actor, Event, EventType, NewEvent
from domain.outbound import ChannelRegistry, TemplateSids
from domain.payments import PaymentGateway
from domain.promises import Promises
from domain.signin import Signer
from domain.sun import MOSCOW, Place
from engine.i18n import Translator
from storage.deliveries import Delivery
from storage.store import Store

Wake = Callable[[], None]
Listener = Callable[[Event], Awaitable[None]]
# an outbound call (to, from, TwiML url, status callback) → its sid
PlaceCall = Callable[[str, str, str, str], Awaitable[str]]


class Wakes:
    """Loops to wake at once (the senders after an outbound message is stored, the deadline runner when a
    deadline falls due now); each also polls, so a wake only saves waiting."""

    __slots__ = ("_wakes",)

    def __init__(self) -> None:
        self._wakes: list[tuple[Wake, str | None]] = []

    def add(self, wake: Wake, channel: str | None = None) -> None:
        """`channel`: woken only for it (a delivery worker: another channel's messages cost it a read)."""
        self._wakes.append((wake, channel))

    def wake(self, *channels: str) -> None:
        """Every loop, or (`channels`) those of these channels and those of none."""
        for wake, channel in self._wakes:
            if not channels or channel is None or channel in channels:
                wake()


class Listeners:
    """Told of every event `Deps.record` writes, new or seen again, in the order they were added (the timers
    first, then the console's live log); a replay tells them again, and each is idempotent."""

    __slots__ = ("_listeners",)

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def add(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def notify(self, event: Event) -> None:
        for listener in self._listeners:
            await listener(event)


class CallPort:
    """The phone: present when the concierge number is configured (decided when the engine is built); the
    caller joins once, when the voice runtime opens its Twilio client."""

    __slots__ = ("_place", "line")

    def __init__(self, line: VoiceLine) -> None:
        self.line = line
        self._place: PlaceCall | None = None

    def connect(self, place: PlaceCall) -> None:
        if self._place is not None:
            raise RuntimeError("the phone's caller is connected once")
        self._place = place

    async def place(self, to: str, url: str) -> str:
        """Ring `to` from the concierge number; Twilio asks `url` what to do once answered. The call's sid."""
        if self._place is None:
            raise Unavailable("calls are not connected yet; try again shortly")
        return await self._place(to, self.line.number, url, self.line.leg_status)


class Interpreter(Protocol):
    """Machine translation (interpreters/): markup with placeholders in, markup out, and the language it
    detected; Unavailable when the provider cannot answer."""

    name: str

    async def translate(
        self, masked: str, target: str, source: str | None = None
    ) -> tuple[str, str | None]: ...


class Recognizer(Protocol):
    """Speech to text (interpreters/speechkit.py): a recording's words; Unavailable when it cannot say."""

    name: str

    async def transcribe(
        self, audio: bytes, content_type: str, seconds: int, language: str | None
    ) -> str: ...


Fetch = Callable[[str], Awaitable[tuple[bytes, str]]]  # a reference → (content, content type)


class SpeechPort:
    """Voicemails in writing: present when a speech provider is configured; the recording is fetched from the
    phone's provider through the fetcher the runtime connects (the media bridge), then recognised."""

    __slots__ = ("_fetch", "recognizer")

    def __init__(self, recognizer: Recognizer) -> None:
        self.recognizer = recognizer
        self._fetch: Fetch | None = None

    def connect(self, fetch: Fetch) -> None:
        self._fetch = fetch

    async def transcribe(self, url: str, seconds: int, language: str | None) -> str:
        if self._fetch is None:
            raise Unavailable("no fetcher of recordings is connected")
        audio, content_type = await self._fetch(url)
        return await self.recognizer.transcribe(audio, content_type, seconds, language)


ForumLoad = Callable[[list[str], datetime], Awaitable[dict[str, float]]]  # forum chat ids → used, 0–1


@dataclass(frozen=True, slots=True)
class Policy:
    """What the business decided: its promises, how long a quote holds, whether test payments count, and the
    time zone it reads and shows times in (never stores them in)."""

    promises: Promises = field(default_factory=Promises)
    quote_validity: timedelta = timedelta(hours=24)
    test_payments: bool = False  # CloudPayments' TestMode=1 counts as paid (a test account, the sandbox)
    receipts: bool = False  # every payment and refund carries its fiscal receipt (54-FZ): quotes in roubles
    prepayment: bool = False  # receipts say "prepaid"; the settlement's is printed when it is done
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Moscow"))
    place: Place = MOSCOW  # where the business is: the sun's times clients name ("after Maghrib")
    # WhatsApp's approved booking reminder in each language (outside its 24 hours)
    reminder_templates: TemplateSids = field(default_factory=TemplateSids)


@dataclass(frozen=True, slots=True)
class Recorded:
    event: Event  # the one written, or the one written the first time with this cause
    duplicate: bool  # the cause was recorded before: this is a replay (after a crash, a webhook sent twice)


@dataclass(frozen=True, slots=True)
class Entry:
    """One event of several recorded together (`Deps.record_all`), as `Deps.record` takes it."""

    stream: str
    type: EventType
    data: dict[str, Any]
    actor: Actor
    cause: str
    expected_seq: int | None = None
    opens: bool = False


@dataclass(frozen=True, slots=True)
class Deps:
    """The ports a use case may touch."""

    store: Store
    clock: Clock
    t: Translator
    staff_chat_id: int | None  # the default staff forum (TELEGRAM_STAFF_CHAT_ID)
    policy: Policy = field(default_factory=Policy)
    payments: PaymentGateway | None = None  # None: CloudPayments is not configured
    signer: Signer | None = None  # the console's sign-in links (None: no bot to send them)
    calls: CallPort | None = None  # None: calls are off (no TWILIO_VOICE_NUMBER)
    interpreter: Interpreter | None = None  # None: no translation between client and assistant
    speech: SpeechPort | None = None  # None: voicemails are not turned into text
    console_url: str = "http://127.0.0.1:8080/console"
    app_url: str | None = None  # the client's own page (a Mini App needs https; None: not offered in chats)
    channels: ChannelRegistry = field(default_factory=ChannelRegistry)  # how each message channel composes
    senders: Wakes = field(default_factory=Wakes)  # woken when an outbound message is stored
    deadline_runner: Wakes = field(default_factory=Wakes)  # woken when a deadline falls due now
    listeners: Listeners = field(default_factory=Listeners)  # told of every recorded event
    # how much of each staff forum's minute of posts is in use (None: one forum, or no Telegram)
    forum_load: ForumLoad | None = None

    async def record(
        self,
        stream: str,
        type: EventType,
        data: dict[str, Any],
        actor: Actor,
        cause: str,
        expected_seq: int | None = None,
        opens: bool = False,
    ) -> Recorded:
        """Append (idempotent by cause), project, and tell the listeners; returns the event, whether new or
        recorded before (`duplicate`: the listeners hear it again, and it changes no timer). `opens`: the
        stream is most likely new (its first event): nothing of it is read first (wrong, it costs a retry)."""
        appended = await self.store.record(NewEvent(stream, type, data, actor, cause), expected_seq, opens)
        await self.listeners.notify(appended.event)
        return Recorded(appended.event, appended.duplicate)

    async def record_all(self, *entries: Entry) -> list[Recorded]:
        """Several events decided together, in order, written together (storage/store.py `record_all`: one
        insert, one write per document), then the listeners told of each. Returns those recorded: after
        one the log refused (a duplicate, a stream moved on) the rest are not; the caller decides again."""
        appended = await self.store.record_all(
            [(NewEvent(e.stream, e.type, e.data, e.actor, e.cause), e.expected_seq, e.opens) for e in entries]
        )
        for one in appended:
            await self.listeners.notify(one.event)
        return [Recorded(one.event, one.duplicate) for one in appended]

    async def deliver(self, *deliveries: Delivery) -> None:
        """Store outbound messages (deterministic ids: a replay stores nothing new) and wake the senders."""
        if len(deliveries) == 1:
            await self.store.deliveries.enqueue(deliveries[0])
        elif deliveries:
            await self.store.deliveries.enqueue_all(deliveries)  # (in one write)
        self.senders.wake(*{delivery.channel for delivery in deliveries})
