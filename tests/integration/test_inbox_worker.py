"""The inbox worker: a passing fault is retried while its key waits; a permanent failure is set aside at once,
a person is told, and nothing waits behind it."""

from __future__ import annotations

import asyncio

from bot.workers.inbox import InboxWorker
from storage.inbox import InboxItem, InboxStatus
from storage.store import Store


class Handler:
    """Fails the way it is told to, once per item id; records what it processed."""

    def __init__(self, failures: dict[str, BaseException]) -> None:
        self.failures = failures
        self.done: list[str] = []

    async def __call__(self, item: InboxItem) -> None:
        if (error := self.failures.pop(item.id, None)) is not None:
            raise error
        self.done.append(item.id)


async def test_a_permanent_failure_is_set_aside_at_once_and_the_key_goes_on(store: Store) -> None:
    handler = Handler({"tg:1": KeyError("Layla's words")})
    worker = InboxWorker(store.inbox, {"telegram": handler})
    told: list[tuple[str, str]] = []

    async def set_aside(item: InboxItem, reason: str) -> None:
        told.append((item.id, reason))

    worker.on_set_aside = set_aside
    for n in (1, 2, 3):
        await store.inbox.put(f"tg:{n}", "telegram", "tg:42", {"n": n}, order=n)
    assert await worker.run_once() == 1  # one item of a key per pass; the set-aside one does not count
    assert await worker.run_once() == 1
    assert handler.done == ["tg:2", "tg:3"]  # nothing waited behind the poison message
    failed = await store.inbox.get("tg:1")
    assert failed["status"] == InboxStatus.FAILED.value and failed["attempts"] == 1
    ((item_id, reason),) = told
    assert item_id == "tg:1" and reason.startswith("KeyError at tests.integration.test_inbox_worker:")
    assert "Layla" not in failed["error"] and "Layla" not in reason  # the type and the place, not the words
    assert [doc["_id"] for doc in await store.inbox.failures()] == ["tg:1"]
    assert await store.inbox.retry_failed("tg:1") is True
    assert await store.inbox.retry_failed("tg:1") is False  # queued already
    assert await worker.run_once() == 1 and handler.done[-1] == "tg:1"


async def test_a_passing_fault_is_retried_while_its_key_waits_in_order(store: Store, clock) -> None:
    handler = Handler({"tg:1": ConnectionResetError("store went away")})
    worker = InboxWorker(store.inbox, {"telegram": handler})
    for n in (1, 2):
        await store.inbox.put(f"tg:{n}", "telegram", "tg:42", {"n": n}, order=n)
    await store.inbox.put("tg:9", "telegram", "tg:7", {"n": 9}, order=9)
    assert await worker.run_once() == 1
    assert handler.done == ["tg:9"]  # another key is not held up
    assert (await store.inbox.get("tg:1"))["status"] == InboxStatus.PENDING.value
    clock.advance(seconds=2)
    assert await worker.run_once() == 1
    assert await worker.run_once() == 1
    assert handler.done == ["tg:9", "tg:1", "tg:2"]


async def test_keys_take_turns_one_item_each_per_pass(store: Store) -> None:
    """A chatty chat does not hold up the others: every key's head goes before any key's second item."""
    handler = Handler({})
    worker = InboxWorker(store.inbox, {"telegram": handler})
    for n in range(1, 6):
        await store.inbox.put(f"tg:{n}", "telegram", "tg:42", {"n": n}, order=n)
    for n in (11, 12):
        await store.inbox.put(f"tg:{n}", "telegram", f"tg:{n}", {"n": n}, order=n)
    assert await worker.run_once() == 3
    assert sorted(handler.done) == ["tg:1", "tg:11", "tg:12"]
    while await worker.run_once():
        pass
    assert handler.done[3:] == ["tg:2", "tg:3", "tg:4", "tg:5"]  # in order within the key


