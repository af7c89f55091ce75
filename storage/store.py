"""One place that opens storage: the embedded engine or MONGODB_URL, the client, indexes, catch-up."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError
from pymongo.monitoring import CommandListener

from domain.clock import Clock
from domain.errors import ConcurrencyConflict
from domain.events import NewEvent
from domain.personal import FIRST_EVENT_NAMES
from storage import step_reads
from storage.backup import store_file
from storage.board_view import OpenCards
from storage.console import ConsoleAccess
from storage.deadlines import Deadlines
from storage.deliveries import Deliveries
from storage.embedded import EmbeddedEngine, ForeignEngine, find_running, owned_by_a_service
from storage.events import Appended, EventStore
from storage.files import ConsoleFiles
from storage.heartbeats import Heartbeats
from storage.inbox import Inbox
from storage.indexes import ensure_indexes
from storage.kpi_days import KpiDays
from storage.projector import Projector
from storage.words import MessageWords

log = structlog.get_logger(__name__)

Opening = tuple[NewEvent, int | None, bool]  # an event, the version it was decided on, whether it opens


@dataclass
class Store:
    client: AsyncMongoClient
    db: AsyncDatabase
    events: EventStore
    projector: Projector
    inbox: Inbox
    deliveries: Deliveries
    engine: EmbeddedEngine | None = None
    data_file: Path | None = None  # the embedded engine's SQLite file (ours, or a running service's)
    deadlines: Deadlines = field(init=False)
    open_cards: OpenCards = field(init=False)  # this instance's copy of the board's open cards
    console: ConsoleAccess = field(init=False)
    words: MessageWords = field(init=False)  # the conversation's words, for the console's search
    files: ConsoleFiles = field(init=False)  # files sent to clients from the console
    kpi_days: KpiDays = field(init=False)  # the team's figures, day by day

    def __post_init__(self) -> None:
        self.deadlines = Deadlines(self.db)
        self.open_cards = OpenCards(self.db)
        self.console = ConsoleAccess(self.db)
        self.words = MessageWords(self.db)
        self.files = ConsoleFiles(self.db)
        self.kpi_days = KpiDays(self.db)

    async def record(self, new: NewEvent, expected_seq: int | None = None, opens: bool = False) -> Appended:
        """Append one event and bring its projection up to date (catch-up repairs a crash in between).
        `opens`: the event opens its stream (a number just taken): its document is not read first."""
        opening = opens or expected_seq == 0
        if opening:
            self.projector.absent(new.stream)
        known = await self.projector.known_head(new.stream)
        if known is None and opening:  # (a stream with no projection, or no step: no head to read either;
            known = (0, "")  # the unique (stream, seq) refuses seq 1 if there is one)
        try:
            appended = await self.events.append(new, expected_seq, known)
        except ConcurrencyConflict:
            self.projector.forget(new.stream)  # the caller reads it again: from the store, as it is now
            raise
        if opening and (
            appended.event.seq != 1 or appended.duplicate
        ):  # there after all: not this step's own
            self.projector.forget(new.stream)  # (a twin's, or an earlier attempt's, which may have cards)
        await self.projector.project(appended.event)
        await self.words.add(appended.event)
        return appended

    async def record_all(self, news: Sequence[Opening]) -> list[Appended]:
        """Events a step decided together (`(event, expected_seq, opens)` each, as `record` takes them), in
        order: appended in one insert and projected with one write per document. Returns those recorded:
        the first the log refuses (a twin's stream, a cause recorded before, a stream moved on) is recorded
        alone as `record` would (a duplicate, a retry on the new head, or ConcurrencyConflict), and the ones
        after it are not — the caller decides them again; so are those after one that cannot join (a second
        event of a stream whose first names its client, one decided on a version). Outside a step (no head
        known) or in one that shares: only the first."""
        if len(news) < 2 or not step_reads.active() or step_reads.sharing():
            return [await self.record(*news[0])] if news else []
        together: list[tuple[NewEvent, tuple[int, str]]] = []
        seen: set[str] = set()
        for new, expected_seq, opens in news:
            if new.stream in seen:  # (chained to the one before it)
                if new.stream.partition(":")[0] in FIRST_EVENT_NAMES or expected_seq is not None:
                    break  # (sealed for the client its stored first event names; a version to check)
                together.append((new, (0, "")))
                continue
            if opens or expected_seq == 0:
                self.projector.absent(new.stream)
            known = await self.projector.known_head(new.stream)
            if known is None:
                known = (0, "") if opens or expected_seq == 0 else await self.events.head_of(new.stream)
            if expected_seq is not None and known[0] != expected_seq:
                break  # (decided on a version the log is not at: alone, its conflict raised)
            seen.add(new.stream)
            together.append((new, known))
        if len(together) < 2:
            return [await self.record(*news[0])]
        appended = await self.events.append_together(together)
        await self.projector.project_all([a.event for a in appended])
        for one in appended:
            await self.words.add(one.event)
        if len(appended) < len(together):  # refused: alone, on its stream as it is now (read afresh)
            refused = news[len(appended)]
            self.projector.forget(refused[0].stream)
            appended.append(await self.record(*refused))
        return appended

    async def writable(self, within: float = 2.0) -> bool | str:
        """Can it keep what arrives? A full or read-only disk still answers reads and pings."""
        try:
            async with asyncio.timeout(within):
                await self.db["health"].update_one({"_id": "write-probe"}, {"$inc": {"n": 1}}, upsert=True)
        except Exception as error:  # any failure to write means "not ready"
            return f"cannot write ({type(error).__name__})"
        return True

    async def compact(self) -> bool:
        """Leave no copy of deleted or overwritten data in the embedded store's files: VACUUM rewrites every
        page, then a truncating checkpoint empties the write-ahead log. (MongoDB frees its blocks on its own
        schedule: see the README's "Personal data".) False: not the embedded store, or busy; try again."""
        if self.data_file is None:
            return False
        for _ in range(5):
            vacuumed = await self.db.command("vacuum")
            if vacuumed.get("ok") and await asyncio.to_thread(_truncate_wal, self.data_file):
                return True
        return False

    async def ping(self, within: float = 1.0) -> bool:
        try:
            async with asyncio.timeout(within):
                await self.client.admin.command("ping")
        except Exception:  # any failure to answer means "not ready"
            return False
        return True


def _truncate_wal(data_file: Path) -> bool:
    """Every frame copied into the file and the log cut to nothing (what is written next is of now)."""
    with contextlib.closing(sqlite3.connect(data_file, timeout=5)) as db:
        busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return busy == 0


async def _refuse_a_foreign_engine(client: AsyncMongoClient) -> None:
    info = await client.admin.command("buildInfo")
    if info.get("process") == "nx_27017" and owned_by_a_service(int(info.get("pid", 0))):
        raise ForeignEngine(int(info["pid"]))


OUT_OF_DISK_SPACE = 14031  # MongoDB's code; nx-27017 passes SQLite's words on (code 8, "disk I/O error")
_CANNOT_WRITE = ("disk i/o error", "disk is full", "no space", "readonly", "read-only")


def cannot_write(error: PyMongoError) -> bool:
    """The store answers but keeps nothing: a disk that is full, read-only or failing."""
    message = str(error).lower()  # (matched, never logged: it may quote a document)
    return getattr(error, "code", None) == OUT_OF_DISK_SPACE or any(w in message for w in _CANNOT_WRITE)


def mongo_client(url: str, listeners: Sequence[CommandListener] = ()) -> AsyncMongoClient:
    return AsyncMongoClient(
        url,
        tz_aware=True,
        serverSelectionTimeoutMS=5000,
        connectTimeoutMS=3000,
        appname="concierge",
        event_listeners=list(listeners),
    )


@asynccontextmanager
async def open_store(
    url: str | None,
    db_name: str,
    data_dir: Path,
    clock: Clock,
    *,
    reuse_running: bool = False,
    catch_up: bool = True,
    listeners: Sequence[CommandListener] = (),
    prepare: bool = True,
) -> AsyncIterator[Store]:
    """`reuse_running`: a CLI command joins the engine a running service owns instead of refusing."""
    engine = data_file = None
    if url is None:
        running = find_running(data_dir) if reuse_running else None
        if running is not None:
            url = running.url
        else:
            engine = EmbeddedEngine(data_dir)
            await asyncio.to_thread(engine.start)
            url = engine.url
        data_file = store_file(engine.data_dir if engine else data_dir, db_name)
    joined_own = engine is not None or reuse_running
    client = mongo_client(url, listeners)
    store: Store | None = None
    try:
        if not joined_own:
            await _refuse_a_foreign_engine(client)
        db = client[db_name]
        # the others running on this store (a rolling upgrade: perhaps an older version) and their formats
        others = await Heartbeats(db).alive(clock.now())
        if prepare:  # (`concierge migrate --dry-run` looks without changing anything)
            await ensure_indexes(db, drop_stale=not others)
        events = EventStore(db, clock)
        store = Store(
            client,
            db,
            events,
            Projector(db, events),
            Inbox(db, clock),
            Deliveries(db, clock),
            engine,
            data_file,
        )
        if catch_up:
            await store.projector.start_up(clock.now(), others.values())
            await store.words.start_up(events, clock.now())
        yield store
    finally:
        if store is not None:
            await store.open_cards.close()  # (its full read in flight, if any)
        await client.close()
        if engine is not None:
            await asyncio.to_thread(engine.stop)
