"""The figures of a real journey: /stats in the forum (an assistant sees their own, a lead everyone's),
the same numbers from `engine.clock.kpis.report`, and a rebuild of every projection changes none of them."""

from datetime import datetime, time, timedelta

import pytest

from domain.kpis import fold
from engine.clock import kpi_keep, kpis
from tests.harness import STAFF_CHAT, Harness
from tests.telegram.test_clock import OMAR, new_client, staff_says
from tests.telegram.test_lifecycle import order_of, pay, quote_message


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "en,ar")
    return tg


def general(tg: Harness) -> list[str]:
    chat = tg.fake.chats[STAFF_CHAT]
    return [m["text"] for m in chat.messages.values() if "message_thread_id" not in m and "text" in m]


async def test_stats_and_report_agree_and_survive_a_rebuild(team: Harness) -> None:
    tg = team
    start = tg.clock.now()
    layla, thread, _ = await new_client(tg, "Layla", "Book a Mercedes S-Class tomorrow at 8 from the Ritz")
    tg.clock.advance(minutes=4)
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")  # answers in 4 min: kept
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    await staff_says(tg, thread, "/done")
    await tg.send(tg.fake.callback(layla, tg.to_user(layla)[-1]["message_id"], "rate:R-1001:5"))
    await tg.settle()
    _, omars, _ = await new_client(tg, "Sara", "A guide for Saturday, please", with_="Omar")
    tg.clock.advance(minutes=20)
    await staff_says(tg, omars, "Of course, Sara.", who=OMAR)  # 20 min: broken

    end = tg.clock.now() + timedelta(seconds=1)
    before = await kpis.report(tg.store, start, end, tg.engine.deps.policy.promises, tg.engine.deps.policy.tz)
    anna = next(r for r in before if r.name == "Anna").figures
    omar = next(r for r in before if r.name == "Omar").figures
    assert 240 <= anna["first_response_p50_s"] < 260  # 4 min, and the seconds the first replies took
    assert (anna["promises_kept_pct"], anna["revenue"]) == (100, {"RUB": 4_500_000})
    assert (anna["quotes_sent"], anna["conversion_pct"], anna["csat_avg"]) == (1, 100, 5.0)
    assert omar["promises_kept_pct"] == 0 and omar["first_response_p50_s"] >= 20 * 60

    policy = tg.engine.deps.policy
    await tg.store.projector.rebuild()
    assert await kpis.report(tg.store, start, end, policy.promises, policy.tz) == before

    # whole days read the days kept: today folded now, then kept once it is over, the same figures as the fold
    midnight = datetime.combine(start.astimezone(policy.tz).date(), time(0), policy.tz)
    everything = [e async for e in tg.store.events.all()]
    expected = fold(sorted(everything, key=lambda e: e.at), midnight, end, policy.promises)
    assert await tg.store.kpi_days.closed_through() is None
    today = await kpis.report(tg.store, midnight, end, policy.promises, policy.tz)
    assert {r.assistant_id: r.figures for r in today} == expected
    assert await kpi_keep.close_days(tg.store, policy.promises, policy.tz, end) == 0  # (today is not over)
    later = datetime.combine(midnight.date() + timedelta(days=2), time(0, 6), policy.tz)
    assert await kpi_keep.close_days(tg.store, policy.promises, policy.tz, later) == 2
    assert await kpi_keep.close_days(tg.store, policy.promises, policy.tz, later) == 0

    kept = await kpis.report(tg.store, midnight, end, policy.promises, policy.tz)
    assert kept == today and [r.name for r in kept if r.figures["revenue"]] == ["Anna"]
    two_days = await kpis.report(tg.store, midnight, later, policy.promises, policy.tz)
    assert {r.assistant_id: r.figures for r in two_days} == fold(
        sorted(everything, key=lambda e: e.at), midnight, later, policy.promises
    )

    await staff_says(tg, None, "/stats 1d", who=OMAR)
    mine = general(tg)[-1]
    assert (
        mine.startswith("📊 24 hours to") and "(yours)" in mine and "👤 Omar" in mine and "Anna" not in mine
    )
    await staff_says(tg, None, "/stats 1d")
    everyone = general(tg)[-1]
    assert "👤 Anna" in everyone and "👤 Omar" in everyone and "revenue: RUB\u00a045,000" in everyone
    await staff_says(tg, None, "/stats forever")
    assert general(tg)[-1] == "⚠️ “forever” is not a period like 7d or 24h"
    # the periods asked for are remembered (made ready again when a day is kept); one that is none is not
    assert tg.store.kpi_days.runs.asked_since(tg.clock.now() - timedelta(minutes=5)) == [("report", "1d")]
