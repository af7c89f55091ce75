"""`GET /metrics` in Prometheus' text format. What this process did (webhooks answered, events recorded,
Telegram's refusals, the clock's firings, store round trips, warnings logged) is counted as it happens; what
every instance shares (the inbox, the deliveries, the timers, the console's sessions) is read from the store
at each scrape, so any instance answers for all. Labels are bounded: endpoints, event types, channels, a
lane's kind, promises, currencies — never a client, a chat or a topic. Protected by METRICS_TOKEN (a bearer
token); without one it answers only a local scrape of a service with no PUBLIC_BASE_URL."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from pymongo import monitoring
from pymongo.errors import PyMongoError

from bot.channels import message_channels
from bot.keys import CLOCK, SETTINGS, STORE
from domain.clients import Channel
from domain.deadlines import FIRST_QUOTE, FIRST_RESPONSE
from domain.events import Event, EventType
from domain.outbound import ChannelRegistry, ChannelSpec
from domain.promises import REMIND
from storage.timefmt import to_ms

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # memory, CPU, open files of this process
PlatformCollector(registry=REGISTRY)

WEBHOOK_REQUESTS = Counter(
    "concierge_webhook_requests", "Webhook requests answered", ["endpoint", "status"], registry=REGISTRY
)
WEBHOOK_SECONDS = Histogram(
    "concierge_webhook_seconds",
    "Time to answer a webhook",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
EVENTS = Counter("concierge_events", "Events recorded by this process, by type", ["type"], registry=REGISTRY)
SLA_BREACHES = Counter(
    "concierge_sla_breaches",
    "Promises that fell due unanswered (a ladder's first step), by promise",
    ["promise"],
    registry=REGISTRY,
)
ESCALATIONS = Counter(
    "concierge_escalations",
    "Broken promises taken to the leads: escalated, reassigned, or nobody present to take the client",
    ["promise", "action"],
    registry=REGISTRY,
)
PAYMENTS = Counter("concierge_payments", "Payments received, by currency", ["currency"], registry=REGISTRY)
PAID = Counter(
    "concierge_paid_minor_units",
    "Money received, in minor units (kopecks, cents)",
    ["currency"],
    registry=REGISTRY,
)
REFUNDS = Counter("concierge_refunds", "Refunds made, by currency", ["currency"], registry=REGISTRY)
REFUNDED = Counter(
    "concierge_refunded_minor_units", "Money given back, in minor units", ["currency"], registry=REGISTRY
)
TELEGRAM_THROTTLED = Counter(
    "concierge_telegram_throttled", "Telegram's 429 answers (Too Many Requests)", registry=REGISTRY
)
BUDGET_WAITS = Counter(
    "concierge_telegram_budget_waits",
    "Sends held back for a chat's budget (Telegram's limits kept before it answers 429), each once",
    registry=REGISTRY,
)
BUDGET_REFUSALS = Counter(
    "concierge_telegram_budget_refusals",
    "Sends put back because another instance had used the chat's budget",
    registry=REGISTRY,
)
DEADLINE_FIRINGS = Counter("concierge_deadline_firings", "Timers fired", registry=REGISTRY)
DEADLINE_FAILURES = Counter(
    "concierge_deadline_failures",
    "Timer firings that failed (retried or set aside)",
    ["outcome"],
    registry=REGISTRY,
)
STORE_COMMANDS = Counter(
    "concierge_store_commands", "Round trips to the store, by command", ["command"], registry=REGISTRY
)
LOG_LINES = Counter(
    "concierge_log_lines", "Warnings and errors logged, by event", ["event", "level"], registry=REGISTRY
)

# read from the store at each scrape: the same for every instance
INBOX_WAITING = Gauge("concierge_inbox_waiting", "Inbound items not yet processed", registry=REGISTRY)
INBOX_OLDEST = Gauge(
    "concierge_inbox_oldest_seconds",
    "How long ago the oldest inbound item not yet processed was accepted (a retry's wait included)",
    registry=REGISTRY,
)
INBOX_OVERDUE = Gauge(
    "concierge_inbox_overdue_seconds",
    "How long the longest-waiting inbound item has been due (workers behind, not a retry's wait)",
    registry=REGISTRY,
)
INBOX_FAILED = Gauge("concierge_inbox_failed", "Inbound items set aside for a person", registry=REGISTRY)
DELIVERIES_WAITING = Gauge(
    "concierge_deliveries_waiting",
    "Outbound messages not yet sent, by channel and lane kind (chat, group, template)",
    ["channel", "lane"],
    registry=REGISTRY,
)
DELIVERIES_OLDEST = Gauge(
    "concierge_deliveries_oldest_seconds",
    "How long ago the oldest outbound message not yet sent was stored (its retries' waits included)",
    registry=REGISTRY,
)
DELIVERIES_OVERDUE = Gauge(
    "concierge_deliveries_overdue_seconds",
    "How long the longest-waiting outbound message has been due",
    registry=REGISTRY,
)
STORE_UP = Gauge("concierge_store_up", "1 when the store answered this scrape", registry=REGISTRY)
PREFLIGHT_FAILURES = Gauge(
    "concierge_preflight_failures",
    "What the set-up check found wrong when this instance started",
    registry=REGISTRY,
)
DEADLINES_LATE = Gauge("concierge_deadlines_late", "Timers more than a minute past due", registry=REGISTRY)
CONSOLE_SESSIONS = Gauge("concierge_console_sessions", "Console sessions open", registry=REGISTRY)

TELEGRAM_PENDING = Gauge(
    "concierge_telegram_webhook_pending_updates", "Updates Telegram holds for our webhook", registry=REGISTRY
)
TELEGRAM_LAST_ERROR = Gauge(
    "concierge_telegram_webhook_last_error_timestamp_seconds",
    "When Telegram last failed to deliver to our webhook (0: not since it was set)",
    registry=REGISTRY,
)

# the series alerts read exist from the start (at 0), not only once something went wrong
for _outcome in ("retried", "set_aside"):
    DEADLINE_FAILURES.labels(_outcome)
# what a broken promise's step did that took it to the leads (engine/clock/deadlines.py); `reminded` rings
# only the assistant
TO_LEADS = {FIRST_RESPONSE: ("escalated", "reassigned", "unassignable"), FIRST_QUOTE: ("escalated",)}
for _promise, _actions in TO_LEADS.items():
    SLA_BREACHES.labels(_promise)
    for _action in _actions:
        ESCALATIONS.labels(_promise, _action)
LOG_LINES.labels("preflight.failed", "warning")
LOG_LINES.labels("fiscal.settlement_failed", "warning")

LATE = 60_000  # ms: a timer this far past due is late, not just due
WEBHOOK_INFO_EVERY = 60.0  # s: Telegram is asked at most this often, however often Prometheus scrapes
_asked_telegram = [0.0]  # (a cache of an outside read: each instance asks for itself)


def endpoint_of(request: web.Request) -> str:
    """The route, not the path: `/webhooks/cloudpayments/{kind}` is one label whatever is asked."""
    route = request.match_info.route
    resource = route.resource
    return resource.canonical if resource is not None else "unmatched"


_series: dict[tuple[str, int], tuple[Any, Any]] = {}  # (endpoint, status class) → its two series, found once


def _webhook_series(endpoint: str, status: int) -> tuple[Any, Any]:
    """The histogram and counter of one endpoint and status class (`labels` checks and locks on every call:
    a webhook request's share of it was as much as its JSON parsing). Bounded: routes × five classes."""
    key = (endpoint, status // 100)
    series = _series.get(key)
    if series is None:
        series = _series[key] = (
            WEBHOOK_SECONDS.labels(endpoint),
            WEBHOOK_REQUESTS.labels(endpoint, f"{key[1]}xx"),
        )
    return series


@web.middleware
async def middleware(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
    if not request.path.startswith("/webhooks/"):
        return await handler(request)
    started, status = time.perf_counter(), 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as error:
        status = error.status
        raise
    finally:
        seconds, requests = _webhook_series(endpoint_of(request), status)
        seconds.observe(time.perf_counter() - started)
        requests.inc()


class EventCounts:
    """An engine's listener: every event it records, counted by type and by what the dashboards read. A
    replay (a retried step records its cause again, and the listeners hear it again) is not counted twice:
    the ids of the events counted lately are remembered."""

    def __init__(self, remembered: int = 10_000) -> None:
        self._ids: dict[str, None] = {}  # (insertion-ordered: the oldest is forgotten first)
        self._remembered = remembered

    def _first_time(self, event_id: str) -> bool:
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        if len(self._ids) > self._remembered:
            del self._ids[next(iter(self._ids))]
        return True

    async def __call__(self, event: Event) -> None:
        if not self._first_time(event.id):
            return
        EVENTS.labels(event.type.value).inc()
        data = event.data
        if event.type is EventType.RESPONSE_OVERDUE:
            promise = data.get("promise", "")
            if data.get("step") == REMIND:  # the ladder's first step: the promise has just run out
                SLA_BREACHES.labels(promise).inc()
            if data.get("action") in TO_LEADS.get(promise, ()):
                ESCALATIONS.labels(promise, data["action"]).inc()
        elif event.type is EventType.REQUEST_PAID:
            amount = data["payment"]["amount"]
            PAYMENTS.labels(amount["currency"]).inc()
            PAID.labels(amount["currency"]).inc(amount["minor"])
        elif event.type is EventType.REQUEST_REFUNDED:
            amount = data["refund"]["amount"]
            REFUNDS.labels(amount["currency"]).inc()
            REFUNDED.labels(amount["currency"]).inc(amount["minor"])


class StoreCommands(monitoring.CommandListener):
    """Every command sent to the store (a round trip), by name."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        STORE_COMMANDS.labels(event.command_name).inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


_OUR_EVENT = re.compile(r"[a-z_]+(?:\.[a-z_]+)+")


def count_log_line(_logger: Any, method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor: warnings and errors counted by event name (ours are dotted names; a library's
    free text is counted as `other`, so the labels stay few)."""
    level = "error" if method in ("error", "critical", "exception") else method
    if level in ("warning", "error"):
        event = str(event_dict.get("event", ""))
        LOG_LINES.labels(event if _OUR_EVENT.fullmatch(event) else "other", level).inc()
    return event_dict


UNFINISHED = {"due_ms": {"$gte": 0}}  # an inbox item or a delivery not yet done (storage/leases.py)
READ_AT_MOST = 10_000  # of a queue at one scrape: a longer one shows as this long (the alerts read its age)
LANE_KINDS = ("chat", "group", "template")


async def _count(db: Any, collection: str, where: dict[str, Any]) -> int:
    """How many documents match, as the `count` command: SQLite counts them through the index on the
    embedded store. Not `count_documents`: pymongo sends it as an aggregate (`$match`, then `$group`), which
    nx-27017 answers in Python after building every document of the collection — at each scrape, the whole
    inbox and every timer, more as the history grows, and the store's memory grew with it (README, *Soak*,
    *The fifth round*)."""
    answer = await db.command({"count": collection, "query": where})
    return int(answer["n"])


async def _seconds_since_earliest(collection: Any, field: str, now: int) -> float:
    """How long ago the earliest `field` (ms) of the unfinished items was: one item read, through the
    `due_ms` index (the unfinished only are sorted, however long the collection's history)."""
    first = await collection.find(UNFINISHED, {field: 1}).sort(field, 1).limit(1).to_list()
    return max(0, now - first[0][field]) / 1000 if first else 0


def lane_kind(spec: ChannelSpec, lane: str) -> str:
    """A lane read as one of a few kinds, so the label stays bounded (a lane is a topic or a chat: one per
    client). `group`: the staff forum's topics, a client's or the team's, which share the group's budget
    ("tg:-100…:C-1001"; a group's chat id is negative); `template`: a paid re-open template's own lane
    ("wa-template:+971…"); any other lane is one person's `chat` ("tg:42", "wa:+971…")."""
    if lane.startswith(spec.template_lane("")):
        return "template"
    return "group" if lane.startswith(spec.lane("-")) else "chat"


async def _read_deliveries(db: Any, registry: ChannelRegistry) -> None:
    """Waiting deliveries by channel and lane kind: the unfinished ones read through the `due_ms` index
    (counts by an equal `queue` would read every row on the embedded engine: test_query_plans.py)."""
    specs = {c.value: spec for c in Channel if (spec := registry.get(c)) is not None}  # the channels wired
    counts = dict.fromkeys(((channel, kind) for channel in specs for kind in LANE_KINDS), 0)
    waiting = db["deliveries"].find(UNFINISHED, {"channel": 1, "lane": 1}).limit(READ_AT_MOST)
    async for doc in waiting:
        if (spec := specs.get(doc["channel"])) is not None:
            counts[doc["channel"], lane_kind(spec, doc["lane"])] += 1
    for (channel, kind), n in counts.items():
        DELIVERIES_WAITING.labels(channel, kind).set(n)


async def _read_store(app: web.Application) -> None:
    store, now = app[STORE], to_ms(app[CLOCK].now())
    db = store.db
    INBOX_WAITING.set(await _count(db, "inbox", UNFINISHED))
    INBOX_OLDEST.set(await _seconds_since_earliest(db["inbox"], "received_ms", now))
    INBOX_OVERDUE.set(await _seconds_since_earliest(db["inbox"], "due_ms", now))
    failed = db["inbox"].find({"status": "failed"}, {"_id": 1}).limit(READ_AT_MOST)  # (an index seek)
    INBOX_FAILED.set(len(await failed.to_list()))
    from bot.engine_runtime import ENGINE  # (here: the engine's workers count into this module)

    engine = app.get(ENGINE)
    await _read_deliveries(db, engine.deps.channels if engine is not None else message_channels())
    DELIVERIES_OLDEST.set(await _seconds_since_earliest(db["deliveries"], "created_ms", now))
    DELIVERIES_OVERDUE.set(await _seconds_since_earliest(db["deliveries"], "due_ms", now))
    DEADLINES_LATE.set(await _count(db, "deadlines", {"due_ms": {"$gte": 0, "$lt": now - LATE}}))
    CONSOLE_SESSIONS.set(await _count(db, "console_sessions", {"expires_ms": {"$gt": now}}))


async def _read_telegram(app: web.Application) -> None:
    from aiogram.exceptions import TelegramAPIError  # (here: the CLI logs through this module's counters)

    from bot.telegram_runtime import TELEGRAM  # (here: the runtime's workers count into this module)

    runtime = app.get(TELEGRAM)
    if runtime is None or app[SETTINGS].telegram_mode != "webhook":
        return
    if time.monotonic() - _asked_telegram[0] < WEBHOOK_INFO_EVERY:
        return
    _asked_telegram[0] = time.monotonic()
    try:
        info = await asyncio.wait_for(runtime.bot.get_webhook_info(), 3)
    except (TelegramAPIError, TimeoutError, OSError):
        return  # the figures stay as last read; the preflight and the delivery worker say more
    TELEGRAM_PENDING.set(info.pending_update_count)
    TELEGRAM_LAST_ERROR.set(info.last_error_date.timestamp() if info.last_error_date else 0)


def _allowed(request: web.Request) -> bool:
    settings = request.config_dict[SETTINGS]
    token = settings.app.metrics_token
    if token is not None:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.get_secret_value().encode())
    if settings.http.public_base_url is not None:
        return False  # reachable from outside: a proxy on this host would make every scrape look local
    try:
        loopback = ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False
    return loopback and "X-Forwarded-For" not in request.headers  # (a proxy on this host is not loopback)


async def metrics(request: web.Request) -> web.Response:
    if not _allowed(request):
        raise web.HTTPUnauthorized(text="metrics need METRICS_TOKEN as a bearer token")
    try:  # what this process counted is served even when the store does not answer (and that is said)
        await asyncio.wait_for(_read_store(request.app), 5)
        STORE_UP.set(1)
    except (PyMongoError, TimeoutError):
        STORE_UP.set(0)
    await _read_telegram(request.app)
    body = generate_latest(REGISTRY)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def setup(app: web.Application) -> None:
    app.router.add_get("/metrics", metrics)
