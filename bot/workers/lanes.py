"""The loop every worker shares, and the lanes every delivery worker serves.

`WorkLoop.run` calls `run_once` until asked to stop, sleeping until what `run_once` says is next due, or
until woken by new work; a deadline runner is one more `run_once`. `LaneWorker.run_once` keeps a copy of one
channel's queue (read whole now and then, otherwise only what changed since it last looked), groups it in
lanes (one chat, one topic: order matters only inside a lane), leaves a head that another worker holds under
a live lease, and hands each head that is due to the channel's worker: lanes that have never been served (a
new topic, a first relay) first, then round-robin, least recently served first, so one busy lane never
starves the others."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable
from datetime import datetime, timedelta

import structlog

from bot.workers.admission import Admission
from bot.workers.tasks import wait_for_work
from domain.clock import Clock
from storage.arrival import PER_MS
from storage.deliveries import Deliveries, Delivery, DeliveryStatus
from storage.heartbeats import BEAT, Heartbeats, Peers
from storage.projector import Projector
from storage.timefmt import from_ms, to_ms

RESYNC = timedelta(seconds=30)  # the whole queue read now and then: what a late clock stamped is seen too
# an older version's writes are looked at this far back at each beat (a late clock, a missed beat covered)
BESIDE_AN_OLDER = timedelta(minutes=1)
OVERLAP_MS = 1000  # changes read again this far back: a write stamped before our last read may land after it
# a pass the worker timed itself (a head's budget, a retry) trusts its copy if it read the store this recently
# and nothing woke it or touched the queue since: another instance's writes are read at least this often
FRESH = timedelta(seconds=5)

log = structlog.get_logger(__name__)


class WorkLoop:
    name = "worker"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.wake = asyncio.Event()

    async def run_once(self) -> datetime | None:
        """Do what is due; return when something next falls due (None: nothing known)."""
        raise NotImplementedError

    async def run(self, stopping: asyncio.Event, idle_poll: float = 2.0) -> None:
        """Production loop, in real time; `idle_poll` bounds every sleep (another instance may add work)."""
        while not stopping.is_set():
            self.wake.clear()  # before looking: work stored while we run wakes the next round
            try:
                wake = await self.run_once()
            except Exception:
                log.exception(f"{self.name}.worker_error")
                wake = None
            delay = idle_poll if wake is None else max(0.0, (wake - self._clock.now()).total_seconds())
            await wait_for_work(self.wake, stopping, min(delay, idle_poll))


class LaneWorker(WorkLoop):
    channel = ""
    lease = timedelta(seconds=60)
    keeps_copy = False  # applies its own sends to its copy (`done`, `touched`): may trust it between reads

    def __init__(self, deliveries: Deliveries, clock: Clock) -> None:
        super().__init__(clock)
        self._deliveries = deliveries
        self.worker_id = f"{self.channel}-{secrets.token_hex(4)}"
        self._queue: dict[str, Delivery] = {}
        self._seen = 0  # the newest change stamp applied to `_queue`
        self._synced: datetime | None = None
        # the round-robin's memory, for lanes with work: when each last sent (ms), and which have sent more
        # than their setup (a new topic's creation and card) since they last ran empty
        self._served: dict[str, int] = {}
        self._started: set[str] = set()
        self.admission = Admission()  # the engine's: acknowledgements go first
        # what decides whether a pass reads the store's changes: when it last did, when this worker said it
        # would look again (the last pass's answer), and whether anything since may be missing from the copy
        self._read_at: datetime | None = None
        self._due: datetime | None = None
        self._stale = True
        self.trusted = False  # this pass reads nothing: its copy (and what it read with it) is fresh

    def poke(self) -> None:
        """New work stored (by this instance): the next pass reads what changed."""
        self._stale = True
        self.wake.set()

    def touched(self) -> None:
        """A write of ours whose result the copy does not show (a retry, a refusal): the next pass reads."""
        self._stale = True

    def _trusts(self, now: datetime, due: datetime | None) -> bool:
        """The pass is the one the last pass timed, nothing woke the worker or touched the queue since, and
        the store was read within FRESH: the copy, kept with this worker's own claims and sends, is the
        queue but for other instances' writes of the last seconds (which a claim refuses)."""
        return (
            self.keeps_copy
            and due is not None
            and now >= due
            and not self._stale
            and self._read_at is not None
            and now - self._read_at < FRESH
        )

    def lane_of(self, item: Delivery) -> str:
        """The lane an item waits in (a channel may split a stored lane: card edits apart from messages)."""
        return item.lane

    def rank(self, lane: str, head: Delivery) -> int:
        """Lanes of a lower rank are served first: a new lane (a topic's creation and card, then its first
        message) ahead of the others' tails, and a lane with a message ahead of one whose head is of a lower
        priority (a card posted again)."""
        return 0 if head.prio == 0 or (head.prio == 1 and lane not in self._started) else head.prio

    def _order(self, lane: str, head: Delivery) -> tuple[int, int, int]:
        """Lanes by rank; within a rank of messages (0, 1) the round robin (the lane that sent longest ago
        first), behind them oldest first: a card whose client keeps writing would otherwise wait behind every
        quieter lane's card, each new one too, for as long as the client writes (bench/soak.py: a request
        card 18 minutes unposted, and later)."""
        rank = self.rank(lane, head)
        return rank, self._served.get(lane, 0) if rank <= 1 else 0, head.n

    async def prepare(self, heads: list[Delivery], now: datetime) -> None:
        """Read what this round's decisions need (a rate limit's state), once."""

    def slot(self, head: Delivery, now: datetime) -> datetime:
        """The earliest the head may go besides its own retry time (a rate limit); `now` by default."""
        return now

    def after(self, head: Delivery, follower: Delivery, now: datetime) -> datetime | None:
        """When the item behind a head that goes now may follow it (None: when the worker next looks)."""
        return None

    def take(self, head: Delivery, lane: list[Delivery], now: datetime) -> Awaitable[None]:
        """The head goes now: account for it at once (before the next lane is looked at) and return the
        sending, which runs side by side with the other lanes'."""
        raise NotImplementedError

    async def went(self) -> None:
        """Every lane decided and its sending run: what the pass's sends do together (nothing by default)."""

    def queued(self) -> list[Delivery]:
        """The queue as this round read it."""
        return list(self._queue.values())

    async def queue(self, due: datetime | None = None) -> list[Delivery]:
        """This channel's pending and in-flight deliveries: the whole queue on the first call and every
        RESYNC, otherwise what changed since the last look applied to the copy — or nothing read, the copy
        as it is, when `due` (what the last pass said it would look at) has come and the copy is trusted."""
        now = self._clock.now()
        resync = self._synced is None or now - self._synced >= RESYNC
        self.trusted = not resync and self._trusts(now, due)
        if self.trusted:
            return list(self._queue.values())
        self._stale, self._read_at = False, now  # (a wake during the read: read again next pass)
        if resync:
            self._synced, self._seen = now, to_ms(now) * PER_MS
            self._queue = {d.id: d for d in await self._deliveries.unfinished(self.channel)}
        else:
            for item in await self._deliveries.changed_since(self._seen - OVERLAP_MS * PER_MS, self.channel):
                self._seen = max(self._seen, item.changed)
                if item.in_queue:
                    self._queue[item.id] = item
                else:
                    self._queue.pop(item.id, None)
        return list(self._queue.values())

    async def run_once(self) -> datetime | None:
        """Send every lane's head that may go now; return when the next one may (None: idle)."""
        await self.admission.give_way()
        now, due, self._due = self._clock.now(), self._due, None  # (a pass that fails is not trusted after)
        lanes: dict[str, list[Delivery]] = {}
        for item in sorted(await self.queue(due), key=lambda d: (d.prio, d.n)):
            lanes.setdefault(self.lane_of(item), []).append(item)
        ordered = sorted(lanes.items(), key=lambda kv: self._order(kv[0], kv[1][0]))
        await self.prepare([items[0] for _, items in ordered], now)
        wake: datetime | None = None
        sending: list[Awaitable[None]] = []
        for name, lane in ordered:
            head = lane[0]
            if head.status is DeliveryStatus.SENDING and head.lease_ms >= to_ms(now):
                continue  # in flight with another worker
            due = from_ms(head.next_attempt_ms) if head.status is DeliveryStatus.PENDING else now
            due = max(due, self.slot(head, now))
            if due > now:
                wake = due if wake is None else min(wake, due)
                continue
            self._served[name] = to_ms(now)
            if head.prio > 0:
                self._started.add(name)
            sending.append(self.take(head, lane, now))
            if len(lane) > 1 and (follows := self.after(head, lane[1], now)) is not None:
                wake = follows if wake is None else min(wake, follows)
        for gone in set(self._served) - set(lanes):  # an emptied lane starts over as new when it fills
            del self._served[gone]
            self._started.discard(gone)
        await asyncio.gather(*sending)
        await self.went()
        self._due = wake
        return wake

    async def claim(self, item: Delivery, calling: bool = False) -> Delivery | None:
        claimed = await self._deliveries.claim_id(item.id, self.worker_id, self.lease, calling)
        if claimed is None:
            self.touched()  # (another worker has it: the copy is behind)
        else:
            self._queue[claimed.id] = claimed
        return claimed

    def done(self, item: Delivery) -> None:
        """Sent by this worker (the store said so): out of the copy."""
        self._queue.pop(item.id, None)


