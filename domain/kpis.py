"""The team's figures, folded from the event log by a pure function: the same events give the same figures
(a rebuild of the projections changes nothing here), and the console shows what the CLI prints.

Attribution: a client's wait belongs to the assistant who has the client when it ends (a client handed over
mid-wait is the new assistant's to answer; the escalation stays with the one who let it happen),
a quote and what it earns to the assistant who sent it, a rating to the assistant who fulfilled the
request, an escalation to the assistant who let it happen."""

from __future__ import annotations

import array
import base64
import re
import statistics
import sys
import threading
from bisect import bisect_left
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial
from typing import Any, TypeVar

from domain.awaiting import REQUEST_ANSWERS, Wait, client_stream, effect
from domain.errors import InvalidValue
from domain.events import ActorKind, Event, EventType
from domain.ledger import quote_sender
from domain.promises import Promises

UNASSIGNED = "—"
_SEP = "\x1f"  # between the ids of a set kept as one string (never in an id)


@dataclass
class Tally:
    """One assistant's raw figures for a period; `figures()` summarises them."""

    clients: set[str] = field(default_factory=set)
    requests: set[str] = field(default_factory=set)
    first_responses: list[float] = field(default_factory=list)  # seconds
    promises_kept: int = 0
    promises_due: int = 0
    first_quotes: list[float] = field(default_factory=list)  # seconds from opened to first quote
    quotes_sent: int = 0
    quoted: set[str] = field(default_factory=set)
    paid: set[str] = field(default_factory=set)
    revenue: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refunds: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refund_count: int = 0
    ratings: list[int] = field(default_factory=list)
    escalations: int = 0
    # payments whose quote said the supplier's cost: what they earned (net of refunds), and from how much
    margin: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    costed_revenue: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    costed: int = 0
    payments: int = 0

    def add(self, other: Tally) -> None:
        """Another stretch of time's figures added to these: sets joined, values kept, sums added."""
        for name in TALLY_FIELDS:
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, set):
                mine.update(theirs)  # (a set, or a tally held: the keys of a dict)
            elif isinstance(mine, list):
                mine += theirs
            elif isinstance(mine, dict):
                for key, value in theirs.items():
                    mine[key] += value
            else:
                setattr(self, name, mine + theirs)

    def to_doc(self) -> dict[str, Any]:
        """Kept compact — a set of ids as one string, values as one string of numbers — since a 90-day view
        reads 90 of these a view: arrays of thousands of elements cost the store far more to hand over."""
        doc: dict[str, Any] = {}
        for name in TALLY_FIELDS:
            value = getattr(self, name)
            if not value:
                continue
            if isinstance(value, set):
                doc[name] = _SEP.join(sorted(value))
            elif isinstance(value, list):
                doc[name] = _packed(name, value)
            else:
                doc[name] = dict(value) if isinstance(value, dict) else value
        return doc

    def add_doc(self, doc: dict[str, Any]) -> None:
        """`add` of a kept day's tally straight from its document (`to_doc`): a 90-day view merges 90 days of
        50 assistants, and building each as a Tally first cost more than the merge."""
        for name, value in doc.items():
            kind = _KINDS[name]
            if kind is set:
                getattr(self, name).update(value.split(_SEP))
            elif kind is list:
                getattr(self, name).extend(_unpacked(name, value))
            elif kind is dict:
                mine = getattr(self, name)
                for key, amount in value.items():
                    mine[key] += amount
            else:
                setattr(self, name, getattr(self, name) + value)

    def figures(self) -> dict[str, Any]:
        responses, quotes = sorted(self.first_responses), sorted(self.first_quotes)
        return _figures(
            self,
            Counts(
                len(self.clients),
                len(self.requests),
                len(self.quoted),
                len(self.paid & self.quoted),
                len(responses),
                responses.__getitem__,
                len(quotes),
                quotes.__getitem__,
                round(statistics.fmean(self.ratings), 2) if self.ratings else None,
                len(self.ratings),
            ),
        )


@dataclass(frozen=True, slots=True)
class Counts:
    """What a tally's figures take from its sets and lists: the sizes of its sets (the conversions: the
    requests both quoted and paid), and its values in order (`response(k)`: the k-th first response from
    the quickest, of `responses`)."""

    clients: int
    requests: int
    quoted: int
    converted: int
    responses: int
    response: Callable[[int], float]
    quotes: int
    quote: Callable[[int], float]
    csat: float | None
    ratings: int


