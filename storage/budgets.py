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
from collections.abc import Set
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

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

    async def view(self, chats: set[str], now: datetime, cards: Set[str] = frozenset()) -> BudgetView:
        """The budgets of messages to `chats` and edits of `cards` there, in two reads by `_id`."""
        view = BudgetView(now, self.limits)
        groups = sorted(c for c in chats if self.limits.is_group(c))
        ids = [f"chat:{c}" for c in chats] + [f"card:{c}" for c in cards]
        ids += [f"block:{c}" for c in (*chats, ANYONE)] + [f"pressure:{g}" for g in groups]
        async for doc in self._slots.find({"_id": {"$in": ids}}):
            kind, _, name = doc["_id"].partition(":")
            if kind == "chat":
                view.chat_free[name] = doc["free_at_ms"]
            elif kind == "card":
                view.chat_free[doc["_id"]] = doc["free_at_ms"]
            elif kind == "block":
                view.blocked[name] = doc["until_ms"]
            else:
                view.pressure[name] = doc["at_ms"]
        pools = [*groups, GLOBAL]
        if self.limits.edit_limit and cards:
            pools += [f"edit:{g}" for g in groups]
        slot_ids = [i for pool in pools for i in self._slot_ids(pool)]
        async for doc in self._slots.find({"_id": {"$in": slot_ids}}):
            if doc["group"] == GLOBAL:
                view.global_slots.append(doc["free_at_ms"])
            else:
                view.group_slots.setdefault(doc["group"], []).append(doc["free_at_ms"])
        return view

    async def take(self, chat: str, now: datetime, card: str | None = None) -> list[Taken] | None:
        """One slot of each budget a message to `chat` (or an edit of `card`) falls under, atomically each,
        all or none (None)."""
        at = to_ms(now)
        taken: list[Taken] = []
        limits = self.limits
        claims: list[tuple[str | None, str | None, timedelta]] = [(f"chat:{chat}", None, limits.per_chat)]
        if card is not None:
            claims.insert(0, (f"card:{card}", None, limits.card_interval))
        if group := limits.group_of(chat, card):
            claims.insert(0, (None, group, limits.group_window))  # the scarcest first: less to hand back
        claims.append((None, GLOBAL, limits.global_window))
        for slot_id, pool, busy in claims:
            if slot_id:
                got = await self._take_one(slot_id, at, busy)
            else:
                assert pool is not None  # a claim names either its slot or its pool
                got = await self._take_of(pool, at, busy)
            if got is None:
                if pool and pool != GLOBAL and not pool.startswith("edit:"):
                    await self._mark_pressure(pool, at)
                await self.give_back(taken)
                return None
            taken.append(got)
        return taken

    async def give_back(self, taken: list[Taken]) -> None:
        """The send did not happen, or Telegram refused it (a 429 does not count): slots free again."""
        for slot in reversed(taken):
            await self._hand_back(slot)

    async def sent(self, taken: list[Taken], done: datetime) -> None:
        """The call came back at `done`: its slots stay busy from then on. Telegram counts a message when it
        receives it, somewhere between our call and its answer, so counting from the answer keeps the next
        send far enough behind whatever the network did to this one."""
        for slot in taken:
            later = to_ms(done) + slot.busy_ms
            if later > slot.ours:
                await self._slots.update_one(
                    {"_id": slot.id, "free_at_ms": slot.ours}, {"$set": {"free_at_ms": later}}
                )

    async def block(self, chat: str | None, until: datetime) -> None:
        """A 429: nothing more to `chat` (None: to anyone) before `until`; a later wait never shortens."""
        slot_id, until_ms = f"block:{chat or ANYONE}", to_ms(until)
        result = await self._slots.update_one(
            {"_id": slot_id, "until_ms": {"$lt": until_ms}}, {"$set": {"until_ms": until_ms}}
        )
        if result.matched_count == 0:
            with contextlib.suppress(DuplicateKeyError):  # there, and already at or past `until`
                await self._slots.insert_one({"_id": slot_id, "until_ms": until_ms})

    async def _take_one(self, slot_id: str, at: int, busy: timedelta) -> Taken | None:
        until = at + ms(busy)
        doc = await self._slots.find_one_and_update(
            {"_id": slot_id, "free_at_ms": {"$lte": at}},
            {"$set": {"free_at_ms": until}},
            return_document=ReturnDocument.BEFORE,
        )
        if doc is not None:
            return Taken(slot_id, doc["free_at_ms"], until, ms(busy))
        try:
            await self._slots.insert_one({"_id": slot_id, "free_at_ms": until})
        except DuplicateKeyError:
            return None  # it exists and is busy
        return Taken(slot_id, 0, until, ms(busy))

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

    async def _ensure_slots(self, group: str) -> None:
        if group in self._slotted:
            return
        ids = self._slot_ids(group)
        if await self._slots.count_documents({"_id": {"$in": ids}}) < len(ids):
            with contextlib.suppress(BulkWriteError):  # another instance made (some of) them first
                await self._slots.insert_many(
                    [{"_id": i, "group": group, "free_at_ms": 0} for i in ids], ordered=False
                )
        self._slotted.add(group)

    def _slot_ids(self, group: str) -> list[str]:
        """A pool's slots by id (a pool that had more slots under older limits keeps only these)."""
        return [_slot_id(group, i) for i in range(self.limits.size(group))]

    async def _hand_back(self, slot: Taken) -> None:
        await self._slots.update_one(
            {"_id": slot.id, "free_at_ms": slot.ours}, {"$set": {"free_at_ms": slot.previous}}
        )

    async def _mark_pressure(self, group: str, at: int) -> None:
        await self._slots.update_one({"_id": f"pressure:{group}"}, {"$set": {"at_ms": at}}, upsert=True)
