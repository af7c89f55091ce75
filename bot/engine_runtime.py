"""The engine, built once: its ports (`Deps`), the payment gateway and intake, and the inbox with its handler
table. Channel runtimes plug into it (an inbox handler, a sender's wake); the inbox loop starts only after
every channel has registered (`engine_workers_ctx`, the last context), so no stored item meets a missing
handler. A scheduled job, the console and the phone attach here the same way."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pymongo
import structlog
from aiohttp import web
from pymongo.errors import ConnectionFailure, PyMongoError

from bot.deps import build_deps, interpreter, speech
from bot.keys import CLOCK, SETTINGS, STORE
from bot.media_bridge import MediaBridge
from bot.settings import Settings
from bot.signatures import cloudpayments_signatures
from bot.workers.admission import Admission
from bot.workers.deadlines import DeadlineRunner
from bot.workers.inbox import Handler, InboxWorker
from bot.workers.kpi_days import KpiDaysLoop, KpiWarmLoop
from bot.workers.lanes import HeartbeatLoop, LaneWorker
from bot.workers.retention import RetentionLoop
from bot.workers.tasks import Background
from domain.errors import Unavailable
from domain.outbound import ChannelSpec
from domain.payments import Notification
from domain.requests import parse_invoice_id
from engine.deps import CallPort, Deps
from engine.forum import inbox_failures
from engine.forum.quarantine import tell_leads_of_quarantine
from engine.requests import payments as payments_flow
from payments.cloudpayments import CloudPaymentsGateway, ReceiptRules
from payments.notifications import parse
from sandbox.web import SANDBOX_WORLD
from storage.heartbeats import BEAT, Heartbeats, Peers
from storage.inbox import InboxItem
from storage.store import cannot_write
from webhooks import health
from webhooks.cloudpayments import CLOUDPAYMENTS_INTAKE, CloudPaymentsIntake

log = structlog.get_logger(__name__)


@dataclass
class EngineRuntime:
    deps: Deps
    inbox_worker: InboxWorker
    gateway: CloudPaymentsGateway | None = None
    media: MediaBridge = field(default_factory=MediaBridge)
    tasks: Background = field(default_factory=Background)
    instance: str = field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
    )
    workers: list[str] = field(default_factory=list)  # ids this instance's workers claim with
    admission: Admission = field(default_factory=Admission)  # acknowledgements before processing
    clock_runner: DeadlineRunner | None = None
    peers: Peers = field(default_factory=Peers)  # whether this instance is alone on the store (each beat)
    heartbeat: HeartbeatLoop | None = None

    def register(self, source: str, handler: Handler) -> None:
        """The inbox handler for what `source` (a channel, a provider) stores. What it delivers is stored at
        its end, in one write (storage/deliveries.py `held`)."""
        deliveries, senders = self.deps.store.deliveries, self.deps.senders

        async def holding(item: InboxItem) -> None:
            async with deliveries.held(lambda channels: senders.wake(*channels)):
                await handler(item)

        self.inbox_worker.register(source, holding)

    def add_sender(self, worker: LaneWorker) -> None:
        """A delivery worker: woken whenever the engine stores an outbound message; its leases are this
        instance's (released at once when it stops, or by another instance when its heartbeat does)."""
        self.deps.senders.add(worker.poke, worker.channel)
        self.workers.append(worker.worker_id)
        worker.admission = self.admission

    def add_channel(self, spec: ChannelSpec) -> None:
        """A message channel beyond the built-in ones: the engine composes for it with its spec."""
        self.deps.channels.add(spec)

    async def store_inbound(
        self, provider_id: str, source: str, key: str, payload: dict[str, Any], order: int | None = None
    ) -> bool:
        """Keep a webhook's payload before acknowledging it; True when new. Processed per `key`, in order."""
        with self.admission.answering(), answering_in_time():
            new = await self.deps.store.inbox.put(provider_id, source, key, payload, order)
        self.inbox_worker.wake.set()
        return new

    async def reject_inbound(self, provider_id: str, source: str, reason: str) -> bool:
        """Record an authentic payload we cannot use (without its content); True when new."""
        with answering_in_time():
            return await self.deps.store.inbox.reject(provider_id, source, reason)

    async def store_payment(self, note: Notification, body: bytes, content_type: str) -> bool:
        parsed = parse_invoice_id(note.invoice_id)
        key = f"cp:{parsed[0] if parsed else note.invoice_id or 'unknown'}"
        payload = {"kind": note.kind, "body": body.decode(), "content_type": content_type}
        return await self.store_inbound(note.provider_id, "cloudpayments", key, payload)

    async def check_payment(self, note: Notification) -> int:
        with answering_in_time():
            return await payments_flow.check_code(self.deps, note)

    async def _payment(self, item: InboxItem) -> None:
        note = parse(item.payload["kind"], item.payload["body"].encode(), item.payload["content_type"])
        await payments_flow.notification(self.deps, note)


ENGINE = web.AppKey("engine", EngineRuntime)
WEBHOOK_STORE_TIMEOUT = 3.0  # seconds: Telegram and Twilio wait longer, and retry a 503 themselves


@contextlib.contextmanager
def answering_in_time() -> Iterator[None]:
    """A webhook's store work within a deadline; a store that does not answer in time (frozen, failing over)
    becomes Unavailable (503 with Retry-After), so the provider retries instead of waiting on us."""
    try:
        with pymongo.timeout(WEBHOOK_STORE_TIMEOUT):
            yield
    except PyMongoError as error:
        if error.timeout or isinstance(error, ConnectionFailure):
            raise Unavailable("the store did not answer in time; try again shortly") from None
        if cannot_write(error):  # a full or failing disk: the provider keeps the update and retries
            raise Unavailable("the store cannot write just now; try again shortly") from None
        raise


