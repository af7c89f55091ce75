import asyncio
from dataclasses import replace
from datetime import timedelta

from domain.outbound import EditCard, PostCard, to_doc
from storage.deliveries import Delivery, DeliveryStatus
from storage.inbox import InboxStatus
from storage.store import Store, open_store
from tests.round_trips import Commands


async def test_the_same_provider_id_is_stored_once(store: Store) -> None:
    payload = {"update_id": 812345, "message": {"text": "hello"}}
    results = await asyncio.gather(
        *(store.inbox.put("tg:812345", "telegram", "tg:42", payload) for _ in range(20))
    )
    assert results.count(True) == 1
    assert await store.inbox.count() == 1
    assert (await store.inbox.get("tg:812345"))["payload"] == payload


async def test_one_key_is_processed_in_order_and_retried(store: Store, clock) -> None:
    for n in range(3):
        await store.inbox.put(f"tg:{n}", "telegram", "tg:42", {"n": n})
    await store.inbox.put("tg:99", "telegram", "tg:7", {"n": 99})
    assert await store.inbox.keys_with_work() == ["tg:42", "tg:7"]
    lease = timedelta(seconds=30)

    first = await store.inbox.claim_head("tg:42", "w1", lease)
    assert first is not None and first.payload == {"n": 0} and first.attempts == 1
    assert await store.inbox.claim_head("tg:42", "w2", lease) is None  # the next one waits for it
    assert (
        await store.inbox.failed(first.id, "w1", "boom", retry_in=timedelta(seconds=5)) is InboxStatus.PENDING
    )
    assert await store.inbox.claim_head("tg:42", "w2", lease) is None  # not due yet
    clock.advance(seconds=5)
    retried = await store.inbox.claim_head("tg:42", "w2", lease)
    assert retried is not None and retried.id == "tg:0" and retried.attempts == 2
    assert await store.inbox.done("tg:0", "w1") is False  # the old worker no longer holds it
    assert await store.inbox.done("tg:0", "w2") is True
    second = await store.inbox.claim_head("tg:42", "w2", lease)
    assert second is not None and second.payload == {"n": 1}


async def test_an_inbox_item_whose_worker_died_is_taken_over(store: Store, clock) -> None:
    await store.inbox.put("wa:SM1", "whatsapp", "wa:x", {})
    assert await store.inbox.claim_head("wa:x", "dead", timedelta(seconds=30))
    clock.advance(seconds=31)
    taken = await store.inbox.claim_head("wa:x", "alive", timedelta(seconds=30))
    assert taken is not None and taken.attempts == 2


async def test_an_inbox_item_gives_up_after_max_attempts(store: Store, clock) -> None:
    store.inbox.max_attempts = 2
    await store.inbox.put("cp:pay:1", "cloudpayments", "cp", {})
    for expected in (InboxStatus.PENDING, InboxStatus.FAILED):
        item = await store.inbox.claim_head("cp", "w", timedelta(seconds=30))
        assert await store.inbox.failed(item.id, "w", "bad", timedelta(seconds=1)) is expected
        clock.advance(seconds=1)
    assert await store.inbox.claim_head("cp", "w", timedelta(seconds=30)) is None
    assert (await store.inbox.get("cp:pay:1"))["status"] == "failed"


def delivery(n: int) -> Delivery:
    return Delivery(f"request:R-1#{n}:0", "telegram", f"tg:{n % 7}", {"text": f"m{n}"}, f"request:R-1#{n}")


async def test_ten_workers_claim_a_hundred_deliveries_each_exactly_once(store: Store) -> None:
    for n in range(100):
        assert await store.deliveries.enqueue(delivery(n))
    claimed: dict[str, list[str]] = {}

    async def work(worker: str) -> None:
        while (item := await store.deliveries.claim(worker, timedelta(seconds=60))) is not None:
            claimed.setdefault(item.id, []).append(worker)
            assert await store.deliveries.sent(item.id, worker, f"msg-{item.id}")

    await asyncio.gather(*(work(f"w{i}") for i in range(10)))
    assert len(claimed) == 100 and all(len(workers) == 1 for workers in claimed.values())
    assert len({w for workers in claimed.values() for w in workers}) > 1
    assert await store.deliveries.count(DeliveryStatus.SENT) == 100


async def test_a_delivery_is_enqueued_once_per_id(store: Store) -> None:
    assert await store.deliveries.enqueue(delivery(1))
    assert not await store.deliveries.enqueue(delivery(1))
    assert await store.deliveries.count() == 1


