"""One step's reads: within a step (an inbox item handled, a message sent), a projection document read by
`_id` comes from the store once, then from memory — the engine reads a client, their assistant and their
request several times while it handles one message. The projector keeps what it writes here in step, so a
read after a write sees the write; a write that lost a race forgets the document instead. Outside a step
every read goes to the store. (A step is short: its reads are as fresh as the step; what another instance
writes meanwhile is caught by the event log's version checks, as before.) A step that shares (`share`: the
answers Twilio waits on, twenty at a time) joins the same read of a whole collection or of a set of `_id`s
that another step sent after it began (storage/flights.py). A step also knows whether it is
a first attempt: then nothing can have been recorded under its causes yet, and the checks that finish what an
interrupted attempt began (`EventStore.replayed`) need no read. Steps that follow each other within seconds
(a Telegram worker's passes that read nothing) may begin with the documents the ones before ended with
(`Known`); whoever hands them on decides when they are too old (a pass that read its queue forgets them)."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from storage import flights

Key = tuple[str, str]
# (collection, _id) → the document (None: not there); (collection, EVERY) → all of them, by _id
_READS: ContextVar[dict[Key, Any] | None] = ContextVar("step_reads", default=None)
_FIRST: ContextVar[bool] = ContextVar("step_first_attempt", default=False)


SHARING = ("\x00sharing", "")  # the key of a sharing step's beginning (storage/flights.py's order)
SINCE = "\x00since"  # (SINCE, collection): when the step last wrote to the collection


@contextmanager
def step(first_attempt: bool = False, share: bool = False, known: Known | None = None) -> Iterator[None]:
    """Reads by `_id` inside are made once (a step inside a step shares the outer one's reads).
    `first_attempt`: the work was never begun before (its causes cannot be in the log). `share`: reads of a
    whole collection or of several `_id`s may be those of other steps made at the same moment. `known`: the
    documents an earlier step ended with (`Known`), as fresh as this step may take them: read no more, and
    what this step ends with is kept in it."""
    if _READS.get() is not None:
        yield
        return
    start: dict[Key, Any] = {SHARING: flights.now()} if share else {}
    if known is not None:
        start.update(known.docs)  # (a step never changes what it holds in place: it hands out copies)
    reads, first = _READS.set(start), _FIRST.set(first_attempt)
    try:
        yield
        if known is not None:
            known.ended(start)
    finally:
        _READS.reset(reads)
        _FIRST.reset(first)


class Known:
    """The projection documents steps ended with, by `_id`, for the next steps to begin with: a worker's
    passes that follow each other within seconds (bot/workers/telegram_deliveries.py), each send a step of
    its own. Steps that run side by side begin with the same; a document they ended with differently is
    forgotten (neither is surely the newer). Only documents found by `_id` are kept — no list, no absence,
    no note of the step's own — and `forget` drops them all."""

    def __init__(self) -> None:
        self.docs: dict[Key, dict[str, Any]] = {}
        self._next: dict[Key, dict[str, Any] | None] = {}

    def forget(self) -> None:
        self.docs, self._next = {}, {}

    def ended(self, reads: dict[Key, Any]) -> None:
        """A step ended with `reads` (its own dict, not copied again: the step is over). One it began with
        and forgot (a write that lost a race) is forgotten here too."""
        for key in self.docs.keys() - reads.keys():
            self._next[key] = None
        for key, doc in reads.items():
            if not isinstance(doc, dict) or key[0].startswith("\x00") or key[1] == EVERY:
                continue
            if key[1].startswith(WHERE) or (was := self.docs.get(key)) is doc or was == doc:
                continue  # (a list, or as the step began with it)
            if key in self._next and self._next[key] != doc:
                self._next[key] = None  # (two steps ended with it differently)
            elif key not in self._next:
                self._next[key] = doc

    def settle(self) -> None:
        """The steps begun together ended: what they ended with is what the next ones begin with."""
        self.docs = {key: doc for key, doc in {**self.docs, **self._next}.items() if doc is not None}
        self._next = {}


def active() -> bool:
    return _READS.get() is not None


def first_attempt() -> bool:
    return _FIRST.get()


async def by_id(db: AsyncDatabase, collection: str, doc_id: str) -> dict[str, Any] | None:
    """The document `doc_id` of `collection` (a copy: the caller may change it)."""
    reads = _READS.get()
    if reads is None:
        return await db[collection].find_one({"_id": doc_id})
    key = (collection, doc_id)
    if key not in reads:
        if (whole := reads.get((collection, EVERY))) is not None:  # (the team, read whole this step)
            reads[key] = next((doc for doc in whole if doc["_id"] == doc_id), None)
        else:
            reads[key] = await db[collection].find_one({"_id": doc_id})
    return copy.deepcopy(reads[key])


EVERY = "*"  # the key of a whole (small) collection read in a step: the team


async def every(db: AsyncDatabase, collection: str) -> list[dict[str, Any]]:
    """Every document of a small collection, by `_id` (copies); once a step. A write to any of them
    forgets the list."""
    reads = _READS.get()
    if reads is None or (collection, EVERY) not in reads:

        async def read() -> list[dict[str, Any]]:
            return await db[collection].find().sort("_id", 1).to_list()

        docs = await _read(db, collection, EVERY, read)
        if reads is None:
            return docs
        reads[(collection, EVERY)] = docs
    return copy.deepcopy(reads[(collection, EVERY)])


WHERE = "\x00where:"  # the key of a step's read of the documents whose one field has one value


async def where(
    db: AsyncDatabase, collection: str, field: str, value: str, fresh: bool = False
) -> list[dict[str, Any]]:
    """The documents of `collection` whose `field` is `value` (a client's requests), once a step (copies).
    A write to the collection forgets the read; `fresh`: read now, whatever the step read before (what is
    read is the step's from then on)."""
    reads = _READS.get()
    key = (collection, f"{WHERE}{field}={value}")
    if reads is None or key not in reads or fresh:
        docs = await db[collection].find({field: value}).to_list()
        if reads is None:
            return docs
        reads[key] = [seen(collection, doc) for doc in docs]
    return copy.deepcopy(reads[key])


def read_where(collection: str, field: str, value: str) -> list[dict[str, Any]] | None:
    """What `where` read this step (copies), if it did: a narrower read can take its part of it."""
    reads = _READS.get()
    found = None if reads is None else reads.get((collection, f"{WHERE}{field}={value}"))
    return None if found is None else copy.deepcopy(found)


def seen(collection: str, doc: dict[str, Any]) -> dict[str, Any]:
    """A document this step found by another field: a later read by its `_id` need not go to the store."""
    reads = _READS.get()
    if reads is not None:
        known = reads.get((collection, doc["_id"]))
        if known is None or known.get("_v", 0) < doc.get("_v", 0):
            reads[(collection, doc["_id"])] = copy.deepcopy(doc)
    return doc


async def by_ids(db: AsyncDatabase, collection: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The documents of `ids` that are there, by `_id` (copies): what the step holds, the rest in one read."""
    reads = _READS.get()
    held = {} if reads is None else {i: reads[(collection, i)] for i in ids if (collection, i) in reads}
    missing = [i for i in ids if i not in held]
    if missing:

        async def read() -> dict[str, dict[str, Any]]:
            return {doc["_id"]: doc async for doc in db[collection].find({"_id": {"$in": missing}})}

        found = await _read(db, collection, tuple(missing), read)
        for i in missing:
            held[i] = found.get(i)
            if reads is not None:
                reads[(collection, i)] = found.get(i)
    return {i: copy.deepcopy(doc) for i, doc in held.items() if doc is not None}


NOTES = ("\x00notes", "")  # the key of what this step noted of itself: {(what, _id)}


def note(what: str, doc_id: str) -> None:
    """Remember for the rest of the step that `what` happened to `doc_id` (outside a step: nothing)."""
    reads = _READS.get()
    if reads is not None:
        reads.setdefault(NOTES, set()).add((what, doc_id))


def noted(what: str, doc_id: str) -> bool:
    reads = _READS.get()
    return reads is not None and (what, doc_id) in reads.get(NOTES, ())


KEPT = "\x00kept:"  # the key of a value this step kept of itself: (KEPT + what, _id)


def keep(what: str, doc_id: str, value: Any) -> None:
    """Remember for the rest of the step `value` as what `what` of `doc_id` is now, as this step wrote it
    (outside a step: nothing)."""
    reads = _READS.get()
    if reads is not None:
        reads[(KEPT + what, doc_id)] = copy.deepcopy(value)


def kept(what: str, doc_id: str) -> Any:
    """What the step kept (`keep`), or None: no read is made."""
    reads = _READS.get()
    return None if reads is None else copy.deepcopy(reads.get((KEPT + what, doc_id)))


def absent(collection: str, doc_id: str) -> None:
    """The step is about to open `doc_id` (a stream it just numbered): not there, so not read. Were it there
    after all (a twin's), the write that expects it absent is refused and the step reads it then."""
    reads = _READS.get()
    if reads is not None:
        reads.setdefault((collection, doc_id), None)
        note(f"opened {collection}", doc_id)


def opened(collection: str, doc_id: str) -> bool:
    """Whether this step opened `doc_id` (and no write of it lost a race since): nothing written before the
    step can refer to it."""
    return noted(f"opened {collection}", doc_id)


def written(collection: str, doc_id: str, doc: dict[str, Any] | None) -> None:
    """The projector wrote `doc` (None: it does not know what is there now)."""
    reads = _READS.get()
    if reads is None:
        return
    if SHARING in reads:  # (a read sent before this write cannot be shared by the step any more)
        reads[(SINCE, collection)] = flights.now()
    reads.pop((collection, EVERY), None)
    for key in [k for k in reads if k[0] == collection and k[1].startswith(WHERE)]:
        del reads[key]
    if doc is None:
        reads.pop((collection, doc_id), None)
        reads.get(NOTES, set()).discard((f"opened {collection}", doc_id))  # (it was there after all)
    else:
        reads[(collection, doc_id)] = copy.deepcopy(doc)


async def _read(
    db: AsyncDatabase,
    collection: str,
    what: Any,
    read: Callable[[], Awaitable[Any]],
) -> Any:
    """`read()`, or in a sharing step the same read another step sent after this one began (and after its
    last write to `collection`). Its result is every sharing step's: a step keeps what it reads as it came,
    never changed in place, and hands out copies (`every`, `by_id`, `by_ids`)."""
    since = shared_since(collection)
    if since is None:
        return await read()
    return await flights.shared(db, (collection, what), since, read)


def sharing() -> bool:
    """A step that shares: its writes go with the others' of this moment (storage/together.py)."""
    reads = _READS.get()
    return reads is not None and SHARING in reads


def shared_since(collection: str) -> int | None:
    """In a sharing step, the point after which a read of `collection` must have been sent for the step to
    share it: the step's beginning, or its last write to the collection. None: the step does not share."""
    reads = _READS.get()
    if reads is None or SHARING not in reads:
        return None
    return max(reads[SHARING], reads.get((SINCE, collection), 0))
