"""The figures read from days (domain.kpis.Carried, Day, combine) are the fold's over the events, on random
logs: every period of whole days, every day folded from only the state its events touch (as the store keeps
it, client by client and request by request), every day and state written as a document and read back; days
folded in pieces from checkpoints taken mid-day (and the events after them), stretches of days joined (the
weeks kept, whichever days a period starts and ends on), today so far from its checkpoint, and the Team
page's bars and table read from them — with what an instance makes of the kept pieces held (`Runs`: their
merge, and the figures of kept pieces alone) and today added to it (`Merged`)."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import statistics
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest

from domain.events import Actor, ActorKind, Event, EventType
from domain.kpis import Carried, Checkpoint, Day, Merged, Runs, Tally, combine, fold, gather, joined, touched
from domain.promises import Promises
from engine.clock.kpis import _charted
from tests.untraced import untraced

START = datetime(2026, 3, 1, tzinfo=UTC)
DAYS = 8
ASSISTANTS = ["A-1", "A-2", "A-3"]
SYSTEM = Actor(ActorKind.SYSTEM, "concierge")
PROVIDER = Actor(ActorKind.PROVIDER, "cloudpayments")


def reference(events: list[Event], start: datetime, end: datetime, promises: Promises) -> dict:
    """`fold`, the figures' definition every period is checked against. It folds the whole log again for
    each of hundreds of periods a test (under coverage this file took 38 s of CPU, 18 s so): every
    TRACED-th call is measured, the rest untraced — the same lines and branches measured (checked)."""
    calls = next(_references)
    if calls % TRACED == 0:
        return fold(events, start, end, promises)
    with untraced():
        return fold(events, start, end, promises)


TRACED = 8
_references = itertools.count()  # (the same calls measured in every run of the same tests)


def _event(n: int, at: datetime, stream: str, kind: EventType, actor: Actor, **data) -> Event:
    return Event(stream, n + 1, kind, at, actor, f"c{n}", data)


def random_log(seed: int, size: int = 700, days: int = DAYS) -> list[Event]:
    """Clients assigned, tagged, writing, answered late or soon, requests quoted (with a cost or not), paid,
    refunded, fulfilled, rated, cancelled, escalations, conversations closed: in time order."""
    rng = random.Random(seed)
    times = sorted(START + timedelta(seconds=rng.uniform(0, days * 86400)) for _ in range(size))
    clients = [f"C{i}" for i in range(rng.choice([8, 40, 150]))]  # busy clients, and some quiet for days
    requests: dict[str, str] = {}  # request → client
    quoted: set[str] = set()
    paid: set[str] = set()
    events = []
    for n, at in enumerate(times):
        client = rng.choice(clients)
        staff = Actor(ActorKind.ASSISTANT, rng.choice(ASSISTANTS))
        me = Actor(ActorKind.CLIENT, client)
        mine = [r for r, c in requests.items() if c == client]
        request = rng.choice(mine) if mine else None
        roll = rng.random()
        event = partial(_event, n, at)

        if roll < 0.06:
            events.append(event(f"client:{client}", EventType.CLIENT_ASSIGNED, SYSTEM, assistant_id=staff.id))
        elif roll < 0.08:
            tags = ["vip"] if rng.random() < 0.5 else []
            events.append(event(f"client:{client}", EventType.CLIENT_TAGGED, staff, tags=tags))
        elif roll < 0.09:
            events.append(event(f"client:{client}", EventType.CLIENT_REGISTERED, SYSTEM, tags=["vip"]))
        elif roll < 0.33:
            command = {"command": "start"} if rng.random() < 0.05 else {}
            events.append(event(f"conversation:{client}", EventType.MESSAGE_RECEIVED, me, **command))
            if rng.random() < 0.5:  # answered within the promise or soon after it
                soon = at + timedelta(minutes=rng.uniform(0.5, 25))
                answer = Event(
                    f"conversation:{client}", 0, EventType.STAFF_MESSAGE_SENT, soon, staff, "a", {}
                )
                events.append(answer)
        elif roll < 0.36:
            events.append(event(f"conversation:{client}", EventType.CALL_MISSED, me))
        elif roll < 0.37:
            action = rng.choice(["change", "all-good"])
            events.append(event(f"conversation:{client}", EventType.CLIENT_ACTION_TAKEN, me, action=action))
        elif roll < 0.52:
            events.append(event(f"conversation:{client}", EventType.STAFF_MESSAGE_SENT, staff))
        elif roll < 0.55:
            events.append(event(f"conversation:{client}", EventType.CONVERSATION_CLOSED, staff))
        elif roll < 0.56:
            events.append(event(f"conversation:{client}", EventType.RATING_COMMENTED, me))
        elif roll < 0.60:
            stream = f"request:{request}" if request and rng.random() < 0.5 else f"conversation:{client}"
            step = rng.randint(1, 3)
            events.append(event(stream, EventType.RESPONSE_OVERDUE, SYSTEM, step=step, assistant_id=staff.id))
        elif roll < 0.68 or request is None:
            new = f"R-{len(requests) + 1}"
            requests[new] = client
            events.append(event(f"request:{new}", EventType.REQUEST_OPENED, me, client_id=client))
        elif roll < 0.78:
            cost = {"cost": {"minor": rng.randint(1, 9) * 1000}} if rng.random() < 0.5 else {}
            actor = staff if rng.random() < 0.9 else SYSTEM
            events.append(event(f"request:{request}", EventType.REQUEST_QUOTED, actor, **cost))
            quoted.add(request)
        elif roll < 0.84 and request in quoted:
            amount = {"minor": rng.randint(5, 20) * 1000, "currency": rng.choice(["RUB", "RUB", "USD"])}
            events.append(
                event(f"request:{request}", EventType.REQUEST_PAID, PROVIDER, payment={"amount": amount})
            )
            paid.add(request)
        elif roll < 0.87 and request in paid:
            amount = {"minor": rng.randint(1, 4) * 1000, "currency": "RUB"}
            events.append(
                event(f"request:{request}", EventType.REQUEST_REFUNDED, staff, refund={"amount": amount})
            )
        elif roll < 0.91:
            kind = rng.choice(
                [EventType.REQUEST_STARTED, EventType.REQUEST_FULFILLED, EventType.REQUEST_CANCELLED]
            )
            events.append(event(f"request:{request}", kind, staff))
        else:
            events.append(event(f"request:{request}", EventType.REQUEST_RATED, me, score=rng.randint(1, 5)))
    return sorted((e for e in events if e.at < START + timedelta(days=days)), key=lambda e: e.at)


def midnight(day: int) -> datetime:
    return START + timedelta(days=day)


class Kept:
    """The store's kept state, client by client and request by request, as of the last day kept."""

    def __init__(self) -> None:
        self.clients: dict[str, dict] = {}
        self.requests: dict[str, dict] = {}
        self.waiting: list[str] = []  # the clients still waiting when the last day kept ended

    def teach(self, carried: Carried, events: list[Event], known: Checkpoint | None = None) -> set[str]:
        """What a fold of these events needs and the checkpoint (if any) did not know; the clients taught."""
        clients, requests = touched(events)
        if known is None:
            clients |= set(self.waiting)
        for request in requests - set(known.requests if known else ()):
            if request in self.requests:
                carried.know_request(request, self.requests[request])
        clients |= {carried.client_of(r) for r in requests} - {None}
        for client in clients - set(known.clients if known else ()):
            if client in self.clients:
                carried.know_client(client, self.clients[client])
        return clients

    def keep(self, carried: Carried, clients: set[str], requests: set[str], share: Day) -> None:
        for request in requests:
            self.requests[request] = carried.request(request)
        for client in clients | {carried.client_of(r) for r in requests} - {None}:
            self.clients[client] = carried.client(client)
        self.waiting = [client for client, _who, _due in share.still_waiting]


