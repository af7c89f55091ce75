"""What the staff console shows, as named reads. Every read takes the viewer: an assistant sees their own
clients and requests, a lead everything; anything else is `NotVisible` (a 404: its existence is not told)."""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain import search
from domain.board import BOARD_STATES, Face
from domain.clients import Assistant, Client
from domain.deadlines import FIRST_QUOTE
from domain.errors import DomainError
from domain.events import Event
from domain.lifecycle import RequestState
from domain.money import Money
from domain.requests import ServiceRequest
from engine import queries as q
from engine.clock.timers import response_id
from engine.deps import Deps
from storage.board import still_waits
from storage.timefmt import from_ms, to_ms

SEARCH_LIMIT = 50
SEARCH_SCAN = 2000  # clients read per search word at most (a one-letter word matches many)
PAYMENTS_LIMIT = 2000


class NotVisible(DomainError):
    """Not there, or not the viewer's to see."""


def may_see(viewer: Assistant, client: Client) -> bool:
    return viewer.lead or client.assistant_id == viewer.id


async def visible_client(deps: Deps, viewer: Assistant, client_id: str) -> Client:
    client = await q.client(deps.store, client_id) if len(client_id) <= 20 else None
    if client is None or not may_see(viewer, client):
        raise NotVisible(f"no client {client_id}")
    return client


async def visible_request(deps: Deps, viewer: Assistant, request_id: str) -> tuple[ServiceRequest, Client]:
    request = await q.request(deps.store, request_id) if len(request_id) <= 20 else None
    client = await q.client(deps.store, request.client_id) if request else None
    if request is None or client is None or not may_see(viewer, client):
        raise NotVisible(f"no request {request_id}")
    return request, client


IN_BATCH = 500


async def _by_ids(deps: Deps, collection: str, ids: list[str]) -> list[dict[str, Any]]:
    """Documents by `_id`, a few hundred at a time (an `_id` `$in` is an index seek on both engines)."""
    found = []
    for start in range(0, len(ids), IN_BATCH):
        chunk = ids[start : start + IN_BATCH]
        found += await deps.store.db[collection].find({"_id": {"$in": chunk}}).to_list()
    return found


async def _clients_by_id(deps: Deps, ids: set[str]) -> dict[str, Client]:
    return {doc["_id"]: Client.from_doc(doc) for doc in await _by_ids(deps, "clients", sorted(ids))}


@dataclass(frozen=True, slots=True)
class Clock:
    """The response clock of a card: what is awaited, since when, and when the promise runs out."""

    what: str  # "reply" | "quote"
    since: datetime
    due: datetime

    def breached(self, now: datetime) -> bool:
        return now >= self.due


@dataclass(frozen=True, slots=True)
class Card:
    face: Face  # what it shows of the request and its client
    assistant: str
    clock: Clock | None

    def order(self, now: datetime) -> tuple[bool, datetime, int]:
        """Its place in its column (the page's script keeps the same order as cards come and go)."""
        breached = self.clock is not None and self.clock.breached(now)
        return not breached, self.clock.since if self.clock else now, self.face.number


async def _clocks(deps: Deps, faces: list[Face]) -> dict[str, Clock]:
    """Per card: the client waiting for a reply first, else a new request waiting for its first quote."""
    ids = [response_id(f.client_id) for f in faces] + [f"{FIRST_QUOTE}:{f.id}" for f in faces]
    live = {d["_id"]: d for d in await _by_ids(deps, "deadlines", ids) if still_waits(d)}
    found = {}
    for f in faces:
        if doc := live.get(response_id(f.client_id)):
            since = from_ms(doc["since_ms"]) if doc.get("since_ms") else from_ms(doc["at_ms"])
            found[f.id] = Clock("reply", since, since + deps.policy.promises.response(f.vip))
        elif f.state is RequestState.NEW and (doc := live.get(f"{FIRST_QUOTE}:{f.id}")):
            since = from_ms(doc["since_ms"]) if doc.get("since_ms") else from_ms(doc["at_ms"])
            found[f.id] = Clock("quote", since, since + deps.policy.promises.first_quote)
    return found


