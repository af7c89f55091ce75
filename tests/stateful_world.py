"""The whole service on loopback for the stateful test, outside pytest's fixtures: one event loop owned by the
caller, the fake Telegram/Twilio/CloudPayments servers, the app on the embedded store with a frozen clock,
a restart on the same store, and the checks the state machine makes after every step."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from structlog.testing import LogCapture

from bot.app import create_app
from bot.keys import SETTINGS
from domain.clock import FrozenClock
from domain.projections import PROJECTIONS
from engine import queries as q
from engine.console import reads as console_reads
from engine.team import admin as staff_admin
from storage.audit import verify
from storage.projector import Projector
from tests import reads
from tests.console_client import Console, signed_in
from tests.harness import PUBLIC, STAFF_CHAT, Harness, start_harness

STAFF = {9001: ("Anna", "en,ru,ar", True, "+79161111111"), 9002: ("Omar", "ar,en", False, "+971500000009")}
STAFF |= {9003: ("Dmitri", "ru,en", False, "+79162222222")}
GLOBAL_PAGES = (
    "/console/",
    "/console/board.part",
    "/console/clients",
    "/console/team",
    "/console/payments",
    "/console/payments.csv",
    "/console/activity",
    "/console/audit.json",
)


WARNINGS: Counter[str] = Counter()  # warning lines by event, over a whole run (the bench prints them)


class _ErrorLines(logging.Handler):
    """ERROR lines of the standard library's loggers (aiohttp, aiogram, asyncio)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


