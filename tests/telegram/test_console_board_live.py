"""The board's live cards: an event sends an open board the cards it changed (never the whole board), drawn
as the board draws them, only to the tabs allowed to see them; a card leaves when its request closes or its
client goes to someone else; an event read before it was fully recorded is drawn again."""

import json
import re

import pytest
from pymongo import monitoring

from bot.console import live
from bot.console.keys import LIVE
from bot.console.live import Tab
from domain.events import Actor, ActorKind, EventType, NewEvent
from engine import queries as q
from tests.console_client import signed_in
from tests.harness import Harness, start_harness
from tests.telegram.test_console import client_with_request, staff_says
from tests.telegram.test_lifecycle import order_of, pay, quote_message


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "en,ar")
    await tg.add_staff(9003, "Irina", "en,ru")
    return tg


ANNA_ACTOR = Actor(ActorKind.ASSISTANT, "A-9001")


def drained(tab: Tab) -> list[str]:
    return [tab.queue.get_nowait() for _ in range(tab.queue.qsize())]


def cards_sent(messages: list[str]) -> list[dict]:
    """The `card` events in what a tab was sent, in order."""
    found = []
    for message in messages:
        for block in message.split("\n\n"):
            fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
            if fields.get("event") == "card":
                found.append(json.loads(fields["data"]))
    return found


async def assigned(tg: Harness, thread: int, who: str) -> None:
    await staff_says(tg, thread, f"/assign {who}")


async def test_one_event_sends_an_open_board_its_one_card_drawn_as_the_board_draws_it(team: Harness) -> None:
    tg = team
    hub = tg.app[LIVE]
    anna = await q.assistant(tg.store, "A-9001")
    _layla, layla_thread, _ = await client_with_request(tg, "Layla", "Book a car tonight at 8")
    await client_with_request(tg, "James", "A table for two tomorrow at 9 pm")
    board, elsewhere = hub.subscribe(anna, board=True), hub.subscribe(anna)
    await hub.read_once()
    drained(board), drained(elsewhere)

    await staff_says(tg, layla_thread, "/quote 45000 RUB Mercedes S-Class")
    await hub.read_once()
    sent = drained(board)
    updates = [u for u in cards_sent(sent) if u["cards"] or u["gone"]]
    # the quote moved R-1001 to the quoted column; nothing was said about R-1002, and no whole board was asked
    assert {c["id"] for u in updates for c in u["cards"]} == {"R-1001"}
    assert updates[-1]["cards"][0]["state"] == "quoted" and updates[-1]["gone"] == []
    assert not any("event: board" in m for m in sent)
    assert not cards_sent(drained(elsewhere))  # a tab on another page is not sent cards

    # the card is the board's own markup for that request
    lead = await signed_in(tg, 9001)
    part = await (await lead.get("/console/board.part")).text()
    drawn = re.search(r'<a class="req[^"]*" href="/console/requests/R-1001".*?</a>', part, re.S)
    assert drawn is not None
    assert " ".join(updates[-1]["cards"][0]["html"].split()) == " ".join(drawn.group(0).split())
    assert 'data-state="quoted"' in part.split('href="/console/requests/R-1001"')[0].rsplit("<section", 1)[1]


async def test_a_card_moves_on_payment_and_leaves_the_board_when_its_request_closes(team: Harness) -> None:
    tg = team
    hub = tg.app[LIVE]
    board = hub.subscribe(await q.assistant(tg.store, "A-9001"), board=True)
    layla, thread, _ = await client_with_request(tg)
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")
    await hub.read_once()
    drained(board)
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    await hub.read_once()
    paid = [c for u in cards_sent(drained(board)) for c in u["cards"]]
    assert paid and paid[-1]["id"] == "R-1001" and paid[-1]["state"] == "paid"
    assert "45,000" in paid[-1]["html"]
    await staff_says(tg, thread, "/cancel the client changed plans")
    await hub.read_once()
    closed = cards_sent(drained(board))
    assert closed and closed[-1] == {"cards": [], "gone": ["R-1001"]}


async def test_an_assistants_board_never_gets_another_assistants_card(team: Harness) -> None:
    tg = team
    hub = tg.app[LIVE]
    omar, irina = await q.assistant(tg.store, "A-9002"), await q.assistant(tg.store, "A-9003")
    lead = hub.subscribe(await q.assistant(tg.store, "A-9001"), board=True)
    omar_board, irina_board = hub.subscribe(omar, board=True), hub.subscribe(irina, board=True)
    layla, thread, _ = await client_with_request(tg)
    await assigned(tg, thread, "Omar")
    await hub.read_once()
    drained(lead), drained(omar_board), drained(irina_board)

    await tg.send(tg.fake.user_message(layla, text="and water in the car"))
    await tg.settle()
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")
    await hub.read_once()
    assert [c["id"] for u in cards_sent(drained(omar_board)) for c in u["cards"]][-1] == "R-1001"
    assert any(u["cards"] for u in cards_sent(drained(lead)))
    assert drained(irina_board) == []  # Omar's client: not a card, not a line, not that it exists

    await assigned(tg, thread, "Irina")  # Omar's board takes the card off; Irina's gets it
    await hub.read_once()
    omar_sent = cards_sent(drained(omar_board))
    # (taken off; again when the reader drew it before its record had finished: never a card)
    assert omar_sent and all(sent == {"cards": [], "gone": ["R-1001"]} for sent in omar_sent)
    assert {c["id"] for u in cards_sent(drained(irina_board)) for c in u["cards"]} == {"R-1001"}
    await tg.send(tg.fake.user_message(layla, text="and a child seat"))
    await tg.settle()
    await hub.read_once()
    assert not [m for m in drained(omar_board) if "R-1001" in m or "child seat" in m]
    assert any("R-1001" in c["id"] for u in cards_sent(drained(irina_board)) for c in u["cards"])


