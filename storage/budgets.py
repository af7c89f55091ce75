"""Sending budgets kept in MongoDB, so that any number of instances on one store stay within a provider's
limits together (Telegram's: 1 message a second per chat, 20 a minute per group, 30 a second overall), and the
waits a 429 asked for. A budget is a set of slots, each free again at a time: one slot per chat (busy
`per_chat` after a send), `group_limit` per group (each busy `group_window`: at most that many sends in any
window) and `global_limit` global ones. An edit of a message (a card) is a send to Telegram: charged to
the chat's slot and the group's allowance like a new message, and to one slot per card (busy
`card_interval`: edits of one card between two sends are coalesced by the worker). A pool's slots are the
fields of one document (`pool:<group>`, `s0`…), so the worker's view of every budget a pass may spend is a
dozen documents, not one per slot: a store builds each document it reads, and hundreds of them a pass were
most of what it built (README, *Soak*). A send takes one slot of each with an atomic update, all or none (each
slot on the condition that it is free, a single-document update); a slot taken for a send that then could not
go (or that Telegram refused with 429, so did not count) is handed back. Every read is an `_id` seek."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from storage.bulk import duplicates
from storage.timefmt import from_ms, to_ms

GLOBAL = "global"
ANYONE = "*"


@dataclass(frozen=True, slots=True)
class Limits:
    per_chat: timedelta
    group_window: timedelta
    group_limit: int
    global_window: timedelta
    global_limit: int
    card_interval: timedelta = timedelta()  # at most one edit of one card in this interval
    group_prefix: str = "-"  # Telegram: groups and channels have negative ids

    def is_group(self, chat: str) -> bool:
        return chat.startswith(self.group_prefix)

    def group_of(self, chat: str) -> str | None:
        """The group allowance a send (a message or an edit) is charged to, if any."""
        return chat if self.is_group(chat) else None

    def size(self, group: str) -> int:
        return self.global_limit if group == GLOBAL else self.group_limit


@dataclass(frozen=True, slots=True)
class Taken:
    id: str  # the document: `chat:<chat>`, `card:<card>` or a pool's `pool:<group>`
    field: str  # the slot in it: `free_at_ms`, or the pool's `s<i>`
    previous: int  # when it was free before we took it (ms)
    ours: int  # when we said it is free again (ms)
    busy_ms: int


FORGET_OVER = 256  # a kept view forgets the chats free again once it counts more than this many


@dataclass
class BudgetView:
    """One read of the budgets of some chats: when may the next message go, and is a group under pressure."""

    now: datetime
    limits: Limits
    chat_free: dict[str, int] = field(default_factory=dict)  # chat → free_at_ms
    group_slots: dict[str, list[int]] = field(default_factory=dict)  # group → free_at_ms of its slots
    # group → which of its slots a client's words took (a relay, not a card): what every instance leaves room
    # for while clients are writing, kept with the slots so that each sees the others' (`words_sent`)
    group_words: dict[str, list[bool]] = field(default_factory=dict)
    global_slots: list[int] = field(default_factory=list)
    blocked: dict[str, int] = field(default_factory=dict)  # chat or ANYONE → until_ms
    pressure: dict[str, int] = field(default_factory=dict)  # group → when it last ran out, ms

    def at(self, now: datetime) -> None:
        """The view as of `now` (kept from an earlier pass): the chats and cards free again forgotten, so a
        view kept for hours holds the last seconds' sends, not every chat it ever counted."""
        self.now, free = now, to_ms(now)
        if len(self.chat_free) > FORGET_OVER:
            self.chat_free = {key: at for key, at in self.chat_free.items() if at > free}
        if len(self.blocked) > FORGET_OVER:
            self.blocked = {key: until for key, until in self.blocked.items() if until > free}

    def keep(self, older: BudgetView, chats: Set[str], cards: Set[str]) -> None:
        """What `older` (the view this read replaces) showed busy of the budgets this read did not cover: the
        sends counted on it (this worker's own, a moment ago), which a view kept while alone would otherwise
        take for free until the store refused one."""
        busy, groups = to_ms(self.now), {c for c in chats if self.limits.is_group(c)}
        read = {*chats, *(f"card:{card}" for card in cards)}
        pools = groups
        for key, at in older.chat_free.items():
            if key not in read and at > busy:
                self.chat_free.setdefault(key, at)
        for key, until in older.blocked.items():
            if key not in chats and key != ANYONE and until > busy:
                self.blocked.setdefault(key, until)
        for pool, slots in older.group_slots.items():
            if pool not in pools:
                self.group_slots.setdefault(pool, list(slots))
                self.group_words.setdefault(pool, list(older.group_words.get(pool, ())))
        for group, at in older.pressure.items():
            if group not in groups:
                self.pressure.setdefault(group, at)

    def next_slot(self, chat: str, card: str | None = None, reserve: int = 0) -> datetime:
        """When a message to `chat` (or an edit of `card` there) may go next; `reserve`: only while that many
        more of the group's slots stay free (for what matters more)."""
        now = to_ms(self.now)
        candidates = [
            now,
            self.blocked.get(ANYONE, now),
            self.blocked.get(chat, now),
            self.chat_free.get(chat, now),
        ]
        if card is not None:
            candidates.append(self.chat_free.get(f"card:{card}", now))
        if group := self.limits.group_of(chat):
            slots = self.group_slots.get(group, [])
            candidates.append(_earliest_free(slots, self.limits.size(group), now, reserve))
        candidates.append(_earliest_free(self.global_slots, self.limits.global_limit, now))
        return from_ms(max(candidates))

    def use(self, chat: str, card: str | None = None, words: bool = False) -> None:
        """Count a send decided on this view, so later decisions on it see the slots taken (`words`: a
        client's words relayed to a group)."""
        now, limits = to_ms(self.now), self.limits
        self.chat_free[chat] = now + ms(limits.per_chat)
        if card is not None:
            self.chat_free[f"card:{card}"] = now + ms(limits.card_interval)
        if group := limits.group_of(chat):
            slots = self.group_slots.setdefault(group, [])
            i = _use(slots, limits.size(group), now, ms(limits.group_window))
            flags = self.group_words.setdefault(group, [])
            flags += [False] * (len(slots) - len(flags))
            flags[i] = words
        _use(self.global_slots, limits.global_limit, now, ms(limits.global_window))

    def words_sent(self, group: str) -> list[int]:
        """When each of the group's slots that clients' words took in the last window is free again (ms),
        whichever instance sent them: a slot is busy a window from its send."""
        now, slots = to_ms(self.now), self.group_slots.get(group, [])
        flags = self.group_words.get(group, [])
        return [at for at, words in zip(slots, flags, strict=False) if words and at > now]

    def moved(self, slot: Taken, to: int) -> None:
        """A slot taken on this view's budgets kept busy until `to` (Budgets.sent): seen so here too."""
        kind, _, name = slot.id.partition(":")
        if kind in ("chat", "card"):
            key = name if kind == "chat" else slot.id
            self.chat_free[key] = max(self.chat_free.get(key, 0), to)
            return
        slots = self.global_slots if name == GLOBAL else self.group_slots.get(name)
        if slots:  # (the one `use` counted for it: the nearest to when the take said it frees)
            i = min(range(len(slots)), key=lambda k: abs(slots[k] - slot.ours))
            slots[i] = max(slots[i], to)

    def under_pressure(self, chat: str) -> bool:
        """The group ran out within the last window, or has no slot free now: merge what waits for it."""
        now = to_ms(self.now)
        exhausted = self.pressure.get(chat)
        recent = exhausted is not None and now - exhausted < ms(self.limits.group_window)
        return recent or _earliest_free(self.group_slots.get(chat, []), self.limits.group_limit, now) > now


