"""Events a step decides together (storage/store.py `record_all`, engine/deps.py `Deps.record_all`): one
ordered insert for all of them and one write per projection document, the log and the documents exactly
what recording them one by one makes; the first event the log refuses (a stream moved on, a cause recorded
before) is recorded alone as `record` would, and the ones after it are not — the caller decides them again;
a crash between the insert and the projections loses nothing and duplicates nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.clock import FrozenClock
from domain.errors import ConcurrencyConflict
from domain.events import SYSTEM, Actor, ActorKind, EventType, NewEvent
from domain.intake import understand
from domain.requests import ServiceRequest
from engine import queries as q
from storage import step_reads
from storage.audit import verify
from storage.store import Opening, Store, open_store
from tests.round_trips import Commands

VOLATILE = ("_h",)  # (each stream's hash: its events' ids and times differ)


@pytest.fixture
async def counted(
    mongo_url: str, db_name: str, clock: FrozenClock, tmp_path: Path
) -> AsyncIterator[tuple[Store, Commands]]:
    commands = Commands()
    async with open_store(mongo_url, db_name, tmp_path, clock, listeners=[commands]) as store:
        commands.sent.clear()
        try:
            yield store, commands
        finally:
            commands.stop()
            await store.client.drop_database(db_name)


def first_contact(client_id: str, n: int) -> list[Opening]:
    """A new client's registration, assignment and first message, as a first contact decides them."""
    actor = Actor(ActorKind.CLIENT, client_id)
    client, conversation = f"client:{client_id}", f"conversation:{client_id}"
    data = {"client_id": client_id, "name": "Layla", "language": "ar", "identities": [], "phone": "+97150"}
    assigned = {"assistant_id": "A-1"}
    return [
        (NewEvent(client, EventType.CLIENT_REGISTERED, data, actor, f"reg:{client_id}"), 0, False),
        (NewEvent(client, EventType.CLIENT_ASSIGNED, assigned, SYSTEM, f"{n}/a"), None, False),
        (NewEvent(conversation, EventType.MESSAGE_RECEIVED, {"message": {}}, actor, f"{n}/m"), None, True),
    ]


def shape(doc: dict[str, Any] | None) -> dict[str, Any]:
    assert doc is not None
    return {k: v for k, v in doc.items() if k not in VOLATILE and k != "_id"}


async def test_events_decided_together_are_one_insert_and_one_write_per_document(counted) -> None:
    store, commands = counted
    with step_reads.step(first_attempt=True):
        together = await store.record_all(first_contact("C-1", 1))
    assert [(a.event.stream, a.event.seq, a.duplicate) for a in together] == [
        ("client:C-1", 1, False),
        ("client:C-1", 2, False),
        ("conversation:C-1", 1, False),
    ]
    assert commands.sent[("insert", "events")] == 1  # (one by one: three)
    assert commands.sent[("insert", "clients")] == 1 and not commands.sent[("update", "clients")]
    assert commands.sent[("insert", "conversations")] == 1
    assert together[1].event.prev == together[0].event.hash  # (chained in the step, before the insert)
    with step_reads.step(first_attempt=True):
        for new, expected_seq, opens in first_contact("C-2", 2):
            await store.record(new, expected_seq, opens)  # the same, one by one
    for collection in ("clients", "conversations"):
        together_doc = await store.db[collection].find_one({"_id": "C-1"})
        alone_doc = await store.db[collection].find_one({"_id": "C-2"})
        assert shape(together_doc) | {"client_id": "C-2"} == shape(alone_doc) | {"client_id": "C-2"}
    assert (await q.client(store, "C-1")).assistant_id == "A-1"
    assert (await verify(store.db, store.events)).intact


async def test_outside_a_step_only_the_first_is_recorded_and_the_caller_records_the_rest(counted) -> None:
    store, commands = counted
    recorded = await store.record_all(first_contact("C-1", 1))  # (no step: no head known, nothing to share)
    assert [a.event.seq for a in recorded] == [1]
    assert commands.sent[("insert", "events")] == 1


async def test_an_event_on_a_stream_that_moved_on_is_recorded_alone_and_the_rest_left(counted) -> None:
    """The step saw the client at 2; another instance appended a third event and died before projecting
    it: the step's first event is refused (its guessed seq is taken), appended behind the other's as `record`
    appends, its projection caught up through the missed event — and the message after it is not recorded:
    decided on what the step saw, the caller decides it again."""
    store, _ = counted
    with step_reads.step(first_attempt=True):
        await store.record_all(first_contact("C-1", 1)[:2])
    theirs = NewEvent("client:C-1", EventType.CLIENT_PHONE_SHARED, {"phone": "+971500000002"}, SYSTEM, "x/1")
    with step_reads.step(first_attempt=True):
        assert (await q.client(store, "C-1")).version == 2
        await store.events.append(theirs)  # (another instance, behind this step's back)
        ours = NewEvent("client:C-1", EventType.CONVERSATION_OPENED, {}, SYSTEM, "tg:5/open")
        message = NewEvent("conversation:C-1", EventType.MESSAGE_RECEIVED, {"message": {}}, SYSTEM, "tg:5/m")
        recorded = await store.record_all([(ours, None, False), (message, None, True)])
    assert [(a.event.stream, a.event.seq, a.duplicate) for a in recorded] == [("client:C-1", 4, False)]
    client = await q.client(store, "C-1")
    assert (client.version, client.phone, client.conversation_open) == (4, "+971500000002", True)
    assert await store.events.read("conversation:C-1") == []
    assert (await verify(store.db, store.events)).intact


