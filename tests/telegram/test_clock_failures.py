"""The clock when a step cannot be done as asked: nobody to hand a client to (the leads get the 🆘
line), a firing that fails for a permanent reason (set aside at once and told in ⚠️ Escalations, never
retried into a different world), and an away assistant's clients (handed over at once, not at 3×)."""

from datetime import timedelta

import pytest

from domain.deadlines import Deadline
from domain.events import EventType
from tests.harness import Harness
from tests.telegram.test_clock import at, escalation_lines, new_client, overdue, staff_says, tick, writes


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "en,ar")
    return tg


async def test_nobody_present_speaks_the_language_the_leads_get_the_sos_line(team: Harness) -> None:
    tg = team
    start = tg.clock.now()
    irina, _, irina_id = await new_client(tg, "Irina", "Нужна машина в Большой театр завтра вечером", "ru")
    await at(tg, start, 45.5)  # the third step: only Anna speaks Russian, and she is the one silent
    assert await overdue(tg, irina_id) == ["reminded", "escalated", "unassignable"]
    sos = escalation_lines(tg)[-1]
    assert sos.startswith(
        "🆘 Irina has been waiting 45 min; Anna has not answered and no one else present speaks RU."
    )
    assert (await tg.client_of(irina)).assistant_id == "A-9001"
    await at(tg, start, 70)  # the ladder is over: told once
    assert len([line for line in escalation_lines(tg) if line.startswith("🆘")]) == 1


async def test_a_firing_that_fails_for_good_is_set_aside_at_once_and_told(team: Harness) -> None:
    tg = team
    start = tg.clock.now()
    _, _, layla_id = await new_client(tg, "Layla", "Could you book a table for two tonight?")
    deadline_id = f"first-response:{layla_id}"
    # a deadline it cannot read (its data lost its start): it fails the same way at every try
    await tg.store.deadlines.set(Deadline(deadline_id, start + timedelta(minutes=15), layla_id, "t1", 1, {}))
    await at(tg, start, 16)
    (told,) = escalation_lines(tg)
    where = "KeyError at engine.clock.deadlines:"
    assert told.startswith(f"⚠️ The clock could not do {deadline_id} (step 1: {where}")
    assert "set it aside: it will not be tried again" in told
    doc = await tg.store.deadlines.current(deadline_id)
    assert doc["status"] == "over" and doc["due_ms"] is None and doc["failed"].startswith("KeyError")
    events = await tg.store.events.read(f"conversation:{layla_id}")
    assert [e.data["deadline"] for e in events if e.type is EventType.DEADLINE_SET_ASIDE] == [deadline_id]
    await at(tg, start, 40)  # never tried again, never told twice
    assert len(escalation_lines(tg)) == 1
    assert await overdue(tg, layla_id) == []


async def test_an_away_assistants_client_is_handed_over_when_the_message_arrives(team: Harness) -> None:
    tg = team
    layla, thread, layla_id = await new_client(tg, "Layla", "Could you book a table for two tonight?")
    await staff_says(tg, thread, "Of course, Layla.")  # answered: nothing waits
    await staff_says(tg, None, "/away")
    runner = tg.engine.clock_runner
    runner.wake.clear()
    await writes(tg, layla, "And a car there at 8, please")
    assert runner.wake.is_set()  # the runner is woken at once, not at its next poll
    before = len(tg.to_user(layla))
    await tick(tg)  # the same moment the message arrived
    assert await overdue(tg, layla_id) == ["reassigned"]
    assert (await tg.client_of(layla)).assistant_id == "A-9002"
    assert [m["text"] for m in tg.to_user(layla)[before:]] == ["Omar is now taking care of you."]
    assert any(
        t.startswith("🔁 Layla is now with Omar: waiting under a minute, Anna is away.")
        for t in tg.topic_texts(thread)
    )
    assert "Anna is away" in escalation_lines(tg)[-1]


async def test_a_client_already_waiting_is_handed_over_at_their_next_message(team: Harness) -> None:
    tg = team
    start = tg.clock.now()
    layla, _, layla_id = await new_client(tg, "Layla", "Could you book a table for two tonight?")
    await at(tg, start, 8)
    await staff_says(tg, None, "/away for 2h")
    await writes(tg, layla, "Hello? Is anyone there?")
    await tick(tg)
    assert await overdue(tg, layla_id) == ["reassigned"]
    assert (await tg.client_of(layla)).assistant_id == "A-9002"


async def test_going_away_hands_the_waiting_clients_over_at_once(team: Harness) -> None:
    tg = team
    start = tg.clock.now()
    layla, thread, layla_id = await new_client(tg, "Layla", "Could you book a table for two tonight?")
    _, _, sara_id = await new_client(tg, "Sara", "A guide for Saturday?")
    await staff_says(tg, thread, "Of course, Layla.")  # Layla is answered, Sara still waits
    tg.clock.advance_to(start + timedelta(minutes=5))
    runner = tg.engine.clock_runner
    runner.wake.clear()
    await staff_says(tg, None, "/away for 2h")
    assert runner.wake.is_set()
    await tick(tg)  # the same moment: as the /away reply promises
    assert await overdue(tg, sara_id) == ["reassigned"]
    assert await overdue(tg, layla_id) == []  # nothing waits: she stays with Anna
    assert (await tg.client_of(layla)).assistant_id == "A-9001"
