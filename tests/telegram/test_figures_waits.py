"""A client's comment after their rating awaits no answer: the clock does not remind anyone of it, and
the figures (`engine.clock.kpis.report`, behind /stats, the console and `concierge report`) count no broken
promise."""

from datetime import timedelta

import pytest

from engine.clock import kpis
from tests.harness import Harness
from tests.telegram.test_clock import at, overdue
from tests.telegram.test_ratings import fulfilled


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    return tg


async def test_a_comment_after_a_rating_is_no_broken_promise(team: Harness) -> None:
    tg = team
    start = tg.clock.now()
    layla, _ = await fulfilled(tg)
    ask = tg.to_user(layla)[-1]
    await tg.send(tg.fake.callback(layla, ask["message_id"], "rate:R-1001:5"))
    await tg.settle()
    await tg.send(tg.fake.user_message(layla, text="The driver was perfect, thank you"))
    await tg.settle()
    commented = tg.clock.now()
    await at(tg, commented, 40)
    layla_id = (await tg.client_of(layla)).id
    assert await overdue(tg, layla_id) == []  # the clock waits on nothing
    end = tg.clock.now() + timedelta(seconds=1)
    (anna,) = [
        r.figures
        for r in await kpis.report(
            tg.store, start, end, tg.engine.deps.policy.promises, tg.engine.deps.policy.tz
        )
    ]
    assert (anna["promises_kept_pct"], anna["promises_due"]) == (100, 1)  # the request, quoted at once