async def test_a_card_read_before_its_event_was_fully_recorded_is_drawn_again(team: Harness) -> None:
    """Another writer's event can be read between its append and its projection: its cards are drawn again
    once this instance has finished recording it (or a poll later for another instance's)."""
    tg = team
    hub = tg.app[LIVE]
    board = hub.subscribe(await q.assistant(tg.store, "A-9001"), board=True)
    _layla, thread, _ = await client_with_request(tg)
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")
    (quoted,) = [e for e in await tg.store.events.read("request:R-1001") if e.type.value == "RequestQuoted"]
    await hub.read_once()
    drained(board)
    hub._settled.pop(quoted.id, None)  # as if read before its `record` had told the listeners
    await hub.fan_out(quoted)
    assert [c["id"] for u in cards_sent(drained(board)) for c in u["cards"]] == ["R-1001"]
    await hub.read_once()
    assert cards_sent(drained(board)) == []  # not yet settled: nothing drawn again
    await hub.on_recorded(quoted)
    await hub.read_once()
    again = cards_sent(drained(board))
    assert [c["id"] for u in again for c in u["cards"]] == ["R-1001"]
    await hub.read_once()
    assert cards_sent(drained(board)) == []  # once


async def test_reading_the_activity_page_does_not_move_whom_a_client_belongs_to(team: Harness) -> None:
    """The activity page reads assignments newest first: the live reader must not take the oldest as now."""
    tg = team
    hub = tg.app[LIVE]
    omar_tab = hub.subscribe(await q.assistant(tg.store, "A-9002"), board=True)
    layla, thread, _ = await client_with_request(tg)
    await assigned(tg, thread, "Omar")
    await assigned(tg, thread, "Irina")
    await hub.read_once()
    drained(omar_tab)
    lead = await signed_in(tg, 9001)
    assert (await lead.get("/console/activity")).status == 200
    await tg.send(tg.fake.user_message(layla, text="my passport number is in the bag"))
    await tg.settle()
    await hub.read_once()
    assert not [m for m in drained(omar_tab) if "passport" in m or "R-1001" in m]


async def test_the_live_reader_stops_at_once_not_at_its_next_poll(team: Harness, monkeypatch) -> None:
    """A service asked to stop (SIGTERM, a rolling upgrade) does not wait for the reader's next look at the
    log: it used to sleep out its poll first (each harness's teardown waited a second for it)."""
    import asyncio

    from bot.console import live

    monkeypatch.setattr(live, "POLL", 3600.0)
    stopping = asyncio.Event()
    reader = asyncio.create_task(team.app[LIVE].run(stopping))
    await asyncio.sleep(0)  # (it is waiting now)
    stopping.set()
    await asyncio.wait_for(reader, 10)  # an hour's poll would time out here


class Finds(monitoring.CommandListener):
    """Every find sent while `on`: (collection, its filter's fields)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple[str, ...]]] = []
        self.on = False

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.on and event.command_name == "find":
            self.sent.append((event.command["find"], tuple(sorted(event.command.get("filter", {})))))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...


@pytest.fixture
async def counted(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, monkeypatch):
    """A harness whose finds are recorded; its live reader's look at the log not due within a test."""
    monkeypatch.setattr(live, "POLL", 3600.0)
    finds = Finds()
    monitoring.register(finds)  # (clients made from now on report to it; listeners cannot be removed)
    try:
        tg = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock)
        await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
        yield tg, finds
        await tg.store.client.drop_database(db_name)
    finally:
        finds.on = False


async def test_own_events_reach_an_open_board_without_a_read_of_the_log(counted) -> None:
    """This instance's events are sent as they were recorded (no read of the log for them), the client's
    cards read once, by one index, for the events of a step; another instance's come from the log."""
    tg, finds = counted
    hub = tg.app[LIVE]
    board = hub.subscribe(await q.assistant(tg.store, "A-9001"), board=True)
    _layla, thread, client_id = await client_with_request(tg)
    await hub.read_once()  # (the log read once: the next look at it is an hour away)
    drained(board)
    finds.on = True
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")  # (several events of one client)
    await hub.send_recorded()  # (what the running reader has not sent yet)
    finds.on = False
    sent = drained(board)
    assert sum("event: log" in m for m in sent) >= 2  # (the quote's events, each its line)
    quoted = [c for u in cards_sent(sent) for c in u["cards"]]
    assert quoted and quoted[-1]["id"] == "R-1001" and quoted[-1]["state"] == "quoted"
    assert ("events", ("at_ms",)) not in finds.sent  # no read of the log
    assert finds.sent.count(("board", ("client_id",))) == 1  # the client's cards, once for the step

    # another instance's event (written to the store, not through this instance's `record`)
    tagged = await tg.store.record(
        NewEvent(f"client:{client_id}", EventType.CLIENT_TAGGED, {"tags": ["vip"]}, ANNA_ACTOR, "elsewhere:1")
    )
    await hub.send_recorded()
    assert drained(board) == []  # (not this instance's: the log's turn)
    await hub.read_once()
    assert any(tagged.event.id in m for m in drained(board))