async def board(
    deps: Deps, viewer: Assistant, assistant_id: str | None = None, team: list[Assistant] | None = None
) -> dict[str, list[Card]]:
    """Open requests in columns by state; breached first, then the longest waiting, then the oldest. From the
    board's cards (storage/board.py: only what a card shows, its clocks too), as this instance's copy of the
    open ones has them (storage/board_view.py: those written since its last read, read again)."""
    wanted = viewer.id if not viewer.lead else assistant_id
    names = {a.id: a.name for a in (team if team is not None else await q.assistants(deps.store))}

    def made(doc: dict[str, Any]) -> Card | None:  # (each card made once, until the store's changes)
        return _kept_card(deps, doc, names) if doc["cv"] >= 0 else None

    cards = await deps.store.open_cards.read_as(made, tuple(sorted(names.items())))
    return _in_columns(deps, [c for c in cards if not wanted or c.face.assistant_id == wanted])


async def board_cards(deps: Deps, viewer: Assistant, ids: list[str]) -> list[Card]:
    """Cards by request id (a column's next ones), of those on the board the viewer may see."""
    docs = await _by_ids(deps, "board", sorted({i for i in ids if len(i) <= 20}))
    mine = [d for d in docs if d["open"] and d["cv"] >= 0 and (viewer.lead or d["assistant_id"] == viewer.id)]
    names = {a.id: a.name for a in await q.assistants(deps.store)}
    return _kept_cards(deps, mine, names)


def _kept_clock(deps: Deps, doc: dict[str, Any], f: Face) -> Clock | None:
    """A card's clock as the card keeps it (as `_clocks` reads it from the deadlines)."""
    if doc.get("rs") is not None:
        since = from_ms(doc["rs"])
        return Clock("reply", since, since + deps.policy.promises.response(f.vip))
    if f.state is RequestState.NEW and doc.get("qs") is not None:
        since = from_ms(doc["qs"])
        return Clock("quote", since, since + deps.policy.promises.first_quote)
    return None


def _kept_card(deps: Deps, doc: dict[str, Any], names: dict[str, str]) -> Card:
    f = Face.from_doc(doc)
    return Card(f, names.get(f.assistant_id or "", "—"), _kept_clock(deps, doc, f))


def _kept_cards(deps: Deps, docs: list[dict[str, Any]], names: dict[str, str]) -> list[Card]:
    return [_kept_card(deps, d, names) for d in docs]


async def _columns(deps: Deps, faces: list[Face]) -> dict[str, list[Card]]:
    """The board's columns of these faces, their clocks read from the deadlines."""
    names = {a.id: a.name for a in await q.assistants(deps.store)}
    return _in_columns(deps, await _cards(deps, faces, names))


def _in_columns(deps: Deps, cards: list[Card]) -> dict[str, list[Card]]:
    now = deps.clock.now()
    columns: dict[str, list[Card]] = {s.value: [] for s in BOARD_STATES}
    for card in cards:
        columns[card.face.state.value].append(card)
    for column in columns.values():
        column.sort(key=lambda c: c.order(now))
    return columns


async def _cards(deps: Deps, faces: list[Face], names: dict[str, str]) -> list[Card]:
    clocks = await _clocks(deps, faces)
    return [Card(f, names.get(f.assistant_id or "", "—"), clocks.get(f.id)) for f in faces]


@dataclass(frozen=True, slots=True)
class ClientCards:
    """A client's cards as the board shows them now, for the live stream: their open requests' cards, the
    ids of their requests that are not on the board (closed), and whose the client is (as their cards say)."""

    owner: str | None
    cards: list[Card]
    off_board: list[str]


async def client_cards(deps: Deps, client_id: str, names: dict[str, str]) -> ClientCards:
    """One read by index: the client's cards as the board keeps them (storage/board.py: what each shows of
    the request and the client, its clocks), the same documents the board is drawn from."""
    docs = [d for d in await deps.store.db["board"].find({"client_id": client_id}).to_list() if d["cv"] >= 0]
    docs.sort(key=lambda d: int(d["_id"].split("-")[1]))
    owner = max(docs, key=lambda d: d["cv"])["assistant_id"] if docs else None  # (the newest client side)
    shown = [_kept_card(deps, d, names) for d in docs if d["open"]]
    return ClientCards(owner, shown, [d["_id"] for d in docs if not d["open"]])


# --- clients ---
_CLIENT_ID = re.compile(r"\s*[cс]\s*-?\s*(\d{1,9})\s*", re.IGNORECASE)  # (C-, or С- typed in Russian)


