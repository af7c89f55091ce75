"""Crypto-shredding: a client's personal fields (domain/personal.py) are stored encrypted with a key of their
own, kept in `personal_keys` apart from the log; erasing the client destroys the key, so the hash-chained log
stays whole while what it says of the person can no longer be read.

A sealed value is `enc1:<client id>:<base64 of nonce + AES-256-GCM ciphertext>` of the value's JSON; the
associated data binds it to its stream and field, so a ciphertext moved elsewhere does not decrypt. An erased
key leaves a tombstone (`key: null`): a key is never created again for that client, and anything written
about them afterwards is stored already erased."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
from collections import OrderedDict
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from domain.clock import Clock
from domain.events import Event, EventType
from domain.personal import FIRST_EVENT_NAMES, fields_of, get_path, subject_of, with_path
from storage.timefmt import from_ms, to_ms

PREFIX = "enc1:"
NONCE = 12
ERASED = b""  # (in the cache) the client was erased: no key
CACHED_FOR = 10.0  # seconds another instance may go on using a key it holds after an erase elsewhere
CACHE_SIZE = 20_000


def _associated(stream: str, path: str) -> bytes:
    return f"{stream}/{path}".encode()


def sealed_subject(value: Any) -> str | None:
    """The client a sealed value belongs to, or None when the value is not sealed."""
    if not isinstance(value, str) or not value.startswith(PREFIX):
        return None
    return value[len(PREFIX) :].split(":", 1)[0]


class Vault:
    def __init__(self, db: AsyncDatabase, clock: Clock) -> None:
        self._keys = db["personal_keys"]
        self._events = db["events"]
        self._clock = clock
        self._cache: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._subjects: OrderedDict[str, str | None] = OrderedDict()  # stream → its client (never changes)

    # ---- writing

    async def seal(
        self, stream: str, seq: int, kind: EventType, data: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """(`data` as it is stored: its personal fields encrypted, and as it reads: `data` itself, or, for an
        erased client, with those fields erased in both — nothing of them is kept or projected again)."""
        fields = fields_of(kind)
        present = [p for p in fields if _worth_sealing(get_path(data, p))]
        if not present:
            return data, data
        subject = await self._subject(stream, seq, data)
        if subject is None:
            return data, data
        opens = seq == 1 and stream == f"client:{subject}"  # a registration: the client has no key yet
        key = await (self._new_key(subject) if opens else self._key(subject, create=True))
        if not key:  # (ERASED)
            for path in present:
                data = with_path(data, path, fields[path])
            return data, data
        stored = data
        for path in present:
            stored = with_path(stored, path, _encrypt(key, subject, stream, path, get_path(data, path)[1]))
        return stored, data

    async def _subject(self, stream: str, seq: int, data: dict[str, Any]) -> str | None:
        if stream.split(":", 1)[0] not in FIRST_EVENT_NAMES or seq == 1:
            return subject_of(stream, data)
        if stream in self._subjects:
            return self._subjects[stream]
        first = await self._events.find_one({"stream": stream, "seq": 1}, {"data": 1})  # (not a dotted path:
        # nx-27017 answers one with a flat key)
        found = _first_client(first)
        _remember(self._subjects, stream, found)
        return found

    async def _key(self, subject: str, create: bool = False) -> bytes | None:
        cached = self._cache.get(subject)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        doc = await self._keys.find_one({"_id": subject})
        if doc is None and create:
            fresh = AESGCM.generate_key(bit_length=256)
            try:
                await self._keys.insert_one(
                    {"_id": subject, "key": _b64(fresh), "created_ms": to_ms(self._clock.now())}
                )
                doc = {"key": _b64(fresh)}
            except DuplicateKeyError:  # another writer made it first: use theirs
                doc = await self._keys.find_one({"_id": subject})
        if doc is None:
            return None
        key = base64.b64decode(doc["key"]) if doc.get("key") else ERASED
        self._cache_key(subject, key)
        return key

    async def _new_key(self, subject: str) -> bytes | None:
        """A client's key made before any is looked for (their registration): one write, a read only when
        there is one already (a registration retried, an erased client's)."""
        if subject in self._cache:
            return await self._key(subject)
        fresh = AESGCM.generate_key(bit_length=256)
        try:
            await self._keys.insert_one(
                {"_id": subject, "key": _b64(fresh), "created_ms": to_ms(self._clock.now())}
            )
        except DuplicateKeyError:
            return await self._key(subject, create=True)
        self._cache_key(subject, fresh)
        return fresh

    def _cache_key(self, subject: str, key: bytes) -> None:
        self._cache[subject] = (key, time.monotonic() + CACHED_FOR)
        self._cache.move_to_end(subject)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    # ---- reading

    async def open(self, events: list[Event]) -> list[Event]:
        """The events with their personal fields readable (or erased), keys fetched in one round trip."""
        wanted = {
            subject
            for event in events
            for path in fields_of(event.type)
            if (subject := sealed_subject(get_path(event.data, path)[1]))
        }
        if not wanted:
            return events
        keys = await self._keys_of(wanted)
        return [_opened(event, keys) for event in events]

    async def _keys_of(self, subjects: set[str]) -> dict[str, bytes]:
        now = time.monotonic()
        keys = {s: c[0] for s in subjects if (c := self._cache.get(s)) is not None and c[1] > now}
        missing = subjects - keys.keys()
        if missing:
            async for doc in self._keys.find({"_id": {"$in": sorted(missing)}}):
                key = base64.b64decode(doc["key"]) if doc.get("key") else ERASED
                keys[doc["_id"]] = key
                self._cache_key(doc["_id"], key)
        return keys

    # ---- erasing

    async def destroy(self, subjects: list[str]) -> None:
        """The clients' keys are gone for good (a tombstone keeps a new key from ever being made; a repeat
        keeps the first erase's time)."""
        now = to_ms(self._clock.now())
        for subject in subjects:
            destroyed = await self._keys.update_one(
                {"_id": subject, "key": {"$ne": None}}, {"$set": {"key": None, "erased_ms": now}}
            )
            if destroyed.matched_count == 0:
                with contextlib.suppress(DuplicateKeyError):  # (already a tombstone)
                    await self._keys.insert_one({"_id": subject, "key": None, "erased_ms": now})
            self._cache_key(subject, ERASED)

    async def erasures(self) -> list[tuple[str, datetime]]:
        """Every client erased, with when: what to erase again in a store restored from an older backup."""
        found = self._keys.find({"key": None}, {"erased_ms": 1})
        rows = [(doc["_id"], from_ms(doc.get("erased_ms") or 0)) async for doc in found]
        return sorted(rows, key=lambda row: row[1])

    async def erased(self, subject: str) -> bool:
        return await self._key(subject) == ERASED


def _worth_sealing(found: tuple[bool, Any]) -> bool:
    """(Whatever it says: a message that looks like a sealed value is sealed too.)"""
    present, value = found
    return present and value not in (None, "", [], {})


def _first_client(first: dict[str, Any] | None) -> str | None:
    client = ((first or {}).get("data") or {}).get("client_id")
    return client if isinstance(client, str) and client else None


def _remember(cache: OrderedDict[str, str | None], stream: str, subject: str | None) -> None:
    cache[stream] = subject
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _encrypt(key: bytes, subject: str, stream: str, path: str, value: Any) -> str:
    nonce = os.urandom(NONCE)
    plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    sealed = AESGCM(key).encrypt(nonce, plain, _associated(stream, path))
    return f"{PREFIX}{subject}:{_b64(nonce + sealed)}"


def _decrypt(key: bytes, stream: str, path: str, value: str) -> Any:
    raw = base64.b64decode(value.rsplit(":", 1)[1])
    plain = AESGCM(key).decrypt(raw[:NONCE], raw[NONCE:], _associated(stream, path))
    return json.loads(plain)


def _opened(event: Event, keys: dict[str, bytes]) -> Event:
    fields = fields_of(event.type)
    data = event.data
    for path, erased in fields.items():
        value = get_path(data, path)[1]
        subject = sealed_subject(value)
        if subject is None:
            continue
        key = keys.get(subject, ERASED)
        try:
            readable = erased if key == ERASED else _decrypt(key, event.stream, path, value)
        except (InvalidTag, ValueError):  # moved or damaged: reads as gone, the hash chain tells the rest
            readable = erased
        data = with_path(data, path, readable)
    if data is event.data:
        return event
    return Event(
        event.stream, event.seq, event.type, event.at, event.actor, event.cause, data, event.prev, event.hash
    )