async def test_several_deliveries_are_stored_in_one_write_in_their_order_each_once(
    mongo_url, db_name, tmp_path, clock
) -> None:
    """`enqueue_all` (a decision's deliveries together): one insert; one stored before is refused alone."""
    commands = Commands()
    async with open_store(mongo_url, db_name, tmp_path, clock, listeners=[commands]) as store:
        try:
            assert await store.deliveries.enqueue(delivery(2))
            commands.sent.clear()
            stored = await store.deliveries.enqueue_all([delivery(1), delivery(2), delivery(3)])
            assert stored == [True, False, True]
            assert commands.sent[("insert", "deliveries")] == 1
            queued = {d.id: d for d in await store.deliveries.unfinished("telegram")}
            assert set(queued) == {delivery(n).id for n in (1, 2, 3)}
            assert queued[delivery(1).id].n < queued[delivery(3).id].n  # (in the order given)
        finally:
            commands.stop()
            await store.client.drop_database(db_name)


async def test_a_channel_s_changes_are_read_without_the_other_channels(store: Store) -> None:
    """A worker keeps its queue up to date with what changed since it last looked: its own channel's only,
    in the order of the writes (every delivery wakes every channel's worker)."""
    before = 0  # (a store of its own)
    mine = [delivery(1), delivery(3)]
    other = replace(delivery(2), channel="whatsapp", chat="+79160000002")
    for item in (mine[0], other, mine[1]):
        assert await store.deliveries.enqueue(item)
    assert [d.id for d in await store.deliveries.changed_since(before, "telegram")] == [d.id for d in mine]
    assert [d.id for d in await store.deliveries.changed_since(before, "whatsapp")] == [other.id]
    assert len(await store.deliveries.changed_since(before)) == 3


async def test_a_steps_deliveries_are_held_and_stored_together_at_its_end(
    mongo_url, db_name, tmp_path, clock
) -> None:
    """`held` (an inbox item handled): what the step delivers is stored in one write at its end, the senders
    woken once after it; inside, the step sees its held deliveries as stored (a replay check, a relay waiting
    to merge), and another step (outside) does not see them at all."""
    commands = Commands()
    woken: list[int] = []
    told: list[frozenset[str]] = []  # the channels of what was stored: only their senders are woken
    async with open_store(mongo_url, db_name, tmp_path, clock, listeners=[commands]) as store:
        try:
            assert await store.deliveries.enqueue(delivery(2))  # (stored before: left alone at the end)
            relay = Delivery("e#1:9", "telegram", "-100", {"text": "hi"}, "e#1", lane="topic", merge_key="m")
            commands.sent.clear()
            async with store.deliveries.held(lambda channels: (woken.append(1), told.append(channels))):
                assert await store.deliveries.enqueue(delivery(1))
                assert await store.deliveries.enqueue_all([delivery(2), relay]) == [True, True]
                assert await store.deliveries.stored(relay.id)
                assert await store.deliveries.mergeable_waiting("topic")
                assert not await store.deliveries.mergeable_waiting("another topic")
                async with store.deliveries.held(lambda _: woken.append(2)):  # (a step in the step: the same)
                    assert await store.deliveries.enqueue(delivery(3))
                assert commands.sent[("insert", "deliveries")] == 0
                assert {d.id for d in await store.deliveries.unfinished("telegram")} == {delivery(2).id}
                assert woken == []
            assert commands.sent[("insert", "deliveries")] == 1
            assert woken == [1] and told == [frozenset({"telegram"})]
            queued = {d.id: d for d in await store.deliveries.unfinished("telegram")}
            assert set(queued) == {delivery(n).id for n in (1, 2, 3)} | {relay.id}
            assert queued[delivery(1).id].n < queued[relay.id].n < queued[delivery(3).id].n  # (in order)
        finally:
            commands.stop()
            await store.client.drop_database(db_name)


async def test_a_step_that_fails_stores_what_it_held_and_one_that_held_nothing_wakes_no_one(
    store: Store,
) -> None:
    """A failing step's deliveries are stored as they would have been one by one (the words a reading that
    failed still shows the topic), and its error goes on to the inbox worker, which retries the item."""
    woken: list[int] = []
    try:
        async with store.deliveries.held(lambda _: woken.append(1)):
            await store.deliveries.enqueue(delivery(1))
            raise ValueError("the reading failed")
    except ValueError:
        pass
    assert {d.id for d in await store.deliveries.unfinished("telegram")} == {delivery(1).id}
    assert woken == [1]
    async with store.deliveries.held(lambda _: woken.append(2)):
        pass
    assert woken == [1]