async def search_clients(deps: Deps, viewer: Assistant, text: str) -> list[Client]:
    """By their id ("C-1042"), the start of any word of the name, the @username or a tag, or the last digits
    of the phone (an index seek on the `search` keys); the most recent clients when nothing is asked; at most
    50."""
    clients = deps.store.db["clients"]
    mine = {} if viewer.lead else {"assistant_id": viewer.id}
    found: dict[str, Client] = {}
    if (number := _CLIENT_ID.fullmatch(text[:80])) is not None:  # the id the cards and escalations show
        doc = await clients.find_one({"_id": f"C-{int(number[1])}"})
        if doc is not None and may_see(viewer, client := Client.from_doc(doc)) and not client.merged_into:
            found[client.id] = client
    for wanted in search.query_keys(text[:80]):
        ids: set[str] | None = None
        for key in wanted:  # every word must match: the rarest decides how much is read
            rows = deps.store.db["clients_keys"].find({"key": key}, {"doc": 1}).limit(SEARCH_SCAN)
            matched = {row["doc"] async for row in rows}
            ids = matched if ids is None else ids & matched
        for doc in await _by_ids(deps, "clients", sorted(ids or ())):
            client = Client.from_doc(doc)
            if may_see(viewer, client) and not client.merged_into:
                found.setdefault(client.id, client)
    if not text.strip():
        recent = clients.find(mine).sort("_id", -1).limit(SEARCH_LIMIT)
        found = {d["_id"]: Client.from_doc(d) async for d in recent if not d.get("merged_into")}
    return sorted(found.values(), key=lambda c: -int(c.id.split("-")[1]))[:SEARCH_LIMIT]


# --- search: a request number, a client, words of the conversation ---
_NUMBER = re.compile(r"\s*#?(?:[rр]\s*-?\s*)?(\d{1,9})\s*", re.IGNORECASE)  # (R-, or Р- typed in Russian)
HITS = 30  # messages shown


@dataclass(frozen=True, slots=True)
class MessageHit:
    event: Event
    client: Client
    request: ServiceRequest | None  # the request the client had open when it was written, if any

    @property
    def anchor(self) -> str:
        """The id of its entry in a timeline (templates/_timeline.html)."""
        return entry_anchor(self.event.id)

    @property
    def link(self) -> str:
        page = f"requests/{self.request.id}" if self.request else f"clients/{self.client.id}"
        return f"/console/{page}#{self.anchor}"


@dataclass(frozen=True, slots=True)
class Searched:
    text: str
    keys: list[str]  # the starts of the words searched for (to mark them in the messages)
    requests: list[tuple[ServiceRequest, Client]]  # by number, of the clients found, of the messages found
    clients: list[Client]
    messages: list[MessageHit]


def entry_anchor(event_id: str) -> str:
    return "e-" + re.sub(r"[^A-Za-z0-9-]", "-", event_id)


async def search_all(deps: Deps, viewer: Assistant, text: str) -> Searched:
    """A request number (R-1001, 1001), a client's name or phone digits, and words from the conversation in
    any of our languages (a message is found by its translation too) — each an index seek; only what the
    viewer may see."""
    text = text[:80]
    requests: dict[str, tuple[ServiceRequest, Client]] = {}
    if number := _NUMBER.fullmatch(text):
        with contextlib.suppress(NotVisible):
            found, owner = await visible_request(deps, viewer, f"R-{int(number.group(1))}")
            requests[found.id] = (found, owner)
    clients = await search_clients(deps, viewer, text) if text.strip() else []
    for client in clients[:10]:
        for r in reversed(await q.requests_of(deps.store, client.id)):
            requests.setdefault(r.id, (r, client))
    keys = search.search_keys(text)
    messages = await _messages(deps, viewer, keys) if keys else []
    for hit in messages:  # and the requests the messages found belong to
        if hit.request:
            requests.setdefault(hit.request.id, (hit.request, hit.client))
    return Searched(text, keys, list(requests.values())[:SEARCH_LIMIT], clients, messages)