def through_json(doc: dict) -> dict:
    return json.loads(json.dumps(doc))


def as_kept(piece: Day) -> Day:
    """A piece as the store hands it over: read back from its document, keyed by what it holds (its digest:
    `Runs` holds what is made of it by that)."""
    doc = piece.to_doc()
    day = Day.from_doc(through_json(doc))
    day.key = hashlib.blake2b(json.dumps(doc, sort_keys=True).encode(), digest_size=12).hexdigest()
    return day


def checkpointed(
    kept: Kept, day: date, events: list[Event], start: datetime, cuts: list[datetime], promises: Promises
) -> Iterator[Checkpoint]:
    """The checkpoints a day's job would take at `cuts`: the first folded from the kept state, each next one
    from the last (read back from its document) and the events since, as the store has them."""
    checkpoint = None
    for cut in cuts:
        begin = checkpoint.at if checkpoint else start
        these = [e for e in events if begin <= e.at < cut]
        carried = checkpoint.resume(promises) if checkpoint else Carried(promises)
        clients = kept.teach(carried, these, checkpoint)
        share = carried.day(these, begin, cut)
        _, requests = touched(these)
        if checkpoint:
            share = joined([checkpoint.share, share])
            clients |= checkpoint.clients.keys()
            requests |= checkpoint.requests.keys()
        taken = Checkpoint.taken(day, cut, None, share, carried, clients, requests)
        checkpoint = Checkpoint.from_doc(through_json(taken.to_doc()))
        yield checkpoint


