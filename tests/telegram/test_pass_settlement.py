"""Review of issue 26's worker round (review/rt): the sends of one pass are settled together, yet each send's
settlement stands alone — a hook that fails for one send (a store hiccup while recording a blocked client)
must not leave the pass's other sends held under a lease, to go out a minute later as "maybe sent twice"."""

from __future__ import annotations

import dataclasses

import pytest

from bot.workers.telegram_deliveries import TelegramDeliveryWorker
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
    await tg.add_staff(9001, "Anna", "en", lead=True)
    await tg.settle()
    layla, omar = user("Layla"), user("Omar")
    for client in (layla, omar):
        await tg.send(tg.fake.user_message(client, text="/start"))
    await tg.process_inbox()
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
