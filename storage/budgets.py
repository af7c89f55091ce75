"""Sending budgets kept in MongoDB, so that any number of instances on one store stay within a provider's
limits together (Telegram's: 1 message a second per chat, 20 a minute per group, 30 a second overall), and the
waits a 429 asked for. A budget is a set of slots, each free again at a time: one slot per chat (busy
`per_chat` after a send), `group_limit` per group (each busy `group_window`: at most that many sends in any
window) and `global_limit` global ones. An edit of a message (a card) is charged to the chat's slot, to the
group's own edit allowance (`edit_limit` slots, apart from new messages) and to one slot per card (busy
`card_interval`: edits of one card between two sends are coalesced by the worker). A send takes one slot of
each with an atomic update, all or none; a slot taken for a send that then could not go (or that Telegram
refused with 429, so did not count) is handed back. Every read is an `_id` seek or a single-field equality."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pymongo import ASCENDING, ReturnDocument, UpdateOne
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
    edit_limit: int = 0  # edits a group allows in `group_window`, apart from messages (0: counted with them)
    card_interval: timedelta = timedelta()  # at most one edit of one card in this interval
    group_prefix: str = "-"  # Telegram: groups and channels have negative ids

    def is_group(self, chat: str) -> bool:
        return chat.startswith(self.group_prefix)

    def group_of(self, chat: str, card: str | None) -> str | None:
        """The group allowance a send is charged to: the group's, its edit allowance's, or none."""
        if not self.is_group(chat):
            return None
        return f"edit:{chat}" if card is not None and self.edit_limit else chat

    def size(self, group: str) -> int:
        if group == GLOBAL:
            return self.global_limit
        return self.edit_limit if group.startswith("edit:") else self.group_limit


@dataclass(frozen=True, slots=True)
class Taken:
    id: str
    previous: int  # when it was free before we took it (ms)
    ours: int  # when we said it is free again (ms)
    busy_ms: int


@dataclass
class BudgetView:
    """One read of the budgets of some chats: when may the next message go, and is a group under pressure."""

    now: datetime
    limits: Limits
    chat_free: dict[str, int] = field(default_factory=dict)  # chat → free_at_ms
    group_slots: dict[str, list[int]] = field(default_factory=dict)  # group → free_at_ms of its slots
    global_slots: list[int] = field(default_factory=list)
    blocked: dict[str, int] = field(default_factory=dict)  # chat or ANYONE → until_ms
    pressure: dict[str, int] = field(default_factory=dict)  # group → when it last ran out, ms

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
        if group := self.limits.group_of(chat, card):
            slots = self.group_slots.get(group, [])
            candidates.append(_earliest_free(slots, self.limits.size(group), now, reserve))
        candidates.append(_earliest_free(self.global_slots, self.limits.global_limit, now))
        return from_ms(max(candidates))

    def use(self, chat: str, card: str | None = None) -> None:
        """Count a send decided on this view, so later decisions on it see the slots taken."""
        now, limits = to_ms(self.now), self.limits
        self.chat_free[chat] = now + ms(limits.per_chat)
        if card is not None:
            self.chat_free[f"card:{card}"] = now + ms(limits.card_interval)
        if group := limits.group_of(chat, card):
            _use(self.group_slots.setdefault(group, []), limits.size(group), now, ms(limits.group_window))
        _use(self.global_slots, limits.global_limit, now, ms(limits.global_window))

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


def _use(slots: list[int], count: int, now: int, busy: int) -> None:
    if len(slots) < count:
        slots.append(now + busy)
    else:
        slots[slots.index(min(slots))] = now + busy


def _slot_id(group: str, i: int) -> str:
    return f"slot:{group}:{i}"


def ms(delta: timedelta) -> int:
    return int(delta.total_seconds() * 1000)


class Budgets:
    def __init__(self, db: AsyncDatabase, limits: Limits) -> None:
        self._slots = db["budgets"]
        self.limits = limits
        self._slotted: set[str] = set()  # groups whose slots exist (they are never removed)
        self._seen: dict[str, int] = {}  # a pool slot's free_at_ms as last read or set here: which to ask for

    async def view(self, chats: set[str], now: datetime, cards: Set[str] = frozenset()) -> BudgetView:
        """The budgets of messages to `chats` and edits of `cards` there, in one read by `_id`."""
        view = BudgetView(now, self.limits)
        groups = sorted(c for c in chats if self.limits.is_group(c))
        ids = [f"chat:{c}" for c in chats] + [f"card:{c}" for c in cards]
        ids += [f"block:{c}" for c in (*chats, ANYONE)] + [f"pressure:{g}" for g in groups]
        pools = [*groups, GLOBAL]
        if self.limits.edit_limit and cards:
            pools += [f"edit:{g}" for g in groups]
        ids += [i for pool in pools for i in self._slot_ids(pool)]
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
            else:  # slot:<group>:<i> (the group named by the id: a slot made again by `take` has no field)
                self._seen[doc["_id"]] = doc["free_at_ms"]
                group = name.rsplit(":", 1)[0]
                if group == GLOBAL:
                    view.global_slots.append(doc["free_at_ms"])
                else:
                    view.group_slots.setdefault(group, []).append(doc["free_at_ms"])
        return view

    async def take(
        self, chat: str, now: datetime, card: str | None = None, hinted: bool = True
    ) -> list[Taken] | None:
        """One slot of each budget a message to `chat` (or an edit of `card`) falls under, all or none
        (None), in one write: each slot on the condition that it is free now (a busy one refuses it, as a
        duplicate `_id`). A pool's slot is the one free the last read of it showed (`view`); when that read
        showed none free, or there was none, or another instance took the one chosen, the pool is asked for
        any free slot."""
        at, limits = to_ms(now), self.limits
        chosen: list[tuple[str, timedelta]] = [(f"chat:{chat}", limits.per_chat)]
        if card is not None:
            chosen.append((f"card:{card}", limits.card_interval))
        taken: list[Taken] = []
        group = limits.group_of(chat, card)
        for pool, busy in [
            *([(group, limits.group_window)] if group else []),
            (GLOBAL, limits.global_window),
        ]:
            await self._ensure_slots(pool)
            if hinted and (slot := self._free_slot(pool, at)) is not None:
                chosen.append((slot, busy))
                self._seen[slot] = at + ms(busy)  # (a send beside this one chooses another)
                continue
            got = await self._take_of(pool, at, busy)  # (the scarcest first: less to hand back)
            if got is None:
                if pool != GLOBAL and not pool.startswith("edit:"):
                    await self._mark_pressure(pool, at)
                await self.give_back(taken)
                return None
            taken.append(got)
        ops = [
            UpdateOne(
                {"_id": i, "free_at_ms": {"$lte": at}}, {"$set": {"free_at_ms": at + ms(b)}}, upsert=True
            )
            for i, b in chosen
        ]
        refused: set[int] = set()
        try:
            await self._slots.bulk_write(ops, ordered=False)
        except BulkWriteError as error:
            refused = duplicates(error)  # (a busy slot's upsert)
        for k, (slot_id, busy) in enumerate(chosen):
            if k in refused:
                self._seen.pop(slot_id, None)  # someone else's now: read it again before choosing it
            else:  # (free at `at` or before: handing it back makes it free at `at`, which is the same)
                taken.append(Taken(slot_id, at, at + ms(busy), ms(busy)))
                self._seen[slot_id] = at + ms(busy)
        if refused:
            await self.give_back(taken)
            if hinted and all(chosen[k][0].startswith("slot:") for k in refused):
                # only a pool's slot was taken meanwhile (another instance read the same): ask the pools
                return await self.take(chat, now, card, hinted=False)
            return None
        return taken

    def _free_slot(self, pool: str, at: int) -> str | None:
        """The pool's slot that was free earliest when last read, if it is free by `at`."""
        seen = [(self._seen[i], i) for i in self._slot_ids(pool) if i in self._seen]
        free = min(seen) if len(seen) == self.limits.size(pool) else None
        return free[1] if free and free[0] <= at else None

    async def group_load(self, chats: list[str], now: datetime) -> dict[str, float]:
        """How much of each group's window of messages is in use now (sends in the last `group_window` over
        `group_limit`, 0–1): in one read by `_id`."""
        ids = [i for chat in chats for i in self._slot_ids(chat)]
        busy, at = dict.fromkeys(chats, 0), to_ms(now)
        async for doc in self._slots.find({"_id": {"$in": ids}}):  # (the shape `view` reads by)
            if doc.get("free_at_ms", 0) > at:
                busy[doc["_id"].split(":")[1]] += 1
        return {chat: n / self.limits.group_limit for chat, n in busy.items()}

    async def give_back(self, taken: list[Taken]) -> None:
        """The send did not happen, or Telegram refused it (a 429 does not count): slots free again."""
        await self._each([(slot.id, slot.ours, slot.previous) for slot in taken])

    async def sent(self, taken: list[Taken], done: datetime) -> None:
        """The call came back at `done`: its slots stay busy from then on. Telegram counts a message when it
        receives it, somewhere between our call and its answer, so counting from the answer keeps the next
        send far enough behind whatever the network did to this one."""
        await self._each(
            [(s.id, s.ours, to_ms(done) + s.busy_ms) for s in taken if to_ms(done) + s.busy_ms > s.ours]
        )

    async def _each(self, moves: list[tuple[str, int, int]]) -> None:
        """Slots from the time we set to another, each only if still ours (one write for them all)."""
        if not moves:
            return
        await self._slots.bulk_write(
            [
                UpdateOne({"_id": i, "free_at_ms": ours}, {"$set": {"free_at_ms": to}})
                for i, ours, to in moves
            ],
            ordered=False,
        )
        for slot_id, _, to in moves:
            if slot_id in self._seen:
                self._seen[slot_id] = to

    async def block(self, chat: str | None, until: datetime) -> None:
        """A 429: nothing more to `chat` (None: to anyone) before `until`; a later wait never shortens."""
        slot_id, until_ms = f"block:{chat or ANYONE}", to_ms(until)
        result = await self._slots.update_one(
            {"_id": slot_id, "until_ms": {"$lt": until_ms}}, {"$set": {"until_ms": until_ms}}
        )
        if result.matched_count == 0:
            with contextlib.suppress(DuplicateKeyError):  # there, and already at or past `until`
                await self._slots.insert_one({"_id": slot_id, "until_ms": until_ms})

    async def _take_of(self, group: str, at: int, busy: timedelta) -> Taken | None:
        await self._ensure_slots(group)
        until = at + ms(busy)
        doc = await self._slots.find_one_and_update(
            {"_id": {"$in": self._slot_ids(group)}, "free_at_ms": {"$lte": at}},
            {"$set": {"free_at_ms": until}},
            sort=[("free_at_ms", ASCENDING)],
            return_document=ReturnDocument.BEFORE,
        )
        return Taken(doc["_id"], doc["free_at_ms"], until, ms(busy)) if doc else None

    async def ready(self, chats: Iterable[str]) -> None:
        """At start: the slots of every pool these chats' messages fall under (and the global one), made
        in one read and one write, so that a first message to a chat (a new client's) costs no more."""
        pools = [GLOBAL]
        for chat in chats:
            if self.limits.is_group(chat):
                pools += [chat] + ([f"edit:{chat}"] if self.limits.edit_limit else [])
        await self._ensure_slots(*pools)

    async def _ensure_slots(self, *groups: str) -> None:
        groups = tuple(g for g in groups if g not in self._slotted)
        if not groups:
            return
        slots = [
            {"_id": i, "group": group, "free_at_ms": 0} for group in groups for i in self._slot_ids(group)
        ]
        if await self._slots.count_documents({"_id": {"$in": [slot["_id"] for slot in slots]}}) < len(slots):
            with contextlib.suppress(BulkWriteError):  # another instance made (some of) them first
                await self._slots.insert_many(slots, ordered=False)
        self._slotted.update(groups)

    def _slot_ids(self, group: str) -> list[str]:
        """A pool's slots by id (a pool that had more slots under older limits keeps only these)."""
        return [_slot_id(group, i) for i in range(self.limits.size(group))]

    async def _mark_pressure(self, group: str, at: int) -> None:
        await self._slots.update_one({"_id": f"pressure:{group}"}, {"$set": {"at_ms": at}}, upsert=True)