def since_checkpoint(
    kept: Kept,
    checkpoint: Checkpoint | None,
    events: list[Event],
    start: datetime,
    end: datetime,
    promises: Promises,
) -> tuple[Day, Carried, set[str], set[str]]:
    """The day's share until `end`: the checkpoint's, joined with a fold of the events since it."""
    begin = checkpoint.at if checkpoint else start
    these = [e for e in events if begin <= e.at < end]
    carried = checkpoint.resume(promises) if checkpoint else Carried(promises)
    clients = kept.teach(carried, these, checkpoint)
    _, requests = touched(these)
    share = carried.day(these, begin, end)
    if checkpoint:
        share = joined([checkpoint.share, share])
        clients |= checkpoint.clients.keys()
        requests |= checkpoint.requests.keys()
    return share, carried, clients, requests


def days_kept_apart(
    events: list[Event],
    promises: Promises,
    days: int = DAYS,
    cuts: random.Random | None = None,
    kept: Kept | None = None,
) -> Iterator[Day]:
    """Day by day as the store folds them: a fresh fold that knows only the state its day's events touch
    (and the clients still waiting from the day before), every document through its dict form. With `cuts`,
    each day folded as a view would fold it at its end: from checkpoints taken at random moments of it."""
    kept = kept if kept is not None else Kept()
    for d in range(days):
        day_events = [e for e in events if midnight(d) <= e.at < midnight(d + 1)]
        moments = []
        if cuts:  # on an event's very time (it falls after the checkpoint), or any moment
            on = [e.at for e in cuts.sample(day_events, min(len(day_events), cuts.randint(0, 2)))]
            moments = sorted(
                on + [midnight(d) + timedelta(seconds=cuts.uniform(1, 86399))] * cuts.randint(0, 1)
            )
        taken = list(checkpointed(kept, midnight(d).date(), events, midnight(d), moments, promises))
        last = taken[-1] if taken else None
        share, carried, clients, requests = since_checkpoint(
            kept, last, day_events, midnight(d), midnight(d + 1), promises
        )
        day = as_kept(share)
        kept.keep(carried, clients, requests, day)
        yield day


@pytest.mark.parametrize("seed", range(12))
def test_days_give_the_folds_figures_for_every_period_of_whole_days(seed: int) -> None:
    promises = Promises()
    events = random_log(seed)
    days = list(days_kept_apart(events, promises))
    for first in range(DAYS):
        for last in range(first, DAYS):
            start, end = midnight(first), midnight(last + 1)
            assert combine(days[first : last + 1], start, end) == reference(events, start, end, promises), (
                first,
                last,
            )


