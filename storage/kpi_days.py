"""The team's figures kept by day (domain/kpis.py: `Day`, `Carried`), so a period's figures read days, not
events. Two collections:

- `kpi_days`: one document per closed day of the business calendar, `_id` its date (`d:2026-12-05`): each
  assistant's tally of the day, the waits found moot after their promise ran out, the waits still open at its
  end. Ids of clients and requests only: nothing personal.
- `kpi_state`: what the fold knows between days, one document per client (`c:C-1001`) and per request
  (`r:R-1001`), as of the last day that touched it (`day`), with what it was before that day (`before`): a day
  closed again after a crash in the middle starts from `before`, so closing is idempotent. `_closed` says the
  last day closed.

Beside the days, in `kpi_days` too: each ISO week once all its days are kept (`w:2026-11-30`, its Monday:
the days joined, so a 90-day view reads 13 weeks and a few days, not 90 days; `_weeks` in `kpi_state` says
through which Monday), and the checkpoint of the first day not kept yet (`checkpoint`: its share until a
moment and what the fold knew then, so a view folds only the minutes since). Each of these pieces has its
digest apart, written before it (`s:<its id>`: what an instance has opened is checked without the store
reading the pieces; `_sums` in `kpi_state` says an older version's were written apart too). All of it is
folded again from the log at will (a rebuild deletes it). `_asked` in `kpi_state` names the periods the team's
views asked for lately, so that every instance makes them ready when a day is kept, or when it starts.

A day is closed once, by whichever instance claims the job (engine/clock/kpi_keep.py), in order."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from domain.kpis import Carried, Checkpoint, Day, Runs
from storage.timefmt import from_ms, to_ms

DAYS = "kpi_days"
STATE = "kpi_state"
CLOSED = "_closed"
ASKED = "_asked"  # the named periods the team's views asked for lately, each with when: [[view, name, ms]]
WEEKS = "_weeks"
CHECKPOINT = "checkpoint"
SUM = "s:"  # a piece's digest, apart: `s:d:2026-12-05`, `s:w:2026-11-30`, `s:checkpoint`
SUMS = "_sums"  # the digests of the pieces an older version kept are written apart too
OPENED = 32  # pieces an instance keeps opened (a 90-day view reads 14 to 26: weeks, days around them, today)


@dataclass(frozen=True, slots=True)
class Marks:
    closed: date | None  # the last day kept
    weeks: date | None  # the Monday of the last week kept whole (every week before it is kept too)


@dataclass(frozen=True, slots=True)
class Kept:
    days: dict[date, Day]
    weeks: dict[date, Day]  # by Monday
    checkpoint: Checkpoint | None


class KpiDays:
    def __init__(self, db: AsyncDatabase) -> None:
        self._days = db[DAYS]
        self._state = db[STATE]
        self._opened: OrderedDict[tuple[str, str | None], Day | Checkpoint] = OrderedDict()
        self.runs = Runs()  # the kept pieces this instance's views merged (domain/kpis.py)
        self._told: dict[
            tuple[str, str], date
        ] = {}  # the periods this instance wrote into `_asked`, and when

    async def closed_through(self) -> date | None:
        doc = await self._state.find_one({"_id": CLOSED})
        return date.fromisoformat(doc["day"]) if doc else None

    async def marks(self) -> Marks:
        found = {doc["_id"]: doc async for doc in self._state.find({"_id": {"$in": [CLOSED, WEEKS]}})}
        return Marks(*(date.fromisoformat(found[m]["day"]) if m in found else None for m in (CLOSED, WEEKS)))

    async def looks(self) -> tuple[Marks, list[tuple[str, str, datetime]]]:
        """The marks, and the named periods the team's views asked for lately (any instance's): one read."""
        wanted = [CLOSED, WEEKS, ASKED]
        found = {doc["_id"]: doc async for doc in self._state.find({"_id": {"$in": wanted}})}
        marks = Marks(*(date.fromisoformat(found[m]["day"]) if m in found else None for m in (CLOSED, WEEKS)))
        asked = [(view, name, from_ms(ms)) for view, name, ms in found.get(ASKED, {}).get("views", [])]
        return marks, asked

    async def ask(self, view: str, name: str, at: datetime) -> None:
        """A view (`report`, `team`) of a named period (`7d`) was asked for: held by this instance's `Runs`,
        and written for every instance to see — once a day a period and instance (a hint: two instances
        writing at once may lose one period until it is asked for again)."""
        self.runs.ask(view, name, at)
        if self._told.get((view, name)) == at.date():
            return
        doc = await self._state.find_one({"_id": ASKED})
        views = {(v, n): ms for v, n, ms in (doc or {}).get("views", [])} | {(view, name): to_ms(at)}
        latest = sorted(views.items(), key=lambda item: item[1])[-Runs.ASKED :]
        listed = [[v, n, ms] for (v, n), ms in latest]
        await self._state.replace_one({"_id": ASKED}, {"_id": ASKED, "views": listed}, upsert=True)
        self._told[(view, name)] = at.date()

    async def days(self, first: date, last: date) -> dict[date, Day]:
        """The closed days in [first, last] (by their ids: a range of `_id` would be a scan on nx-27017)."""
        return (await self.kept([first + timedelta(days=i) for i in range((last - first).days + 1)])).days

    async def kept(self, days: Iterable[date], weeks: Iterable[date] = (), checkpoint: bool = False) -> Kept:
        """These days and weeks (by Monday) as kept, and the checkpoint if asked for. Their digests first —
        each kept apart, in a small document of its own (`s:<id>`, written before the piece): what this
        instance has read and opened already, and is still what the store holds, is not read again (a day or
        a week does not change once kept; the checkpoint every EVERY) — a 90-day view's pieces weigh some
        4 MB and 40 ms of the store's time to hand over, and as much again to open; their digests read from
        the pieces themselves, 15 ms of it."""
        each = [_day_id(d) for d in days] + [_week_id(w) for w in weeks]
        each += [CHECKPOINT] if checkpoint else []
        out = Kept({}, {}, None)
        if not each:
            return out
        sums: dict[str, str] = {}
        async for doc in self._days.find({"_id": {"$in": [_sum_id(i) for i in each]}}):
            sums[doc["_id"][len(SUM) :]] = doc["sum"]
        if unsure := [i for i in each if i not in sums]:  # (not kept, or kept before digests were apart)
            async for doc in self._days.find({"_id": {"$in": unsure}}, {"sum": 1}):
                if "sum" in doc:
                    sums[doc["_id"]] = doc["sum"]
        found: dict[str, Day | Checkpoint] = {}
        for kept_id, digest in sums.items():
            if (piece := self._opened.get((kept_id, digest))) is not None:
                self._opened.move_to_end((kept_id, digest))
                found[kept_id] = piece
        if wanted := [i for i in each if i not in found]:
            async for doc in self._days.find({"_id": {"$in": wanted}}):
                found[doc["_id"]] = piece = _opened(doc["_id"], doc["share"])
                if "sum" in doc:  # (kept under the digest it holds: a newer one written apart reads it again)
                    if isinstance(piece, Day):
                        piece.key = f"{doc['_id']}/{doc['sum']}"  # (what it holds: `Runs`)
                    for older in [key for key in self._opened if key[0] == doc["_id"]]:
                        del self._opened[older]  # (the checkpoint before this one)
                    self._opened[(doc["_id"], doc["sum"])] = piece
                    while len(self._opened) > OPENED:
                        self._opened.popitem(last=False)
        for kept_id, piece in found.items():
            if isinstance(piece, Checkpoint):
                out = Kept(out.days, out.weeks, piece)
            else:
                (out.days if kept_id[0] == "d" else out.weeks)[date.fromisoformat(kept_id[2:])] = piece
        return out

    async def load(
        self, carried: Carried, clients: set[str], requests: set[str], day: date, known: Collection[str] = ()
    ) -> set[str]:
        """Teach `carried` what was known at the start of `day` of these requests, then of these clients and
        the requests' own but those it `known`s already; returns the clients it was asked about, the
        requests' included."""
        for request, doc in (await self._read("r", requests, day)).items():
            carried.know_request(request, doc)
        clients = clients | {c for r in requests if (c := carried.client_of(r)) is not None}
        for client, doc in (await self._read("c", clients.difference(known), day)).items():
            carried.know_client(client, doc)
        return clients

    async def _read(self, kind: str, ids: set[str], day: date) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        found: dict[str, dict[str, Any]] = {}
        async for doc in self._state.find({"_id": {"$in": [f"{kind}:{i}" for i in ids]}}):
            # kept as the day itself left it: that day is being closed again, so what it started from
            state = doc["before"] if doc["day"] >= day.isoformat() else doc["now"]
            if state is not None:
                found[doc["_id"].split(":", 1)[1]] = state
        return found

    async def save(
        self, day: date, share: Day, carried: Carried, clients: set[str], requests: set[str]
    ) -> None:
        """The day's share, and the state it leaves: the state first (with what it was before this day),
        the day next, then the mark, so a crash anywhere is mended by closing the day again."""
        ids = [("c", c, carried.client(c)) for c in sorted(clients)]
        ids += [("r", r, carried.request(r)) for r in sorted(requests)]
        named = [f"{kind}:{i}" for kind, i, _ in ids]
        kept = {doc["_id"]: doc async for doc in self._state.find({"_id": {"$in": named}})} if named else {}
        ops = []
        for kind, i, now in ids:
            old = kept.get(f"{kind}:{i}")
            before = None if old is None else old["before"] if old["day"] >= day.isoformat() else old["now"]
            ops.append(
                UpdateOne(
                    {"_id": f"{kind}:{i}"},
                    {"$set": {"day": day.isoformat(), "now": now, "before": before}},
                    upsert=True,
                )
            )
        for start in range(0, len(ops), 1000):
            await self._state.bulk_write(ops[start : start + 1000], ordered=False)
        # (the `_id` written in the document too: nx-27017 does not take an upsert's `_id` from its filter)
        await self._put(_doc(_day_id(day), share.to_doc()))
        await self._state.update_one({"_id": CLOSED}, {"$set": {"day": day.isoformat()}}, upsert=True)

    async def save_weeks(self, weeks: list[tuple[date, Day]]) -> None:
        """Weeks joined from their kept days (in order), then the mark: a crash between is mended by joining
        them again, to the same."""
        for monday, share in weeks:
            await self._put(_doc(_week_id(monday), share.to_doc()))
        if weeks:
            await self._state.update_one(
                {"_id": WEEKS}, {"$set": {"day": weeks[-1][0].isoformat()}}, upsert=True
            )

    async def save_checkpoint(self, checkpoint: Checkpoint) -> None:
        """One document, replaced whole: a view reads the old one or the new one, both exact."""
        await self._put(_doc(CHECKPOINT, checkpoint.to_doc()))

    async def _put(self, doc: dict[str, Any]) -> None:
        """A piece, its digest apart first: a view that reads the new digest and then the old piece (a crash
        between, or the moment between) reads the piece again at its next view, until they agree — never an
        old piece under a new digest."""
        digest = {"_id": _sum_id(doc["_id"]), "sum": doc["sum"]}
        await self._days.replace_one({"_id": digest["_id"]}, digest, upsert=True)
        await self._days.replace_one({"_id": doc["_id"]}, doc, upsert=True)

    async def sums_apart(self) -> bool:
        """Whether the digests of the pieces an older version kept are written apart (`write_sums`)."""
        return await self._state.find_one({"_id": SUMS}) is not None

    async def write_sums(self, days: Iterable[date], weeks: Iterable[date]) -> int:
        """The digests of these days and weeks kept before digests were written apart (a store upgraded to
        this version), written apart now from the pieces themselves (read once), then the mark `_sums`: how
        many. Harmless twice (a crash before the mark): the same digests again."""
        kept_ids = [_day_id(d) for d in days] + [_week_id(w) for w in weeks]
        ids = [_sum_id(i) for i in kept_ids]
        apart = {doc["_id"] async for doc in self._days.find({"_id": {"$in": ids}}, {"_id": 1})}
        written = 0
        missing = [i for i in kept_ids if _sum_id(i) not in apart]
        for start in range(0, len(missing), 50):
            async for doc in self._days.find({"_id": {"$in": missing[start : start + 50]}}, {"sum": 1}):
                if "sum" in doc:  # (the first version's days have none: read whole, as ever)
                    digest = {"_id": _sum_id(doc["_id"]), "sum": doc["sum"]}
                    await self._days.replace_one({"_id": digest["_id"]}, digest, upsert=True)
                    written += 1
        await self._state.update_one({"_id": SUMS}, {"$set": {"n": written}}, upsert=True)
        return written

    async def reset(self) -> None:
        """Everything kept here is folded from the log again (a rebuild)."""
        await self._days.delete_many({})
        await self._state.delete_many({})
        self.runs.clear()


def _doc(kept_id: str, share: dict[str, Any]) -> dict[str, Any]:
    """One string of JSON (a store hands over one string far faster than the thousands of fields it holds),
    and its digest (`kept`)."""
    text = json.dumps(share, separators=(",", ":"))
    return {"_id": kept_id, "share": text, "sum": hashlib.blake2b(text.encode(), digest_size=12).hexdigest()}


def _opened(kept_id: str, text: str) -> Day | Checkpoint:
    """A piece read, its tallies opened once (sets and lists: merged by a view without parsing again)."""
    share = json.loads(text)
    if kept_id == CHECKPOINT:
        checkpoint = Checkpoint.from_doc(share)
        checkpoint.share = checkpoint.share.opened()
        return checkpoint
    return Day.from_doc(share).opened()


def _sum_id(kept_id: str) -> str:
    return f"{SUM}{kept_id}"


def _day_id(day: date) -> str:
    """`d:2026-12-05`: prefixed, since nx-27017 reads a string that looks like a date as one (a scan)."""
    return f"d:{day.isoformat()}"


def _week_id(monday: date) -> str:
    return f"w:{monday.isoformat()}"