def _cuts(n: int, at: Callable[[int], float], *qs: int) -> list[int | None]:
    """The q-th percentiles of n values in order (`at(k)`, the k-th), as `statistics.quantiles(values,
    n=100, method="inclusive")` cuts them (its very arithmetic), without cutting the 98 others: the Team
    page asks for some 1,500."""
    if not n:
        return [None for _ in qs]
    if n == 1:
        return [round(at(0)) for _ in qs]
    out: list[int | None] = []
    for q in qs:
        j, delta = divmod(q * (n - 1), 100)
        out.append(round((at(j) * (100 - delta) + at(j + 1) * delta) / 100))
    return out


def _figures(sums: Tally, counts: Counts) -> dict[str, Any]:
    """The figures of a tally: its sums from `sums` (its sets and lists are not read), the rest from
    `counts`."""
    response_p50, response_p90 = _cuts(counts.responses, counts.response, 50, 90)
    return {
        "clients": counts.clients,
        "requests": counts.requests,
        "first_response_p50_s": response_p50,
        "first_response_p90_s": response_p90,
        "promises_kept_pct": round(100 * sums.promises_kept / sums.promises_due)
        if sums.promises_due
        else None,
        "promises_due": sums.promises_due,
        "first_quote_p50_s": _cuts(counts.quotes, counts.quote, 50)[0],
        "quotes_sent": sums.quotes_sent,
        "conversion_pct": round(100 * counts.converted / counts.quoted) if counts.quoted else None,
        "revenue": dict(sorted(sums.revenue.items())),
        "refunds": dict(sorted(sums.refunds.items())),
        "refund_count": sums.refund_count,
        "net_revenue": {
            c: sums.revenue.get(c, 0) - sums.refunds.get(c, 0)
            for c in sorted(set(sums.revenue) | set(sums.refunds))
        },
        "csat_avg": counts.csat,
        "csat_count": counts.ratings,
        "escalations": sums.escalations,
        "margin": dict(sorted(sums.margin.items())),
        "margin_pct": _share(sums.margin, sums.costed_revenue),
        "costed": sums.costed,
        "payments": sums.payments,
    }


TALLY_FIELDS = tuple(f.name for f in fields(Tally))
_TYPECODE = {"first_responses": "d", "first_quotes": "d", "ratings": "q"}  # (a list's values packed)
_KINDS = {name: type(value) if not isinstance(value, dict) else dict for name, value in vars(Tally()).items()}


def _packed(name: str, values: list[float] | list[int]) -> str:
    """A list of numbers kept as the bytes of its machine values (little-endian), in base64 after a `~`: read
    back exactly, ten times faster than numbers written out (a 90-day view reads some 200,000 of them); and
    in order, since only their percentiles and mean are figures: a view's lists are then runs already in
    order, which Python sorts for the percentiles several times faster."""
    packed = array.array(_TYPECODE[name], sorted(values))
    if sys.byteorder != "little":
        packed.byteswap()
    return "~" + base64.b64encode(packed.tobytes()).decode("ascii")


def _unpacked(name: str, text: str) -> Iterable[float]:
    if not text.startswith("~"):  # (as the first version kept them: numbers written out)
        return map(int if name == "ratings" else float, text.split(" "))
    values = array.array(_TYPECODE[name], base64.b64decode(text[1:]))
    if sys.byteorder != "little":
        values.byteswap()
    return values


def held(doc: dict[str, Any]) -> Tally:
    """A kept tally (`Tally.to_doc`) opened to be held long, and added to others (`Tally.add`, `gather`):
    its ids the keys of dicts (of strings alone: not tracked) and its values arrays — an instance holds the
    pieces it has opened, and the garbage collector's full passes walked every id and value of them (some
    60 ms, every twenty views or so, at a 90-day view's). Read only: a set's field is a dict, a list's an
    array."""
    tally = Tally()
    for name, value in doc.items():
        kind = _KINDS[name]
        if kind is set:
            setattr(tally, name, dict.fromkeys(value.split(_SEP)))
        elif kind is list:
            values = _unpacked(name, value)
            kept = values if isinstance(values, array.array) else array.array(_TYPECODE[name], values)
            setattr(tally, name, kept)
        elif kind is dict:
            getattr(tally, name).update(value)
        else:
            setattr(tally, name, value)
    return tally


def _share(part: dict[str, int], whole: dict[str, int]) -> int | None:
    """The margin as a share of what it was earned on, when that is in one currency."""
    if len(whole) != 1:
        return None
    ((currency, total),) = whole.items()
    return round(100 * part.get(currency, 0) / total) if total > 0 else None


