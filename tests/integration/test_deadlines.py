"""The deadlines store: a wait keeps its first message's time, an answer stops only what began before it,
a timer set again at its round is left alone, a claim hands one deadline to one runner."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.deadlines import Deadline
from storage.deadlines import Deadlines
from storage.store import Store

T0 = datetime(2026, 11, 28, 12, tzinfo=UTC)


def wait(since: datetime, minutes: int = 15) -> Deadline:
    return Deadline("first-response:C-1", since + timedelta(minutes=minutes), "C-1", since.isoformat(), 1, {})


@pytest.fixture
def deadlines(store: Store) -> Deadlines:
    return store.deadlines


async def test_a_wait_keeps_its_first_time_and_an_answer_stops_only_what_began_before_it(
    deadlines: Deadlines,
) -> None:
    assert await deadlines.start(wait(T0), T0)
    assert not await deadlines.start(wait(T0 + timedelta(minutes=5)), T0 + timedelta(minutes=5))
    assert [d["_id"] for d in await deadlines.due(T0 + timedelta(minutes=15))] == ["first-response:C-1"]
    await deadlines.stop("first-response:C-1", T0 - timedelta(seconds=1))  # an answer older than the wait
    assert await deadlines.next_due() == T0 + timedelta(minutes=15)
    await deadlines.stop("first-response:C-1", T0 + timedelta(minutes=3))
    assert await deadlines.next_due() is None
    # the message seen again (a sweep) does not start it again; a later message does
    assert not await deadlines.start(wait(T0), T0)
    later = T0 + timedelta(minutes=10)
    assert await deadlines.start(wait(later), later)
    assert await deadlines.next_due() == later + timedelta(minutes=15)


async def test_a_wait_started_as_new_that_is_not_new_keeps_to_the_rules(deadlines: Deadlines) -> None:
    """`new` (a request's first wait) only skips the read: a wait already there is judged as always."""
    assert await deadlines.start(wait(T0), T0, new=True)
    later = T0 + timedelta(minutes=5)
    assert not await deadlines.start(wait(later), later, new=True)  # running: keeps its first time
    assert await deadlines.next_due() == T0 + timedelta(minutes=15)
    await deadlines.stop("first-response:C-1", later)
    assert not await deadlines.start(wait(T0), T0, new=True)  # its own old message, seen again
    assert await deadlines.start(wait(later + timedelta(minutes=1)), later + timedelta(minutes=1), new=True)
    assert await deadlines.next_due() == later + timedelta(minutes=16)


async def test_set_again_at_its_round_is_left_alone(deadlines: Deadlines) -> None:
    expiry = Deadline("quote-expiry:R-1/1", T0, "R-1", "r1", 1, {"version": 1})
    assert await deadlines.set(expiry)
    claimed = await deadlines.claim(expiry.id, "w1", T0, timedelta(seconds=60))
    assert claimed is not None and claimed.due == T0
    await deadlines.fired(claimed, "w1")
    assert not await deadlines.set(expiry)  # fired: not armed again
    assert await deadlines.next_due() is None
    assert await deadlines.set(Deadline(expiry.id, T0 + timedelta(hours=1), "R-1", "r2", 1, {}))


async def test_one_claim_wins_and_a_lapsed_lease_is_taken_over(deadlines: Deadlines) -> None:
    await deadlines.set(Deadline("back:A-1", T0, "A-1", "r", 1, {}))
    assert await deadlines.claim("back:A-1", "w1", T0 - timedelta(seconds=1), timedelta(seconds=60)) is None
    assert await deadlines.claim("back:A-1", "w1", T0, timedelta(seconds=60)) is not None
    assert await deadlines.claim("back:A-1", "w2", T0, timedelta(seconds=60)) is None
    taken = await deadlines.claim("back:A-1", "w2", T0 + timedelta(seconds=61), timedelta(seconds=60))
    assert taken is not None
    await deadlines.fired(taken, "w1")  # the first runner, late: changes nothing
    assert (await deadlines.current("back:A-1"))["worker"] == "w2"


async def test_a_wait_that_ended_is_not_started_again_by_its_own_old_message(deadlines: Deadlines) -> None:
    assert await deadlines.start(wait(T0), T0)
    due = T0 + timedelta(minutes=15)
    claimed = await deadlines.claim("first-response:C-1", "w1", due, timedelta(seconds=60))
    await deadlines.fired(claimed, "w1", None, due)  # the ladder ended (nobody to hand the client to)
    assert not await deadlines.start(wait(T0), T0)  # the same message, read again by a sweep
    later = due + timedelta(minutes=1)
    assert await deadlines.start(wait(later), later)  # a new message
