"""Live updates for open console tabs: ONE reader per instance fans each event out to the tabs allowed to see
it — and, to open boards, the cards it changed (board_live.py): this instance's own events at once, from what
it recorded (no read of the log for them), and every second the log for the others' (those already sent are
known by id). A tab that reconnects names its last event id and is replayed what it missed from the store (a
board draws itself again whole)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from bot.console import board_live
from bot.console.live_lines import OVERLAP, Telling
from bot.workers.tasks import wait_for_work
from domain.clients import Assistant
from domain.events import Event, EventType
from engine.console import reads
from engine.deps import Deps
from engine.team.sign_in import session_of
from storage.timefmt import to_ms

log = structlog.get_logger(__name__)

POLL = 1.0  # seconds between looks at the log for other instances' events
QUEUE = 1000  # a tab that falls this far behind is closed; it reconnects and is replayed from the store
CLOSE = None  # put on a tab's queue: its session is over
KEEPALIVE = (
    15.0  # seconds between keep-alives, put on every open tab at once (one timer for all, not one a tab)
)
KEPT_ALIVE = ": keep-alive\n\n"  # put on a tab's queue: written (proxies keep it open)


@dataclass(eq=False)
class Tab:
    viewer: Assistant
    board: bool = False  # an open board: it is sent the cards events change
    session: str | None = None  # its session's token: looked at by the keep-alive (None: not looked at)
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE))


@dataclass
class Batch:
    """Events fanned out together: a client's cards read once for all of them, and the same cards sent to a
    tab once. Each event is put on a tab's queue as one message (its line and its cards)."""

    cards: dict[str, reads.ClientCards] = field(default_factory=dict)
    event: dict[Tab, list[str]] = field(default_factory=dict)  # the event being fanned out: per tab
    cards_sent: dict[Tab, set[str]] = field(default_factory=dict)

    def add(self, tab: Tab, message: str) -> None:
        if message.startswith("event: card"):
            sent = self.cards_sent.setdefault(tab, set())
            if message in sent:
                return
            sent.add(message)
        self.event.setdefault(tab, []).append(message)