@dataclass
class _Fold:
    start: datetime
    end: datetime
    promises: Promises
    tallies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    assigned: dict[str, str] = field(default_factory=dict)  # client → assistant
    vip: dict[str, bool] = field(default_factory=dict)
    waiting: dict[str, datetime] = field(default_factory=dict)  # client → since
    client_of: dict[str, str] = field(default_factory=dict)  # request → client
    opened: dict[str, datetime] = field(default_factory=dict)
    quoted_by: dict[str, str] = field(default_factory=dict)  # request → who sent the live quote (earns it)
    cost_of: dict[str, int | None] = field(default_factory=dict)  # request → the live quote's cost (minor)
    costed: set[str] = field(default_factory=set)  # requests paid with a cost: their refunds cut the margin
    fulfilled_by: dict[str, str] = field(default_factory=dict)
    # the day fold (`fold_day`): waits found moot after their promise ran out, (assistant, due), kept apart
    # instead of counted, since whether one counts depends on where the period starts
    late_moots: list[tuple[str, datetime]] | None = None

    def inside(self, at: datetime) -> bool:
        return self.start <= at < self.end

    def answered(self, client: str, at: datetime) -> None:
        if client not in self.waiting:
            return
        since = self.waiting.pop(client)
        if not self.inside(at):
            return
        waited = (at - since).total_seconds()
        tally = self.tallies[self.assigned.get(client, UNASSIGNED)]
        tally.first_responses.append(waited)
        tally.promises_due += 1
        if waited <= self.promises.response(self.vip.get(client, False)).total_seconds():
            tally.promises_kept += 1

    def moot(self, client: str, at: datetime) -> None:
        """Nothing to answer after all: no promise was due, unless it had run out by then (broken)."""
        if client not in self.waiting:
            return
        due = self.waiting.pop(client) + self.promises.response(self.vip.get(client, False))
        if due >= at:
            return
        if self.late_moots is not None:
            self.late_moots.append((self.assigned.get(client, UNASSIGNED), due))
        elif self.inside(due):
            self.tallies[self.assigned.get(client, UNASSIGNED)].promises_due += 1

    def wait(self, e: Event, wait: Wait) -> None:
        client = client_stream(e) or self.client_of.get(e.stream_id)
        if client is None:
            return
        if wait is Wait.STARTS:
            self.waiting.setdefault(client, e.at)
        elif wait is Wait.ANSWERED:
            self.answered(client, e.at)
        else:
            self.moot(client, e.at)

    def apply(self, e: Event) -> None:
        kind, data, inside = e.stream_kind, e.data, self.inside(e.at)
        staff = e.actor.id if e.actor.kind is ActorKind.ASSISTANT else None
        if (wait := effect(e)) is not None:  # the clock's own definition of a wait
            self.wait(e, wait)
        if kind == "client":
            if e.type is EventType.CLIENT_ASSIGNED:
                self.assigned[e.stream_id] = data["assistant_id"]
            elif e.type is EventType.CLIENT_TAGGED:
                self.vip[e.stream_id] = "vip" in data["tags"]
            elif e.type is EventType.CLIENT_REGISTERED:
                self.vip[e.stream_id] = "vip" in data.get("tags", [])
        elif kind == "conversation":
            client = e.stream_id
            if e.type is EventType.STAFF_MESSAGE_SENT and staff:
                if inside:
                    self.tallies[staff].clients.add(client)
            elif e.type is EventType.RESPONSE_OVERDUE and inside and data.get("step", 0) >= 2:
                self.tallies[data.get("assistant_id") or UNASSIGNED].escalations += 1
        elif kind == "request":
            self._request(e, staff, inside)

    def _request(self, e: Event, staff: str | None, inside: bool) -> None:
        request, data = e.stream_id, e.data
        if e.type is EventType.REQUEST_OPENED:
            self.client_of[request] = data["client_id"]
            self.opened[request] = e.at
            return
        client = self.client_of.get(request)
        if e.type in REQUEST_ANSWERS and staff and client and inside:
            self.tallies[staff].clients.add(client)
            self.tallies[staff].requests.add(request)
        sender = quote_sender(e) if e.type is EventType.REQUEST_QUOTED else None
        if e.type is EventType.REQUEST_QUOTED:
            self.cost_of[request] = (data.get("cost") or {}).get("minor")
        if sender:
            first = request not in self.quoted_by
            self.quoted_by[request] = sender
            if inside:
                tally = self.tallies[sender]
                tally.quotes_sent += 1
                if first:
                    tally.quoted.add(request)
                    if request in self.opened:
                        tally.first_quotes.append((e.at - self.opened[request]).total_seconds())
        elif e.type is EventType.REQUEST_PAID:
            if self.cost_of.get(request) is not None:
                self.costed.add(request)
            if inside:  # (paid before the period: never first quoted inside it, so no conversion either)
                tally = self.tallies[self.quoted_by.get(request, UNASSIGNED)]
                tally.paid.add(request)
                amount = data["payment"]["amount"]
                tally.revenue[amount["currency"]] += amount["minor"]
                tally.payments += 1
                if (cost := self.cost_of.get(request)) is not None:
                    tally.costed += 1
                    tally.margin[amount["currency"]] += amount["minor"] - cost
                    tally.costed_revenue[amount["currency"]] += amount["minor"]
        elif e.type is EventType.REQUEST_REFUNDED and inside:
            amount = data["refund"]["amount"]
            tally = self.tallies[self.quoted_by.get(request, UNASSIGNED)]
            tally.refunds[amount["currency"]] += amount["minor"]
            tally.refund_count += 1
            if request in self.costed:  # money given back is margin lost (the supplier is paid all the same)
                tally.margin[amount["currency"]] -= amount["minor"]
                tally.costed_revenue[amount["currency"]] -= amount["minor"]
        elif e.type is EventType.REQUEST_FULFILLED and staff:
            self.fulfilled_by[request] = staff
        elif e.type is EventType.REQUEST_RATED and inside:
            who = self.fulfilled_by.get(request) or self.assigned.get(client or "", UNASSIGNED)
            self.tallies[who].ratings.append(data["score"])
        elif e.type is EventType.RESPONSE_OVERDUE and inside and data.get("step", 0) >= 2:
            self.tallies[data.get("assistant_id") or UNASSIGNED].escalations += 1

    def still_waiting(self) -> list[tuple[str, str, datetime]]:
        """(client, the assistant who has them, when their promise runs out) of every wait still open."""
        return [
            (
                client,
                self.assigned.get(client, UNASSIGNED),
                since + self.promises.response(self.vip.get(client, False)),
            )
            for client, since in self.waiting.items()
        ]

    def close(self) -> None:
        """Clients still waiting at the end whose promise ran out inside the period: promises broken (a wait
        that began inside the period and ran out before its end ran out inside it too)."""
        for _client, who, due in self.still_waiting():
            if self.inside(due):
                self.tallies[who].promises_due += 1