def _earliest_free(slots: list[int], count: int, now: int, reserve: int = 0) -> int:
    """When `reserve` + 1 of `count` slots are free (slots never used are free now; `slots` holds when each
    used one frees)."""
    reserve, unused = min(reserve, count - 1), count - len(slots)
    if unused > reserve:
        return now
    return max(now, sorted(slots)[reserve - unused])


def _use(slots: list[int], count: int, now: int, busy: int) -> int:
    """The slot free earliest taken from `now` for `busy`: its index."""
    if len(slots) < count:
        slots.append(now + busy)
        return len(slots) - 1
    i = slots.index(min(slots))
    slots[i] = now + busy
    return i


def _pool_id(group: str) -> str:
    return f"pool:{group}"


def _slot(i: int) -> str:
    return f"s{i}"


def _words(i: int) -> str:
    """Beside a group's slot `s<i>`: whether a client's words took it."""
    return f"w{i}"


def ms(delta: timedelta) -> int:
    return int(delta.total_seconds() * 1000)


Chosen = tuple[str, str, timedelta, dict[str, bool]]  # a slot chosen: document, field, busy for, marks beside

TRIES = 3  # a pool's slot chosen by another instance between our read and our write: read again, this often


class Budgets:
    def __init__(self, db: AsyncDatabase, limits: Limits) -> None:
        self._slots = db["budgets"]
        self.limits = limits
        self._slotted: set[str] = set()  # pools whose document exists with every slot (never removed)
        self._seen: dict[str, list[int]] = {}  # a pool's slots' free_at_ms as last read or set here

    async def view(self, chats: set[str], now: datetime, cards: Set[str] = frozenset()) -> BudgetView:
        """The budgets of messages to `chats` and edits of `cards` there, in one read by `_id`."""
        view = BudgetView(now, self.limits)
        groups = sorted(c for c in chats if self.limits.is_group(c))
        ids = [f"chat:{c}" for c in chats] + [f"card:{c}" for c in cards]
        ids += [f"block:{c}" for c in (*chats, ANYONE)] + [f"pressure:{g}" for g in groups]
        ids += [_pool_id(pool) for pool in (*groups, GLOBAL)]
        async for doc in self._slots.find({"_id": {"$in": ids}}):
            kind, _, name = doc["_id"].partition(":")
            if kind == "chat":
                view.chat_free[name] = doc["free_at_ms"]
            elif kind == "card":
                view.chat_free[doc["_id"]] = doc["free_at_ms"]
            elif kind == "block":
                view.blocked[name] = doc["until_ms"]
            elif kind == "pressure":
                view.pressure[name] = doc["at_ms"]
            elif kind == "pool":
                self._remember(name, doc)
                slots = list(self._seen[name])  # (the view's own copy: `use` counts on it)
                if name == GLOBAL:
                    view.global_slots = slots
                else:
                    view.group_slots[name] = slots
                    view.group_words[name] = [bool(doc.get(_words(i))) for i in range(len(slots))]
        return view

    def _remember(self, pool: str, doc: dict) -> bool:
        """A pool's slots as read; False when its document lacks some (made under older limits)."""
        slots = [doc.get(_slot(i)) for i in range(self.limits.size(pool))]
        self._seen[pool] = [0 if s is None else s for s in slots]
        if None in slots:
            self._slotted.discard(pool)  # (made again at the next take)
            return False
        return True

    async def _read(self, pools: list[str]) -> set[str]:
        """The pools' slots as they are in the store now (one read by `_id`): those found whole."""
        for pool in pools:
            self._seen.pop(pool, None)
        whole = set()
        async for doc in self._slots.find({"_id": {"$in": [_pool_id(p) for p in pools]}}):
            if self._remember(pool := doc["_id"].partition(":")[2], doc):
                whole.add(pool)
        return whole

    async def take(
        self, chat: str, now: datetime, card: str | None = None, words: bool = False
    ) -> list[Taken] | None:
        """One slot of each budget a message to `chat` (or an edit of `card`) falls under, all or none
        (None), in one write: each slot on the condition that it is free now (a busy one refuses it, as a
        duplicate `_id`). A pool's slot is the one free earliest as this instance last read or set it
        (`view`); a pool never read, or with none free by then, is read first (another instance may have
        handed one back). When another instance took the slot chosen, the pool is read again. `words`: a
        client's words relayed to a group, marked on the group's slot (`BudgetView.words_sent`)."""
        at, group = to_ms(now), self.limits.group_of(chat)
        own, pools = self._wanted(chat, card)
        await self._ensure_slots(*(pool for pool, _ in pools))
        for _ in range(TRIES):
            if stale := [pool for pool, _ in pools if self._free_slot(pool, at) is None]:
                await self._read(stale)
            free = {pool: self._free_slot(pool, at) for pool, _ in pools}
            if full := next((pool for pool, i in free.items() if i is None), None):
                if full == group:
                    await self._mark_pressure(full, at)
                return None
            slots = [(pool, i, busy) for pool, busy in pools if (i := free[pool]) is not None]
            for pool, i, busy in slots:  # (a send beside this one chooses another)
                self._seen[pool][i] = at + ms(busy)
            chosen = own + [self._pooled(pool, i, busy, words) for pool, i, busy in slots]
            taken, refused = await self._write(chosen, at)
            if not refused:
                return taken
            await self.give_back(taken)
            if any(not chosen[k][0].startswith("pool:") for k in refused):
                return None  # the chat's (or the card's) own slot is busy, whoever took it
            for k in refused:  # another instance took the pool's slot we chose: read the pool again
                self._seen.pop(chosen[k][0].partition(":")[2], None)
        return None

    async def take_all(
        self, sends: list[tuple[str, str | None, bool]], now: datetime
    ) -> list[list[Taken] | None]:
        """`take` for several sends (chat, card, words) of one pass, in one write when nothing refuses: each
        send's slots all or none, as `take`. A send one of whose pools' slots another instance took meanwhile
        is handed back and taken again on its own (`take`: the pool read again); one whose own slot is busy,
        or whose group is full, gets None. Slots chosen for two sends are never the same."""
        if len(sends) <= 1:
            return [await self.take(chat, now, card, words) for chat, card, words in sends]
        at, limits = to_ms(now), self.limits
        wanted = [self._wanted(chat, card) for chat, card, _ in sends]
        await self._ensure_slots(*{pool for _, pools in wanted for pool, _ in pools})
        if stale := {pool for _, pools in wanted for pool, _ in pools if self._free_slot(pool, at) is None}:
            await self._read(sorted(stale))
        results: list[list[Taken] | None] = [None] * len(sends)
        chosen: list[Chosen] = []
        whose: list[int] = []  # the send each chosen slot is for
        for k, (own, pools) in enumerate(wanted):
            free = {pool: self._free_slot(pool, at) for pool, _ in pools}
            if full := next((pool for pool, i in free.items() if i is None), None):
                if full == limits.group_of(sends[k][0]):
                    await self._mark_pressure(full, at)
                continue
            slots = [(pool, i, busy) for pool, busy in pools if (i := free[pool]) is not None]
            for pool, i, busy in slots:  # (the next send chooses another)
                self._seen[pool][i] = at + ms(busy)
            mine = own + [self._pooled(pool, i, busy, sends[k][2]) for pool, i, busy in slots]
            chosen += mine
            whose += [k] * len(mine)
        taken, refused = await self._write(chosen, at)
        lost = {whose[k] for k in refused}
        kept = [k for k in range(len(chosen)) if k not in refused]
        for slot, k in zip(taken, kept, strict=True):
            if whose[k] not in lost:
                results[whose[k]] = [*(results[whose[k]] or []), slot]
        await self.give_back([slot for slot, k in zip(taken, kept, strict=True) if whose[k] in lost])
        for k in sorted(lost):  # (another instance was quicker: as `take` would, on its own)
            if not any(not chosen[j][0].startswith("pool:") for j in refused if whose[j] == k):
                for j in refused:
                    if whose[j] == k:
                        self._seen.pop(chosen[j][0].partition(":")[2], None)
                chat, card, words = sends[k]
                results[k] = await self.take(chat, now, card, words)
        return results

    def _wanted(self, chat: str, card: str | None) -> tuple[list[Chosen], list[tuple[str, timedelta]]]:
        """What a send to `chat` (an edit of `card`) takes: its own slots, and one slot of which pools."""
        limits = self.limits
        group = limits.group_of(chat)
        pools = [(group, limits.group_window)] if group else []
        pools.append((GLOBAL, limits.global_window))
        own: list[Chosen] = [(f"chat:{chat}", "free_at_ms", limits.per_chat, {})]
        if card is not None:
            own.append((f"card:{card}", "free_at_ms", limits.card_interval, {}))
        return own, pools

    def _pooled(self, pool: str, i: int, busy: timedelta, words: bool) -> Chosen:
        """A pool's slot `i` chosen for a send; a group's marked with whether a client's words take it."""
        marks = {} if pool == GLOBAL else {_words(i): words}
        return _pool_id(pool), _slot(i), busy, marks

    async def _write(self, chosen: list[Chosen], at: int) -> tuple[list[Taken], set[int]]:
        """Each chosen slot on the condition that it is free by `at`, in one write: those taken, and the
        indexes of those refused (a busy slot's upsert is refused as a duplicate `_id`)."""
        ops = [
            UpdateOne({"_id": i, f: {"$lte": at}}, {"$set": {f: at + ms(b), **marks}}, upsert=True)
            for i, f, b, marks in chosen
        ]
        refused: set[int] = set()
        try:
            await self._slots.bulk_write(ops, ordered=False)
        except BulkWriteError as error:
            refused = duplicates(error)
        # (each free at `at` or before: handing it back makes it free at `at`, which is the same)
        taken = [
            Taken(i, f, at, at + ms(b), ms(b)) for k, (i, f, b, _) in enumerate(chosen) if k not in refused
        ]
        return taken, refused

    def _free_slot(self, pool: str, at: int) -> int | None:
        """The pool's slot that was free earliest when last read or set here, if it is free by `at`."""
        seen = self._seen.get(pool)
        if not seen:
            return None
        i = min(range(len(seen)), key=seen.__getitem__)
        return i if seen[i] <= at else None

    async def group_load(self, chats: list[str], now: datetime) -> dict[str, float]:
        """How much of each group's window of messages is in use now (sends in the last `group_window` over
        `group_limit`, 0–1): in one read by `_id`."""
        busy, at = dict.fromkeys(chats, 0), to_ms(now)
        async for doc in self._slots.find({"_id": {"$in": [_pool_id(chat) for chat in chats]}}):
            chat = doc["_id"].partition(":")[2]
            busy[chat] = sum(doc.get(_slot(i), 0) > at for i in range(self.limits.group_limit))
        return {chat: n / self.limits.group_limit for chat, n in busy.items()}

    async def give_back(self, taken: list[Taken]) -> None:
        """The send did not happen, or Telegram refused it (a 429 does not count): slots free again."""
        await self._each([(slot, slot.previous) for slot in taken])

    async def sent(self, taken: list[Taken], done: datetime) -> None:
        """The call came back at `done`: its slots stay busy from then on. Telegram counts a message when it
        receives it, somewhere between our call and its answer, so counting from the answer keeps the next
        send far enough behind whatever the network did to this one."""
        await self._each([(s, to_ms(done) + s.busy_ms) for s in taken if to_ms(done) + s.busy_ms > s.ours])

    async def move(self, moves: list[tuple[Taken, int]]) -> None:
        """Several sends' `give_back` and `sent` together: each slot to its time, in one write."""
        await self._each(moves)

    async def _each(self, moves: list[tuple[Taken, int]]) -> None:
        """Slots from the time we set to another, each only if still ours (one write for them all)."""
        if not moves:
            return
        await self._slots.bulk_write(
            [UpdateOne({"_id": s.id, s.field: s.ours}, {"$set": {s.field: to}}) for s, to in moves],
            ordered=False,
        )
        for slot, to in moves:
            seen = self._seen.get(slot.id.partition(":")[2]) if slot.id.startswith("pool:") else None
            if seen is not None and seen[i := int(slot.field[1:])] == slot.ours:
                seen[i] = to

    async def block(self, chat: str | None, until: datetime) -> None:
        """A 429: nothing more to `chat` (None: to anyone) before `until`; a later wait never shortens. The
        chat's own slot is kept busy until then too, so that a take refuses it whatever view it was made on
        (a worker trusting its last view for a few seconds, lanes.py FRESH)."""
        slot_id, until_ms = f"block:{chat or ANYONE}", to_ms(until)
        if chat is not None:
            await self._slots.update_one(
                {"_id": f"chat:{chat}"}, {"$max": {"free_at_ms": until_ms}}, upsert=True
            )
        result = await self._slots.update_one(
            {"_id": slot_id, "until_ms": {"$lt": until_ms}}, {"$set": {"until_ms": until_ms}}
        )
        if result.matched_count == 0:
            with contextlib.suppress(DuplicateKeyError):  # there, and already at or past `until`
                await self._slots.insert_one({"_id": slot_id, "until_ms": until_ms})

    async def ready(self, chats: Iterable[str]) -> None:
        """At start: the pools these chats' messages fall under (and the global one), made in one read and
        one write, so that a first message to a chat (a new client's) costs no more."""
        pools = [GLOBAL]
        for chat in chats:
            if self.limits.is_group(chat):
                pools.append(chat)
        await self._ensure_slots(*pools)

    async def _ensure_slots(self, *pools: str) -> None:
        """Each pool's document with every slot: read (which also tells where the slots stand), and the
        missing made in one write — an upsert of each slot at least 0, so a slot already busy (another
        instance made the pool first) stays as it is."""
        pools = tuple(p for p in pools if p not in self._slotted)
        if not pools:
            return
        whole = await self._read(list(pools))
        missing = [p for p in pools if p not in whole]
        if missing:
            ops = [
                UpdateOne(
                    {"_id": _pool_id(p)},
                    {"$max": {_slot(i): 0 for i in range(self.limits.size(p))}},
                    upsert=True,
                )
                for p in missing
            ]
            with contextlib.suppress(BulkWriteError):  # another instance made (some of) them first
                await self._slots.bulk_write(ops, ordered=False)
            for pool in missing:  # (as made: free; a slot another instance took meanwhile refuses the take)
                self._seen.setdefault(pool, [0] * self.limits.size(pool))
        self._slotted.update(pools)

    async def _mark_pressure(self, group: str, at: int) -> None:
        await self._slots.update_one({"_id": f"pressure:{group}"}, {"$set": {"at_ms": at}}, upsert=True)
