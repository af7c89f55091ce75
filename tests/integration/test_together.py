"""Writes made at the same moment by steps that share (storage/together.py: the answers Twilio waits on) go to
the store as one — the calls' first events, their claims, the client ids they draw — and each step gets what
it would have got alone: its own event, a twin's duplicate, a conflict, its own number."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import InvalidOperation

from domain.errors import ConcurrencyConflict
from domain.events import Actor, ActorKind, EventType, NewEvent
from storage import step_reads, together
from storage.claims import claimed
from storage.counters import next_value
from tests.integration.test_step_reads import counted as counted  # the store, and the commands it was sent

CALLER = Actor(ActorKind.CLIENT, "C-1")


async def at_once(count: int, share: bool, work: Callable[[int], Awaitable[Any]]) -> list[Any]:
    """`work(n)` in `count` steps that begin together, each one's result or exception."""
    began = asyncio.Barrier(count)

    async def one(n: int) -> Any:
        with step_reads.step(share=share):
            await began.wait()
            return await work(n)

    return await asyncio.gather(*(one(n) for n in range(count)), return_exceptions=True)


def received(stream: str, cause: str) -> NewEvent:
    return NewEvent(stream, EventType.CALL_RECEIVED, {"direction": "inbound"}, CALLER, cause)


@pytest.mark.parametrize("share", [True, False])
async def test_the_first_events_of_calls_answered_at_the_same_moment_are_one_write(counted, share) -> None:
    store, commands = counted
    await store.record(received("call:CA0", "voice:CA0/received"))
    commands.sent.clear()
    wanted = [  # a new call; a twin of the one before (the same cause); another step opening its stream
        ("call:CA1", "voice:CA1/received"),
        ("call:CA0", "voice:CA0/received"),
        ("call:CA0", "voice:CA0/other"),
        ("call:CA2", "voice:CA2/received"),
        ("call:CA2", "voice:CA2/received"),
    ]

    async def record(n: int):
        return await store.record(received(*wanted[n]), expected_seq=0)

    first, twin, late, one, two = await at_once(len(wanted), share, record)
    assert (first.event.stream, first.event.seq, first.duplicate) == ("call:CA1", 1, False)
    assert twin.duplicate and twin.event.cause == "voice:CA0/received"
    assert isinstance(late, ConcurrencyConflict)  # (the stream had its first event: as alone)
    assert {one.duplicate, two.duplicate} == {False, True} and one.event.hash == two.event.hash
    assert commands.sent[("insert", "events")] == (1 if share else 5)
    stored = [(d["stream"], d["cause"]) async for d in store.db["events"].find({})]
    streams = sorted(one for one in stored if one[0].startswith("call:"))
    assert streams == [
        ("call:CA0", "voice:CA0/received"),
        ("call:CA1", "voice:CA1/received"),
        ("call:CA2", "voice:CA2/received"),
    ]


@pytest.mark.parametrize("share", [True, False])
async def test_client_ids_drawn_at_the_same_moment_are_one_write_and_each_its_own(counted, share) -> None:
    store, commands = counted
    numbers = await at_once(6, share, lambda _n: next_value(store.db, "client", 1001))
    assert sorted(numbers) == list(range(1001, 1007))
    assert commands.sent[("findAndModify", "counters")] == (1 if share else 6)
    assert await next_value(store.db, "client", 1001) == 1007  # (the sequence moved on by all of them)


@pytest.mark.parametrize("share", [True, False])
async def test_twin_claims_of_one_number_at_the_same_moment_name_one_client(counted, share) -> None:
    store, commands = counted

    async def new_id() -> str:
        return f"C-{await next_value(store.db, 'client', 1001)}"

    async def claim(n: int) -> tuple[str, bool]:
        return await claimed(store.db, f"phone:+97150000000{min(n, 1)}", new_id)

    other, *twins = await at_once(4, share, claim)
    assert len({client_id for client_id, _ in twins}) == 1 and sorted(f for _, f in twins) == [
        False,
        False,
        True,
    ]
    assert other[1] and other[0] != twins[0][0]
    assert commands.sent[("insert", "claims")] == (1 if share else 4)
    assert commands.sent[("findAndModify", "counters")] == (1 if share else 4)


async def test_a_write_the_store_refuses_whole_fails_every_step_in_it(mongo_url: str, db_name: str) -> None:
    gone = AsyncMongoClient(mongo_url)
    await gone.close()  # (every command now fails, as a store that went away)

    async def insert(n: int) -> None:
        await together.insert(gone[db_name]["events"], {"_id": f"e{n}"})

    failed = await at_once(3, True, insert)
    assert all(isinstance(error, InvalidOperation) for error in failed), failed
