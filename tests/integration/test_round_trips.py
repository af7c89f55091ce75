"""The store round trips of each step of a client's journey stay within their budgets (tests/round_trips.py):
a change that reads the same document twice in a step, or checks before every first attempt what a unique
index would answer, shows here as a step over its budget."""

from __future__ import annotations

from tests.round_trips import BUDGETS, CALL_BUDGETS, NEW_CLIENT, call_answers, counted_harness, journey


async def test_each_step_of_a_journey_stays_within_its_store_round_trips(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> None:
    fixtures = (aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock)
    async with counted_harness(*fixtures, payments=False, whatsapp=False) as (tg, commands):
        steps = await journey(tg, commands)
    counted = {step.name: step.total for step in steps}
    assert set(counted) == set(BUDGETS)
    assert all(n > 5 for n in counted.values()), counted  # (the listener heard the service)
    over = {name: (n, BUDGETS[name]) for name, n in counted.items() if n > BUDGETS[name]}
    assert not over, f"over budget (counted, budget): {over}; bench/roundtrips.py --detail shows the commands"
    assert counted["new client: /start"] + counted["new client: a request"] <= NEW_CLIENT


async def test_answering_a_call_stays_within_its_store_round_trips(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> None:
    fixtures = (aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock)
    async with counted_harness(*fixtures, payments=False, voice=True) as (tg, commands):
        steps = await call_answers(tg, commands)
    counted = {step.name: step.total for step in steps}
    assert set(counted) == set(CALL_BUDGETS) and all(n > 2 for n in counted.values()), counted
    over = {name: (n, CALL_BUDGETS[name]) for name, n in counted.items() if n > CALL_BUDGETS[name]}
    detail = {step.name: dict(step.sent) for step in steps if step.name in over}
    assert not over, f"over budget (counted, budget): {over}; the commands: {detail}"
