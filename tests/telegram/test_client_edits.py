"""A client's Telegram edit (edited_message): relayed marked ✏️ as a correction of words already received —
nothing new to answer (the response clock), never a command, never the "last message" /new opens from."""

import pytest

from tests import reads
from tests.harness import Harness
from tests.telegram.test_clock import overdue, staff_says, tick
from tests.telegram.test_ratings import fulfilled


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    return tg


async def rated_and_commented(tg: Harness) -> tuple[dict, int, int]:
    layla, topic = await fulfilled(tg)
    ask = tg.to_user(layla)[-1]
    await tg.send(tg.fake.callback(layla, ask["message_id"], "rate:R-1001:5"))
    await tg.settle()
    said = tg.fake.user_message(layla, text="Thank you, the driver was grate")
    await tg.send(said)
    await tg.settle()
    return layla, topic, said["message"]["message_id"]


async def client_id(tg: Harness, person: dict) -> str:
    return (await tg.client_of(person)).id


async def test_a_rating_comment_asks_for_no_answer(team: Harness) -> None:
    """A comment on a rating is not a question: the clock does not run on it."""
    tg = team
    layla, _, _ = await rated_and_commented(tg)
    tg.clock.advance(minutes=20)
    await tick(tg)
    await tick(tg)
    assert await overdue(tg, await client_id(tg, layla)) == []


async def test_a_rating_comment_corrected_by_an_edit_asks_for_no_answer(team: Harness) -> None:
    """Layla fixes a typo in her comment ('grate' → 'great'): the edit started the response clock — the
    assistant was reminded (and the leads escalated to) about a thank-you the comment itself had mooted."""
    tg = team
    layla, topic, mine = await rated_and_commented(tg)
    await tg.send(tg.fake.edit(layla, mine, "Thank you, the driver was great"))
    await tg.settle()
    assert tg.topic_texts(topic)[-1] == "✏️ Thank you, the driver was great"
    tg.clock.advance(minutes=20)
    await tick(tg)
    await tick(tg)
    assert await overdue(tg, await client_id(tg, layla)) == []


async def test_an_edited_command_is_no_message_to_answer(team: Harness) -> None:
    """/help is a command (nothing to answer, not relayed as words); the same text arriving as an edit (the
    client changed '/hepl' into '/help') was relayed '✏️ /help' and started the response clock."""
    tg = team
    layla, topic = await fulfilled(tg)
    typo = tg.fake.user_message(layla, text="/hepl")
    await tg.send(typo)
    await tg.settle()
    await staff_says(tg, topic, "Here is what I can do for you")  # (answered: no one waits)
    await tg.send(tg.fake.user_message(layla, text="/help"))
    await tg.settle()
    helped = [t for t in tg.topic_texts(topic) if "/help" in t]
    assert helped == []  # the command itself is not relayed
    await tg.send(tg.fake.edit(layla, typo["message"]["message_id"], "/help"))
    await tg.settle()
    tg.clock.advance(minutes=20)
    await tick(tg)
    assert await overdue(tg, await client_id(tg, layla)) == []
    assert [t for t in tg.topic_texts(topic) if "/help" in t] == []


async def test_an_edit_of_an_old_message_is_not_what_new_opens_a_request_from(team: Harness) -> None:
    """`/new` with no words opens a request from the client's last message: an edit of an old message was
    taken for their last message, so /new opened from the old thank-you instead of what they last wrote."""
    tg = team
    layla, topic = await fulfilled(tg)
    first = tg.fake.user_message(layla, text="Thank you for everything")
    await tg.send(first)
    await tg.settle()
    tg.clock.advance(days=2)
    await tg.send(tg.fake.user_message(layla, text="Pushkin on Friday, table for four"))
    await tg.settle()
    await tg.send(tg.fake.edit(layla, first["message"]["message_id"], "Thank you for everything!"))
    await tg.settle()
    await staff_says(tg, topic, "/new")
    assert (await reads.requests(tg.store))[-1].text == "Pushkin on Friday, table for four"
