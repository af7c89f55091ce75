"""The words of the conversation, for the console's search: one row per start of each word of a message,
`{key: "<start>\\x1f<newest-first time>", client_key: "<start>\\x1f<client>\\x1f<newest-first time>",
event, client, at_ms}`, indexed on `key` and on `client_key`. A search for a word is one range seek on its
start, whose rows come newest first by the key itself — on every engine, whatever the log's size; each word
reads at most SCAN rows, the newest. A viewer who sees only some clients (an assistant) reads, when a word has
more rows than that, each of their clients' newest SCAN instead (one seek each on `client_key`): other
clients' words never crowd theirs out. Written as each message is recorded; a crash in between is made good
at the next start, which indexes what was written since the last one (the first start of this index reads the
whole log, and the first start of a new FORMAT completes the rows there in place)."""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from domain import search
from domain.events import Event, EventType
from storage.events import EventStore
from storage.timefmt import from_ms, to_ms

log = structlog.get_logger(__name__)

COLLECTION = "message_keys"
FORMAT = 2  # raised when what is indexed changes: the next start indexes the whole log again
MARGIN = timedelta(days=1)
SCAN = 5000  # rows read per searched word at most: its newest messages (for an assistant: each client's)
NEWEST = 10**13  # key times are NEWEST − at_ms: the newest sorts first
SEP = "\x1f"


def searchable(event: Event) -> tuple[str, str] | None:
    """(the event a hit shows, its text) for what clients and assistants wrote: messages both ways, notes,
    voicemails in writing, and the translations of messages (found in either language, shown as the
    message). A client's command (/start, /help, "app" on WhatsApp) is not something they wrote to anyone:
    every client's /start would answer a search for "start" (and cost each new client a write)."""
    if event.type is EventType.MESSAGE_RECEIVED and event.data.get("command"):
        return None
    if event.type in (EventType.MESSAGE_RECEIVED, EventType.STAFF_MESSAGE_SENT):
        text = (event.data.get("message") or {}).get("text")
    elif event.type in (EventType.NOTE_ADDED, EventType.VOICEMAIL_TRANSCRIBED):
        text = event.data.get("text")
    elif event.type is EventType.MESSAGE_TRANSLATED:
        return f"{event.stream}#{event.data['of']}", event.data.get("text") or ""
    else:
        return None
    return event.id, text or ""


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name != "_id"}


@dataclass(frozen=True, slots=True)
class Found:
    event: str
    client: str
    at_ms: int


class MessageWords:
    def __init__(self, db: AsyncDatabase, scan: int = SCAN) -> None:
        self._rows = db[COLLECTION]
        self._marks = db["jobs"]
        self.scan = scan  # rows read per seek at most (a test lowers it)

    async def add(self, event: Event, again: bool = False) -> None:
        """Index one event's words (again: rows already there are left as they are; `again`, by an older
        FORMAT's rows: completed with this one's fields)."""
        if event.stream_kind != "conversation" or (found := searchable(event)) is None:
            return
        shown, text = found
        at_ms = to_ms(event.at)
        newest = f"{NEWEST - at_ms:013d}"
        rows = [
            {
                "_id": f"{event.id}{SEP}{key}",
                "key": f"{key}{SEP}{newest}",
                "client_key": f"{key}{SEP}{event.stream_id}{SEP}{newest}",
                "event": shown,
                "client": event.stream_id,
                "at_ms": at_ms,
            }
            for key in search.message_keys(text)
        ]
        if not rows:
            return
        with contextlib.suppress(BulkWriteError):  # (indexed before, by a replay or a catch-up)
            if again:
                ops = [UpdateOne({"_id": r["_id"]}, {"$set": _fields(r)}, upsert=True) for r in rows]
                await self._rows.bulk_write(ops, ordered=False)
            else:
                await self._rows.insert_many(rows, ordered=False)

    async def find(self, keys: list[str], clients: Collection[str] | None = None) -> list[Found]:
        """The messages with every key, newest first: of each key's newest `scan` — or, for a viewer who sees
        only `clients`, of each key's newest `scan` of each of those clients."""
        hits: dict[str, Found] | None = None
        for key in keys:
            among = clients if hits is None or clients is None else {f.client for f in hits.values()}
            found = await self._with(key, among)
            hits = found if hits is None else {e: f for e, f in hits.items() if e in found}
            if not hits:
                return []
        return sorted((hits or {}).values(), key=lambda f: (-f.at_ms, f.event))

    async def _with(self, key: str, clients: Collection[str] | None) -> dict[str, Found]:
        everyone, whole = await self._newest("key", key)
        if clients is None:
            return everyone
        if whole:  # (every message with the word: the clients' are among them)
            return {event: f for event, f in everyone.items() if f.client in clients}
        theirs: dict[str, Found] = {}
        for client in sorted(clients):
            theirs |= (await self._newest("client_key", f"{key}{SEP}{client}"))[0]
        return theirs

    async def _newest(self, field: str, start: str) -> tuple[dict[str, Found], bool]:
        """The newest rows of one range seek, by the event each shows; and whether that was all of them."""
        where = {field: {"$gte": f"{start}{SEP}", "$lt": f"{start}{SEP}{search.TOP}"}}
        rows = self._rows.find(where, {"event": 1, "client": 1, "at_ms": 1}).sort(field, 1).limit(self.scan)
        read = [r async for r in rows]
        return {r["event"]: Found(r["event"], r["client"], r["at_ms"]) for r in read}, len(read) < self.scan

    async def forget(self, streams: list[str]) -> int:
        """An erased client's rows (their ids start with the event's: `<stream>#<seq>`)."""
        gone = 0
        for stream in streams:
            where = {"_id": {"$gte": f"{stream}#", "$lt": f"{stream}$"}}
            gone += (await self._rows.delete_many(where)).deleted_count
        return gone

    async def start_up(self, events: EventStore, now: datetime, afresh: bool = False) -> int:
        """Index what a crash may have left out: the events written since the last start (less a margin),
        or, at this index's first start (or `afresh`: a rebuild), the whole log. Returns events read. Rows
        are only ever added here (an instance starting beside a running one takes nothing away from it)."""
        mark = await self._marks.find_one({"_id": COLLECTION})
        read = 0
        if afresh or mark is None or mark.get("format") != FORMAT:
            if afresh:
                await self._rows.delete_many({})
            again = not afresh and mark is not None  # (an older FORMAT's rows: completed in place)
            async for event in events.all():
                await self.add(event, again)
                read += 1
        else:
            start = from_ms(mark["checked_ms"]) - MARGIN
            while batch := await events.written_between(start, now, limit=1000):
                for event in batch:
                    await self.add(event)
                read += len(batch)
                if len(batch) < 1000:
                    break
                # (a thousand events of one millisecond: on past it, they are indexed)
                start = (
                    batch[-1].at if batch[-1].at > batch[0].at else batch[-1].at + timedelta(milliseconds=1)
                )
        await self._marks.update_one(
            {"_id": COLLECTION}, {"$set": {"checked_ms": to_ms(now), "format": FORMAT}}, upsert=True
        )
        if read:
            log.info("words.indexed", events=read)
        return read