def fold(
    events: Iterable[Event], start: datetime, end: datetime, promises: Promises
) -> dict[str, dict[str, Any]]:
    """Figures per assistant id for [start, end), from events in time order (earlier ones give context:
    who was assigned, when a request opened)."""
    state = _Fold(start, end, promises)
    for event in events:
        if event.at >= end:
            break
        state.apply(event)
    state.close()
    return {who: tally.figures() for who, tally in sorted(state.tallies.items())}


@dataclass
class Day:
    """One day's share of a period's figures — the fold split at the day's bounds: what its events counted,
    the waits found moot that day after their promise had run out (whether one counts depends on where the
    period starts), and the waits still open at its end (they count if the period ends with this day)."""

    tallies: dict[str, Tally | dict[str, Any]]  # (a day read back: each tally as its document, merged as is)
    late_moots: list[tuple[str, datetime]]  # (assistant, when the promise ran out)
    still_waiting: list[tuple[str, str, datetime]]  # (client, assistant, when the promise runs out)
    # a kept piece's id and digest (storage/kpi_days.py): what it holds, so a merge of it can be held (`Runs`)
    key: str | None = field(default=None, compare=False)

    def to_doc(self) -> dict[str, Any]:
        return {
            "tallies": {
                who: tally.to_doc() if isinstance(tally, Tally) else tally
                for who, tally in sorted(self.tallies.items())
            },
            "late_moots": [[who, due.isoformat()] for who, due in self.late_moots],
            "still_waiting": [[client, who, due.isoformat()] for client, who, due in self.still_waiting],
        }

    def opened(self) -> Day:
        """With each tally as a Tally (read back, a day's tallies are their documents), held (`held`)."""
        tallies: dict[str, Tally | dict[str, Any]] = {}
        for who, tally in self.tallies.items():
            tallies[who] = held(tally) if isinstance(tally, dict) else tally
        return Day(tallies, self.late_moots, self.still_waiting)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Day:
        return cls(
            dict(doc["tallies"]),
            [(who, datetime.fromisoformat(due)) for who, due in doc["late_moots"]],
            [(client, who, datetime.fromisoformat(due)) for client, who, due in doc["still_waiting"]],
        )


