"""The team page's add at the same moment twice (issue 21, #36): two leads adding the same person, one form
posted twice for two people, two re-adds of someone deactivated. One assistant, one event each, a clear answer
to the other, never a 500 and never an event the projections cannot apply."""

import asyncio

import pytest

from domain.events import EventType
from engine.team import admin as staff_admin
from storage.audit import verify
from tests import reads
from tests.console_client import signed_in
from tests.harness import Harness

TRIALS = 4


@pytest.fixture
async def leads(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "en,ar", lead=True)
    return tg


def add_form(telegram_id: int, name: str) -> dict[str, str]:
    return {"telegram_id": str(telegram_id), "name": name, "languages": "en"}


async def added(tg: Harness, telegram_id: int) -> int:
    log = await tg.store.events.read(f"assistant:A-{telegram_id}")
    return sum(event.type is EventType.ASSISTANT_ADDED for event in log)


async def log_is_sound(tg: Harness) -> None:
    assert (await verify(tg.store.db, tg.store.events)).intact
    assert not await tg.store.projector.quarantined()


async def test_two_leads_adding_the_same_person_at_once_add_them_once(leads: Harness) -> None:
    tg = leads
    anna, omar = await signed_in(tg, 9001), await signed_in(tg, 9002)
    for trial in range(TRIALS):
        telegram_id = 9100 + trial
        forms = [(anna, *await anna.form("/console/team")), (omar, *await omar.form("/console/team"))]
        answers = await asyncio.gather(
            *(
                who.post("/console/team/add", add_form(telegram_id, "Eve") | {"csrf": csrf, "action": action})
                for who, csrf, action in forms
            )
        )
        assert sorted(a.status for a in answers) == [303, 400], [a.status for a in answers]
        assert await added(tg, telegram_id) == 1
    await log_is_sound(tg)


async def test_one_form_posted_for_two_people_adds_the_first_and_refuses_the_second(leads: Harness) -> None:
    tg = leads
    anna = await signed_in(tg, 9001)
    for trial in range(TRIALS):
        csrf, action = await anna.form("/console/team")
        form = {"csrf": csrf, "action": action}
        ids = (9200 + 2 * trial, 9201 + 2 * trial)
        answers = await asyncio.gather(
            *(anna.post("/console/team/add", add_form(i, "Eve") | form) for i in ids)
        )
        assert sorted(a.status for a in answers) == [303, 400], [a.status for a in answers]
        assert sorted([await added(tg, i) for i in ids]) == [0, 1]
    await log_is_sound(tg)


async def test_two_re_adds_of_someone_deactivated_bring_them_back_once(leads: Harness) -> None:
    tg = leads
    anna, omar = await signed_in(tg, 9001), await signed_in(tg, 9002)
    await staff_admin.add(tg.engine.deps, 9300, "Eve", "en")
    for _trial in range(TRIALS):
        await staff_admin.deactivate(tg.engine.deps, 9300)
        back = await reads.event_count(tg.store, EventType.ASSISTANT_REACTIVATED)
        forms = [(anna, *await anna.form("/console/team")), (omar, *await omar.form("/console/team"))]
        answers = await asyncio.gather(
            *(
                who.post("/console/team/add", add_form(9300, "Eve") | {"csrf": csrf, "action": action})
                for who, csrf, action in forms
            )
        )
        assert sorted(a.status for a in answers) == [303, 400], [a.status for a in answers]
        assert await reads.event_count(tg.store, EventType.ASSISTANT_REACTIVATED) == back + 1
    await log_is_sound(tg)


async def test_two_leads_deactivating_the_same_person_at_once_deactivate_them_once(leads: Harness) -> None:
    tg = leads
    anna, omar = await signed_in(tg, 9001), await signed_in(tg, 9002)
    await staff_admin.add(tg.engine.deps, 9400, "Eve", "en")
    for _trial in range(TRIALS):
        gone = await reads.event_count(tg.store, EventType.ASSISTANT_DEACTIVATED)
        forms = [(anna, *await anna.form("/console/team")), (omar, *await omar.form("/console/team"))]
        answers = await asyncio.gather(
            *(
                who.post("/console/team/A-9400/deactivate", {"csrf": csrf, "action": action})
                for who, csrf, action in forms
            )
        )
        assert [a.status for a in answers] == [303, 303]
        assert await reads.event_count(tg.store, EventType.ASSISTANT_DEACTIVATED) == gone + 1
        await staff_admin.add(tg.engine.deps, 9400, "Eve", "en")
    await log_is_sound(tg)
