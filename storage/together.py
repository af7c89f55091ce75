"""Writes made at the same moment by the steps that share (storage/flights.py: the answers Twilio waits on),
sent as one: twenty calls at once each insert their call's first event, and the store serves one command at a
time. One write of a kind in flight at a time; what arrives meanwhile goes in the next (group commit, as
`Inbox.put` does). Each step gets its own result as if it had written alone: a document refused as a
duplicate raises DuplicateKeyError in the step that inserted it, and only there."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, WriteError

from storage import step_reads
from storage.bulk import DUPLICATE_KEY

Write = Callable[[list[Any]], Awaitable[list[Any]]]  # the items → each one's result, or its exception


@dataclass(eq=False)
class _Batch:
    items: list[Any] = field(default_factory=list)
    results: asyncio.Future[list[Any]] | None = None


class _Group:
    def __init__(self, key: tuple[Any, ...], write: Write) -> None:
        self._key, self._write_all = key, write
        self._batch: _Batch | None = None  # the one collecting now
        self._writing = asyncio.Lock()
        self._waiting = 0  # batches not yet written: the group is forgotten when none is left

    async def add(self, item: Any) -> Any:
        batch = self._batch
        if batch is None:
            batch = self._batch = _Batch()
            self._waiting += 1
            batch.results = asyncio.ensure_future(self._write(batch))
        index = len(batch.items)
        batch.items.append(item)
        assert batch.results is not None
        result = (await asyncio.shield(batch.results))[index]  # (a step given up leaves the others theirs)
        if isinstance(result, BaseException):
            raise result
        return result

    async def _write(self, batch: _Batch) -> list[Any]:
        await asyncio.sleep(0)  # the steps at this same moment join
        try:
            async with self._writing:
                if self._batch is batch:
                    self._batch = None
                try:
                    return await self._write_all(batch.items)
                except Exception as error:  # (a store that failed: each step raises it, as alone)
                    return [error] * len(batch.items)
        finally:
            self._waiting -= 1
            if not self._waiting and _GROUPS.get(self._key) is self:
                del _GROUPS[self._key]


_GROUPS: dict[tuple[Any, ...], _Group] = {}  # (the loop, the client, what is written) → its group


def _group(what: tuple[Any, ...], client: object, write: Write) -> _Group:
    key = (id(asyncio.get_running_loop()), id(client), *what)
    group = _GROUPS.get(key)
    if group is None:
        group = _GROUPS[key] = _Group(key, write)
    return group


async def insert(collection: AsyncCollection, doc: dict[str, Any]) -> None:
    """`insert_one(doc)`: in a step that shares (storage/step_reads.py), in one unordered insert with the
    others of this moment; otherwise alone."""
    if not step_reads.sharing():
        await collection.insert_one(doc)
        return

    async def write(docs: list[dict[str, Any]]) -> list[Any]:
        try:
            await collection.insert_many(docs, ordered=False)
        except BulkWriteError as error:
            refused = {e["index"]: e for e in error.details.get("writeErrors", [])}
            return [_refusal(refused[i]) if i in refused else None for i in range(len(docs))]
        return [None] * len(docs)

    await _group(("insert", collection.full_name), collection.database.client, write).add(doc)


def _refusal(error: dict[str, Any]) -> Exception:
    """One document's refusal in a bulk write, as inserting it alone would have raised it."""
    message, code = error.get("errmsg", "refused"), error.get("code")
    if code == DUPLICATE_KEY:
        return DuplicateKeyError(message, code, error)
    return WriteError(message, code, error)


async def drawn(
    db: AsyncDatabase, name: str, advance: Callable[[AsyncDatabase, str, int], Awaitable[int]]
) -> int:
    """A number of the sequence `name` (storage/counters.py), those drawn at this moment in one `advance`."""

    async def write(asked: list[None]) -> list[Any]:
        last = await advance(db, name, len(asked))
        return list(range(last - len(asked) + 1, last + 1))

    return int(await _group(("count", db.name, name), db.client, write).add(None))