class Carried:
    """The fold carried from one day to the next: what it knows between events (who has each client, who is
    VIP, who waits since when, each request's client, opening, quote and fulfiller) never depends on the
    period asked about, so a day folded from the state the day before left gives exactly its share of any
    period's figures (`combine`). The state is kept per client and per request (`client`/`request`), so a
    day's fold loads only what its events touch."""

    def __init__(self, promises: Promises) -> None:
        self._fold = _Fold(datetime.min.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC), promises)

    def day(self, events: Iterable[Event], start: datetime, end: datetime) -> Day:
        """Fold the events of [start, end), in time order, into the state; the day's share of the figures."""
        f = self._fold
        f.start, f.end, f.tallies, f.late_moots = start, end, defaultdict(Tally), []
        for event in events:
            f.apply(event)
        return Day(dict(f.tallies), f.late_moots, f.still_waiting())

    def client(self, client: str) -> dict[str, Any]:
        f = self._fold
        waiting = f.waiting.get(client)
        return {
            "assigned": f.assigned.get(client),
            "vip": f.vip.get(client),
            "waiting": waiting.isoformat() if waiting else None,
        }

    def request(self, request: str) -> dict[str, Any]:
        f = self._fold
        opened = f.opened.get(request)
        return {
            "client": f.client_of.get(request),
            "opened": opened.isoformat() if opened else None,
            "quoted_by": f.quoted_by.get(request),
            "cost": f.cost_of.get(request, _NONE),
            "costed": request in f.costed,
            "fulfilled_by": f.fulfilled_by.get(request),
        }

    def know_client(self, client: str, doc: dict[str, Any]) -> None:
        f = self._fold
        _put(f.assigned, client, doc["assigned"])
        _put(f.vip, client, doc["vip"])
        _put(f.waiting, client, datetime.fromisoformat(doc["waiting"]) if doc["waiting"] else None)

    def know_request(self, request: str, doc: dict[str, Any]) -> None:
        f = self._fold
        _put(f.client_of, request, doc["client"])
        _put(f.opened, request, datetime.fromisoformat(doc["opened"]) if doc["opened"] else None)
        _put(f.quoted_by, request, doc["quoted_by"])
        if doc["cost"] != _NONE:
            f.cost_of[request] = doc["cost"]
        if doc["costed"]:
            f.costed.add(request)
        _put(f.fulfilled_by, request, doc["fulfilled_by"])

    def client_of(self, request: str) -> str | None:
        return self._fold.client_of.get(request)


_NONE = "-"  # a request no quote has set a cost for yet (a quote without one sets None)