def test_a_day_in_progress_ends_where_its_events_do() -> None:
    """Today, folded so far: the period ends now, and the waits still open count if due before now."""
    promises = Promises()
    events = random_log(99)
    days = list(days_kept_apart(events, promises))
    now = midnight(DAYS - 1) + timedelta(hours=13)
    carried = Carried(promises)
    carried.day([e for e in events if e.at < midnight(DAYS - 1)], START, midnight(DAYS - 1))
    today = carried.day([e for e in events if midnight(DAYS - 1) <= e.at < now], midnight(DAYS - 1), now)
    start = midnight(DAYS - 3)
    assert combine([*days[DAYS - 3 : DAYS - 1], today], start, now) == reference(events, start, now, promises)
    assert any(day.late_moots for day in days) and any(day.still_waiting for day in days)


@pytest.mark.parametrize("seed", range(12))
def test_days_folded_from_checkpoints_give_the_folds_figures(seed: int) -> None:
    """Each day folded in pieces: checkpoints at random moments (on an event's very time, too), each taken
    from the one before and the events since, the day's end folded from the last."""
    promises = Promises()
    events = random_log(seed)
    days = list(days_kept_apart(events, promises, cuts=random.Random(seed)))
    for first in range(DAYS):
        for last in range(first, DAYS):
            start, end = midnight(first), midnight(last + 1)
            assert combine(days[first : last + 1], start, end) == reference(events, start, end, promises), (
                first,
                last,
            )


@pytest.mark.parametrize("seed", range(8))
def test_today_so_far_from_its_checkpoint_and_the_events_after_it(seed: int) -> None:
    """A view at any moment of today: the days kept, and today from the last checkpoint taken before the
    moment, with the events that came after it folded on — for periods of one day to all of them."""
    promises, rng = Promises(), random.Random(seed)
    events = random_log(seed)
    kept = Kept()
    days = list(days_kept_apart(events, promises, days=DAYS - 1, kept=kept))
    today = midnight(DAYS - 1)
    cuts = sorted(today + timedelta(seconds=rng.uniform(0, 86400)) for _ in range(4))
    checkpoints = list(checkpointed(kept, today.date(), events, today, cuts, promises))
    runs, views = Runs(), 0  # (the days kept merged once for each period, held for the moments after)
    for now in sorted(today + timedelta(seconds=rng.uniform(0, 86400)) for _ in range(6)) + cuts:
        taken = [c for c in checkpoints if c.at <= now]
        share, *_ = since_checkpoint(kept, taken[-1] if taken else None, events, today, now, promises)
        for first in (0, DAYS - 3, DAYS - 1):
            start = midnight(first)
            folded = reference(events, start, now, promises)
            assert combine([*days[first:], share], start, now) == folded, (now, first)
            assert combine([*days[first:], share], start, now, runs) == folded, (now, first)
            views += 1
    assert runs.made == 3 < views  # (one merge a period: its days kept, whatever the moment today)


def weeks_of(days: list[Day], offset: int) -> dict[int, Day]:
    """The stretches of seven days from `offset` on, joined (read back from their documents), by first day."""
    return {w: as_kept(joined(days[w : w + 7])) for w in range(offset, len(days) - 6, 7)}


def pieces_of(days: list[Day], weeks: dict[int, Day], first: int, last: int) -> list[tuple[int, Day]]:
    """[first, last] as the view reads it: the weeks wholly inside it, the days of the others."""
    out, d = [], first
    while d <= last:
        if d in weeks and d + 6 <= last:
            out.append((d, weeks[d]))
            d += 7
        else:
            out.append((d, days[d]))
            d += 1
    return out