class HeartbeatLoop(WorkLoop):
    """This instance's heartbeat, and the reaper of silent ones: every BEAT. While an older version runs
    beside this one (a rolling upgrade), it also folds what that one wrote lately in this version's shape:
    the older one leaves this version's documents as they are (or, from before formats were told, writes
    its own shape over them)."""

    name = "heartbeat"

    def __init__(
        self,
        heartbeats: Heartbeats,
        clock: Clock,
        instance: str,
        workers: list[str],
        projector: Projector,
        peers: Peers | None = None,
    ) -> None:
        super().__init__(clock)
        self._heartbeats = heartbeats
        self._projector = projector
        self.instance = instance
        self.workers = workers  # the ids of this instance's workers, as they claim with
        self.peers = peers or Peers()  # what each beat finds of the others, for this instance's workers

    async def run_once(self) -> datetime | None:
        now = self._clock.now()
        await self._heartbeats.beat(self.instance, self.workers, now, self._projector.format)
        for reaped in await self._heartbeats.reap(now):
            log.warning("heartbeat.instance_gone", instance=reaped)
        others = await self._heartbeats.alive(now)
        self.peers.beat(now, len(others.keys() - {self.instance}))
        if any(fmt < self._projector.format for instance, fmt in others.items() if instance != self.instance):
            await self._projector.catch_up_since(now - BESIDE_AN_OLDER)
        return now + BEAT

    async def stop(self) -> None:
        """A clean stop: what this instance held is free at once."""
        await self._heartbeats.release(self.instance, self.workers, self._clock.now())