@dataclass
class Checkpoint:
    """The first day not kept yet, folded until `at` from the days kept through `since`, and kept: its share
    so far, and what the fold knew at `at` of every client and request it read or changed since the day
    began — so a view goes on from there (`resume`) exactly as the fold would have, and folds only what came
    after (`joined` with that)."""

    day: date
    at: datetime
    since: date | None
    share: Day
    clients: dict[str, dict[str, Any]]
    requests: dict[str, dict[str, Any]]

    @classmethod
    def taken(
        cls,
        day: date,
        at: datetime,
        since: date | None,
        share: Day,
        carried: Carried,
        clients: Iterable[str],
        requests: Iterable[str],
    ) -> Checkpoint:
        return cls(
            day,
            at,
            since,
            share,
            {c: carried.client(c) for c in sorted(clients)},
            {r: carried.request(r) for r in sorted(requests)},
        )

    def resume(self, promises: Promises) -> Carried:
        carried = Carried(promises)
        for request, doc in self.requests.items():
            carried.know_request(request, doc)
        for client, doc in self.clients.items():
            carried.know_client(client, doc)
        return carried

    def to_doc(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "at": self.at.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "share": self.share.to_doc(),
            "clients": self.clients,
            "requests": self.requests,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Checkpoint:
        return cls(
            date.fromisoformat(doc["day"]),
            datetime.fromisoformat(doc["at"]),
            date.fromisoformat(doc["since"]) if doc["since"] else None,
            Day.from_doc(doc["share"]),
            doc["clients"],
            doc["requests"],
        )


def _put(state: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        state.pop(key, None)
    else:
        state[key] = value


def touched(events: Iterable[Event]) -> tuple[set[str], set[str]]:
    """The clients and the requests whose state the fold of these events reads or changes (a request's
    client too, once known: `Carried.client_of`)."""
    clients, requests = set(), set()
    for e in events:
        if e.stream_kind in ("client", "conversation"):
            clients.add(e.stream_id)
        elif e.stream_kind == "request":
            requests.add(e.stream_id)
            if e.type is EventType.REQUEST_OPENED:
                clients.add(e.data["client_id"])
    return clients, requests


def joined(pieces: Sequence[Day]) -> Day:
    """Pieces that follow each other (the days of a week; today until a checkpoint, then since) as one: the
    same share of any period's figures as the pieces in a row (`combine`), since tallies add, the waits found
    moot late are kept with when their promise ran out, and the waits still open are the last piece's."""
    late = [moot for piece in pieces for moot in piece.late_moots]
    return Day(dict(gather(pieces)), late, list(pieces[-1].still_waiting) if pieces else [])


def gather(pieces: Iterable[Day]) -> dict[str, Tally]:
    """The tallies of pieces that follow each other, added up (without the promises broken: `broken`)."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for piece in pieces:
        for who, tally in piece.tallies.items():
            if isinstance(tally, Tally):
                tallies[who].add(tally)
            else:
                tallies[who].add_doc(tally)
    return tallies


def broken(pieces: Sequence[Day], start: datetime, end: datetime) -> dict[str, int]:
    """Promises of [start, end) that ran out unanswered, per assistant, from the pieces that make it up (the
    last one ending at `end`): the waits found moot late (before `end`, and ran out before that), and the
    waits still open at the end that ran out inside the period."""
    out: dict[str, int] = defaultdict(int)
    for piece in pieces:
        for who, due in piece.late_moots:
            if due >= start:
                out[who] += 1
    for _client, who, due in pieces[-1].still_waiting if pieces else ():
        if start <= due < end:
            out[who] += 1
    return out


class Merged:
    """One assistant's tally of kept pieces (days, weeks), merged once and held by an instance (`Runs`): its
    values in order, its conversions counted. Its figures with a tally not kept added (today so far: some
    minutes' worth) are those of the two added up (`Tally.figures`), figured without copying it — the sets
    of a 90-day view (some 250,000 ids) are merged once, not at each view. Held long, as what the garbage
    collector does not walk through, item by item, at each of its full passes: ids as the keys of dicts
    (of strings alone: not tracked) and numbers in arrays."""

    __slots__ = (
        "clients",
        "converted",
        "paid",
        "quoted",
        "quotes",
        "rated",
        "ratings",
        "requests",
        "responses",
        "sums",
    )

    def __init__(self, tally: Tally) -> None:
        """(`tally` is emptied of its sets and lists: the Merged's own from now on, never changed again)"""
        self.clients = dict.fromkeys(tally.clients)
        self.requests = dict.fromkeys(tally.requests)
        self.quoted = dict.fromkeys(tally.quoted)
        self.paid = dict.fromkeys(tally.paid)
        self.converted = len(tally.paid & tally.quoted)
        self.responses = array.array("d", sorted(tally.first_responses))
        self.quotes = array.array("d", sorted(tally.first_quotes))
        whole = all(type(r) is int for r in tally.ratings)
        self.ratings: Sequence[float] = array.array("q", tally.ratings) if whole else tally.ratings
        self.rated = sum(tally.ratings) if whole else None
        tally.clients, tally.requests, tally.quoted, tally.paid = set(), set(), set(), set()
        tally.first_responses, tally.first_quotes, tally.ratings = [], [], []
        self.sums = tally

    def figures(self, more: Tally | None = None, broken: int = 0) -> dict[str, Any]:
        mine, more = self.sums, more if more is not None else _NOTHING
        sums = Tally()
        for name in _SUMMED:
            setattr(sums, name, getattr(mine, name) + getattr(more, name))
        for name in _ADDED:
            added = getattr(sums, name)
            for part in (getattr(mine, name), getattr(more, name)):
                for key, value in part.items():
                    added[key] += value
        sums.promises_due += broken
        responses, quotes = sorted(more.first_responses), sorted(more.first_quotes)
        quoted, paid = self.quoted, self.paid
        converted = self.converted + sum(  # (the requests quoted and paid that were not both, kept)
            1
            for r in more.paid | more.quoted
            if not (r in paid and r in quoted)
            and (r in paid or r in more.paid)
            and (r in quoted or r in more.quoted)
        )
        ratings = len(self.ratings) + len(more.ratings)
        if not ratings:
            csat = None
        elif self.rated is not None and all(type(r) is int for r in more.ratings):
            csat = round((self.rated + sum(more.ratings)) / ratings, 2)  # (fmean's, for whole numbers)
        else:
            csat = round(statistics.fmean([*self.ratings, *more.ratings]), 2)
        return _figures(
            sums,
            Counts(
                len(self.clients) + _new(more.clients, self.clients),
                len(self.requests) + _new(more.requests, self.requests),
                len(quoted) + _new(more.quoted, quoted),
                converted,
                len(self.responses) + len(responses),
                partial(_kth, self.responses, responses),
                len(self.quotes) + len(quotes),
                partial(_kth, self.quotes, quotes),
                csat,
                ratings,
            ),
        )


_SUMMED = tuple(name for name, kind in _KINDS.items() if kind is int)
_ADDED = tuple(name for name, kind in _KINDS.items() if kind is dict)
_NO_ONE = Merged(Tally())  # (an assistant with nothing kept in a period: never changed)
_NOTHING = Tally()  # (nothing more: never changed)


def _new(ids: set[str], known: dict[str, None]) -> int:
    """How many of `ids` are not `known` (the few of today so far, against the many kept)."""
    return sum(1 for i in ids if i not in known) if len(ids) < len(known) else len(ids.difference(known))


def _kth(many: Sequence[float], few: list[float], k: int) -> float:
    """The k-th (from 0) of two lists in order merged in order (`few` the shorter, as a rule)."""
    if not few:
        return many[k]
    before = 0  # how many of `few` come before the k-th
    for i, value in enumerate(few):
        at = bisect_left(many, value) + i  # its place merged (before the equal values of `many`)
        if at == k:
            return value
        if at > k:
            break
        before = i + 1
    return many[k - before]


_T = TypeVar("_T")


class Runs:
    """What an instance's views made of kept pieces, by the pieces' keys (their ids and digests: what they
    hold, so never stale), the last used: the pieces merged (`Merged`: MERGED of them, a period's — some
    15 MB for 90 days at 50 assistants and 20,000 clients), and the figures of a stretch of them alone
    (FIGURED of them: a bar of the Team page, a week or a day kept) — so a view merges again only when what
    it reads of the kept pieces changed (a day kept since: once a day), else figures only what is not kept
    (today so far). Made off the event loop, by views at once: the lock guards the lists, not the making."""

    MERGED = 8  # (a period's table or report, and its last bar's days kept: two a period asked for)
    FIGURED = 256  # (a bar's figures: some 100 kB; a 31-day page has 31 bars, of days)
    ASKED = 8  # named periods remembered (`ask`): the few a team looks at ("7d", "30d", "90d")

    def __init__(self) -> None:
        self._merged: OrderedDict[tuple[str | None, ...], dict[str, Merged]] = OrderedDict()
        self._figured: OrderedDict[tuple[Any, ...], dict[str, dict[str, Any]]] = OrderedDict()
        self._asked: OrderedDict[tuple[str, str], datetime] = OrderedDict()
        self._lock = threading.Lock()
        self.made = 0  # how many were made (not found held): for tests and benchmarks

    def ask(self, view: str, name: str, at: datetime) -> None:
        """A view (`report`, `team`) of a named period (`7d`) was asked for at `at`: when a day is kept, this
        instance makes it ready again before anyone asks (bot/workers/kpi_days.py `KpiWarmLoop`)."""
        with self._lock:
            self._asked[(view, name)] = max(at, self._asked.get((view, name), at))
            self._asked.move_to_end((view, name))
            while len(self._asked) > self.ASKED:
                self._asked.popitem(last=False)

    def asked_since(self, since: datetime) -> list[tuple[str, str]]:
        """The views of named periods asked for at `since` or after, the most recent last."""
        with self._lock:
            return [key for key, at in self._asked.items() if at >= since]

    def merged(self, pieces: Sequence[Day]) -> dict[str, Merged]:
        key = tuple(piece.key for piece in pieces)
        return self._held(self._merged, self.MERGED, key, lambda: merged(pieces))

    def figured(self, pieces: Sequence[Day], start: datetime, end: datetime) -> dict[str, dict[str, Any]]:
        """The figures of [start, end) made of kept pieces only (shared by the views: read, never changed)."""
        key = (*(piece.key for piece in pieces), start, end)
        return self._held(self._figured, self.FIGURED, key, lambda: _combined(pieces, start, end, None))

    def _held(
        self, held: OrderedDict[Any, _T], most: int, key: tuple[Any, ...], make: Callable[[], _T]
    ) -> _T:
        with self._lock:
            if (found := held.get(key)) is not None:
                held.move_to_end(key)
                return found
        made = make()
        with self._lock:
            self.made += 1
            held[key] = made
            while len(held) > most:
                held.popitem(last=False)
        return made

    def clear(self) -> None:
        with self._lock:
            self._merged.clear()
            self._figured.clear()


def merged(pieces: Iterable[Day]) -> dict[str, Merged]:
    return {who: Merged(tally) for who, tally in gather(pieces).items()}


def combine(
    days: Iterable[Day], start: datetime, end: datetime, runs: Runs | None = None
) -> dict[str, dict[str, Any]]:
    """The figures of [start, end) from the days (or weeks, or pieces of a day) that make it up, in order,
    the last one ending at `end`: the same figures as `fold` over the events (tests/unit/test_kpi_days.py
    compares them on random logs). With `runs`, the kept pieces (with a `key`) are merged once and held
    there, and what is not kept (today so far) added as it is figured — tallies add in any order."""
    pieces = list(days)
    if runs is not None and all(piece.key is not None for piece in pieces):
        return runs.figured(pieces, start, end)
    return _combined(pieces, start, end, runs)


def _combined(
    pieces: Sequence[Day], start: datetime, end: datetime, runs: Runs | None
) -> dict[str, dict[str, Any]]:
    late = broken(pieces, start, end)
    if runs is None:  # (nothing held: the pieces' tallies added up, and figured)
        tallies = gather(pieces)
        for who, due in late.items():
            tallies[who].promises_due += due  # (tallies of `gather`'s own)
        return {who: tally.figures() for who, tally in sorted(tallies.items())}
    base = runs.merged([piece for piece in pieces if piece.key is not None])
    more = gather(piece for piece in pieces if piece.key is None)
    return {
        who: base.get(who, _NO_ONE).figures(more.get(who), late.get(who, 0))
        for who in sorted(base.keys() | more.keys() | late.keys())
    }


# a period's unit as assistants write it after /stats: '7d', '7 days', '7д', '7 дней', '24h', '24 часа', '2w'
_PERIOD_UNITS = {
    **dict.fromkeys(("d", "day", "days", "д", "дн", "день", "дня", "дней"), ("days", 1)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "ч", "час", "часа", "часов"), ("hours", 1)),
    **dict.fromkeys(("w", "week", "weeks", "нед", "неделя", "недели", "неделю", "недель"), ("days", 7)),
    **dict.fromkeys(("month", "months", "месяц", "месяца", "месяцев"), ("days", 30)),
    **dict.fromkeys(("сутки", "суток"), ("hours", 24)),
}
_PERIOD = re.compile(r"(\d*)\s*([^\d\s]+)")


def period_asked(since: str) -> str:
    """'7 дней', 'week', '2w', 'сутки' → '7d', '7d', '14d', '24h': the period as the figures name it; else
    as it was written (which `period` refuses)."""
    text = since.strip().lower()
    match = _PERIOD.fullmatch(text)
    if match is None or (said := _PERIOD_UNITS.get(match[2].rstrip("."))) is None:
        return text
    unit, times = said
    count = int(match[1]) * times if match[1] else times
    return f"{count}{unit[0]}"


def period(since: str, now: datetime, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """'7d', '24h', '30d' (or as `period_asked` reads them: '7 дней', 'week') → (start, now). With the
    business time zone, days are whole days of its calendar (today so far and the days before it: what the
    days kept of the figures are read for); hours are hours."""
    text = period_asked(since)
    unit = {"d": "days", "h": "hours"}.get(text[-1:]) if text else None
    if unit is None or not text[:-1].isdigit() or not 0 < int(text[:-1]) <= 3660:
        raise InvalidValue(f"“{since}” is not a period like 7d or 24h", key="period", text=since)
    if unit == "days" and tz is not None:
        first = now.astimezone(tz).date() - timedelta(days=int(text[:-1]) - 1)
        return datetime.combine(first, time(0), tz), now
    return now - timedelta(**{unit: int(text[:-1])}), now
