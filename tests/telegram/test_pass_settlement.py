"""Review of issue 26's worker round (review/rt): the sends of one pass are settled together, yet each send's
settlement stands alone — a hook that fails for one send (a store hiccup while recording a blocked client)
must not leave the pass's other sends held under a lease, to go out a minute later as "maybe sent twice"."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest
from aiohttp import web

from bot.workers.telegram_deliveries import LEASE, TelegramDeliveryWorker
from storage.budgets import Budgets
from storage.deliveries import DeliveryStatus
from tests.harness import Harness, user


class HookFailed(Exception):
    """What a hook's store write may raise (a timeout, a conflict): injected at the hook's edge."""


async def test_a_hook_failing_for_one_send_leaves_the_pass_s_other_sends_settled(tg: Harness) -> None:
    one = tg.rt.delivery_worker

    async def blocked_fails(item: object) -> None:
        raise HookFailed("the store did not answer")

    worker = TelegramDeliveryWorker(
        tg.store.deliveries,
        one._sender,
        tg.clock,
        dataclasses.replace(one._hooks, blocked=blocked_fails),
        one._budgets,
    )
    layla, omar = await _started(tg, "Layla", "Omar")
    tg.fake.blocked.add(layla["id"])  # Layla's sends are refused for good (403): the hook fails
    tg.fake.fail_429(7, method="sendMessage", chat_id=omar["id"])  # Omar's welcome: a 429, retry in 7 s
    with pytest.raises(HookFailed):
        await worker.run_once()  # (one pass: both clients' welcomes and menu buttons)
    queue = {d.id: d for d in await tg.store.deliveries.unfinished("telegram")}
    held = [d for d in queue.values() if d.status is DeliveryStatus.SENDING]
    # every call of the pass was answered: none is left held under the lease (60 s) as if it might have gone
    assert not held, [(d.chat, d.status, d.calling_ms) for d in held]
    welcome = [d for d in queue.values() if d.chat == str(omar["id"])]
    assert welcome and all(d.status is DeliveryStatus.PENDING for d in welcome)  # retried, after the 429


async def test_a_send_answered_at_once_is_not_sent_again_while_another_of_its_pass_is_slow(
    tg: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Layla's welcome is answered at once, Omar's takes longer than a lease (a slow upload, Telegram
    degraded: 30 s a call, and a media fetch before it). Layla's must be settled with the answers that came
    with hers, not held until Omar's answers: its lease would run out and another instance send it again."""
    first_wave = asyncio.Event()

    class Watched(TelegramDeliveryWorker):  # (the real worker; the test hears when a wave is settled)
        async def _settle_all(self, called: list) -> list[BaseException]:
            failures = await super()._settle_all(called)
            first_wave.set()
            return failures

    running = tg.rt.delivery_worker
    one = Watched(tg.store.deliveries, running._sender, tg.clock, running._hooks, running._budgets)
    other = TelegramDeliveryWorker(
        tg.store.deliveries,
        running._sender,
        tg.clock,
        running._hooks,
        Budgets(tg.store.db, running._budgets.limits),
    )
    layla, omar = await _started(tg, "Layla", "Omar")
    arrived, answer, held, layla_in = asyncio.Event(), asyncio.Event(), {"n": 0}, asyncio.Event()
    params_of = tg.fake._params

    async def omar_waits(request: web.Request) -> dict[str, Any]:  # (the network edge: Telegram's answer)
        params = await params_of(request)
        slow = request.match_info["method"] == "sendMessage" and params.get("chat_id") in (
            omar["id"],
            str(omar["id"]),
        )
        if request.match_info["method"] == "sendMessage" and str(params.get("chat_id")) == str(layla["id"]):
            layla_in.set()  # (answered in this same step: the fake's dispatch is synchronous)
        if slow and held["n"] == 0:
            held["n"] += 1
            arrived.set()
            await answer.wait()
        return params

    monkeypatch.setattr(tg.fake, "_params", omar_waits)
    first = asyncio.create_task(one.run_once())  # both welcomes and menus claimed, called side by side
    await arrived.wait()
    await layla_in.wait()
    assert len(tg.to_user(layla)) == 1  # Layla's welcome went, answered at once
    await first_wave.wait()  # her wave settled (Omar's answer not in it: it did not come within WAVE)
    assert await _settled(tg, layla)
    assert not await _settled(tg, omar)  # while Omar's call is still unanswered
    tg.clock.advance(seconds=LEASE.total_seconds() + 1)  # Omar's call is still unanswered
    second = asyncio.create_task(other.run_once())  # another instance's pass
    await second
    answer.set()
    await first
    assert len(tg.to_user(layla)) == 1, [m.get("text", "")[:20] for m in tg.to_user(layla)]


async def _settled(tg: Harness, client: dict[str, Any]) -> bool:
    """Nothing of the client's left in the queue but what waits (none held as being sent)."""
    return not [
        d
        for d in await tg.store.deliveries.unfinished("telegram")
        if d.chat == str(client["id"]) and d.status is DeliveryStatus.SENDING
    ]


async def test_a_pass_claims_no_more_sends_than_it_calls_at_once(
    tg: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A claim's lease runs from the claim: a send claimed behind calls that take long (relayed media) would
    see its lease run out before its own call began, and another instance send it too."""
    one = tg.rt.delivery_worker
    worker = TelegramDeliveryWorker(
        tg.store.deliveries, one._sender, tg.clock, one._hooks, one._budgets, concurrency=2
    )
    clients = await _started(tg, "Layla", "Omar", "Fatima")
    calls, answer = asyncio.Queue(), asyncio.Event()
    params_of = tg.fake._params

    async def held(request: web.Request) -> dict[str, Any]:  # (the network edge: Telegram's answer)
        params = await params_of(request)
        calls.put_nowait(request.match_info["method"])
        await answer.wait()
        return params

    monkeypatch.setattr(tg.fake, "_params", held)
    passing = asyncio.create_task(worker.run_once())  # three welcomes and three menu buttons are due
    await calls.get()
    await calls.get()  # two calls are in flight and held
    queue = await tg.store.deliveries.unfinished("telegram")
    assert len(queue) == 6
    assert len([d for d in queue if d.status is DeliveryStatus.SENDING]) == 2  # the rest not claimed yet
    answer.set()
    await passing
    assert all(len(tg.to_user(client)) == 1 for client in clients)  # each welcome once, in that one pass
    assert not await tg.store.deliveries.unfinished("telegram")


async def _started(tg: Harness, *names: str) -> list[dict[str, Any]]:
    """An assistant on the team, then each client's /start handled: their welcomes and menus wait to go."""
    await tg.add_staff(9001, "Anna", "en", lead=True)
    await tg.settle()
    clients = [user(name) for name in names]
    for client in clients:
        await tg.send(tg.fake.user_message(client, text="/start"))
    await tg.process_inbox()
    return clients