async def test_an_item_whose_notice_fails_is_still_set_aside(store: Store) -> None:
    worker = InboxWorker(store.inbox, {"telegram": Handler({"tg:1": ValueError("bad")})})

    async def broken(_item: InboxItem, _reason: str) -> None:
        raise RuntimeError("the forum is down")

    worker.on_set_aside = broken
    await store.inbox.put("tg:1", "telegram", "tg:42", {})
    await store.inbox.put("tg:2", "telegram", "tg:42", {})
    assert await worker.run_once() == 1
    assert (await store.inbox.get("tg:1"))["status"] == InboxStatus.FAILED.value


async def test_an_unknown_source_is_set_aside_not_retried(store: Store) -> None:
    worker = InboxWorker(store.inbox, {})
    await store.inbox.put("x:1", "carrier-pigeon", "x", {})
    assert await worker.run_once() == 0
    assert (await store.inbox.get("x:1"))["status"] == InboxStatus.FAILED.value


async def test_an_earlier_update_stored_after_the_pass_read_its_heads_still_goes_first(
    store: Store, monkeypatch
) -> None:
    """Telegram numbers its updates and may deliver them out of order: update 100 stored while a pass waits
    to claim 101 (the head its read named) is handled first."""
    handler = Handler({})
    worker = InboxWorker(store.inbox, {"telegram": handler})
    await store.inbox.put("tg:101", "telegram", "tg:7", {}, order=101)
    read = store.inbox.due_heads

    async def read_then_an_earlier_one_arrives(limit: int = 100):
        heads = await read(limit)
        assert heads[0] == {"tg:7": "tg:101"}
        await store.inbox.put("tg:100", "telegram", "tg:7", {}, order=100)
        worker.wake.set()  # (as the webhook's store does)
        return heads

    monkeypatch.setattr(store.inbox, "due_heads", read_then_an_earlier_one_arrives)
    assert await worker.run_once() == 1
    monkeypatch.undo()
    assert await worker.run_once() == 1
    assert handler.done == ["tg:100", "tg:101"]


async def test_a_pass_names_heads_for_at_most_its_limit_of_keys_and_says_there_is_more(store: Store) -> None:
    for n in range(3):
        await store.inbox.put(f"tg:{n}", "telegram", f"tg:key{n}", {})
    heads, more = await store.inbox.due_heads(limit=2)
    assert len(heads) == 2 and more  # the third key: the next pass, at once
    heads, more = await store.inbox.due_heads(limit=5)
    assert heads == {f"tg:key{n}": f"tg:{n}" for n in range(3)} and not more
    await store.inbox.put("tg:9", "telegram", "tg:key0", {})
    heads, more = await store.inbox.due_heads(limit=5)
    assert heads["tg:key0"] == "tg:0" and more  # a key with more than its head


async def test_the_running_loop_goes_again_at_once_while_a_key_has_more(store: Store) -> None:
    """InboxWorker.run, as the service runs it: three items of one key, one a pass, each pass right after
    the last — not after the idle poll (an hour here: the test would hang, and its guard fail it)."""

    class Counting(Handler):
        def __init__(self) -> None:
            super().__init__({})
            self.all_done = asyncio.Event()

        async def __call__(self, item: InboxItem) -> None:
            await super().__call__(item)
            if len(self.done) == 3:
                self.all_done.set()

    handler = Counting()
    worker = InboxWorker(store.inbox, {"telegram": handler})
    for n in range(3):
        await store.inbox.put(f"tg:{n}", "telegram", "tg:7", {}, order=n)
    stopping = asyncio.Event()
    running = asyncio.create_task(worker.run(stopping, idle_poll=3600))
    try:
        await asyncio.wait_for(handler.all_done.wait(), 30)  # a hang guard, not a timing
    finally:
        stopping.set()
        await asyncio.wait_for(running, 30)
    assert handler.done == ["tg:0", "tg:1", "tg:2"]
