"""Polling mode keeps listening when Telegram is away at start; /readyz tells a loop that died."""

from __future__ import annotations

import asyncio

from bot.telegram_runtime import _poll
from tests.harness import start_harness, user


async def _stored(tg, count: int) -> None:
    wake = tg.engine.inbox_worker.wake  # set by every stored update
    while True:
        wake.clear()
        if await tg.store.inbox.count() >= count:
            return
        await wake.wait()


async def test_polling_survives_telegram_being_unreachable_at_start(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> None:
    tg = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, mode="polling"
    )
    tg.fake.webhook = {"url": "https://old.example/webhooks/telegram"}  # getUpdates refuses until it is gone
    tg.fake.fail_5xx(method="deleteWebhook", times=3)
    tg.fake.fail_5xx(method="getUpdates", times=2)
    layla = user("Layla")
    tg.fake.user_message(layla, text="/start")
    tg.fake.user_message(layla, text="Still listening?")
    stopping = asyncio.Event()
    poller = asyncio.create_task(_poll(tg.rt, stopping, first_delay=0.01))
    try:
        await asyncio.wait_for(_stored(tg, 2), 20)
    finally:
        stopping.set()
        await asyncio.wait_for(poller, 60)  # (a long poll in flight ends on its own)
    assert tg.fake.webhook is None
    assert len([c for c in tg.fake.calls if c.method == "deleteWebhook"]) == 4  # three refused, then done
    await tg.store.client.drop_database(db_name)


async def test_readyz_names_a_worker_loop_that_died(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> None:
    tg = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock)
    assert (await tg.http.get("/readyz")).status == 200

    async def broken_loop() -> None:
        raise ConnectionError("refused by 10.0.0.1")

    task = tg.engine.tasks.spawn(broken_loop(), "inbox")
    await asyncio.gather(task, return_exceptions=True)
    response = await tg.http.get("/readyz")
    assert response.status == 503
    body = await response.json()
    assert body["checks"]["workers"].startswith("inbox stopped: ConnectionError at ")
    assert "10.0.0.1" not in await response.text()  # its type and place, never its text
    assert body["checks"]["mongodb"] == "ok"
    await tg.store.client.drop_database(db_name)