async def _messages(deps: Deps, viewer: Assistant, keys: list[str]) -> list[MessageHit]:
    mine = None if viewer.lead else set(await q.client_ids_of(deps.store, viewer.id))
    found = await deps.store.words.find(keys, mine)  # (an assistant's: theirs, however much others wrote)
    owners = await _clients_by_id(deps, {f.client for f in found})
    visible = [f for f in found if (c := owners.get(f.client)) and may_see(viewer, c)][:HITS]
    events = {e.id: e for e in await deps.store.events.by_ids([f.event for f in visible])}
    opened = await _requests_opened(deps, {f.client for f in visible})
    hits = []
    for f in visible:
        if (event := events.get(f.event)) is None:
            continue
        theirs = opened.get(f.client, [])
        # the request these words opened (its opening has the message's cause: "Swan Lake" written two
        # seconds before a table was asked for was shown as the table's), else the latest opened by then
        request = next((r for _at, r, by in theirs if by == _source(event.cause)), None)
        before = [r for at, r, _by in theirs if at <= event.at]
        request = request or (before[-1] if before else None)  # (before any request: the client's page)
        hits.append(MessageHit(event, owners[f.client], request))
    return hits


def _source(cause: str) -> str:
    """What an event came from: `wa:SM…/received` and `wa:SM…/request` are one message's."""
    return cause.rsplit("/", 1)[0]


async def _requests_opened(
    deps: Deps, clients: set[str]
) -> dict[str, list[tuple[datetime, ServiceRequest, str]]]:
    """Each client's requests with the time each was opened and what opened it, oldest first."""
    mine = {c: await q.requests_of(deps.store, c) for c in sorted(clients)}
    firsts = await deps.store.events.by_ids([f"request:{r.id}#1" for rs in mine.values() for r in rs])
    at = {e.stream_id: (e.at, _source(e.cause)) for e in firsts}
    return {
        c: sorted(((at[r.id][0], r, at[r.id][1]) for r in rs if r.id in at), key=lambda p: p[0])
        for c, rs in mine.items()
    }


@dataclass
class Lifetime:
    paid: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refunded: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def net(self) -> list[Money]:
        currencies = sorted(set(self.paid) | set(self.refunded))
        return [Money(self.paid[c] - self.refunded[c], c) for c in currencies]


def lifetime_value(requests: list[ServiceRequest]) -> Lifetime:
    value = Lifetime()
    for r in requests:
        if r.payment:
            value.paid[r.payment.amount.currency] += r.payment.amount.minor
        for refund in r.refunds:
            value.refunded[refund.amount.currency] += refund.amount.minor
    return value


# --- payments ---
@dataclass(frozen=True, slots=True)
class PaymentLine:
    at: datetime
    kind: str  # "payment" | "refund"
    request: ServiceRequest
    client_name: str
    assistant: str
    amount: Money
    transaction_id: int
    card_mask: str | None


async def payments(
    deps: Deps,
    viewer: Assistant,
    start: datetime,
    end: datetime,
    currency: str | None = None,
    kind: str | None = None,
    assistant_id: str | None = None,
) -> tuple[list[PaymentLine], dict[str, dict[str, int]]]:
    """Every payment and refund of requests paid in [start, end) (newest first) and totals per currency;
    an assistant who is not a lead sees what is credited to them."""
    found = deps.store.db["requests"].find({"paid_ms": {"$gte": to_ms(start), "$lt": to_ms(end)}})
    requests = [ServiceRequest.from_doc(d) for d in await found.sort("paid_ms", -1).to_list(PAYMENTS_LIMIT)]
    clients = await _clients_by_id(deps, {r.client_id for r in requests})
    names = {a.id: a.name for a in await q.assistants(deps.store)}
    wanted = viewer.id if not viewer.lead else assistant_id
    lines = []
    for r in requests:
        client = clients.get(r.client_id)
        # money is the quote sender's (`domain.ledger.quote_sender`), whoever has the client now
        if client is None or (wanted and r.credited_to != wanted):
            continue
        who = names.get(r.credited_to or "", "—")
        for what, paid in (("payment", r.payment), *(("refund", each) for each in r.refunds)):
            if paid is None or (kind and kind != what) or (currency and paid.amount.currency != currency):
                continue
            lines.append(
                PaymentLine(
                    paid.at, what, r, client.name, who, paid.amount, paid.transaction_id, paid.card_mask
                )
            )
    lines.sort(key=lambda line: line.at, reverse=True)
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"payment": 0, "refund": 0})
    for line in lines:
        totals[line.amount.currency][line.kind] += line.amount.minor
    return lines, dict(sorted(totals.items()))


def days_back(now: datetime, days: int) -> tuple[datetime, datetime]:
    return now - timedelta(days=days), now + timedelta(seconds=1)
