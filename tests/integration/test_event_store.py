import asyncio
from itertools import pairwise

import pytest

from domain.errors import ConcurrencyConflict
from domain.events import Actor, ActorKind, EventType, NewEvent
from storage.audit import verify
from storage.hashing import GENESIS
from storage.store import Store

ASSISTANT = Actor(ActorKind.ASSISTANT, "A-1")


def tagged(stream: str, cause: str, tags: list[str]) -> NewEvent:
    return NewEvent(stream, EventType.CLIENT_TAGGED, {"tags": tags}, ASSISTANT, cause)


async def register(store: Store, client_id: str = "C-1") -> None:
    await store.record(
        NewEvent(
            f"client:{client_id}",
            EventType.CLIENT_REGISTERED,
            {
                "client_id": client_id,
                "name": "Layla",
                "language": "ar",
                "identities": [{"channel": "telegram", "external_id": "42"}],
            },
            Actor(ActorKind.CLIENT, client_id),
            f"tg:1/{client_id}",
        )
    )


async def test_fifty_concurrent_appends_write_each_seq_exactly_once(store: Store) -> None:
    await register(store)
    results = await asyncio.gather(
        *(store.events.append(tagged("client:C-1", f"cmd:{i}", [f"t{i}"])) for i in range(50))
    )
    assert not any(r.duplicate for r in results)
    events = await store.events.read("client:C-1")
    assert [e.seq for e in events] == list(range(1, 52))
    assert sorted(e.cause for e in events[1:]) == sorted(f"cmd:{i}" for i in range(50))
    assert sorted(r.event.seq for r in results) == list(range(2, 52))
    # the chain links every event to the one before it
    assert events[0].prev == GENESIS
    assert all(later.prev == earlier.hash for earlier, later in pairwise(events))


async def test_an_event_with_a_known_cause_is_not_written_twice(store: Store) -> None:
    await register(store)
    first = await store.events.append(tagged("client:C-1", "tg:812345/0", ["vip"]))
    again = await store.events.append(tagged("client:C-1", "tg:812345/0", ["vip"]))
    racing = await asyncio.gather(
        *(store.events.append(tagged("client:C-1", "tg:9/0", ["x"])) for _ in range(10))
    )
    assert not first.duplicate and again.duplicate and again.event == first.event
    assert sum(not r.duplicate for r in racing) == 1
    assert len(await store.events.read("client:C-1")) == 3


async def test_expected_seq_detects_a_concurrent_writer(store: Store) -> None:
    await register(store)
    await store.events.append(tagged("client:C-1", "a", ["a"]), expected_seq=1)
    with pytest.raises(ConcurrencyConflict):
        await store.events.append(tagged("client:C-1", "b", ["b"]), expected_seq=1)
    replay = await store.events.append(tagged("client:C-1", "a", ["a"]), expected_seq=1)
    assert replay.duplicate and replay.event.seq == 2


async def test_every_event_carries_its_actor_and_time(store: Store, clock) -> None:
    await register(store)
    (event,) = await store.events.read("client:C-1")
    assert event.actor == Actor(ActorKind.CLIENT, "C-1")
    assert event.at == clock.now()


async def _log_with_three_streams(store: Store) -> None:
    for client in ("C-1", "C-2", "C-3"):
        await register(store, client)
        for i in range(3):
            await store.record(tagged(f"client:{client}", f"{client}/{i}", [f"t{i}"]))


async def test_audit_verify_passes_an_intact_log(store: Store) -> None:
    await _log_with_three_streams(store)
    report = await verify(store.db, store.events)
    assert report.intact and report.events == 12 and report.streams == 3


async def test_audit_verify_catches_an_edited_event(store: Store) -> None:
    await _log_with_three_streams(store)
    await store.db["events"].update_one(
        {"stream": "client:C-2", "seq": 3}, {"$set": {"data": {"tags": ["forged"]}}}
    )
    report = await verify(store.db, store.events)
    assert report.broken == "client:C-2#3: content does not match its hash (edited)"


async def test_audit_verify_catches_a_deleted_event(store: Store) -> None:
    await _log_with_three_streams(store)
    await store.db["events"].delete_one({"stream": "client:C-3", "seq": 2})
    report = await verify(store.db, store.events)
    assert report.broken == "client:C-3: event seq 2 is missing (deleted)"


async def test_audit_verify_catches_a_deleted_tail(store: Store) -> None:
    await _log_with_three_streams(store)
    await store.db["events"].delete_one({"stream": "client:C-1", "seq": 4})
    report = await verify(store.db, store.events)
    assert report.broken == "client:C-1: events after seq 3 up to 4 are missing"


async def test_audit_verify_catches_a_rechained_forgery(store: Store) -> None:
    """Rewriting an event and its own hash still breaks the next link."""
    from storage.hashing import event_hash

    await _log_with_three_streams(store)
    doc = await store.db["events"].find_one({"stream": "client:C-1", "seq": 2})
    doc["data"] = {"tags": ["forged"]}
    doc["hash"] = event_hash(
        doc["prev"],
        stream=doc["stream"],
        seq=2,
        type=doc["type"],
        at=doc["at"],
        actor=doc["actor"],
        cause=doc["cause"],
        data=doc["data"],
    )
    await store.db["events"].replace_one({"_id": doc["_id"]}, doc)
    report = await verify(store.db, store.events)
    assert report.broken == "client:C-1#3: prev does not match the hash of seq 2"


async def test_audit_verify_is_intact_while_the_service_writes(store: Store) -> None:
    """A writer appends (and projects) right after the verifier has walked the log."""
    await _log_with_three_streams(store)

    class WrittenMeanwhile:
        def __init__(self) -> None:
            self.written = 0
            self.vault = store.events.vault

        async def all(self, sealed: bool = False):
            async for event in store.events.all(sealed):
                yield event
            for i in range(3):  # the service goes on: new events, projections moved past what was walked
                await store.record(tagged("client:C-1", f"live/{i}", [f"live{i}"]))
                self.written += 1

    meanwhile = WrittenMeanwhile()
    report = await verify(store.db, meanwhile)
    assert meanwhile.written == 3
    assert report.intact, report.broken
