"""The board's cards (storage/board.py: one small document per request, kept by the projector): the board read
from them is the board a whole read of the open requests and their clients makes, for every viewer, through a
journey with every state a card has; they are what a rebuild of the log makes; a crash between a document and
its card, and a store kept before the cards, are made good at a start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from domain.board import face
from domain.clients import Assistant, Client
from domain.requests import ServiceRequest
from engine import queries as q
from engine.clients.merging import merge
from engine.console import reads
from storage.board import written_ms
from storage.board_view import OpenCards
from storage.projector import Projector
from tests.console_client import signed_in
from tests.harness import Harness, start_harness
from tests.telegram.test_console import client_with_request, staff_says
from tests.telegram.test_lifecycle import order_of, pay, quote_message


@pytest.fixture
async def team(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock) -> AsyncIterator[Harness]:
    tg = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock)
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "en,ar")
    await tg.add_staff(9003, "Irina", "en,ru")
    yield tg
    await tg.store.client.drop_database(db_name)


async def whole_read(tg: Harness, viewer: Assistant, assistant_id: str | None = None) -> dict[str, list]:
    """The board as it was read before its cards were kept: every open request, and their clients."""
    docs = await tg.store.db["requests"].find({"open": True}).to_list()
    requests = [ServiceRequest.from_doc(d) for d in docs]
    ids = sorted({r.client_id for r in requests})
    clients = {
        d["_id"]: Client.from_doc(d)
        for d in await tg.store.db["clients"].find({"_id": {"$in": ids}}).to_list()
    }
    wanted = viewer.id if not viewer.lead else assistant_id
    faces = [
        face(r, c)
        for r in requests
        if (c := clients.get(r.client_id))
        and reads.may_see(viewer, c)
        and (not wanted or c.assistant_id == wanted)
    ]
    return await reads._columns(tg.engine.deps, faces)


async def same_boards(tg: Harness) -> dict[str, list]:
    team = await q.assistants(tg.store)
    lead = next(a for a in team if a.lead)
    seen = {}
    for viewer, chosen in [(lead, None), *((lead, a.id) for a in team), *((a, None) for a in team)]:
        kept = await reads.board(tg.engine.deps, viewer, chosen)
        assert kept == await whole_read(tg, viewer, chosen), (viewer.id, chosen)
        seen[f"{viewer.id}/{chosen}"] = kept
    return seen[f"{lead.id}/None"]


def cards(board: dict[str, list]) -> dict[str, list[str]]:
    return {state: [c.face.id for c in column] for state, column in board.items()}


CLOCKS = ("rs", "rk", "qs", "qk")  # (the timers', not the log's: a rebuild into another store has none)


async def kept_cards(db: Any, clocks: bool = True) -> dict[str, dict]:
    """The board's documents without the versions they were written at (a rebuild writes the last ones), nor
    when."""
    found = await db["board"].find().sort("_id", 1).to_list()
    left = ("rv", "cv", "w_ms") if clocks else ("rv", "cv", "w_ms", *CLOCKS)
    return {d["_id"]: {k: v for k, v in d.items() if k not in left} for d in found}


async def test_the_board_from_its_cards_is_a_whole_reads_board_through_every_state(
    team: Harness,
) -> None:
    tg = team
    anna = await signed_in(tg, 9001)
    layla, layla_thread, layla_id = await client_with_request(tg, "Layla", "Book a car tonight at 8")
    _james, _, _ = await client_with_request(tg, "James", "A table for two tomorrow at 9 pm")
    sara, sara_thread, _ = await client_with_request(tg, "Sara", "Flowers to the Ritz tomorrow")
    _noor, noor_thread, _ = await client_with_request(tg, "Noor", "A guide on Sunday")
    ivan, ivan_thread, _ = await client_with_request(tg, "Ivan", "A car to the airport tomorrow at 6")
    _mia, _, mia_id = await client_with_request(tg, "Mia", "Tickets to the Bolshoi on Friday")
    _mia2, _, mia2_id = await client_with_request(tg, "Mia K", "A table at Pushkin on Saturday at 8 pm")
    board = await same_boards(tg)
    assert len(board["new"]) == 7

    await staff_says(tg, layla_thread, "/quote 45000 RUB Mercedes S-Class")
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    await staff_says(tg, layla_thread, "/progress")
    page = f"/console/clients/{layla_id}"
    assert (await anna.post(f"{page}/profile", {"tags": "VIP", "preferences": ""}, page)).status == 303
    await staff_says(tg, sara_thread, "/quote 9000 RUB Roses")
    await staff_says(tg, sara_thread, "/assign Omar")
    await staff_says(tg, noor_thread, "/cancel plans changed")
    await staff_says(tg, ivan_thread, "/quote 7000 RUB Airport transfer")
    await pay(tg, order_of(tg, quote_message(tg, ivan)))
    await staff_says(tg, ivan_thread, "/done")
    # (the merge a lead makes of two accounts of one person, here two Telegram ones)
    mia, mia2 = await q.client(tg.store, mia_id), await q.client(tg.store, mia2_id)
    assert mia is not None and mia2 is not None
    await merge(tg.engine.deps, mia, mia2, "test:merge")
    await tg.settle()
    tg.clock.advance(hours=3)  # (clocks run out: breached cards first)
    board = await same_boards(tg)
    shown = cards(board)
    assert [len(shown[s]) for s in ("new", "quoted", "paid", "in_progress")] == [3, 1, 0, 1], shown
    progress = board["in_progress"][0].face
    assert progress.vip and progress.amount is not None and progress.name == "Layla"
    assert board["quoted"][0].face.assistant_id == "A-9002"
    merged = [c.face for c in board["new"] if c.face.client_id == mia_id]
    assert len(merged) == 2, "the moved card is Mia's"
    assert len(await tg.store.db["board"].find({"open": False}).to_list()) == 2  # (off the board: kept)
    assert {c["assistant_id"] for c in (await kept_cards(tg.store.db)).values()} >= {"A-9002"}
    del sara  # (her request's card is Omar's now)

    # a rebuild of the log makes the same cards; a rebuild of the cards, the same clocks on them
    live = await kept_cards(tg.store.db)
    assert any(c["rs"] for c in live.values()) and any(c["qs"] for c in live.values())
    rebuilt = tg.store.client[f"{tg.store.db.name}_board_rebuilt"]
    await Projector(rebuilt, tg.store.events).rebuild()
    assert await kept_cards(rebuilt, clocks=False) == await kept_cards(tg.store.db, clocks=False)
    await tg.store.projector.board.rebuild()
    assert await kept_cards(tg.store.db) == live


async def test_a_crash_between_a_document_and_its_card_is_made_good_at_the_next_start(team: Harness) -> None:
    tg = team
    _layla, thread, _ = await client_with_request(tg, "Layla", "Book a car tonight at 8")
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")
    live = await kept_cards(tg.store.db)
    (card_id,) = live
    # the process died after writing the request's document, before its card
    await tg.store.db["board"].update_one(
        {"_id": card_id}, {"$set": {"state": "new", "amount": None, "rv": 1, "w_ms": written_ms()}}
    )
    assert await kept_cards(tg.store.db) != live
    await tg.store.projector.start_up(tg.clock.now())
    assert await kept_cards(tg.store.db) == live


async def test_a_store_kept_before_the_cards_has_them_made_at_its_next_start(team: Harness) -> None:
    tg = team
    _layla, thread, _ = await client_with_request(tg, "Layla", "Book a car tonight at 8")
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")
    await client_with_request(tg, "James", "A table for two tomorrow at 9 pm")
    live = await kept_cards(tg.store.db)
    assert len(live) == 2
    await tg.store.db["board"].delete_many({})  # (a store of the version before the cards)
    await tg.store.db["jobs"].delete_one({"_id": "board"})
    tg.clock.advance(days=3)  # (the streams are older than what a start looks at again)
    await tg.store.projector.checked(tg.clock.now())
    await tg.store.projector.start_up(tg.clock.now())
    assert await kept_cards(tg.store.db) == live
    assert (await tg.store.db["jobs"].find_one({"_id": "board"}))["cards"] == 2  # (made once)


async def test_a_crash_between_a_deadline_and_its_cards_clock_is_made_good_at_the_next_start(
    team: Harness,
) -> None:
    tg = team
    _layla, thread, layla_id = await client_with_request(tg, "Layla", "Book a car tonight at 8")
    await client_with_request(tg, "James", "A table for two tomorrow at 9 pm")
    live = await kept_cards(tg.store.db)
    assert all(c["rs"] and c["qs"] for c in live.values())  # (waiting for a reply, and for a first quote)
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")  # (answered and quoted: both stop)
    (layla_card,) = [c for c in (await kept_cards(tg.store.db)).values() if c["client_id"] == layla_id]
    assert layla_card["rs"] is None and layla_card["qs"] is None
    answered = await kept_cards(tg.store.db)
    # the process died after the deadlines were stopped, before the card's clocks were
    await tg.store.db["board"].update_one(
        {"_id": layla_card["_id"]},
        {"$set": {k: live[layla_card["_id"]][k] for k in CLOCKS} | {"w_ms": written_ms()}},
    )
    tg.clock.advance(hours=3)  # (the clock it shows would have run out)
    with pytest.raises(AssertionError):
        await same_boards(tg)
    await tg.store.projector.start_up(tg.clock.now())
    assert await kept_cards(tg.store.db) == answered
    await same_boards(tg)


async def test_each_instances_copy_of_the_open_cards_reads_what_another_wrote(team: Harness) -> None:
    tg = team
    now = [written_ms()]
    other = OpenCards(tg.store.db, lambda: now[0])  # (another instance's copy, on the same store)

    async def as_stored() -> dict[str, dict]:
        return {d["_id"]: d for d in await tg.store.db["board"].find({"open": True}).to_list()}

    async def copied() -> dict[str, dict]:
        return {d["_id"]: d for d in await other.read()}

    _layla, thread, _ = await client_with_request(tg, "Layla", "Book a car tonight at 8")
    _james, james_thread, _ = await client_with_request(tg, "James", "A table for two tomorrow at 9 pm")
    assert await copied() == await as_stored() and len(await as_stored()) == 2
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")  # (its state, its clocks)
    await staff_says(tg, james_thread, "/cancel plans changed")  # (off the board)
    await client_with_request(tg, "Sara", "Flowers to the Ritz tomorrow")  # (a new card)
    now[0] += 1_000
    assert await copied() == await as_stored() and len(await as_stored()) == 2

    # a write held up longer than the margin (its writer's clock behind) is read at the next full read
    card = next(iter(await as_stored()))
    await tg.store.db["board"].update_one({"_id": card}, {"$set": {"vip": True, "w_ms": now[0] - 60_000}})
    now[0] += 1_000
    assert not (await copied())[card]["vip"]
    now[0] += 60_000
    assert not (await copied())[card]["vip"]  # the board that finds a full read due is answered as any other
    await other.afresh_done()  # (its full read, made beside it)
    now[0] += 1_000
    assert (await copied())[card]["vip"]

    # the cards made again (a rebuild) are read afresh at once
    await tg.store.db["board"].update_one({"_id": card}, {"$set": {"w_ms": 0}})  # (as a rebuild writes them)
    await tg.store.projector.board.rebuild()
    now[0] += 1_000
    assert await copied() == await as_stored() and not (await copied())[card]["vip"]


class HeldFullRead(OpenCards):
    """An instance's copy whose minute's full read is held between its read of the store and its use."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read_done, self.go_on = asyncio.Event(), asyncio.Event()

    async def _all_open(self) -> list[dict]:
        docs = await super()._all_open()
        if self._read_ms is not None:  # (the minute's, not the first)
            self.read_done.set()
            await self.go_on.wait()
        return docs