@pytest.mark.parametrize("seed", range(8))
def test_weeks_joined_give_the_folds_figures_wherever_a_period_starts_and_ends(seed: int) -> None:
    """Over 17 days, weeks joined from a random weekday on: every period reads the weeks wholly inside it
    and the days of those it cuts (a period that starts or ends mid-week)."""
    promises, span = Promises(), 17
    events = random_log(seed, size=1400, days=span)
    days = list(days_kept_apart(events, promises, days=span, cuts=random.Random(seed)))
    weeks = weeks_of(days, seed % 7)
    used, runs = 0, Runs()
    for first in range(span):
        for last in range(first, span):
            pieces = pieces_of(days, weeks, first, last)
            used += len(pieces) < last - first + 1
            start, end = midnight(first), midnight(last + 1)
            folded = reference(events, start, end, promises)
            assert combine([p for _, p in pieces], start, end) == folded, (first, last)
            # held: the figures of kept pieces alone, by their keys and the period's bounds
            assert combine([p for _, p in pieces], start, end, runs) == folded, (first, last)
            assert combine([p for _, p in pieces], start, end, runs) == folded, (first, last)
    assert used > 30  # (the weeks were read, not only the days)
    assert runs.made == span * (span + 1) // 2


@pytest.mark.parametrize("seed", range(6))
def test_the_team_pages_bars_and_table_are_the_folds(seed: int) -> None:
    """The Team page reads each piece once: each bar's figures, and the table from the bars' tallies added
    up, the same as the fold of each bar's stretch and of the whole period (today in progress the last)."""
    promises, span, rng = Promises(), 17, random.Random(seed)
    events = random_log(seed, size=1400, days=span)
    kept = Kept()
    days = list(days_kept_apart(events, promises, days=span - 1, kept=kept))
    weeks = weeks_of(days, rng.randint(0, 6))
    first = rng.randint(0, 6)
    runs, made = Runs(), []
    # two views of the page today, an instance's views holding what they made of the kept pieces: the
    # second makes nothing again (the bars of kept pieces alone are held figured, the rest merged)
    for now in sorted(midnight(span - 1) + timedelta(hours=rng.uniform(0, 24)) for _ in range(2)):
        today, *_ = since_checkpoint(kept, None, events, midnight(span - 1), now, promises)
        pieces = pieces_of([*days, today], weeks, first, span - 1)
        starts = [d for d, _ in pieces]
        pick = random.Random(seed)  # (the same bars for both views)
        buckets = sorted({first, *(d for d in starts if d in weeks or pick.random() < 0.3)})
        bounds = [
            (midnight(b), midnight(nxt) if nxt is not None else now)
            for b, nxt in zip(buckets, [*buckets[1:], None], strict=True)
        ]
        as_dates = [(midnight(d).date(), p) for d, p in pieces]
        for held in (None, runs):
            table, bars = _charted(
                as_dates, [midnight(b).date() for b in buckets], bounds, midnight(first), now, held
            )
            assert table == reference(events, midnight(first), now, promises)
            assert bars == [reference(events, *bound, promises) for bound in bounds]
            assert len(bars) > 1
        made.append(runs.made)
    assert made[0] == made[1] == len(buckets) + 1


def test_a_day_kept_with_its_numbers_written_out_reads_the_same() -> None:
    """The days kept by the first version wrote their numbers out ("1.5 0.25"); this one packs them. Both
    read back to the same figures, packed ones in order and exactly (a float's every bit)."""
    promises = Promises()
    events = random_log(7)
    (day,) = [d for i, d in enumerate(days_kept_apart(events, promises)) if i == 3]
    packed = through_json(day.to_doc())
    written_out = json.loads(json.dumps(packed))
    for tally in written_out["tallies"].values():
        for name in ("first_responses", "first_quotes", "ratings"):
            if name in tally:
                values = Tally()
                values.add_doc({name: tally[name]})
                tally[name] = " ".join(map(repr, getattr(values, name)))
    start, end = midnight(3), midnight(4)
    assert combine([Day.from_doc(written_out)], start, end) == combine([Day.from_doc(packed)], start, end)
    assert combine([Day.from_doc(packed)], start, end) == reference(events, start, end, promises)
    assert any(
        v.startswith("~") for t in packed["tallies"].values() for v in t.values() if isinstance(v, str)
    )


