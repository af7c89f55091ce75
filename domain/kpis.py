"""The team's figures, folded from the event log by a pure function: the same events give the same figures
(a rebuild of the projections changes nothing here), and the console shows what the CLI prints.

Attribution: a client's wait belongs to the assistant who has the client when it ends (a client handed over
mid-wait is the new assistant's to answer; the escalation stays with the one who let it happen),
a quote and what it earns to the assistant who sent it, a rating to the assistant who fulfilled the
request, an escalation to the assistant who let it happen."""

from __future__ import annotations

import array
import base64
import statistics
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

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
                mine |= theirs
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
        def pct(values: list[float], *qs: int) -> list[int | None]:
            """The q-th percentiles, as `statistics.quantiles(values, n=100, method="inclusive")` cuts them
            (its very arithmetic), without cutting the 98 others: the Team page asks for some 1,500."""
            if not values:
                return [None for _ in qs]
            if len(values) == 1:
                return [round(values[0]) for _ in qs]
            data, last = sorted(values), len(values) - 1
            out: list[int | None] = []
            for q in qs:
                j, delta = divmod(q * last, 100)
                out.append(round((data[j] * (100 - delta) + data[j + 1] * delta) / 100))
            return out

        response_p50, response_p90 = pct(self.first_responses, 50, 90)
        return {
            "clients": len(self.clients),
            "requests": len(self.requests),
            "first_response_p50_s": response_p50,
            "first_response_p90_s": response_p90,
            "promises_kept_pct": round(100 * self.promises_kept / self.promises_due)
            if self.promises_due
            else None,
            "promises_due": self.promises_due,
            "first_quote_p50_s": pct(self.first_quotes, 50)[0],
            "quotes_sent": self.quotes_sent,
            "conversion_pct": round(100 * len(self.paid & self.quoted) / len(self.quoted))
            if self.quoted
            else None,
            "revenue": dict(sorted(self.revenue.items())),
            "refunds": dict(sorted(self.refunds.items())),
            "refund_count": self.refund_count,
            "net_revenue": {
                c: self.revenue.get(c, 0) - self.refunds.get(c, 0)
                for c in sorted(set(self.revenue) | set(self.refunds))
            },
            "csat_avg": round(statistics.fmean(self.ratings), 2) if self.ratings else None,
            "csat_count": len(self.ratings),
            "escalations": self.escalations,
            "margin": dict(sorted(self.margin.items())),
            "margin_pct": _share(self.margin, self.costed_revenue),
            "costed": self.costed,
            "payments": self.payments,
        }


TALLY_FIELDS = tuple(f.name for f in fields(Tally))
_KINDS = {name: type(value) if not isinstance(value, dict) else dict for name, value in vars(Tally()).items()}


def _packed(name: str, values: list[float] | list[int]) -> str:
    """A list of numbers kept as the bytes of its machine values (little-endian), in base64 after a `~`: read
    back exactly, ten times faster than numbers written out (a 90-day view reads some 200,000 of them); and
    in order, since only their percentiles and mean are figures: a view's lists are then runs already in
    order, which Python sorts for the percentiles several times faster."""
    packed = array.array("q" if name == "ratings" else "d", sorted(values))
    if sys.byteorder != "little":
        packed.byteswap()
    return "~" + base64.b64encode(packed.tobytes()).decode("ascii")


def _unpacked(name: str, text: str) -> Iterable[float]:
    if not text.startswith("~"):  # (as the first version kept them: numbers written out)
        return map(int if name == "ratings" else float, text.split(" "))
    values = array.array("q" if name == "ratings" else "d", base64.b64decode(text[1:]))
    if sys.byteorder != "little":
        values.byteswap()
    return values


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
        """With each tally as a Tally (read back, a day's tallies are their documents)."""
        tallies: dict[str, Tally | dict[str, Any]] = {}
        for who, tally in self.tallies.items():
            if isinstance(tally, dict):
                tallies[who] = opened = Tally()
                opened.add_doc(tally)
            else:
                tallies[who] = tally
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


def figures_of(tallies: dict[str, Tally], broken: dict[str, int]) -> dict[str, dict[str, Any]]:
    out = {}
    for who in sorted(tallies.keys() | broken.keys()):
        tally = tallies.get(who) or Tally()
        if broken.get(who):
            tally = replace(tally, promises_due=tally.promises_due + broken[who])
        out[who] = tally.figures()
    return out


def combine(days: Iterable[Day], start: datetime, end: datetime) -> dict[str, dict[str, Any]]:
    """The figures of [start, end) from the days (or weeks, or pieces of a day) that make it up, in order,
    the last one ending at `end`: the same figures as `fold` over the events (tests/unit/test_kpi_days.py
    compares them on random logs)."""
    pieces = list(days)
    return figures_of(gather(pieces), broken(pieces, start, end))


def period(since: str, now: datetime, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """'7d', '24h', '30d' → (start, now). With the business time zone, days are whole days of its calendar
    (today so far and the days before it: what the days kept of the figures are read for); hours are
    hours."""
    text = since.strip().lower()
    unit = {"d": "days", "h": "hours"}.get(text[-1:]) if text else None
    if unit is None or not text[:-1].isdigit() or not 0 < int(text[:-1]) <= 3660:
        raise InvalidValue(f"“{since}” is not a period like 7d or 24h", key="period", text=since)
    if unit == "days" and tz is not None:
        first = now.astimezone(tz).date() - timedelta(days=int(text[:-1]) - 1)
        return datetime.combine(first, time(0), tz), now
    return now - timedelta(**{unit: int(text[:-1])}), now