def receipt_rules(settings: Settings) -> ReceiptRules | None:
    """What the receipts say by law, from settings; None when receipts are off."""
    cp = settings.cloudpayments
    taxation, vat_said = cp.cloudpayments_taxation_system, cp.cloudpayments_vat
    if not cp.cloudpayments_receipts or taxation is None or vat_said is None:
        return None
    vat = None if vat_said == "none" else int(vat_said)
    place = urlsplit(settings.http.base_url).hostname or settings.http.base_url
    return ReceiptRules(taxation, vat, place, cp.cloudpayments_inn)  # (prepaid or not: said by each receipt)


async def build(app: web.Application, session: aiohttp.ClientSession | None = None) -> EngineRuntime:
    settings = app[SETTINGS]
    cp = settings.cloudpayments
    gateway = None
    if cp.enabled:
        gateway = CloudPaymentsGateway(
            cp.cloudpayments_public_id,
            cp.cloudpayments_api_secret.get_secret_value(),
            cp.cloudpayments_api_base,
            receipts=receipt_rules(settings),
        )
    line = settings.voice_line
    deps = await build_deps(
        settings,
        app[STORE],
        app[CLOCK],
        stand_ins=SANDBOX_WORLD in app,
        payments=gateway,
        calls=CallPort(line) if line else None,
        interpreter=interpreter(settings, session) if session else None,
        speech=speech(settings, session) if session else None,
    )
    admission = Admission()
    engine = EngineRuntime(deps, InboxWorker(deps.store.inbox, {}, admission), gateway, admission=admission)
    engine.workers.append(engine.inbox_worker.worker_id)
    engine.media.stored_file = deps.store.files.fetch  # files sent from the console, for every channel
    if deps.speech is not None:  # a voicemail's audio is a Twilio recording: fetched as WhatsApp media are
        deps.speech.connect(engine.media.fetch_whatsapp_media)
    engine.clock_runner = DeadlineRunner(deps, engine.instance)
    deps.deadline_runner.add(engine.clock_runner.wake.set)
    engine.workers.append(engine.clock_runner.worker_id)
    engine.heartbeat = HeartbeatLoop(
        Heartbeats(deps.store.db),
        deps.clock,
        engine.instance,
        engine.workers,
        deps.store.projector,
        engine.peers,
    )

    async def set_aside(item: InboxItem, reason: str) -> None:
        await inbox_failures.set_aside(deps, item.id, item.source, item.key, reason)

    engine.inbox_worker.on_set_aside = set_aside
    if gateway is not None:
        engine.register("cloudpayments", engine._payment)
        app[CLOUDPAYMENTS_INTAKE] = CloudPaymentsIntake(
            cloudpayments_signatures(cp),
            parse,
            engine.check_payment,
            engine.store_payment,
        )
    return engine


async def engine_ctx(app: web.Application) -> AsyncIterator[None]:
    """After the store (and the sandbox, which supplies credentials), before the channels."""
    session = aiohttp.ClientSession() if app[SETTINGS].translation.translation_provider != "off" else None
    engine = await build(app, session)
    app[ENGINE] = engine
    await tell_leads_of_quarantine(engine.deps)  # what start-up's catch-up could not apply: it serves on
    try:
        yield
    finally:
        # every worker has stopped (the channels' contexts closed first): what this instance held is free now
        try:
            with pymongo.timeout(2):
                await Heartbeats(engine.deps.store.db).release(
                    engine.instance, engine.workers, engine.deps.clock.now()
                )
        except PyMongoError as error:  # the others will see the heartbeat stop instead
            log.warning("heartbeat.release_failed", error=type(error).__name__)
        if engine.gateway is not None:
            engine.gateway.close()
        if session is not None:
            await session.close()


def engine_workers_ctx(start_workers: bool):
    """The last context: every handler is registered by now. Stopped first on shutdown, so nothing is being
    processed while the channels close their clients."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        engine = app[ENGINE]
        app[health.READINESS_CHECKS]["workers"] = engine.tasks.readiness
        if start_workers:
            engine.tasks.spawn(engine.inbox_worker.run(engine.tasks.stopping), "inbox")
            heartbeat = engine.heartbeat
            assert heartbeat is not None  # (made with the engine)
            engine.tasks.spawn(heartbeat.run(engine.tasks.stopping, BEAT.total_seconds()), "heartbeat")
            retention = RetentionLoop(
                engine.deps.store,
                engine.deps.clock,
                engine.instance,
                partial(tell_leads_of_quarantine, engine.deps),
            )
            engine.tasks.spawn(retention.run(engine.tasks.stopping, idle_poll=300), "retention")
            policy = engine.deps.policy
            days = KpiDaysLoop(
                engine.deps.store, engine.deps.clock, engine.instance, policy.promises, policy.tz
            )
            engine.tasks.spawn(days.run(engine.tasks.stopping, idle_poll=60), "kpi-days")
            warm = KpiWarmLoop(engine.deps.store, engine.deps.clock, policy.promises, policy.tz)
            engine.tasks.spawn(warm.run(engine.tasks.stopping, idle_poll=60), "kpi-warm")
            engine.tasks.spawn(engine.clock_runner.run(engine.tasks.stopping), "deadlines")
        else:  # the loops are driven by hand: they run when told, with no background work to hold back
            engine.admission.quiet = 0.0
        try:
            yield
        finally:
            await engine.tasks.stop()

    return ctx