async def test_a_cause_recorded_before_comes_back_a_duplicate_and_stops_the_rest(counted) -> None:
    store, commands = counted
    with step_reads.step(first_attempt=True):
        first = await store.record_all(first_contact("C-1", 1)[:1])
    commands.sent.clear()
    with step_reads.step():  # (a twin of the first contact: the same registration, decided again)
        again = await store.record_all(first_contact("C-1", 2))
    assert [(a.event.id, a.duplicate) for a in again] == [(first[0].event.id, True)]
    assert await store.events.by_cause("2/a") is None and await store.events.by_cause("2/m") is None
    with step_reads.step(), pytest.raises(ConcurrencyConflict):  # (a version the stream is not at)
        new = NewEvent("client:C-1", EventType.CONVERSATION_OPENED, {}, SYSTEM, "tg:9/open")
        await store.record_all([(new, 5, False), first_contact("C-1", 3)[1]])
    assert await store.events.by_cause("3/a") is None
    assert (await verify(store.db, store.events)).intact


async def test_a_crash_between_the_insert_and_the_projections_loses_and_duplicates_nothing(counted) -> None:
    """The events are the truth: written together and never projected (the process died), they are caught
    up by the next write to their streams, whose own event lands behind them; the step handled again finds
    them by their causes (duplicates, nothing written twice)."""
    store, _ = counted
    with step_reads.step(first_attempt=True):
        news = first_contact("C-1", 1)  # (each new stream's head: none)
        written = await store.events.append_together([(new, (0, "")) for new, _, _ in news])
    assert len(written) == 3 and await q.client(store, "C-1") is None  # (died here)
    with step_reads.step():  # the item, not done, handled again
        again = await store.record_all(first_contact("C-1", 1))
        assert [a.duplicate for a in again] == [True]  # (its registration: the caller goes on one by one)
        for new, expected_seq, opens in first_contact("C-1", 1)[1:]:
            assert (await store.record(new, expected_seq, opens)).duplicate
    client = await q.client(store, "C-1")
    assert (client.version, client.assistant_id) == (2, "A-1")
    assert len(await store.events.read("client:C-1")) == 2
    assert len(await store.events.read("conversation:C-1")) == 1
    assert (await store.db["conversations"].find_one({"_id": "C-1"}))["_v"] == 1
    assert (await verify(store.db, store.events)).intact


async def test_an_event_that_cannot_join_ends_the_batch_and_is_left_to_the_caller(
    counted, clock: FrozenClock
) -> None:
    """A second event of a request's stream is sealed for the client its first event names (read from the
    log, where it is not yet): it and the ones after it are the caller's, recorded one by one."""
    store, _ = counted
    text = "A table for two tomorrow at 9 pm"
    learned = understand(text, clock.now(), ZoneInfo("Europe/Moscow"))
    kind, data = ServiceRequest.open("R-1", "C-1", text, learned, None)
    opened = NewEvent("request:R-1", kind, data, SYSTEM, "r/1")
    noted = NewEvent("request:R-1", EventType.NOTE_ADDED, {"text": "VIP"}, SYSTEM, "r/2")
    message = NewEvent("conversation:C-1", EventType.MESSAGE_RECEIVED, {"message": {}}, SYSTEM, "r/3")
    with step_reads.step(first_attempt=True):
        recorded = await store.record_all([(message, None, True), (opened, None, True), (noted, None, False)])
    assert [a.event.stream for a in recorded] == ["conversation:C-1", "request:R-1"]
    assert await store.events.by_cause("r/2") is None
    checked = NewEvent("conversation:C-1", EventType.MESSAGE_RECEIVED, {"message": {}}, SYSTEM, "r/5")
    with step_reads.step(first_attempt=True):
        first = NewEvent("conversation:C-1", EventType.MESSAGE_RECEIVED, {"message": {}}, SYSTEM, "r/4")
        recorded = await store.record_all([(first, None, False), (checked, 2, False)])
    assert [a.event.seq for a in recorded] == [2]  # (one decided on a version: left to the caller)
    assert (await verify(store.db, store.events)).intact