async def test_a_card_written_while_the_full_read_is_made_is_not_lost_with_it(team: Harness) -> None:
    """The minute's full read is made beside the boards: what they read meanwhile is newer than it, and is
    read again after it (every card written since the full read began)."""
    tg = team
    now = [written_ms()]
    other = HeldFullRead(tg.store.db, lambda: now[0])
    await client_with_request(tg, "Layla", "Book a car tonight at 8")
    (card,) = [d["_id"] for d in await other.read()]
    now[0] += 60_000
    await other.read()  # the full read falls due: it starts beside this board
    await other.read_done.wait()  # (it has read the store)
    await tg.store.db["board"].update_one({"_id": card}, {"$set": {"vip": True, "w_ms": now[0] + 1_000}})
    now[0] += 1_000
    assert (await other.read())[0]["vip"]  # a board meanwhile reads it
    now[0] += 10_000
    assert (await other.read())[0]["vip"]  # (and another, past the margin)
    other.go_on.set()
    await other.afresh_done()  # the full read, older than the card, is taken in
    now[0] += 1_000
    assert (await other.read())[0]["vip"]  # the next board reads it again


async def test_a_cards_value_is_made_again_only_when_the_store_changed_it(team: Harness) -> None:
    """What a board makes of each card (`read_as`) is kept with the document it was made of: made again when
    the store's document changed (or what else it depends on: the salt), not for a full read's equal one."""
    tg = team
    now = [written_ms()]
    copy = OpenCards(tg.store.db, lambda: now[0])
    made: list[str] = []

    def make(doc: dict) -> tuple[str, bool]:
        made.append(doc["_id"])
        return doc["_id"], doc["vip"]

    _layla, thread, _ = await client_with_request(tg, "Layla", "Book a car tonight at 8")
    await client_with_request(tg, "James", "A table for two tomorrow at 9 pm")
    first = await copy.read_as(make, "team")
    assert sorted(made) == ["R-1001", "R-1002"]
    made.clear()
    now[0] += 1_000
    again = await copy.read_as(make, "team")
    assert made == [] and all(a is b for a, b in zip(sorted(first), sorted(again), strict=True))
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")  # (R-1001's card written again)
    now[0] += 1_000
    await copy.read_as(make, "team")
    assert made == ["R-1001"]
    made.clear()
    now[0] += 60_000
    await copy.read_as(make, "team")  # (the full read falls due, made beside)
    await copy.afresh_done()
    now[0] += 1_000
    await copy.read_as(make, "team")
    assert made == []  # every card read again, none changed
    await copy.read_as(make, "another team")
    assert sorted(made) == ["R-1001", "R-1002"]
