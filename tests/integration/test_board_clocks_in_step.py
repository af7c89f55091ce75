"""The board's clocks written from what a step knows (storage/board.py): a client's wait reaches their cards
through the step's read of their requests, made after the deadline's write (a first message's client has
none, and no card is looked for); a card opened in the step starts with the wait the step started, its read
of the deadlines after the write putting right what another writer changed meanwhile."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.clock import FrozenClock
from domain.deadlines import FIRST_QUOTE, FIRST_RESPONSE, Deadline, stamp
from domain.events import Actor, ActorKind, EventType, NewEvent
from domain.intake import understand
from domain.requests import ServiceRequest
from domain.sun import MOSCOW
from storage import step_reads
from storage.board import clock_state
from storage.store import Store, open_store
from storage.timefmt import from_ms
from tests.round_trips import Commands

MOSCOW_TZ = ZoneInfo("Europe/Moscow")


@pytest.fixture
async def counted(
    mongo_url: str, db_name: str, clock: FrozenClock, tmp_path: Path
) -> AsyncIterator[tuple[Store, Commands, FrozenClock]]:
    commands = Commands()
    async with open_store(mongo_url, db_name, tmp_path, clock, listeners=[commands]) as store:
        for client_id in ("C-1", "C-2"):
            data = {"client_id": client_id, "name": "Layla", "language": "ar", "identities": []}
            actor = Actor(ActorKind.CLIENT, client_id)
            await store.record(
                NewEvent(f"client:{client_id}", EventType.CLIENT_REGISTERED, data, actor, client_id)
            )
        commands.sent.clear()
        try:
            yield store, commands, clock
        finally:
            commands.stop()
            await store.client.drop_database(db_name)


async def open_request(store: Store, clock: FrozenClock, request_id: str, client_id: str) -> None:
    text = "A table for two tomorrow at 9 pm"
    learned = understand(text, clock.now(), MOSCOW_TZ, MOSCOW)
    kind, data = ServiceRequest.open(request_id, client_id, text, learned, None)
    actor = Actor(ActorKind.CLIENT, client_id)
    await store.record(NewEvent(f"request:{request_id}", kind, data, actor, f"{request_id}/open"), opens=True)


def wait_of(client_id: str, clock: FrozenClock) -> Deadline:
    return Deadline(f"{FIRST_RESPONSE}:{client_id}", clock.now() + timedelta(minutes=5), client_id, "r1")


async def card(store: Store, request_id: str, commands: Commands | None = None) -> dict[str, Any]:
    """The card as stored (a read of the test's own: not counted)."""
    if commands is not None:
        commands.on = False
    try:
        found = await store.db["board"].find_one({"_id": request_id})
    finally:
        if commands is not None:
            commands.on = True
    assert found is not None
    return found


async def test_a_wait_reaches_the_clients_cards_through_their_requests(counted) -> None:
    store, commands, clock = counted
    await open_request(store, clock, "R-1", "C-1")
    assert (await card(store, "R-1", commands))["rk"] == 0
    commands.sent.clear()
    with step_reads.step(first_attempt=True):
        assert await store.deadlines.start(wait_of("C-1", clock), clock.now())
        requests = await step_reads.where(store.db, "requests", "client_id", "C-1")  # (a message's read)
    assert [r["_id"] for r in requests] == ["R-1"]
    shown = await card(store, "R-1", commands)
    assert shown["rk"] == 1 and shown["rs"] is not None
    assert commands.sent[("find", "board")] == 0  # (its requests name its cards)
    assert commands.sent[("find", "requests")] == 1  # (read once: the message's read is the same one)
    commands.sent.clear()
    with step_reads.step(first_attempt=True):  # a client without requests: no card is looked for
        assert await store.deadlines.start(wait_of("C-2", clock), clock.now())
    assert commands.sent[("find", "board")] == 0 and commands.sent[("update", "board")] == 0
    commands.sent.clear()
    await store.deadlines.stop(f"{FIRST_RESPONSE}:C-1", clock.now())  # (outside a step: its cards found)
    assert commands.sent[("find", "board")] == 1
    assert (await card(store, "R-1", commands))["rs"] is None


async def test_a_card_opened_in_the_step_starts_with_the_wait_the_step_started(counted) -> None:
    store, commands, clock = counted
    with step_reads.step(first_attempt=True):
        assert await store.deadlines.start(wait_of("C-1", clock), clock.now())
        commands.sent.clear()
        await open_request(store, clock, "R-1", "C-1")
    shown = await card(store, "R-1", commands)
    assert shown["rk"] == 1 and shown["rs"] is not None
    assert commands.sent[("update", "board")] == 1  # (the card, with its clock: none written after it)
    assert commands.sent[("find", "deadlines")] == 1  # (read after the card, all the same)


async def test_a_wait_changed_by_another_writer_meanwhile_is_put_right_on_the_new_card(counted) -> None:
    store, commands, clock = counted
    with step_reads.step(first_attempt=True):
        assert await store.deadlines.start(wait_of("C-1", clock), clock.now())  # (kept: version 1)
        answered = store.deadlines.stop(f"{FIRST_RESPONSE}:C-1", clock.now())  # another instance: answered
        await asyncio.create_task(answered, context=contextvars.Context())  # (outside this step)
        await open_request(store, clock, "R-1", "C-1")
    shown = await card(store, "R-1", commands)
    assert (shown["rs"], shown["rk"]) == (None, 2)  # the newer clock, not the one the step kept


def first_quote_of(request_id: str, clock: FrozenClock) -> Deadline:
    """As engine/clock/timers.py starts it with the request's first event (since its opening, version 1)."""
    at = clock.now()
    return Deadline(f"{FIRST_QUOTE}:{request_id}", at + timedelta(minutes=15), request_id, stamp(at), 1)


async def test_a_card_opened_in_the_step_shows_its_first_quote_wait_in_its_one_write(counted) -> None:
    """A request the step opens: its card shows the first-quote wait the timers start right after it, so the
    deadline's write finds it shown and writes no card (storage/board.py `opening_quote_clock`)."""
    store, commands, clock = counted
    with step_reads.step(first_attempt=True):
        commands.sent.clear()
        await open_request(store, clock, "R-1", "C-1")
        assert await store.deadlines.start(first_quote_of("R-1", clock), clock.now(), new=True)
    assert commands.sent[("update", "board")] == 1  # (the card, with the clock: none written after it)
    shown = await card(store, "R-1", commands)
    deadline = await store.deadlines.current(f"{FIRST_QUOTE}:R-1")
    assert (shown["qs"], shown["qk"]) == clock_state(deadline) == (shown["qs"], 1)
    # answered: the wait stops, and the card shows it (the write the opening's saved was only the first)
    await store.deadlines.stop(f"{FIRST_QUOTE}:R-1", clock.now())
    shown = await card(store, "R-1", commands)
    assert (shown["qs"], shown["qk"]) == (None, 2)


async def test_a_crash_between_the_card_and_its_first_quote_leaves_the_card_as_the_sweep_makes_it(
    counted,
) -> None:
    """Died after the card, before the timers: the card shows the wait the sweep then starts, unchanged."""
    store, commands, clock = counted
    with step_reads.step(first_attempt=True):
        await open_request(store, clock, "R-1", "C-1")
    before = await card(store, "R-1", commands)
    deadline = first_quote_of("R-1", clock)  # (the sweep's, from the same event)
    clock.advance(seconds=40)
    with step_reads.step(first_attempt=True):
        commands.sent.clear()
        assert await store.deadlines.start(deadline, from_ms(before["qs"]), new=True)
    assert commands.sent[("update", "board")] == 1  # (not the step that opened it: written as before)
    after = await card(store, "R-1", commands)
    assert (
        (after["qs"], after["qk"])
        == (before["qs"], before["qk"])
        == clock_state(await store.deadlines.current(f"{FIRST_QUOTE}:R-1"))
    )
    assert await store.projector.board.clocks_again() == 0


async def test_a_request_not_opened_in_the_step_shows_no_wait_it_did_not_see_start(counted) -> None:
    """Outside a step (a catch-up, a rebuild) nothing is foreseen: the card shows only deadlines written."""
    store, commands, clock = counted
    await open_request(store, clock, "R-1", "C-1")
    shown = await card(store, "R-1", commands)
    assert (shown["qs"], shown["qk"]) == (None, 0)