async def test_a_pass_s_claims_in_one_write_are_what_a_claim_of_each_would_return(store: Store) -> None:
    """Deliveries.claim_all: claimed as the worker last read them, in one write; one another worker took
    meanwhile, or one changed since the worker's read, is not this worker's (None), the others are, exactly
    as the store holds them; then settled in one write."""
    for n in range(4):
        await store.deliveries.enqueue(delivery(n))
    seen = {d.id: d for d in await store.deliveries.unfinished("telegram")}
    items = [seen[delivery(n).id] for n in range(4)]
    mine = await store.deliveries.claim_all(items[:2], "w1", timedelta(seconds=60))
    assert [d.id if d else None for d in mine] == [items[0].id, items[1].id]
    assert mine == [await store.deliveries.get(d.id) for d in items[:2]]  # (without reading them back)
    assert all(d is not None and d.maybe_sent and d.attempts == 1 for d in mine)
    assert await store.deliveries.claim_id(items[2].id, "w2", timedelta(seconds=60))  # taken meanwhile
    await store.deliveries.retry(items[2].id, "w2", "later", timedelta(), False)  # (pending again, changed)
    again = await store.deliveries.claim_all(items[2:], "w1", timedelta(seconds=60))
    assert again[0] is None and again[1] == await store.deliveries.get(items[3].id)
    assert await store.deliveries.sent_all([(items[0].id, "1:1"), (items[1].id, None)], "w1")
    # (2 is pending again: not w1's)
    assert not await store.deliveries.sent_all(
        [(items[3].id, "1:2"), (items[2].id, None)], "w1"
    )  # (not w1's)
    assert (await store.deliveries.get(items[3].id)).status is DeliveryStatus.SENT


async def test_an_expired_lease_can_be_claimed_again(store: Store, clock) -> None:
    await store.deliveries.enqueue(delivery(1))
    first = await store.deliveries.claim("w1", timedelta(seconds=30))
    assert first is not None and await store.deliveries.claim("w2", timedelta(seconds=30)) is None
    clock.advance(seconds=31)
    second = await store.deliveries.claim("w2", timedelta(seconds=30))
    assert second is not None and second.id == first.id and second.attempts == 2
    assert not await store.deliveries.sent(first.id, "w1", "late")  # the first worker lost it
    assert await store.deliveries.sent(first.id, "w2", "777")
    assert (await store.deliveries.by_provider_message("telegram", "777")).id == first.id


async def test_a_retry_waits_and_a_permanent_failure_stops(store: Store, clock) -> None:
    store.deliveries.max_attempts = 3
    await store.deliveries.enqueue(delivery(1))
    item = await store.deliveries.claim("w", timedelta(seconds=30))
    await store.deliveries.retry(item.id, "w", "429 retry_after=3", timedelta(seconds=3))
    assert await store.deliveries.claim("w", timedelta(seconds=30)) is None
    clock.advance(seconds=3)
    item = await store.deliveries.claim("w", timedelta(seconds=30))
    assert item is not None and item.attempts == 2
    assert await store.deliveries.failed(item.id, "w", "403 blocked") is DeliveryStatus.FAILED
    clock.advance(hours=1)
    assert await store.deliveries.claim("w", timedelta(seconds=30)) is None


async def test_deliveries_are_taken_oldest_first_and_can_be_delayed(store: Store, clock) -> None:
    await store.deliveries.enqueue(delivery(1), delay=timedelta(seconds=10))
    clock.advance(seconds=1)
    await store.deliveries.enqueue(delivery(2))
    assert (await store.deliveries.claim("w", timedelta(seconds=30))).id == delivery(2).id
    assert await store.deliveries.claim("w", timedelta(seconds=30)) is None


async def test_claiming_one_delivery_never_hands_over_another_whose_lease_expired(
    store: Store, clock
) -> None:
    """The crash that leaked a client's words into another topic: B's worker died (its lease expired) while
    A is held under a live lease; claiming A must give nothing, never B."""
    a, b = delivery(1), delivery(2)
    await store.deliveries.enqueue(a)
    await store.deliveries.enqueue(b)
    assert await store.deliveries.claim_id(b.id, "dead", timedelta(seconds=10))
    clock.advance(seconds=11)
    assert await store.deliveries.claim_id(a.id, "alive", timedelta(seconds=60))
    assert await store.deliveries.claim_id(a.id, "other", timedelta(seconds=60)) is None
    taken = await store.deliveries.claim_id(b.id, "other", timedelta(seconds=60))
    assert taken is not None and taken.id == b.id