class LiveLog:
    def __init__(self, deps: Deps, render: Callable[[Assistant, reads.Card], str] | None = None) -> None:
        self._deps = deps
        self._render = render  # one card's HTML for a viewer (None: no boards are sent cards)
        self._tabs: set[Tab] = set()
        self._wake = asyncio.Event()
        self._seen: dict[str, int] = {}  # event id → at_ms, for the overlap window
        self._cursor_ms = to_ms(deps.clock.now())
        self.told = Telling(deps)  # whose an event is, its line for a viewer, a reconnecting tab's replay
        # an event read before this instance's `record` had finished with it (projections, clocks) may have
        # drawn its cards from the state before it: they are drawn again once it has (or a poll later)
        self._settled: dict[str, int] = {}  # event id → at_ms: this instance's writes, fully recorded
        self._reading = asyncio.Lock()
        self._again: dict[str, tuple[Event, float]] = {}
        self._recorded: list[Event] = []  # this instance's own events, recorded, not sent yet
        self._polled = 0.0  # (monotonic) the last read of the log
        self._kept_alive = time.monotonic()
        self._keeping: asyncio.Task[None] | None = None  # the keep-alive (its look at the sessions)

    # --- the tabs ---
    def subscribe(self, viewer: Assistant, board: bool = False, session: str | None = None) -> Tab:
        tab = Tab(viewer, board, session)
        self._tabs.add(tab)
        self._wake.set()
        return tab

    def unsubscribe(self, tab: Tab) -> None:
        self._tabs.discard(tab)

    def wake(self) -> None:
        self._wake.set()

    async def on_recorded(self, event: Event) -> None:
        """A listener of `Deps.record` (the last): this instance wrote an event, fully recorded — sent to the
        tabs as it is (not read back from the log). One heard again (a step replayed) is sent once: within
        the reader's window it is known by id, and one older than the window is not sent again."""
        at = to_ms(event.at)
        if board_live.touches_cards(event):
            self._settled[event.id] = at
        if self._tabs and event.id not in self._seen and at >= self._horizon():
            self._recorded.append(event)
        self._wake.set()

    def _horizon(self) -> int:
        return self._cursor_ms - 2 * int(OVERLAP.total_seconds() * 1000)

    # --- the one reader ---
    async def run(self, stopping: asyncio.Event) -> None:
        try:
            await self._run(stopping)
        finally:
            if self._keeping is not None:
                self._keeping.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._keeping

    async def _run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            await wait_for_work(self._wake, stopping, POLL)  # (a stop does not wait for the poll)
            if stopping.is_set():
                return
            self._wake.clear()
            if time.monotonic() - self._kept_alive >= KEEPALIVE and self._keeping is None:
                self._kept_alive = time.monotonic()  # (beside the fan-out: it reads the store)
                self._keeping = asyncio.create_task(self.keep_alive())
            if not self._tabs:
                self._recorded.clear()
                self._cursor_ms = max(self._cursor_ms, to_ms(self._deps.clock.now()) - 1)
                continue
            try:
                if self._recorded and time.monotonic() - self._polled < POLL:
                    await self.send_recorded()  # (the log's turn comes at the poll)
                else:
                    await self.read_once()
            except Exception:  # the store failing over: the next look catches up
                log.warning("console.live_read_failed", exc_info=True)

    async def send_recorded(self) -> None:
        """This instance's own events recorded since the last look, sent as they were recorded."""
        async with self._reading:  # one fan-out at a time: two would send the same events twice
            batch = Batch()
            await self._draw_again(batch)
            await self._send_recorded(batch)

    async def read_once(self) -> int:
        """This instance's own events recorded since the last look, then the log's (the others')."""
        async with self._reading:
            batch = Batch()
            await self._draw_again(batch)
            await self._send_recorded(batch)
            return await self._read_log(batch)

    async def _send_recorded(self, batch: Batch) -> None:
        recorded, self._recorded = self._recorded, []
        for event in recorded:
            if event.id not in self._seen:
                self._sent(event.id, to_ms(event.at))
                await self.fan_out(event, batch)

    def _sent(self, event_id: str, at_ms: int) -> None:
        self._seen[event_id] = at_ms
        self._cursor_ms = max(self._cursor_ms, at_ms)

    async def _read_log(self, batch: Batch) -> int:
        self._polled = time.monotonic()
        since = self._cursor_ms - int(OVERLAP.total_seconds() * 1000)
        docs = (
            await self._deps.store.db["events"]
            .find({"at_ms": {"$gte": since}})
            .sort("at_ms", 1)
            .to_list(5000)
        )
        fresh = [d for d in docs if d["_id"] not in self._seen]
        fresh.sort(key=lambda d: (d["at_ms"], d["_id"]))
        for doc, event in zip(fresh, await self._deps.store.events.opened(fresh), strict=True):
            self._sent(doc["_id"], doc["at_ms"])
            await self.fan_out(event, batch)
        horizon = self._horizon()
        self._seen = {k: v for k, v in self._seen.items() if v >= horizon}
        self._settled = {k: v for k, v in self._settled.items() if v >= horizon}
        return len(fresh)

    def _flush(self, batch: Batch) -> None:
        for tab, messages in batch.event.items():
            self._put(tab, "".join(messages))  # (one write a tab: the line and its cards)
        batch.event = {}

    async def fan_out(self, event: Event, batch: Batch | None = None) -> None:
        batch = batch or Batch()
        owner = await self.told.owner(event, follow=True)
        made: dict[tuple, str] = {}  # tabs that would be sent the same line share it
        for tab in list(self._tabs):
            if event.type is EventType.ASSISTANT_DEACTIVATED and event.stream_id == tab.viewer.id:
                self._close(tab)
                continue
            if not self.told.allowed(tab.viewer, owner[2]):
                continue
            viewer = tab.viewer
            key = (viewer.ui_language, viewer.lead, viewer.id == owner[2])
            if key not in made:
                made[key] = await self.told.message(event, viewer, owner)
            batch.add(tab, made[key])
        for tab, message in await self.card_messages(event, owner, batch):
            batch.add(tab, message)
        self._flush(batch)

    async def card_messages(
        self, event: Event, owner: tuple, batch: Batch | None = None
    ) -> list[tuple[Tab, str]]:
        """The cards this event changed, for every open board that may see them (rendered once a language)."""
        boards = [tab for tab in self._tabs if tab.board]
        if not boards or self._render is None:
            return []
        if event.type in board_live.REDRAW_TYPES:
            return [(tab, board_live.REDRAW) for tab in boards]
        client_id, request_id, _ = owner
        if not board_live.touches_cards(event) or client_id is None:
            return []
        if event.id not in self._settled:
            self._again[event.id] = (event, time.monotonic())
        update = await self.cards(event, client_id, request_id, boards, self._render, batch or Batch())
        return [(tab, message) for tab in boards if (message := update.message(tab.viewer)) is not None]

    async def cards(
        self,
        event: Event,
        client_id: str,
        request_id: str | None,
        boards: list[Tab],
        render: Callable[[Assistant, reads.Card], str],
        batch: Batch,
    ) -> board_live.CardUpdate:
        found = batch.cards.get(client_id)  # (read once for the events fanned out together)
        if found is None:
            found = batch.cards[client_id] = await reads.client_cards(
                self._deps, client_id, await self.told.names(event)
            )
        gone = [request_id] if request_id and request_id in found.off_board else []
        before = None
        new_owner = found.owner
        if event.type is EventType.CLIENT_ASSIGNED and any(
            not t.viewer.lead and t.viewer.id != new_owner for t in boards
        ):
            before = board_live.previous_owner(await self._deps.store.events.read(event.stream), event)
        return board_live.CardUpdate(found, gone, before, render)

    async def _draw_again(self, batch: Batch) -> None:
        """Cards drawn while their event was still being recorded, drawn again now that it has been (this
        instance's writes), or a poll later (another instance's): the state they show is the latest."""
        now = time.monotonic()
        due = [
            (event, at) for event, at in self._again.values() if event.id in self._settled or now - at >= POLL
        ]
        for event, _ in due:
            self._again.pop(event.id, None)
        for event, _ in due:
            self._settled.setdefault(event.id, to_ms(event.at))  # (once)
            for tab, message in await self.card_messages(event, await self.told.owner(event), batch):
                batch.add(tab, message)
            self._flush(batch)

    async def keep_alive(self) -> None:
        """Every open tab is sent a keep-alive, and one whose session ended meanwhile (signed out, expired,
        its assistant deactivated) is closed instead. Each session is looked at once however many tabs it
        has open, one after another, beside the fan-out (a task of its own): a tab's stream never waits for
        a read of its own. (When each stream looked at its own session at the keep-alive, 200 tabs sent 400
        reads at once, and each tab's next event waited behind its stream's: 150-360 ms, README goal 4.)"""
        try:
            looked: set[str] = set()
            ended: set[str] = set()
            for tab in list(self._tabs):
                if tab.session is not None and tab.session not in looked:
                    looked.add(tab.session)
                    if await session_of(self._deps, tab.session) is None:
                        ended.add(tab.session)
            for tab in list(self._tabs):
                if tab.session in ended:
                    self._close(tab)  # (its stream ends: the browser's reconnect is refused, signed out)
                else:
                    self._put(tab, KEPT_ALIVE)
        except Exception:  # the store failing over: kept alive, looked at again at the next keep-alive
            log.warning("console.keep_alive_failed", exc_info=True)
            for tab in list(self._tabs):
                self._put(tab, KEPT_ALIVE)
        finally:
            self._keeping = None

    def _put(self, tab: Tab, message: str) -> None:
        try:
            tab.queue.put_nowait(message)
        except asyncio.QueueFull:
            self._close(tab)  # it reconnects and is replayed what it missed

    def close_all(self) -> None:
        """The service is stopping: every open tab's stream ends now (the browser reconnects elsewhere)."""
        for tab in list(self._tabs):
            self._close(tab)

    def _close(self, tab: Tab) -> None:
        self._tabs.discard(tab)
        with contextlib.suppress(asyncio.QueueFull):
            tab.queue.put_nowait(CLOSE)
        if tab.queue.full():  # make room for the close itself
            tab.queue.get_nowait()
            tab.queue.put_nowait(CLOSE)