@pytest.mark.parametrize("size", [2, 3, 7, 10, 101, 1000])
def test_percentiles_are_statistics_quantiles_inclusive_cuts(size: int) -> None:
    """The figures cut only the percentiles they show, with `statistics.quantiles`'s own arithmetic."""
    rng = random.Random(size)
    for _ in range(50):
        tally = Tally()
        tally.first_responses = [
            rng.choice([rng.expovariate(1 / 600), rng.randint(0, 99)]) for _ in range(size)
        ]
        tally.first_quotes = [rng.uniform(0, 1e5) for _ in range(size)]
        cuts = statistics.quantiles(tally.first_responses, n=100, method="inclusive")
        quote = statistics.quantiles(tally.first_quotes, n=100, method="inclusive")[49]
        figures = tally.figures()
        assert (figures["first_response_p50_s"], figures["first_response_p90_s"]) == (
            round(cuts[49]),
            round(cuts[89]),
        )
        assert figures["first_quote_p50_s"] == round(quote)


def test_a_period_of_days_kept_by_an_older_version_and_weeks_kept_now() -> None:
    """A store upgraded to this version keeps its past days without a digest (no key: figured each view, as
    they are not held) beside the weeks joined since (keyed): the same figures, held or not."""
    promises, span = Promises(), 17
    events = random_log(4, size=1400, days=span)
    days = list(days_kept_apart(events, promises, days=span))
    weeks = weeks_of(days, 2)
    old = [Day(d.tallies, d.late_moots, d.still_waiting) for d in days]  # (their keys: None)
    runs = Runs()
    for first in range(0, 6):
        pieces = [p for _, p in pieces_of(old, weeks, first, span - 1)]
        assert any(p.key is None for p in pieces) and any(p.key is not None for p in pieces)
        folded = reference(events, midnight(first), midnight(span), promises)
        for _ in range(2):
            assert combine(pieces, midnight(first), midnight(span), runs) == folded, first
    assert runs.made == 2  # (the weeks inside: both, or the second; the old days figured each view)


def random_tally(rng: random.Random, ids: list[str]) -> Tally:
    tally = Tally()
    for name in ("clients", "requests", "quoted", "paid"):
        getattr(tally, name).update(rng.sample(ids, rng.randint(0, len(ids))))
    for name in ("first_responses", "first_quotes"):  # (some equal values: ties across the pieces)
        getattr(tally, name).extend(rng.choice([rng.uniform(0, 900), 60.0]) for _ in range(rng.randint(0, 9)))
    tally.ratings = [rng.randint(1, 5) for _ in range(rng.randint(0, 6))]
    for name in ("promises_kept", "promises_due", "quotes_sent", "escalations", "costed", "payments"):
        setattr(tally, name, rng.randint(0, 5))
    for name in ("revenue", "refunds", "margin", "costed_revenue"):
        for currency in rng.sample(["RUB", "USD"], rng.randint(0, 2)):
            getattr(tally, name)[currency] += rng.randint(-1000, 9000)
    return tally


@pytest.mark.parametrize("seed", range(40))
def test_merged_tallies_and_a_tally_not_kept_figure_as_the_two_added(seed: int) -> None:
    """`Merged.figures(more)`: the figures of kept tallies merged and of one more added to them, counted
    without adding the sets (ids in both, in one only), merging the lists (ties, one empty), or the
    ratings (whole numbers, or not) — the same as `Tally.figures` of the tallies added up."""
    rng = random.Random(seed)
    ids = [f"R{i}" for i in range(rng.choice([3, 12, 40]))]
    kept = [Day({"A": random_tally(rng, ids)}, [], []) for _ in range(rng.randint(0, 4))]
    more = random_tally(rng, ids) if rng.random() < 0.8 else Tally()
    if seed % 10 == 9:
        more.ratings.append(4.5)
    broken = rng.randint(0, 3)
    everything = gather([*kept, Day({"A": more}, [], [])])["A"]
    everything.promises_due += broken
    merged = gather(kept).get("A")
    assert Merged(merged or Tally()).figures(more, broken) == everything.figures()