@dataclass
class World:
    mongo_url: str
    db_name: str
    tmp_path: Path
    h: Harness | None = None
    lead: Console | None = None
    statuses: list[tuple[str, int]] = field(default_factory=list)
    _servers: list[TestServer] = field(default_factory=list)
    _clients: list[TestClient] = field(default_factory=list)
    _stdlib: _ErrorLines = field(default_factory=_ErrorLines)
    _structlog: LogCapture = field(default_factory=LogCapture)
    _saved_config: dict[str, Any] = field(default_factory=dict)
    _looked_at: datetime = datetime(1970, 1, 1, tzinfo=UTC)  # the last look at the pages of what moved

    # ---- life cycle
    async def start(self) -> None:
        self._saved_config = structlog.get_config()
        structlog.configure(processors=[self._structlog])  # every structlog line, at every level
        logging.getLogger().addHandler(self._stdlib)
        clock = FrozenClock(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
        self.h = await start_harness(
            self._server, self._client, self.mongo_url, self.db_name, self.tmp_path, clock, voice=True
        )
        for telegram_id, (name, languages, lead, phone) in STAFF.items():
            await staff_admin.add(self.h.engine.deps, telegram_id, name, languages, lead, phone=phone)
        self.lead = await signed_in(self.h, 9001)

    async def restart(self) -> None:
        """The service stops and starts again on the same store; the providers' fakes live on."""
        old = self.h
        await old.http.close()
        app = create_app(old.app[SETTINGS], old.clock, start_workers=False)
        self.h = Harness(old.fake, await self._client(app), old.clock, old.cp, old.tw)
        await asyncio.wait_for(self.h.rt.webhook_set.wait(), 10)
        self.lead = Console(self.h.http, self.lead.cookie)  # the lead's browser keeps its session

    async def close(self) -> None:
        try:
            if self.h is not None:
                await self.h.store.client.drop_database(self.db_name)
                await self.h.store.client.drop_database(self.rebuilt_name)
        finally:
            for client in reversed(self._clients):
                await client.close()
            for server in reversed(self._servers):
                await server.close()
            logging.getLogger().removeHandler(self._stdlib)
            structlog.configure(**self._saved_config)

    async def _server(self, app: web.Application) -> TestServer:
        server = TestServer(app)
        await server.start_server()
        self._servers.append(server)
        return server

    async def _client(self, app: web.Application) -> TestClient:
        client = TestClient(TestServer(app))
        await client.start_server()
        self._clients.append(client)
        return client

    # ---- what people and providers do, every answer recorded (a 5xx is a failure whatever the rule)
    def answered(self, path: str, response: ClientResponse) -> ClientResponse:
        self.statuses.append((path, response.status))
        return response

    async def telegram(self, update: dict[str, Any]) -> ClientResponse:
        return self.answered("/webhooks/telegram", await self.h.post(update))

    async def twilio(self, path: str, params: dict[str, str]) -> ClientResponse:
        params, headers = self.h.tw.signed(PUBLIC + path, params)
        return self.answered(path, await self.h.http.post(path, data=params, headers=headers))

    async def cloudpayments(self, kind: str, transaction: dict[str, Any]) -> ClientResponse:
        body, headers = self.h.cp.notification(kind, transaction)
        return self.answered(f"/webhooks/cloudpayments/{kind}", await self.h.notify(kind, body, headers))

    async def staff_says(self, telegram_id: int, thread: int | None, text: str) -> None:
        who = {"id": telegram_id, "is_bot": False, "first_name": STAFF[telegram_id][0]}
        await self.telegram(self.h.fake.user_message(who, chat_id=STAFF_CHAT, thread_id=thread, text=text))

    async def settle(self) -> None:
        await self.h.settle()

    async def advance(self, minutes: int) -> None:
        """The clock moves on, each timer firing at its own time on the way."""
        target = self.h.clock.now() + timedelta(minutes=minutes)
        while True:
            due = await self.h.engine.clock_runner.run_once()
            await self.settle()
            if due is None or due > target or self.h.clock.now() >= target:
                break
            self.h.clock.advance_to(max(due, self.h.clock.now()))
        if self.h.clock.now() < target:
            self.h.clock.advance_to(target)
            await self.h.engine.clock_runner.run_once()
            await self.settle()

    def last_order(self, telegram_user: dict[str, Any] | None, number: str | None) -> str | None:
        """The order behind the last pay button (Telegram) or pay link (WhatsApp) a client was sent."""
        if telegram_user is not None:
            for message in reversed(self.h.to_user(telegram_user)):
                for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                    if row and row[0].get("url"):
                        return row[0]["url"].rsplit("/", 1)[1]
            return None
        for text in reversed(self.h.wa_texts(number)):
            for line in text.splitlines():
                if "/pay/" in line:
                    return line.rsplit("/", 1)[1]
        return None

    # ---- the invariants
    async def problems(self, sent: dict[str, str]) -> list[str]:
        """Everything wrong after a step; `sent`: the tag of every accepted client message → its client."""
        problems = [f"5xx answer: {path} {status}" for path, status in self.server_errors()]
        console = await self.console_failures()
        problems += [f"console page for a lead: {page} {status}" for page, status in console]
        problems += [f"ERROR log line: {line}" for line in self.error_lines()]  # (the console's included)
        posts = await self.staff_posts()
        for word, identity in sent.items():
            thread = await self.thread_of(identity)
            where = {t: n for t, texts in posts.items() if (n := sum(x.split().count(word) for x in texts))}
            if where != {thread: 1}:
                problems.append(f"message {word} of {identity} (topic {thread}) shown {where}")
        problems += [f"projection differs from a rebuild: {d}" for d in await self.projection_drift()]
        if (broken := await self.audit_break()) is not None:
            problems.append(f"audit chain: {broken}")
        return problems

    def server_errors(self) -> list[tuple[str, int]]:
        errors = [(path, status) for path, status in self.statuses if status >= 500]
        self.statuses.clear()
        return errors

    def error_lines(self) -> list[str]:
        lines = list(self._stdlib.lines)
        lines += [
            f"{entry.get('event')} {entry.get('exception', '')}".strip()
            for entry in self._structlog.entries
            if entry.get("log_level") in ("error", "critical", "exception")
        ]
        WARNINGS.update(e.get("event") for e in self._structlog.entries if e.get("log_level") == "warning")
        self._stdlib.lines.clear()
        self._structlog.entries.clear()
        return lines

    async def staff_posts(self) -> dict[int, list[str]]:
        """What the staff forum's topics show, per thread: relays and notes, and the words a request card
        carries in place of a relay (cards otherwise, and pinned ones, left out)."""
        chat = self.h.fake.chats[STAFF_CHAT]
        posts: dict[int, list[str]] = {}
        for message in chat.messages.values():
            thread = message.get("message_thread_id")
            text = message.get("text") or message.get("caption") or ""
            if thread is None or message["message_id"] in chat.pinned:
                continue
            if text.startswith("📋 ") and (text := await self.h.carried(message)) is None:
                continue
            posts.setdefault(thread, []).append(text)
        return posts

    async def thread_of(self, identity: str) -> int | None:
        return reads.thread(await q.client_by_identity_key(self.h.store, identity))

    @property
    def rebuilt_name(self) -> str:
        return f"{self.db_name}_rebuilt"

    async def projection_drift(self) -> list[str]:
        """Every projection document, tally and key row compared with a rebuild of the log elsewhere."""
        store = self.h.store
        rebuilt = store.client[self.rebuilt_name]
        try:
            await Projector(rebuilt, store.events).rebuild()
        except Exception as error:  # the log does not even project
            return [f"the rebuild fails: {type(error).__name__}: {error}"]
        drift: list[str] = []
        for projection in PROJECTIONS:
            for name in (projection.collection, f"{projection.collection}_keys"):
                live = await _documents(store.db[name])
                again = await _documents(rebuilt[name])
                drift += [
                    f"{name}/{key}"
                    for key in sorted(live.keys() | again.keys())
                    if live.get(key) != again.get(key)
                ]
        # the board's cards, without the versions each side was written at (a rebuild writes the last ones),
        # when, and their clocks: those are the deadlines' (not the log's), compared with them instead
        live, again = await _cards(store.db["board"]), await _cards(rebuilt["board"])
        drift += [f"board/{k}" for k in sorted(live.keys() | again.keys()) if live.get(k) != again.get(k)]
        drift += await self.card_clocks_drift()
        live_tallies = {k: v for k, v in (await _documents(store.db["tallies"])).items() if v["n"]}
        rebuilt_tallies = {k: v for k, v in (await _documents(rebuilt["tallies"])).items() if v["n"]}
        if live_tallies != rebuilt_tallies:
            drift.append(f"tallies: {live_tallies} != {rebuilt_tallies}")
        return drift

    async def card_clocks_drift(self) -> list[str]:
        """Each open card's clocks as it keeps them, against the deadlines they are copied from."""
        deps = self.h.engine.deps
        docs = [d async for d in self.h.store.db["board"].find({"open": True}) if d["cv"] >= 0]
        faces = [(console_reads.Face.from_doc(d), d) for d in docs]
        read = await console_reads._clocks(deps, [face for face, _ in faces])
        return [
            f"board/{face.id} clock: kept {kept}, deadlines {read.get(face.id)}"
            for face, doc in faces
            if (kept := console_reads._kept_clock(deps, doc, face)) != read.get(face.id)
        ]

    async def audit_break(self) -> str | None:
        return (await verify(self.h.store.db, self.h.store.events)).broken

    async def console_failures(self) -> list[tuple[str, int]]:
        """The global pages, and the pages of every client whose streams moved since the last look."""
        pages = [*GLOBAL_PAGES, *await self._moved_pages()]
        if (await self.lead.get(GLOBAL_PAGES[0])).status == 303:  # the session ended (a day went by)
            self.lead = await signed_in(self.h, 9001)
        answers = await asyncio.gather(*(self._status(page) for page in pages))
        return [(page, status) for page, status in zip(pages, answers, strict=True) if status != 200]

    async def _moved_pages(self) -> list[str]:
        """The pages of each client one of whose streams (their client, conversation or a request's) was
        written since the last look: the client's page and all their requests'."""
        store, now = self.h.store, self.h.clock.now()
        written = await store.events.recent_heads(self._looked_at)
        self._looked_at = now
        moved: set[str] = set()
        for stream in written:
            kind, key = stream.split(":", 1)
            if kind in ("client", "conversation"):
                moved.add(key)
            elif kind == "request" and (request := await q.request(store, key)) is not None:
                moved.add(request.client_id)
        requests = [r.id for c in sorted(moved) for r in await q.requests_of(store, c)]
        return _pages_of(requests, [c for c in sorted(moved) if await q.client(store, c) is not None])

    async def _status(self, page: str) -> int:
        response = await self.lead.get(page)
        await response.read()
        return response.status


def _pages_of(requests: Iterable[str], clients: Iterable[str]) -> list[str]:
    pages = [p for r in requests for p in (f"/console/requests/{r}", f"/console/requests/{r}/timeline.part")]
    return pages + [f"/console/clients/{c}" for c in clients]


async def _documents(collection) -> dict[str, dict[str, Any]]:
    return {doc["_id"]: doc async for doc in collection.find({})}


async def _cards(collection) -> dict[str, dict[str, Any]]:
    return {
        doc["_id"]: {k: v for k, v in doc.items() if k not in CARD_WRITES}
        async for doc in collection.find({})
    }


CARD_WRITES = ("rv", "cv", "w_ms", "rs", "rk", "qs", "qk")  # storage/board.py: versions, when, clocks
