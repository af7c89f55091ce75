"""Every event goes through `Deps.record`: what a topic command audits and what staff administration writes
(the console's team page, `concierge staff`, the sandbox's team) reach the listeners like every other event —
the timers first, then the console's live log — so an open console tab shows them at once."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import ClientResponse

from bot.console import live
from domain.events import Event, EventType
from engine.team import admin as staff_admin
from tests.console_client import signed_in
from tests.harness import Harness, start_harness
from tests.telegram.test_console import client_with_request, staff_says


@pytest.fixture
async def woken_only(
    monkeypatch: pytest.MonkeyPatch, aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> AsyncIterator[Harness]:
    """The live log reads the store only when this instance's writes wake it (its once-a-second look for
    other instances' events is an hour away): what an open tab shows came through the one door."""
    monkeypatch.setattr(live, "POLL", 3600.0)
    tg = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock)
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    yield tg
    await tg.store.client.drop_database(db_name)


class Heard:
    """A listener that keeps what it is told, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)

    def types(self) -> list[EventType]:
        return [e.type for e in self.events]


async def test_a_topic_command_and_staff_administration_reach_the_listeners(woken_only: Harness) -> None:
    tg = woken_only
    heard = Heard()
    tg.engine.deps.listeners.add(heard)
    _layla, thread, _client_id = await client_with_request(tg)
    await staff_says(tg, thread, "/nonsense")  # audited before it is refused
    issued = [e for e in heard.events if e.type is EventType.STAFF_COMMAND_ISSUED]
    assert [e.data["command"] for e in issued] == ["nonsense"]
    await staff_admin.add(tg.engine.deps, 9400, "Eve", "en")  # what `concierge staff add` does
    await staff_admin.set_phone(tg.engine.deps, 9400, "+971500000042")
    await staff_admin.deactivate(tg.engine.deps, 9400)
    assert heard.types()[-3:] == [
        EventType.ASSISTANT_ADDED,
        EventType.ASSISTANT_PHONE_SET,
        EventType.ASSISTANT_DEACTIVATED,
    ]


async def test_a_later_listener_hears_an_event_after_the_timers_kept_it(woken_only: Harness) -> None:
    tg = woken_only
    timers_kept: list[bool] = []

    async def after_the_timers(event: Event) -> None:
        if event.type is EventType.REQUEST_OPENED:
            timers_kept.append(await tg.store.deadlines.current(f"first-quote:{event.stream_id}") is not None)

    tg.engine.deps.listeners.add(after_the_timers)
    await client_with_request(tg)
    assert timers_kept == [True]


async def _until(tab: ClientResponse, done: Callable[[list[dict]], bool], within: float = 5.0) -> list[dict]:
    """The tab's `log` events, read until `done` holds of them (far less than the hour between looks)."""
    seen: list[dict] = []
    buffer = ""
    async with asyncio.timeout(within):
        while not done(seen):
            chunk = await tab.content.readany()
            assert chunk, "the stream ended"
            buffer += chunk.decode()
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
                if fields.get("event") == "log":
                    seen.append(json.loads(fields["data"]))
    return seen


async def test_an_open_tab_sees_a_topic_command_and_new_assistants_at_once(woken_only: Harness) -> None:
    tg = woken_only
    _layla, thread, client_id = await client_with_request(tg)
    anna = await signed_in(tg, 9001)
    tab = await anna.get("/console/live")
    assert tab.status == 200
    await staff_says(tg, thread, "/nonsense")
    added = await anna.post(
        "/console/team/add", {"telegram_id": "9400", "name": "Eve", "languages": "en"}, "/console/team"
    )
    assert added.status == 303
    await staff_admin.add(tg.engine.deps, 9500, "Farid", "ar")  # what `concierge staff add` does
    wanted = {
        ("StaffCommandIssued", f"conversation:{client_id}"),
        ("AssistantAdded", "assistant:A-9400"),
        ("AssistantAdded", "assistant:A-9500"),
    }
    await _until(tab, lambda seen: wanted <= {(e["type"], e["stream"]) for e in seen})
    tab.close()