async def test_claiming_one_inbox_head_never_hands_over_another_keys_item(store: Store, clock) -> None:
    await store.inbox.put("tg:1", "telegram", "tg:layla", {"n": 1})
    await store.inbox.put("tg:2", "telegram", "tg:james", {"n": 2})
    assert await store.inbox.claim_head("tg:james", "dead", timedelta(seconds=10))
    clock.advance(seconds=11)
    assert await store.inbox.claim_head("tg:layla", "alive", timedelta(seconds=60))
    assert await store.inbox.claim_head("tg:layla", "other", timedelta(seconds=60)) is None
    taken = await store.inbox.claim_head("tg:james", "other", timedelta(seconds=60))
    assert taken is not None and taken.id == "tg:2"


def test_a_claim_that_returns_something_else_stops_there() -> None:
    from storage.leases import WrongClaim, checked_claim

    assert checked_claim({"_id": "a", "worker": "w"}, "a", "w") == {"_id": "a", "worker": "w"}
    for doc in ({"_id": "b", "worker": "w"}, {"_id": "a", "worker": "someone-else"}):
        try:
            checked_claim(doc, "a", "w")
        except WrongClaim:
            continue
        raise AssertionError(f"{doc} was accepted as a claim of 'a' by 'w'")


async def test_payloads_arriving_together_are_stored_in_one_write_each_told_its_own_result(
    mongo_url: str, db_name: str, clock, tmp_path
) -> None:
    """Group commit: what arrives while a write is in flight goes in the next one; a provider id sent twice
    at the same moment is stored once (one True), and one already stored is told as a repeat."""
    commands = Commands()
    async with open_store(mongo_url, db_name, tmp_path, clock, listeners=[commands]) as store:
        try:
            assert await store.inbox.put("tg:1", "telegram", "tg:7", {"n": 1})
            commands.sent.clear()
            ids = ["tg:1", "tg:2", "tg:3", "tg:3", *(f"tg:{n}" for n in range(4, 24))]
            stored = await asyncio.gather(*(store.inbox.put(i, "telegram", "tg:7", {}) for i in ids))
            assert stored[0] is False  # there already
            assert sorted(stored[2:4]) == [False, True]  # twice at once: once
            assert all(stored[4:]) and stored[1]
            assert commands.sent[("insert", "inbox")] <= 2  # (not 24)
            assert await store.inbox.count() == 23
        finally:
            commands.stop()
            await store.client.drop_database(db_name)


async def test_a_card_edit_held_with_the_card_s_post_is_moot_and_stored_only_when_the_post_was_before(
    store: Store,
) -> None:
    """A step that posts a card and edits it (a new topic's pinned card, which the step's new request
    changes): the post shows the card as it is when it goes, so the edit is not stored — the worker would
    settle it unsent. Handled again (the post stored before, maybe sent already), the edit is stored."""
    post = Delivery("e#1:1", "telegram", "-100", to_doc(PostCard("C-1")), "e#1", lane="topic", prio=0)
    edit = Delivery("e#2:4", "telegram", "-100", to_doc(EditCard("C-1")), "e#2", lane="topic")
    other = Delivery("e#2:5", "telegram", "-100", to_doc(EditCard("C-1", "request:R-1")), "e#2", lane="topic")
    elsewhere = Delivery("e#2:6", "telegram", "-100", to_doc(EditCard("C-2")), "e#2", lane="topic 2")
    async with store.deliveries.held(lambda _: None):
        await store.deliveries.enqueue_all([post, edit, other, elsewhere])
    assert {d.id for d in await store.deliveries.unfinished("telegram")} == {post.id, other.id, elsewhere.id}
    assert await store.deliveries.claim_id(post.id, "w", timedelta(seconds=60), True)
    assert await store.deliveries.sent(post.id, "w", "-100:7")  # the card posted
    async with store.deliveries.held(lambda _: None):  # the step handled again
        await store.deliveries.enqueue_all([post, edit, other, elsewhere])
    assert {d.id for d in await store.deliveries.unfinished("telegram")} == {other.id, elsewhere.id, edit.id}
