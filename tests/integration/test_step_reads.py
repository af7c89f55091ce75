"""One step's reads (storage/step_reads.py): a document read by `_id` once per step, the projector's writes
seen by the reads after them, an append that tries the head its projection showed and falls back when the
log has moved on without it, and no read for the replay checks of a first attempt; steps that share (the
answers Twilio waits on) make one read of the team at the same moment, never one sent before they began."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.clock import FrozenClock
from domain.errors import ConcurrencyConflict
from domain.events import Actor, ActorKind, EventType, NewEvent
from engine import queries as q
from storage import flights, step_reads
from storage.audit import verify
from storage.store import Store, open_store
from tests.round_trips import Commands

CLIENT = Actor(ActorKind.CLIENT, "C-1")


@pytest.fixture
async def counted(
    mongo_url: str, db_name: str, clock: FrozenClock, tmp_path: Path
) -> AsyncIterator[tuple[Store, Commands]]:
    commands = Commands()
    async with open_store(mongo_url, db_name, tmp_path, clock, listeners=[commands]) as store:
        await store.record(
            NewEvent(
                "client:C-1",
                EventType.CLIENT_REGISTERED,
                {"client_id": "C-1", "name": "Layla", "language": "ar", "identities": []},
                CLIENT,
                "tg:1/0",
            )
        )
        commands.sent.clear()
        try:
            yield store, commands
        finally:
            commands.stop()
            await store.client.drop_database(db_name)


def finds(commands: Commands, collection: str) -> int:
    return commands.sent[("find", collection)]


async def test_a_document_is_read_once_a_step_and_a_write_is_seen_after_it(counted) -> None:
    store, commands = counted
    assert (await q.client(store, "C-1")).name == (await q.client(store, "C-1")).name == "Layla"
    assert finds(commands, "clients") == 2  # outside a step, every read goes to the store
    commands.sent.clear()
    with step_reads.step():
        first = await q.client(store, "C-1")
        assert (await q.client(store, "C-1")).language == first.language
        await store.record(
            NewEvent(
                "client:C-1", EventType.CLIENT_PHONE_SHARED, {"phone": "+971501234567"}, CLIENT, "tg:2/0"
            )
        )
        assert (await q.client(store, "C-1")).phone == "+971501234567"  # the write, without a read
    assert finds(commands, "clients") == 1
    assert finds(commands, "events") == 0  # the head came from the projection this step read
    assert (await q.client(store, "C-1")).phone == "+971501234567"  # and the store has it


async def test_an_append_on_a_head_the_log_has_passed_falls_back_and_keeps_the_chain(counted) -> None:
    store, _ = counted
    with step_reads.step():
        assert (await q.client(store, "C-1")).version == 1  # this step saw the head at 1
        # meanwhile another instance appends, and dies before projecting it
        await store.events.append(
            NewEvent("client:C-1", EventType.CLIENT_PHONE_SHARED, {"phone": "+971500000002"}, CLIENT, "x/1")
        )
        appended = await store.record(
            NewEvent("client:C-1", EventType.CLIENT_PHONE_SHARED, {"phone": "+971500000003"}, CLIENT, "x/2")
        )
    assert appended.event.seq == 3 and not appended.duplicate
    client = await q.client(store, "C-1")
    assert (client.version, client.phone) == (3, "+971500000003")  # caught up through the missed event
    assert (await verify(store.db, store.events)).intact


async def test_a_first_attempt_reads_nothing_for_its_replay_checks(counted) -> None:
    store, commands = counted
    with step_reads.step(first_attempt=True):
        assert await store.events.replayed("tg:1/0") is None  # (it is there: a first attempt cannot be)
    assert finds(commands, "events") == 0
    with step_reads.step():
        assert (await store.events.replayed("tg:1/0")).type is EventType.CLIENT_REGISTERED
    assert finds(commands, "events") == 1


async def test_the_team_is_read_once_a_step_and_again_after_a_change_to_it(counted) -> None:
    store, commands = counted
    anna = NewEvent(
        "assistant:A-1",
        EventType.ASSISTANT_ADDED,
        {"assistant_id": "A-1", "telegram_id": 1001, "name": "Anna", "languages": ["en"], "lead": True},
        Actor(ActorKind.SYSTEM, "cli"),
        "cli:add/A-1",
    )
    with step_reads.step():
        assert await q.assistants(store) == []
        assert await q.assistants(store) == []
        assert finds(commands, "assistants") == 1
        await store.record(anna)
        # (the append's look at the new stream's document came from the team as read: not there)
        assert finds(commands, "assistants") == 1
        assert [a.name for a in await q.assistants(store)] == ["Anna"]  # the write forgot the list
        assert finds(commands, "assistants") == 2
        assert (await q.assistant(store, "A-1")).name == "Anna"  # by `_id`: from the team as read again
        assert finds(commands, "assistants") == 2


async def test_a_write_that_lost_a_race_in_a_step_is_read_again_from_the_store(counted) -> None:
    store, _ = counted

    async def another_instance() -> None:
        await store.record(
            NewEvent("client:C-1", EventType.CLIENT_PHONE_SHARED, {"phone": "+971500000002"}, CLIENT, "x/1")
        )

    with step_reads.step():
        client = await q.client(store, "C-1")
        loop = asyncio.get_running_loop()
        await loop.create_task(another_instance(), context=contextvars.Context())  # outside this step
        with pytest.raises(ConcurrencyConflict):
            await store.record(
                NewEvent(
                    "client:C-1", EventType.CLIENT_PHONE_SHARED, {"phone": "+971500000003"}, CLIENT, "x/2"
                ),
                expected_seq=client.version,
            )
        again = await q.client(store, "C-1")  # what a retry reads: the store, not this step's old copy
        assert (again.version, again.phone) == (2, "+971500000002")


async def test_a_stream_thought_new_that_a_twin_opened_first_is_appended_behind_it(counted) -> None:
    """`opens` (a number just taken, a first contact's conversation) skips the read of the stream's
    document; when the guess is wrong the unique (stream, seq) refuses the first try and the append, and its
    projection, land behind what is there."""
    store, commands = counted
    shared = NewEvent("client:C-1", EventType.CLIENT_PHONE_SHARED, {"phone": "+971500000002"}, CLIENT, "x/1")
    with step_reads.step(first_attempt=True):
        appended = await store.record(shared, opens=True)  # (wrong: the fixture registered C-1)
        assert not step_reads.opened("clients", "C-1")  # (its cards are looked for again: it had a past)
    assert (appended.event.seq, appended.duplicate) == (2, False)
    client = await q.client(store, "C-1")
    assert (client.version, client.phone, client.name) == (2, "+971500000002", "Layla")
    assert (await verify(store.db, store.events)).intact
    commands.sent.clear()
    with step_reads.step(first_attempt=True):
        opened = NewEvent("conversation:C-2", EventType.MESSAGE_RECEIVED, {"message": {}}, CLIENT, "tg:4/x")
        await store.record(opened, opens=True)  # right: nothing is read before the writes
        assert step_reads.opened("conversations", "C-2") and not step_reads.opened("clients", "C-2")
    assert finds(commands, "conversations") == finds(commands, "events") == 0
    assert not step_reads.opened("conversations", "C-2")  # (a step's own, forgotten after it)


async def test_a_clients_requests_are_read_once_a_step_and_again_after_a_write(counted) -> None:
    """`requests_of` (a rating's comment) reads them all once a step; `open_requests` takes its part of
    that read; a write to a request forgets it."""
    store, commands = counted
    opened = NewEvent(
        "request:R-1",
        EventType.REQUEST_OPENED,
        {"request_id": "R-1", "client_id": "C-1", "text": "a car", "category": "transport", "details": {}},
        CLIENT,
        "tg:5/request",
    )
    await store.record(opened)
    commands.sent.clear()
    with step_reads.step():
        assert [r.id for r in await q.open_requests(store, "C-1")] == ["R-1"]  # (alone: its own read)
        assert [r.id for r in await q.requests_of(store, "C-1")] == ["R-1"]
        assert [r.id for r in await q.open_requests(store, "C-1")] == ["R-1"]
        assert finds(commands, "requests") == 2
        cancel = NewEvent("request:R-1", EventType.REQUEST_CANCELLED, {"reason": "no"}, CLIENT, "tg:6/x")
        await store.record(cancel)
        assert await q.open_requests(store, "C-1") == []  # the write forgot the read
        assert [r.id for r in await q.requests_of(store, "C-1")] == ["R-1"]


def added(assistant_id: str, name: str) -> NewEvent:
    data = {
        "assistant_id": assistant_id,
        "telegram_id": 1001,
        "name": name,
        "languages": ["en"],
        "lead": True,
    }
    return NewEvent(
        f"assistant:{assistant_id}",
        EventType.ASSISTANT_ADDED,
        data,
        Actor(ActorKind.SYSTEM, "cli"),
        f"cli:add/{assistant_id}",
    )


async def test_one_of_a_collection_the_step_read_whole_is_not_read_again(counted) -> None:
    store, commands = counted
    await store.record(added("A-1", "Anna"))
    commands.sent.clear()
    with step_reads.step():
        assert [a.id for a in await q.assistants(store)] == ["A-1"]
        assert (await q.assistant(store, "A-1")).name == "Anna"  # (whose phone rings: after the team)
        assert await q.assistant(store, "A-2") is None  # not in the team the step read: not there
        assert finds(commands, "assistants") == 1
    assert (await q.assistant(store, "A-1")).name == "Anna"  # outside a step: the store
    assert finds(commands, "assistants") == 2


async def test_open_conversations_are_counted_once_a_step_and_again_after_a_change_to_them(counted) -> None:
    store, commands = counted
    await store.record(added("A-1", "Anna"))
    assigned = NewEvent("client:C-1", EventType.CLIENT_ASSIGNED, {"assistant_id": "A-1"}, CLIENT, "x/assign")
    await store.record(assigned)
    commands.sent.clear()
    with step_reads.step():
        assert await q.open_load(store) == await q.open_load(store) == {}
        assert finds(commands, "tallies") == 1
        opened = NewEvent("client:C-1", EventType.CONVERSATION_OPENED, {}, CLIENT, "x/open")
        await store.record(opened)
        assert await q.open_load(store) == {"A-1": 1}  # the projector's count forgot what the step held
        assert finds(commands, "tallies") == 2


async def test_a_client_found_by_phone_is_not_read_again_by_id(counted) -> None:
    store, commands = counted
    shared = NewEvent("client:C-1", EventType.CLIENT_PHONE_SHARED, {"phone": "+971500000002"}, CLIENT, "x/1")
    await store.record(shared)
    commands.sent.clear()
    with step_reads.step():
        assert (await q.client_by_phone(store, "+971500000002")).id == "C-1"
        assert (await q.client(store, "C-1")).phone == "+971500000002"  # (who called: then by id)
        assert finds(commands, "clients") == 1


async def test_an_event_that_opens_a_stream_without_a_projection_reads_no_head(counted) -> None:
    store, commands = counted
    call = {"call_sid": "CA1", "client_id": "C-1", "ring": [], "direction": "inbound"}
    received = NewEvent("call:CA1", EventType.CALL_RECEIVED, call, CLIENT, "voice:CA1/received")
    first = await store.record(received, expected_seq=0)
    assert (first.event.seq, first.duplicate) == (1, False)
    assert (
        finds(commands, "events") == 0
    )  # (inserted as the stream's first: no head read, in or out of a step)
    again = await store.record(received, expected_seq=0)  # the same call again: the first one's event
    assert (again.event.hash, again.duplicate) == (first.event.hash, True)
    other = NewEvent("call:CA1", EventType.CALL_RECEIVED, call, CLIENT, "voice:CA1/other")
    with pytest.raises(ConcurrencyConflict):  # another cause: the stream is not new
        await store.record(other, expected_seq=0)
    assert [e.cause for e in await store.events.read("call:CA1")] == ["voice:CA1/received"]
    assert (await verify(store.db, store.events)).intact


async def test_steps_that_share_read_the_team_at_the_same_moment_once(counted) -> None:
    store, commands = counted
    await store.record(added("A-1", "Anna"))
    commands.sent.clear()
    began, go = asyncio.Barrier(3), asyncio.Event()

    async def answer(share: bool) -> list[str]:
        with step_reads.step(share=share):
            await began.wait()
            await go.wait()
            names = [a.name for a in await q.assistants(store)]
            assert await q.open_load(store) == {}
            return names

    for share, reads in ((True, 1), (False, 2)):  # (steps that do not share: each reads for itself)
        answers = [asyncio.create_task(answer(share)) for _ in range(2)]
        await began.wait()
        go.set()
        assert await asyncio.gather(*answers) == [["Anna"], ["Anna"]]
        assert (finds(commands, "assistants"), finds(commands, "tallies")) == (reads, reads)
        go.clear()
        commands.sent.clear()


async def test_a_sharing_step_writing_to_a_collection_shares_no_read_of_it_sent_before(counted) -> None:
    store, _ = counted
    with step_reads.step(share=True):
        began = step_reads.shared_since("assistants")
        sent = flights.now()  # (another step's read of the team, on its way)
        assert began is not None and began < sent  # sent after this step began: it could share it
        await store.record(added("A-1", "Anna"))  # this step's write to the team (another read counts now)
        since = step_reads.shared_since("assistants")
        assert since is not None and since > sent
        assert step_reads.shared_since("tallies") == began
    with step_reads.step():
        assert step_reads.shared_since("assistants") is None  # (a step that does not share)


async def test_a_read_is_shared_only_with_steps_that_began_before_it_was_sent() -> None:
    release, sent = asyncio.Event(), []
    db, other_db = object(), object()

    def reading(n: int):
        async def read() -> list[int]:
            sent.append(n)
            await release.wait()
            return [n]

        return read

    early = flights.now()  # a step that began before the first read was sent
    first = asyncio.create_task(flights.shared(db, "team", flights.now(), reading(1)))
    await asyncio.sleep(0)  # (sent)
    joined = asyncio.create_task(flights.shared(db, "team", early, reading(2)))
    late = asyncio.create_task(flights.shared(db, "team", flights.now(), reading(3)))
    elsewhere = asyncio.create_task(flights.shared(other_db, "team", early, reading(4)))
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(first, joined, late, elsewhere) == [[1], [1], [3], [4]]
    assert sent == [1, 3, 4]  # the late step and the other store read for themselves
    assert await flights.shared(db, "team", early, reading(5)) == [5]  # landed: nothing is kept


async def test_a_shared_read_that_fails_fails_every_step_and_outlives_its_first_step() -> None:
    release, db = asyncio.Event(), object()

    async def failing() -> None:
        await release.wait()
        raise RuntimeError("the store went away")

    began = flights.now()
    first = asyncio.create_task(flights.shared(db, "team", began, failing))
    await asyncio.sleep(0)
    joined = asyncio.create_task(flights.shared(db, "team", began, failing))
    await asyncio.sleep(0)
    first.cancel()  # (its webhook went away: the read goes on for the step that joined it)
    release.set()
    with pytest.raises(RuntimeError, match="went away"):
        await joined
    assert first.cancelled()


async def test_steps_that_follow_begin_with_what_the_last_ones_ended_with_until_forgotten(counted) -> None:
    """`Known` (a Telegram worker's passes, seconds apart): a step begins with the documents the steps before
    it ended with — those it wrote too — and reads them no more; `forget` (the worker read its queue again)
    sends the next read to the store."""
    store, commands = counted
    known = step_reads.Known()
    with step_reads.step(known=known):
        assert (await q.client(store, "C-1")).phone is None
        await store.record(
            NewEvent(
                "client:C-1", EventType.CLIENT_PHONE_SHARED, {"phone": "+971501234567"}, CLIENT, "tg:2/0"
            )
        )
    known.settle()
    commands.sent.clear()
    with step_reads.step(known=known):
        assert (await q.client(store, "C-1")).phone == "+971501234567"  # the write, without a read
        await q.open_requests(store, "C-1")  # (a list is not kept: read in every step)
    known.settle()
    with step_reads.step(known=known):
        assert (await q.client(store, "C-1")).phone == "+971501234567"
        await q.open_requests(store, "C-1")
    assert finds(commands, "clients") == 0 and finds(commands, "requests") == 2
    known.forget()
    with step_reads.step(known=known):
        assert (await q.client(store, "C-1")).phone == "+971501234567"
    assert finds(commands, "clients") == 1


async def test_a_document_steps_side_by_side_ended_with_differently_or_lost_a_race_on_is_read_again(
    counted,
) -> None:
    """Two steps begun together (one pass's sends): a document one wrote and another ended with as it began
    is the writer's; one they both wrote differently, or one whose write lost a race, is forgotten."""
    store, commands = counted
    known = step_reads.Known()
    with step_reads.step(known=known):
        await q.client(store, "C-1")
    known.settle()

    async def phone(number: str, cause: str) -> None:
        with step_reads.step(known=known):
            await q.client(store, "C-1")
            await store.record(
                NewEvent("client:C-1", EventType.CLIENT_PHONE_SHARED, {"phone": number}, CLIENT, cause)
            )

    async def reads() -> None:
        with step_reads.step(known=known):
            await q.client(store, "C-1")

    await phone("+971500000001", "tg:2/0")
    await reads()  # (side by side with the write: it ended with the client as it began)
    known.settle()
    commands.sent.clear()
    with step_reads.step(known=known):
        assert (await q.client(store, "C-1")).phone == "+971500000001"
    assert finds(commands, "clients") == 0
    await phone("+971500000002", "tg:3/0")
    await phone("+971500000003", "tg:4/0")  # (began with the same: its write lost the race, read again)
    known.settle()
    commands.sent.clear()
    with step_reads.step(known=known):
        assert (await q.client(store, "C-1")).phone == "+971500000003"
    assert finds(commands, "clients") == 1
