"""Store conformance: every query and update shape the service uses, run against the store the tests are
given (the embedded engine, or a real MongoDB through MONGODB_URL), each checked against what MongoDB's
documentation specifies. A shape the embedded engine gets wrong is marked `divergence` (and listed in the
README): the code never relies on it, and its test is expected to fail on the embedded engine only —
strictly, so an engine that starts to behave is noticed too."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, IndexModel, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError
from pymongo.monitoring import CommandListener, CommandStartedEvent

from storage.counters import next_value
from storage.indexes import INDEXES, ensure_indexes, index_plan
from storage.leases import claim_update, claimable

EMBEDDED = "MONGODB_URL" not in os.environ
LEASE = timedelta(seconds=60)


def divergence(why: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(EMBEDDED, reason=f"nx-27017: {why}", strict=True)


@pytest.fixture
async def db(mongo_url: str, db_name: str) -> AsyncIterator[AsyncDatabase]:
    client = AsyncMongoClient(mongo_url)
    try:
        yield client[db_name]
    finally:
        await client.drop_database(db_name)
        await client.close()


async def ids(cursor) -> list:
    return [doc["_id"] async for doc in cursor]


# --- filters ------------------------------------------------------------------------------------------------
async def test_equality_on_strings_integers_and_booleans(db: AsyncDatabase) -> None:
    await db.x.insert_many(
        [
            {"_id": "a", "s": "open", "n": 7, "active": True},
            {"_id": "b", "s": "closed", "n": 7, "active": False},
        ]
    )
    assert await ids(db.x.find({"s": "open"})) == ["a"]
    assert await ids(db.x.find({"n": 7}).sort("_id", ASCENDING)) == ["a", "b"]
    assert await ids(db.x.find({"active": True})) == ["a"]
    assert await ids(db.x.find({"telegram_id": 7, "active": True})) == []


async def test_several_fields_in_one_filter_must_all_match(db: AsyncDatabase) -> None:
    await db.x.insert_many(
        [
            {"_id": "C-1", "topic_chat_id": -100, "topic_thread_id": 5},
            {"_id": "C-2", "topic_chat_id": -100, "topic_thread_id": 6},
            {"_id": "C-3", "topic_chat_id": -200, "topic_thread_id": 5},
        ]
    )
    assert await ids(db.x.find({"topic_chat_id": -100, "topic_thread_id": 5})) == ["C-1"]


async def test_a_dotted_path_reaches_into_a_subdocument(db: AsyncDatabase) -> None:
    await db.x.insert_many(
        [
            {"_id": "R-1", "payment": {"transaction_id": 70000001}},
            {"_id": "R-2", "payment": None},
            {"_id": "R-3"},
        ]
    )
    assert await ids(db.x.find({"payment.transaction_id": 70000001})) == ["R-1"]


async def test_in_matches_any_listed_value(db: AsyncDatabase) -> None:
    await db.x.insert_many(
        [{"_id": 1, "status": "pending"}, {"_id": 2, "status": "sending"}, {"_id": 3, "status": "sent"}]
    )
    assert await ids(db.x.find({"status": {"$in": ["pending", "sending"]}}).sort("_id", ASCENDING)) == [1, 2]
    assert await db.x.count_documents({"status": {"$in": []}}) == 0


async def test_comparisons_on_epoch_milliseconds_never_match_a_missing_field(db: AsyncDatabase) -> None:
    now = 1_796_000_000_000
    await db.x.insert_many(
        [
            {"_id": 1, "next_attempt_ms": now - 1},
            {"_id": 2, "next_attempt_ms": now},
            {"_id": 3, "next_attempt_ms": now + 1},
            {"_id": 4},
        ]
    )
    assert await ids(db.x.find({"next_attempt_ms": {"$lte": now}}).sort("_id", ASCENDING)) == [1, 2]
    assert await ids(db.x.find({"next_attempt_ms": {"$lt": now}})) == [1]
    assert await ids(db.x.find({"next_attempt_ms": {"$gt": now}})) == [3]


async def test_all_finds_an_element_of_an_indexed_array(db: AsyncDatabase) -> None:
    await db.x.create_index([("identity_keys", ASCENDING)])
    await db.x.insert_many(
        [
            {"_id": "C-1", "identity_keys": ["telegram:42", "whatsapp:+971500000001"]},
            {"_id": "C-2", "identity_keys": ["telegram:43"]},
        ]
    )
    assert (await db.x.find_one({"identity_keys": {"$all": ["whatsapp:+971500000001"]}}))["_id"] == "C-1"
    assert await db.x.find_one({"identity_keys": {"$all": ["telegram:44"]}}) is None


@divergence("find_one with a plain element match on an indexed array finds nothing (count_documents does)")
async def test_a_plain_element_match_finds_a_document_by_an_element_of_its_array(db: AsyncDatabase) -> None:
    await db.x.create_index([("identity_keys", ASCENDING)])
    await db.x.insert_one({"_id": "C-1", "identity_keys": ["telegram:42", "whatsapp:+971500000001"]})
    assert (await db.x.find_one({"identity_keys": "telegram:42"}))["_id"] == "C-1"


async def test_the_claim_filter_selects_only_the_named_item(db: AsyncDatabase) -> None:
    """The claim shape (storage.leases.claimable): this item, if its `due_ms` has come — pending and due, or
    held under a lease that ran out; a finished item has none."""
    now = 1_796_000_000_000
    await db.x.insert_many(
        [
            {"_id": "A", "status": "sending", "lease_ms": now + 9, "due_ms": now + 9, "attempts": 1},
            {"_id": "B", "status": "sending", "lease_ms": now - 1, "due_ms": now - 1, "attempts": 1},
            {"_id": "C", "status": "pending", "lease_ms": 0, "due_ms": now, "attempts": 0},
            {"_id": "D", "status": "sent", "lease_ms": 0, "due_ms": None, "attempts": 1},
        ]
    )
    for held_or_done in ("A", "D"):
        shape = claimable(held_or_done, now)
        assert await db.x.count_documents(shape) == 0
        assert await db.x.find_one_and_update(shape, claim_update("sending", "w", now, LEASE)) is None
        assert (await db.x.update_one(shape, {"$set": {"touched": 1}})).modified_count == 0
    for item in ("B", "C"):
        claimed = await db.x.find_one_and_update(
            claimable(item, now),
            claim_update("sending", "w2", now, LEASE),
            return_document=ReturnDocument.AFTER,
        )
        assert claimed["_id"] == item and claimed["worker"] == "w2"
        assert claimed["due_ms"] == claimed["lease_ms"] == now + int(LEASE.total_seconds() * 1000)
    assert await ids(db.x.find({"due_ms": {"$lte": now}})) == []  # all held now


async def test_an_or_beside_other_fields_in_a_find(db: AsyncDatabase) -> None:
    await db.x.insert_many([{"_id": 1, "s": "a"}, {"_id": 2, "s": "b"}])
    assert await ids(db.x.find({"_id": 1, "$or": [{"s": "x"}, {"s": "b"}]})) == []
    assert await db.x.count_documents({"_id": 1, "$or": [{"s": "x"}, {"s": "b"}]}) == 0


@divergence("an update's {_id: X, $or: [A, B]} is read as _id = X AND A OR B")
async def test_an_or_beside_other_fields_in_an_update(db: AsyncDatabase) -> None:
    await db.x.insert_many([{"_id": 1, "s": "a"}, {"_id": 2, "s": "b"}])
    got = await db.x.find_one_and_update({"_id": 1, "$or": [{"s": "x"}, {"s": "b"}]}, {"$set": {"hit": 1}})
    assert got is None


async def test_null_in_a_filter_and_in_in(db: AsyncDatabase) -> None:
    await db.x.insert_many([{"_id": 1, "order": None}, {"_id": 2, "order": 5}, {"_id": 3}])
    assert await ids(db.x.find({"order": {"$in": [None, 5]}}).sort("_id", ASCENDING)) == [1, 2, 3]


async def test_null_equality_also_matches_a_missing_field(db: AsyncDatabase) -> None:
    await db.x.insert_many([{"_id": 1, "order": None}, {"_id": 2, "order": 5}, {"_id": 3}])
    assert await ids(db.x.find({"order": None}).sort("_id", ASCENDING)) == [1, 3]


async def test_a_prefix_regex_on_the_id(db: AsyncDatabase) -> None:
    await db.x.insert_many([{"_id": "wa-status:SM1:read"}, {"_id": "wa-status:SM2:read"}, {"_id": "wa:SM1"}])
    assert await db.x.count_documents({"_id": {"$regex": "^wa-status:SM1:"}}) == 1


# --- reads --------------------------------------------------------------------------------------------------
async def test_a_projection_of_top_level_fields_keeps_the_id(db: AsyncDatabase) -> None:
    await db.x.insert_one({"_id": "C-1", "_v": 3, "name": "Layla", "last_channel": "telegram"})
    assert await db.x.find_one({"_id": "C-1"}, {"_v": 1}) == {"_id": "C-1", "_v": 3}
    assert [d async for d in db.x.find({}, {"last_channel": 1})] == [
        {"_id": "C-1", "last_channel": "telegram"}
    ]


@divergence("a dotted projection returns a flat key ('payment.transaction_id') instead of a subdocument")
async def test_a_dotted_projection_returns_a_nested_document(db: AsyncDatabase) -> None:
    await db.x.insert_one({"_id": 1, "payment": {"transaction_id": 7, "card": "x"}})
    assert await db.x.find_one({}, {"payment.transaction_id": 1}) == {
        "_id": 1,
        "payment": {"transaction_id": 7},
    }


async def test_a_sort_on_several_keys_puts_null_and_missing_first_then_limits(db: AsyncDatabase) -> None:
    await db.x.insert_many(
        [
            {"_id": "a", "order": None, "n": 3},
            {"_id": "b", "order": 2, "n": 1},
            {"_id": "c", "order": 1, "n": 2},
            {"_id": "d", "n": 0},
        ]
    )
    assert await ids(db.x.find({}).sort([("order", ASCENDING), ("n", ASCENDING)])) == ["d", "a", "c", "b"]
    assert (await db.x.find_one({}, sort=[("order", ASCENDING), ("n", ASCENDING)]))["_id"] == "d"
    assert await ids(db.x.find({}).sort("n", DESCENDING).limit(2)) == ["a", "c"]
    assert await db.x.find({"n": {"$gt": 0}}).sort("_id", ASCENDING).to_list() == [
        {"_id": "a", "order": None, "n": 3},
        {"_id": "b", "order": 2, "n": 1},
        {"_id": "c", "order": 1, "n": 2},
    ]


async def test_the_last_of_a_stream_by_a_descending_sort(db: AsyncDatabase) -> None:
    await db.x.insert_many(
        [{"stream": "client:C-1", "seq": n} for n in (1, 2, 3)] + [{"stream": "x", "seq": 9}]
    )
    last = await db.x.find_one({"stream": "client:C-1"}, sort=[("seq", DESCENDING)])
    assert last["seq"] == 3
    after = [d["seq"] async for d in db.x.find({"stream": "client:C-1", "seq": {"$gt": 1}}).sort("seq", 1)]
    assert after == [2, 3]


async def test_the_count_command_counts_a_range_on_an_indexed_field(db: AsyncDatabase) -> None:
    """What /metrics counts (the unfinished inbox items, the late timers, the live console sessions): the
    `count` command with a range, through the field's index, beside documents out of it and without it."""
    await ensure_indexes(db, drop_stale=True)
    await db.inbox.insert_many(
        [{"_id": f"done-{n}", "due_ms": -1} for n in range(30)]
        + [{"_id": "open-1", "due_ms": 0}, {"_id": "open-2", "due_ms": 5_000}, {"_id": "none"}]
    )
    await db.deadlines.insert_many(
        [{"_id": f"d-{n}", "due_ms": n * 1_000} for n in range(10)] + [{"_id": "over", "due_ms": None}]
    )

    async def count(collection: str, where: dict) -> int:
        return (await db.command({"count": collection, "query": where}))["n"]

    assert await count("inbox", {"due_ms": {"$gte": 0}}) == 2
    assert await count("deadlines", {"due_ms": {"$gte": 0, "$lt": 3_000}}) == 3
    assert await count("deadlines", {"due_ms": {"$gt": 8_000}}) == 1
    assert await count("console_sessions", {"expires_ms": {"$gt": 0}}) == 0  # (a collection never written)


# --- writes -------------------------------------------------------------------------------------------------
async def test_documents_round_trip_with_their_types(db: AsyncDatabase) -> None:
    doc = {
        "_id": "R-1",
        "open": True,
        "lost": False,
        "card_message_id": None,
        "places": ["The Ritz-Carlton", "Vnukovo"],
        "quote": {"total": {"minor": 4_500_000, "currency": "RUB"}, "items": [{"d": "car", "minor": 1}]},
        "lease_ms": 1_796_000_000_000,
        "big": 2**62,
        "text": "أريد سيارة · Машина · a\x00b",
    }
    await db.x.insert_one(dict(doc))
    assert await db.x.find_one({"_id": "R-1"}) == doc
    replaced = {**doc, "open": False, "_v": 2}
    await db.x.replace_one({"_id": "R-1"}, replaced)
    assert await db.x.find_one({"_id": "R-1"}) == replaced


async def test_set_and_inc_together_return_the_document_after(db: AsyncDatabase) -> None:
    await db.x.insert_one({"_id": "d1", "status": "pending", "attempts": 0})
    after = await db.x.find_one_and_update(
        {"_id": "d1"},
        {"$set": {"status": "sending", "worker": "w", "lease_ms": 5}, "$inc": {"attempts": 1}},
        return_document=ReturnDocument.AFTER,
    )
    assert after == {"_id": "d1", "status": "sending", "attempts": 1, "worker": "w", "lease_ms": 5}
    await db.x.update_one({"_id": "d1"}, {"$inc": {"attempts": -1}, "$set": {"error": None}})
    assert await db.x.find_one({"_id": "d1"}, {"attempts": 1, "error": 1}) == {
        "_id": "d1",
        "attempts": 0,
        "error": None,
    }


async def test_a_sorted_claim_takes_and_returns_the_first_due_in_sort_order(db: AsyncDatabase) -> None:
    """Deliveries.claim: the queue's first due item, by `due_ms`."""
    await db.x.insert_many(
        [{"_id": i, "queue": "telegram", "status": "pending", "due_ms": 10 - i} for i in range(5)]
        + [{"_id": 9, "queue": None, "status": "sent", "due_ms": None}]
    )
    taken = await db.x.find_one_and_update(
        {"due_ms": {"$lte": 8}, "queue": "telegram"},
        {"$set": {"status": "sending"}},
        sort=[("due_ms", ASCENDING)],
        return_document=ReturnDocument.AFTER,
    )
    assert taken == {"_id": 4, "queue": "telegram", "status": "sending", "due_ms": 6}
    assert await ids(db.x.find({"status": "sending"})) == [4]


@divergence("find_one_and_update with $and and a sort updates one document and returns another")
async def test_an_and_filter_with_a_sort_updates_the_document_it_returns(db: AsyncDatabase) -> None:
    await db.x.insert_many([{"_id": i, "status": "pending", "next_attempt_ms": 10 - i} for i in range(5)])
    taken = await db.x.find_one_and_update(
        {"$and": [{"status": {"$in": ["pending"]}}, {"$or": [{"next_attempt_ms": {"$lte": 8}}]}]},
        {"$set": {"status": "sending"}},
        sort=[("next_attempt_ms", ASCENDING)],
        return_document=ReturnDocument.AFTER,
    )
    assert taken == {"_id": 4, "status": "sending", "next_attempt_ms": 6}
    assert await ids(db.x.find({"status": "sending"})) == [4]


async def test_an_upsert_with_inc_creates_then_counts(db: AsyncDatabase) -> None:
    assert [await next_value(db, "request", 1001) for _ in range(3)] == [1001, 1002, 1003]
    assert await db.counters.find_one({"_id": "request"}) == {"_id": "request", "n": 3}


async def test_update_one_with_upsert_sets_or_creates(db: AsyncDatabase) -> None:
    await db.x.update_one({"_id": "pressure:-100"}, {"$set": {"at_ms": 5}}, upsert=True)
    await db.x.update_one({"_id": "pressure:-100"}, {"$set": {"at_ms": 7}}, upsert=True)
    assert await db.x.find({}).to_list() == [{"_id": "pressure:-100", "at_ms": 7}]


async def test_an_unordered_insert_many_keeps_the_new_and_reports_the_duplicates(db: AsyncDatabase) -> None:
    await db.x.insert_one({"_id": "slot:g:1", "group": "g", "free_at_ms": 9})
    with pytest.raises(BulkWriteError):
        await db.x.insert_many(
            [{"_id": f"slot:g:{i}", "group": "g", "free_at_ms": 0} for i in range(3)], ordered=False
        )
    assert sorted([(d["_id"], d["free_at_ms"]) async for d in db.x.find({"group": "g"})]) == [
        ("slot:g:0", 0),
        ("slot:g:1", 9),
        ("slot:g:2", 0),
    ]


async def test_an_unordered_insert_many_names_each_duplicate_by_its_index(db: AsyncDatabase) -> None:
    """Inbox.put's group commit: one already stored and one twice in the same write, each named."""
    await db.x.insert_one({"_id": "tg:1"})
    docs = [{"_id": "tg:1"}, {"_id": "tg:2"}, {"_id": "tg:3"}, {"_id": "tg:3"}, {"_id": "tg:4"}]
    with pytest.raises(BulkWriteError) as refused:
        await db.x.insert_many(docs, ordered=False)
    assert sorted((e["index"], e["code"]) for e in refused.value.details["writeErrors"]) == [
        (0, 11000),
        (3, 11000),
    ]
    assert sorted([d["_id"] async for d in db.x.find({})]) == ["tg:1", "tg:2", "tg:3", "tg:4"]


async def test_an_ordered_insert_many_stops_at_the_first_refusal_and_names_its_index(
    db: AsyncDatabase,
) -> None:
    """storage/events.py `append_together`: a step's events in one ordered insert — those before the first
    one a unique index refuses are stored, that one and every one after it are not (a later event of its
    stream is chained to it)."""
    await db.x.create_index([("stream", ASCENDING), ("seq", ASCENDING)], unique=True)
    await db.x.create_index([("cause", ASCENDING)], unique=True)
    await db.x.insert_one({"stream": "client:1", "seq": 2, "cause": "theirs"})
    docs = [
        {"stream": "conversation:1", "seq": 1, "cause": "a"},
        {"stream": "client:1", "seq": 2, "cause": "b"},
        {"stream": "client:1", "seq": 3, "cause": "c"},
        {"stream": "request:1", "seq": 1, "cause": "d"},
    ]
    with pytest.raises(BulkWriteError) as refused:
        await db.x.insert_many(docs, ordered=True)
    assert [(e["index"], e["code"]) for e in refused.value.details["writeErrors"]] == [(1, 11000)]
    stored = sorted([(d["stream"], d["cause"]) async for d in db.x.find({})])
    assert stored == [("client:1", "theirs"), ("conversation:1", "a")]
    await db.x.insert_many([{"stream": "client:1", "seq": 3, "cause": "e"}], ordered=True)  # (the rest: in)
    with pytest.raises(BulkWriteError) as twice:  # a cause stored already is refused the same way
        await db.x.insert_many([{"stream": "call:9", "seq": 1, "cause": "a"}], ordered=True)
    assert [(e["index"], e["code"]) for e in twice.value.details["writeErrors"]] == [(0, 11000)]


async def test_an_unordered_insert_many_names_each_duplicate_of_a_unique_index_by_its_index(
    db: AsyncDatabase,
) -> None:
    """storage/together.py: the first events of calls answered at the same moment in one write — one whose
    (stream, seq) is stored already, two twins of one stream in the same write, one cause twice."""
    await db.x.create_index([("stream", ASCENDING), ("seq", ASCENDING)], unique=True)
    await db.x.create_index([("cause", ASCENDING)], unique=True)
    await db.x.insert_one({"stream": "call:1", "seq": 1, "cause": "a"})
    docs = [
        {"stream": "call:1", "seq": 1, "cause": "b"},
        {"stream": "call:2", "seq": 1, "cause": "c"},
        {"stream": "call:3", "seq": 1, "cause": "d"},
        {"stream": "call:3", "seq": 1, "cause": "e"},
        {"stream": "call:4", "seq": 1, "cause": "c"},
        {"stream": "call:5", "seq": 1, "cause": "f"},
    ]
    with pytest.raises(BulkWriteError) as refused:
        await db.x.insert_many(docs, ordered=False)
    assert sorted((e["index"], e["code"]) for e in refused.value.details["writeErrors"]) == [
        (0, 11000),
        (3, 11000),
        (4, 11000),
    ]
    stored = sorted([(d["stream"], d["cause"]) async for d in db.x.find({})])
    assert stored == [("call:1", "a"), ("call:2", "c"), ("call:3", "d"), ("call:5", "f")]


async def test_an_unordered_bulk_of_conditional_upserts_takes_the_free_and_names_the_busy(
    db: AsyncDatabase,
) -> None:
    """Budgets.take: each slot on the condition that it is free by now, one write for all; a busy slot's
    upsert is refused as a duplicate `_id`, reported by its index, and the others are taken."""
    await db.x.insert_many([{"_id": "chat:1", "free_at_ms": 5}, {"_id": "slot:g:0", "free_at_ms": 50}])
    free = {"$lte": 10}
    ops = [
        UpdateOne({"_id": i, "free_at_ms": free}, {"$set": {"free_at_ms": 20}}, upsert=True)
        for i in ("chat:1", "slot:g:0", "card:7")
    ]
    with pytest.raises(BulkWriteError) as refused:
        await db.x.bulk_write(ops, ordered=False)
    assert [(e["index"], e["code"]) for e in refused.value.details["writeErrors"]] == [(1, 11000)]
    assert sorted([(d["_id"], d["free_at_ms"]) async for d in db.x.find({})]) == [
        ("card:7", 20),
        ("chat:1", 20),
        ("slot:g:0", 50),
    ]
    # handing back: each only if still at the time we set (one write)
    back = [
        UpdateOne({"_id": i, "free_at_ms": 20}, {"$set": {"free_at_ms": 10}}) for i in ("chat:1", "slot:g:0")
    ]
    result = await db.x.bulk_write(back, ordered=False)
    assert (result.matched_count, result.modified_count) == (1, 1)
    assert (await db.x.find_one({"_id": "chat:1"}))["free_at_ms"] == 10


async def test_a_slot_that_is_a_field_of_a_pool_is_taken_and_handed_back_on_its_own_condition(
    db: AsyncDatabase,
) -> None:
    """Budgets.take and give_back with a pool's slots as the fields of one document: each field on the
    condition that it is free by now, in an unordered bulk beside other documents; a busy one's upsert is
    refused as a duplicate `_id` and named by its index; the pool's other fields are left as they are."""
    await db.x.insert_many(
        [{"_id": "chat:1", "free_at_ms": 5}, {"_id": "pool:g", "s0": 50, "s1": 0, "s2": 7}]
    )
    ops = [
        UpdateOne({"_id": "chat:1", "free_at_ms": {"$lte": 10}}, {"$set": {"free_at_ms": 20}}, upsert=True),
        UpdateOne({"_id": "pool:g", "s0": {"$lte": 10}}, {"$set": {"s0": 20}}, upsert=True),
        UpdateOne({"_id": "pool:h", "s2": {"$lte": 10}}, {"$set": {"s2": 20}}, upsert=True),
    ]
    with pytest.raises(BulkWriteError) as refused:
        await db.x.bulk_write(ops, ordered=False)
    assert [(e["index"], e["code"]) for e in refused.value.details["writeErrors"]] == [(1, 11000)]
    result = await db.x.bulk_write(
        [UpdateOne({"_id": "pool:g", "s1": {"$lte": 10}}, {"$set": {"s1": 20}}, upsert=True)], ordered=False
    )
    assert result.modified_count == 1
    assert await db.x.find({"_id": {"$in": ["pool:g", "pool:h"]}}).to_list() == [
        {"_id": "pool:g", "s0": 50, "s1": 20, "s2": 7},
        {"_id": "pool:h", "s2": 20},
    ]
    # handing back: the field only if still at the time we set
    back = [UpdateOne({"_id": "pool:g", f: 20}, {"$set": {f: 10}}) for f in ("s0", "s1")]
    result = await db.x.bulk_write(back, ordered=False)
    assert (result.matched_count, result.modified_count) == (1, 1)
    assert await db.x.find_one({"_id": "pool:g"}) == {"_id": "pool:g", "s0": 50, "s1": 10, "s2": 7}


async def test_concurrent_takes_of_the_fields_of_one_document_each_land_and_one_slot_goes_once(
    db: AsyncDatabase,
) -> None:
    """Instances taking slots of one pool at the same moment: writes to different fields of one document
    all land (none is lost to another's write of the document), and of writes to the same field only one
    finds it free."""
    await db.x.insert_one({"_id": "pool:g", **{f"s{i}": 0 for i in range(30)}})

    async def take(field: str, until: int) -> bool:
        try:
            await db.x.bulk_write(
                [UpdateOne({"_id": "pool:g", field: {"$lte": 10}}, {"$set": {field: until}}, upsert=True)],
                ordered=False,
            )
        except BulkWriteError:
            return False
        return True

    assert all(await asyncio.gather(*(take(f"s{i}", 100 + i) for i in range(30))))
    assert await db.x.find_one({"_id": "pool:g"}) == {
        "_id": "pool:g",
        **{f"s{i}": 100 + i for i in range(30)},
    }
    await db.x.update_one({"_id": "pool:g"}, {"$set": {"s7": 0}})
    assert (await asyncio.gather(*(take("s7", 200 + k) for k in range(10)))).count(True) == 1


async def test_an_upsert_with_max_makes_a_document_or_the_fields_it_lacks_and_keeps_the_others(
    db: AsyncDatabase,
) -> None:
    """Budgets.ready: a pool made with every slot free, or a pool made under older limits given the slots it
    lacks; a slot already busy (another instance took it) stays as it is."""
    await db.x.insert_one({"_id": "pool:old", "s0": 70, "s1": 0})
    slots = {f"s{i}": 0 for i in range(3)}
    await db.x.bulk_write(
        [UpdateOne({"_id": i}, {"$max": slots}, upsert=True) for i in ("pool:new", "pool:old")], ordered=False
    )
    assert await db.x.find({}).sort("_id", ASCENDING).to_list() == [
        {"_id": "pool:new", "s0": 0, "s1": 0, "s2": 0},
        {"_id": "pool:old", "s0": 70, "s1": 0, "s2": 0},
    ]


async def test_a_max_upsert_of_one_field_pushes_it_later_never_earlier_and_makes_a_missing_document(
    db: AsyncDatabase,
) -> None:
    """Budgets.block: a 429 keeps the chat's own slot busy until its end (a later one never shortens it)."""
    await db.x.insert_one({"_id": "chat:1", "free_at_ms": 500})
    for chat, until in (("chat:1", 900), ("chat:1", 700), ("chat:2", 300)):
        await db.x.update_one({"_id": chat}, {"$max": {"free_at_ms": until}}, upsert=True)
    assert await db.x.find({}).sort("_id", ASCENDING).to_list() == [
        {"_id": "chat:1", "free_at_ms": 900},
        {"_id": "chat:2", "free_at_ms": 300},
    ]


async def test_taking_the_soonest_free_slot_returns_it_as_it_was(db: AsyncDatabase) -> None:
    await db.x.insert_many(
        [{"_id": i, "group": "g", "free_at_ms": f} for i, f in enumerate((50, 10, 30, 99))]
    )
    await db.x.insert_one({"_id": 9, "group": "other", "free_at_ms": 0})
    before = await db.x.find_one_and_update(
        {"group": "g", "free_at_ms": {"$lte": 40}},
        {"$set": {"free_at_ms": 1000}},
        sort=[("free_at_ms", ASCENDING)],
        return_document=ReturnDocument.BEFORE,
    )
    assert before == {"_id": 1, "group": "g", "free_at_ms": 10}
    assert (await db.x.find_one({"_id": 1}))["free_at_ms"] == 1000


async def test_update_many_by_ids_a_status_and_a_time_come(db: AsyncDatabase) -> None:
    """A card's moot edits settled in one write (storage/deliveries.py `moot`): only those named, waiting and
    due; one that is being sent, due later, or parked (its due time unset) is left as it is."""
    await db.x.insert_many(
        [
            {"_id": "e:1", "status": "pending", "due_ms": 100},
            {"_id": "e:2", "status": "pending", "due_ms": 200},
            {"_id": "e:3", "status": "sending", "due_ms": 50},
            {"_id": "e:4", "status": "pending", "due_ms": 999},
            {"_id": "e:5", "status": "sent", "due_ms": None},
            {"_id": "e:6", "status": "pending", "due_ms": 100},
        ]
    )
    named = ["e:1", "e:2", "e:3", "e:4", "e:5"]
    moot = await db.x.update_many(
        {"_id": {"$in": named}, "status": "pending", "due_ms": {"$lte": 200}},
        {"$set": {"status": "sent", "due_ms": None}},
    )
    assert moot.modified_count == 2
    assert await ids(db.x.find({"status": "sent"}).sort("_id", ASCENDING)) == ["e:1", "e:2", "e:5"]
    assert await ids(db.x.find({"status": "pending"}).sort("_id", ASCENDING)) == ["e:4", "e:6"]


async def test_update_one_and_many_report_what_they_changed(db: AsyncDatabase) -> None:
    await db.x.insert_many(
        [
            {"_id": 1, "lane": "wa:+1", "status": "pending", "worker": "w"},
            {"_id": 2, "lane": "wa:+1", "status": "sending", "worker": "w"},
            {"_id": 3, "lane": "wa:+1", "status": "sent", "worker": "w"},
            {"_id": 4, "lane": "wa:+2", "status": "pending", "worker": "w"},
        ]
    )
    held = await db.x.update_many(
        {"lane": "wa:+1", "status": {"$in": ["pending", "sending"]}}, {"$set": {"status": "held"}}
    )
    assert held.modified_count == 2
    assert (
        await db.x.update_one({"_id": 3, "worker": "w", "status": "sending"}, {"$set": {"x": 1}})
    ).modified_count == 0
    assert (
        await db.x.update_one({"_id": 4, "worker": "w", "status": "pending"}, {"$set": {"x": 1}})
    ).modified_count == 1
    rank = await db.x.find_one_and_update(
        {"_id": 3, "provider_rank": {"$lt": 4}},
        {"$set": {"provider_rank": 4}},
        return_document=ReturnDocument.AFTER,
    )
    assert rank is None  # no rank yet: a missing field is not "less than"


async def test_replace_one_with_a_version_guard(db: AsyncDatabase) -> None:
    await db.x.insert_one({"_id": "client-1", "_v": 1, "name": "Layla"})
    assert (await db.x.replace_one({"_id": "client-1", "_v": 0}, {"_v": 2, "name": "X"})).matched_count == 0
    assert (
        await db.x.replace_one({"_id": "client-1", "_v": 1}, {"_v": 2, "name": "Nour"})
    ).matched_count == 1
    assert await db.x.find_one({"_id": "client-1"}) == {"_id": "client-1", "_v": 2, "name": "Nour"}


async def test_replace_one_with_a_version_and_format_guard(db: AsyncDatabase) -> None:
    """storage/projector.py: a document folded again in another format meanwhile is not overwritten; a
    document from before formats (no `_fmt`) is matched by `_fmt: None`."""
    await db.x.insert_many([{"_id": "c-1", "_v": 1, "_fmt": 5}, {"_id": "c-2", "_v": 1}])
    assert (
        await db.x.replace_one({"_id": "c-1", "_v": 1, "_fmt": 4}, {"_v": 2, "_fmt": 4})
    ).matched_count == 0
    assert (
        await db.x.replace_one({"_id": "c-1", "_v": 1, "_fmt": 5}, {"_v": 2, "_fmt": 5})
    ).matched_count == 1
    assert (
        await db.x.replace_one({"_id": "c-2", "_v": 1, "_fmt": None}, {"_v": 2, "_fmt": 5})
    ).matched_count == 1
    assert await db.x.find({}).sort("_id", 1).to_list() == [
        {"_id": "c-1", "_v": 2, "_fmt": 5},
        {"_id": "c-2", "_v": 2, "_fmt": 5},
    ]


async def test_delete_many_with_an_empty_filter_empties_the_collection(db: AsyncDatabase) -> None:
    await db.x.insert_many([{"_id": i} for i in range(5)])
    assert (await db.x.delete_many({})).deleted_count == 5
    assert await db.x.count_documents({}) == 0


@divergence("$set of a boolean stores the integer 1")
async def test_set_of_a_boolean_keeps_a_boolean(db: AsyncDatabase) -> None:
    await db.x.insert_one({"_id": 1})
    await db.x.update_one({"_id": 1}, {"$set": {"open": True}})
    assert (await db.x.find_one({"_id": 1}))["open"] is True


@divergence("$set of a datetime stores a string (mutable times are epoch milliseconds instead)")
async def test_set_of_a_datetime_keeps_a_datetime(db: AsyncDatabase) -> None:
    await db.x.insert_one({"_id": 1})
    await db.x.update_one({"_id": 1}, {"$set": {"at": datetime(2026, 11, 29, 12, tzinfo=UTC)}})
    assert isinstance((await db.x.find_one({"_id": 1}))["at"], datetime)


@divergence("$addToSet on a missing field does not create the array")
async def test_add_to_set_creates_the_array_and_skips_duplicates(db: AsyncDatabase) -> None:
    await db.x.insert_one({"_id": 1})
    for tag in ("vip", "vip", "ar"):
        await db.x.update_one({"_id": 1}, {"$addToSet": {"tags": tag}})
    assert (await db.x.find_one({"_id": 1}))["tags"] == ["vip", "ar"]


@divergence("$push of a subdocument stores its JSON text")
async def test_push_of_a_subdocument_keeps_a_subdocument(db: AsyncDatabase) -> None:
    await db.x.insert_one({"_id": 1, "items": []})
    await db.x.update_one({"_id": 1}, {"$push": {"items": {"a": 1}}})
    assert (await db.x.find_one({"_id": 1}))["items"] == [{"a": 1}]


# --- indexes and races --------------------------------------------------------------------------------------
async def test_every_index_the_service_declares_can_be_created_twice(db: AsyncDatabase) -> None:
    await ensure_indexes(db, drop_stale=True)
    await ensure_indexes(db, drop_stale=True)  # at every start
    for collection, models in INDEXES.items():
        indexes = [index async for index in await db[collection].list_indexes()]
        assert len(indexes) >= len(models)  # (nx-27017 names them its own way: the code never reads names)


async def test_the_collection_listing_names_what_was_written_and_what_was_indexed(db: AsyncDatabase) -> None:
    assert await db.list_collection_names() == []  # a fresh database: ensure_indexes lists no collection
    await db.x.insert_one({"_id": 1})
    await db.y.create_indexes([IndexModel([("at_ms", ASCENDING)], name="at")])
    assert sorted(await db.list_collection_names()) == ["x", "y"]
    await db.x.drop()
    assert await db.list_collection_names() == ["y"]


class _Commands(CommandListener):
    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: CommandStartedEvent) -> None:
        self.names.append(event.command_name)

    def succeeded(self, event: object) -> None:
        pass

    def failed(self, event: object) -> None:
        pass


async def test_a_start_creates_only_the_indexes_that_are_missing(mongo_url: str, db: AsyncDatabase) -> None:
    commands = _Commands()
    client = AsyncMongoClient(mongo_url, event_listeners=[commands])
    try:
        mine = client[db.name]
        await ensure_indexes(mine, drop_stale=True)  # a fresh database: no collection's indexes listed
        assert commands.names.count("listIndexes") == 0
        assert commands.names.count("createIndexes") == sum(1 for models in INDEXES.values() if models)
        commands.names.clear()
        await ensure_indexes(mine, drop_stale=True)  # a restart: everything is there, nothing is sent
        assert commands.names.count("createIndexes") == 0
        due = [i["name"] async for i in await mine["inbox"].list_indexes() if "due_ms" in i["key"]]
        await mine["inbox"].drop_index(due[0])
        await mine["clients"].drop()
        missing = {(collection, name) for collection, name, _ in (await index_plan(mine)).create}
        assert missing == {("inbox", "due")} | {("clients", m.document["name"]) for m in INDEXES["clients"]}
        await ensure_indexes(mine, drop_stale=True)
        assert (await index_plan(mine)).create == []
        for collection, models in INDEXES.items():
            indexes = [index async for index in await mine[collection].list_indexes()]
            assert len(indexes) >= len(models)
    finally:
        await client.close()


async def test_unique_indexes_let_exactly_one_racing_insert_through(db: AsyncDatabase) -> None:
    await ensure_indexes(db, drop_stale=True)

    async def insert(collection: str, doc: dict) -> bool:
        try:
            await db[collection].insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    event = {"stream": "client:C-1", "seq": 1}
    inserts = [insert("events", {**event, "cause": f"tg:{i}/x"}) for i in range(20)]
    assert (await asyncio.gather(*inserts)).count(True) == 1  # compound (stream, seq)
    causes = [insert("events", {"stream": f"s:{i}", "seq": 1, "cause": "tg:812345/0"}) for i in range(20)]
    assert (await asyncio.gather(*causes)).count(True) == 1  # cause
    same_id = [insert("inbox", {"_id": "tg:812345", "n": i}) for i in range(20)]
    assert (await asyncio.gather(*same_id)).count(True) == 1  # _id


async def test_racing_claims_hand_one_item_to_exactly_one_worker(db: AsyncDatabase) -> None:
    now = 1_796_000_000_000
    await db.x.insert_one(
        {"_id": "d", "status": "pending", "next_attempt_ms": now, "due_ms": now, "lease_ms": 0, "attempts": 0}
    )
    claims = [
        db.x.find_one_and_update(
            claimable("d", now),
            claim_update("sending", f"w{i}", now, LEASE),
            return_document=ReturnDocument.AFTER,
        )
        for i in range(20)
    ]
    won = [doc for doc in await asyncio.gather(*claims) if doc]
    assert len(won) == 1 and won[0]["attempts"] == 1


async def test_racing_bulk_claims_of_several_items_hand_each_to_exactly_one_worker_and_count_theirs(
    db: AsyncDatabase,
) -> None:
    """Deliveries.claim_all: a worker claims a pass's sends in one unordered bulk, each on its stamp as the
    worker last read it; the count of what it changed tells whether it has them all (a read tells which)."""
    now = 1_796_000_000_000
    items = [f"d{i}" for i in range(6)]
    await db.x.insert_many(
        [
            {"_id": i, "status": "pending", "due_ms": now, "lease_ms": 0, "attempts": 0, "changed": 7}
            for i in items
        ]
    )
    await db.x.update_one({"_id": "d5"}, {"$set": {"changed": 8}})  # (changed since the worker read it)

    async def claim(worker: str) -> int:
        update = claim_update("sending", worker, now, LEASE)
        update["$set"]["changed"] = 9
        ops = [UpdateOne({**claimable(i, now), "changed": 7}, update) for i in items]
        return (await db.x.bulk_write(ops, ordered=False)).modified_count

    counts = await asyncio.gather(*(claim(f"w{k}") for k in range(4)))
    docs = await db.x.find({}).sort("_id", ASCENDING).to_list()
    # each unchanged item claimed once (one attempt), the counts adding up to them; the changed one left
    assert all(doc["attempts"] == 1 and doc["status"] == "sending" for doc in docs[:5])
    assert sum(counts) == 5 and docs[5]["status"] == "pending" and docs[5]["attempts"] == 0
    assert counts == [len([d for d in docs if d.get("worker") == f"w{k}"]) for k in range(4)]


async def test_one_bulk_takes_several_fields_of_one_document_and_refuses_only_the_busy_one(
    db: AsyncDatabase,
) -> None:
    """Budgets.take_all: the slots of a pass's sends in one unordered bulk, two of them fields of one pool
    document, each with its mark beside it (a client's words: `w<i>`); a busy one is refused as a duplicate
    `_id` and named by its index, its mark not set, the others land."""
    await db.x.insert_one({"_id": "pool:g", "s0": 0, "s1": 0, "s2": 50})
    ops = [
        UpdateOne(
            {"_id": "pool:g", f: {"$lte": 10}}, {"$set": {f: 100 + k, f"w{f[1:]}": k != 2}}, upsert=True
        )
        for k, f in enumerate(("s0", "s2", "s1"))
    ]
    with pytest.raises(BulkWriteError) as refused:
        await db.x.bulk_write(ops, ordered=False)
    assert [e["index"] for e in refused.value.details["writeErrors"]] == [1]
    pool = {"_id": "pool:g", "s0": 100, "s1": 102, "s2": 50, "w0": True, "w1": False}
    assert await db.x.find_one({"_id": "pool:g"}) == pool


async def test_racing_counters_never_repeat_a_value(db: AsyncDatabase) -> None:
    values = await asyncio.gather(*(next_value(db, "receipt", 10001) for _ in range(30)))
    assert sorted(values) == list(range(10001, 10031))


# --- aggregation --------------------------------------------------------------------------------------------
async def test_match_group_min_max_sum_sort_and_limit(db: AsyncDatabase) -> None:
    await db.x.insert_many(
        [
            {"key": "tg:1", "n": 3, "status": "pending", "assistant_id": "A-1", "open": True},
            {"key": "tg:1", "n": 1, "status": "processing", "assistant_id": "A-1", "open": True},
            {"key": "tg:2", "n": 2, "status": "pending", "assistant_id": "A-2", "open": True},
            {"key": "tg:3", "n": 0, "status": "done", "assistant_id": None, "open": False},
        ]
    )
    cursor = await db.x.aggregate(
        [
            {"$match": {"status": {"$in": ["pending", "processing"]}}},
            {
                "$group": {
                    "_id": "$key",
                    "first": {"$min": "$n"},
                    "last": {"$max": "$n"},
                    "count": {"$sum": 1},
                }
            },
            {"$sort": {"first": 1}},
            {"$limit": 1},
        ]
    )
    assert [row async for row in cursor] == [{"_id": "tg:1", "first": 1, "last": 3, "count": 2}]
    cursor = await db.x.aggregate(
        [{"$match": {"open": True}}, {"$group": {"_id": "$assistant_id", "n": {"$sum": 1}}}]
    )
    assert sorted([(row["_id"], row["n"]) async for row in cursor]) == [("A-1", 2), ("A-2", 1)]


async def test_a_range_guard_beside_the_id_in_an_update(db: AsyncDatabase) -> None:
    """Deadlines: an answer stops only a wait that began before it (`{_id, since_ms: {$lte: t}}`)."""
    await db["deadlines"].insert_one({"_id": "first-response:C-1", "since_ms": 2000, "status": "waiting"})
    early = await db["deadlines"].update_one(
        {"_id": "first-response:C-1", "since_ms": {"$lte": 1999}}, {"$set": {"status": "over"}}
    )
    late = await db["deadlines"].update_one(
        {"_id": "first-response:C-1", "since_ms": {"$lte": 2000}}, {"$set": {"status": "over"}}
    )
    assert (early.matched_count, late.matched_count) == (0, 1)


async def test_the_earliest_of_a_range_by_find_one_with_a_sort(db: AsyncDatabase) -> None:
    """The next due deadline: `find_one({due_ms: {$gte: 0}}, sort=due_ms)`; None and missing never match."""
    await db["deadlines"].insert_many(
        [{"_id": "a", "due_ms": 300}, {"_id": "b", "due_ms": None}, {"_id": "c"}, {"_id": "d", "due_ms": 100}]
    )
    first = await db["deadlines"].find_one(
        {"due_ms": {"$gte": 0}}, {"due_ms": 1}, sort=[("due_ms", ASCENDING)]
    )
    assert first == {"_id": "d", "due_ms": 100}
    due = await db["deadlines"].find({"due_ms": {"$lte": 300}}).sort("due_ms", ASCENDING).limit(5).to_list()
    assert [d["_id"] for d in due] == ["d", "a"]


async def test_the_earliest_of_the_unfinished_by_another_field(db: AsyncDatabase) -> None:
    """/metrics: the oldest unfinished item's age — `{due_ms: {$gte: 0}}` (the `due_ms` index) sorted by when
    it was accepted, one read; a finished item (due_ms None), however old, is not it."""
    await ensure_indexes(db, drop_stale=True)
    await db["inbox"].insert_many(
        [
            {"_id": "done", "due_ms": None, "received_ms": 10, "status": "done"},
            {"_id": "retried", "due_ms": 900, "received_ms": 200, "status": "pending"},
            {"_id": "new", "due_ms": 300, "received_ms": 300, "status": "pending"},
            {"_id": "failed", "due_ms": None, "received_ms": 50, "status": "failed"},
        ]
    )
    oldest = db["inbox"].find({"due_ms": {"$gte": 0}}, {"received_ms": 1}).sort("received_ms", 1).limit(1)
    assert await oldest.to_list() == [{"_id": "retried", "received_ms": 200}]
    failed = db["inbox"].find({"status": "failed"}, {"_id": 1}).limit(10)
    assert await failed.to_list() == [{"_id": "failed"}]


async def test_a_half_open_time_range_in_order(db: AsyncDatabase) -> None:
    """The log read by time (`at_ms` in [start, end)), oldest first: the clock's sweep and the KPIs."""
    await db["events"].insert_many([{"_id": n, "at_ms": at} for n, at in enumerate([50, 10, 30, 20, 40])])
    found = await db["events"].find({"at_ms": {"$gte": 20, "$lt": 50}}).sort("at_ms", 1).limit(10).to_list()
    assert [d["at_ms"] for d in found] == [20, 30, 40]


@divergence("a string that begins with an ISO datetime and goes on is not matched by equality")
async def test_equality_on_a_string_that_begins_with_a_datetime(db: AsyncDatabase) -> None:
    """Why deadline rounds are 't<epoch ms>' (domain/deadlines.py), not ISO strings with a suffix."""
    value = "2026-11-28T12:00:09.900000+00:00#1"
    await db["t"].insert_one({"_id": 1, "round": value})
    assert await db["t"].find_one({"round": value}) is not None


# --- the staff console's shapes ---
async def test_in_on_the_id_finds_each_listed_document(db: AsyncDatabase) -> None:
    await db.x.insert_many([{"_id": f"C-{n}", "n": n} for n in range(1, 200)])
    found = await db.x.find({"_id": {"$in": ["C-3", "C-150", "C-999"]}}).to_list()
    assert sorted(d["n"] for d in found) == [3, 150]


async def test_all_of_several_keys_on_an_indexed_array_needs_every_one(db: AsyncDatabase) -> None:
    await db.x.create_index([("search", ASCENDING)])
    await db.x.insert_many(
        [
            {"_id": "C-1", "search": ["l", "la", "layla", "m", "ma", "mansouri", "#4567"]},
            {"_id": "C-2", "search": ["l", "la", "layla", "k", "ka", "karim"]},
        ]
    )
    assert await ids(db.x.find({"search": {"$all": ["la", "ma"]}})) == ["C-1"]
    assert await ids(db.x.find({"search": {"$all": ["layla"]}}).sort("_id", ASCENDING)) == ["C-1", "C-2"]
    assert await ids(db.x.find({"search": {"$all": ["#4567"]}}).limit(50)) == ["C-1"]


async def test_a_boolean_kept_by_a_whole_document_matches_true(db: AsyncDatabase) -> None:
    await db.x.create_index([("open", ASCENDING)])
    await db.x.insert_many([{"_id": "R-1", "open": True}, {"_id": "R-2", "open": False}])
    await db.x.replace_one({"_id": "R-2"}, {"_id": "R-2", "open": True})
    await db.x.replace_one({"_id": "R-1"}, {"_id": "R-1", "open": False})
    assert await ids(db.x.find({"open": True})) == ["R-2"]


async def test_a_time_range_sorted_newest_first_with_a_limit(db: AsyncDatabase) -> None:
    await db.x.create_index([("paid_ms", ASCENDING)])
    await db.x.insert_many(
        [{"_id": n, "paid_ms": 1000 + n} for n in range(10)] + [{"_id": 99, "paid_ms": None}]
    )
    found = db.x.find({"paid_ms": {"$gte": 1002, "$lt": 1008}}).sort("paid_ms", DESCENDING)
    assert [d["_id"] for d in await found.to_list(4)] == [7, 6, 5, 4]


async def test_a_used_once_update_takes_a_document_once(db: AsyncDatabase) -> None:
    await db.x.insert_one({"_id": "digest", "used_ms": 0, "expires_ms": 2000})
    take = {"_id": "digest", "used_ms": 0, "expires_ms": {"$gt": 1000}}
    first = await db.x.find_one_and_update(
        take, {"$set": {"used_ms": 1000}}, return_document=ReturnDocument.AFTER
    )
    assert first is not None and first["used_ms"] == 1000
    assert await db.x.find_one_and_update(take, {"$set": {"used_ms": 1001}}) is None
    late = {"_id": "digest", "used_ms": 1000, "expires_ms": {"$gt": 3000}}
    assert await db.x.find_one_and_update(late, {"$set": {"used_ms": 1}}) is None


async def test_an_upserted_counter_returns_its_count(db: AsyncDatabase) -> None:
    for expected in (1, 2, 3):
        doc = await db.x.find_one_and_update(
            {"_id": "who:1"},
            {"$inc": {"n": 1}, "$set": {"at_ms": 5}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc["n"] == expected and doc["at_ms"] == 5


async def test_a_string_range_on_the_id_holds_one_streams_deliveries_and_no_other(db: AsyncDatabase) -> None:
    """An erase removes the deliveries of each stream by `_id` range (storage/erasure.py)."""
    ids = ["conversation:C-1#1:0", "conversation:C-1#12:3", "conversation:C-10#1:0", "conversation:C-0#9:0"]
    await db["t"].insert_many([{"_id": i} for i in [*ids, "client:C-1#1:0"]])
    between = {"_id": {"$gte": "conversation:C-1#", "$lt": "conversation:C-1$"}}
    assert sorted([d["_id"] async for d in db["t"].find(between)]) == sorted(ids[:2])
    assert (await db["t"].delete_many(between)).deleted_count == 2
    assert await db["t"].count_documents({}) == 3


async def test_in_on_a_field_in_delete_many_and_update_many(db: AsyncDatabase) -> None:
    """An erase stops the client's timers and removes their payloads (storage/erasure.py)."""
    await db["t"].insert_many([{"_id": f"d{n}", "key": f"k{n}", "data": {"x": n}} for n in range(5)])
    stopped = await db["t"].update_many({"key": {"$in": ["k1", "k3", "k9"]}}, {"$set": {"data": {}}})
    assert stopped.modified_count == 2
    assert await db["t"].find_one({"_id": "d3"}) == {"_id": "d3", "key": "k3", "data": {}}
    assert await db["t"].find_one({"_id": "d2"}) == {"_id": "d2", "key": "k2", "data": {"x": 2}}
    assert (await db["t"].delete_many({"key": {"$in": ["k0", "k3"]}})).deleted_count == 2
    assert sorted([d["_id"] async for d in db["t"].find({})]) == ["d1", "d2", "d4"]


@divergence("update_many on documents with integer _ids changes the wrong ones (every _id here is a string)")
async def test_update_many_by_a_field_with_integer_ids(db: AsyncDatabase) -> None:
    await db["t"].insert_many([{"_id": n, "key": f"k{n}"} for n in range(4)])
    await db["t"].update_many({"key": {"$in": ["k2"]}}, {"$set": {"m": 1}})
    assert [d["_id"] async for d in db["t"].find({"m": 1})] == [2]


async def test_ne_null_beside_the_id_in_an_update(db: AsyncDatabase) -> None:
    """A key is destroyed once: a tombstone (`key: null`) is not matched again (storage/vault.py)."""
    await db["t"].insert_many([{"_id": "C-1", "key": "k"}, {"_id": "C-2", "key": None}])
    first = await db["t"].update_one({"_id": "C-1", "key": {"$ne": None}}, {"$set": {"key": None, "n": 1}})
    again = await db["t"].update_one({"_id": "C-1", "key": {"$ne": None}}, {"$set": {"key": None, "n": 2}})
    tomb = await db["t"].update_one({"_id": "C-2", "key": {"$ne": None}}, {"$set": {"n": 3}})
    assert (first.matched_count, again.matched_count, tomb.matched_count) == (1, 0, 0)
    assert await db["t"].find_one({"_id": "C-1"}) == {"_id": "C-1", "key": None, "n": 1}
    assert [d["_id"] async for d in db["t"].find({"key": None})] == ["C-1", "C-2"]


@divergence(
    "replace_one with upsert inserts under a new ObjectId, not the filter's _id (the code puts it in)"
)
async def test_an_upserted_replacement_takes_the_id_of_its_filter(db: AsyncDatabase) -> None:
    await db["t"].replace_one({"_id": "C-1"}, {"streams": ["client:C-1"]}, upsert=True)
    assert await db["t"].find_one({"_id": "C-1"}) == {"_id": "C-1", "streams": ["client:C-1"]}


async def test_an_upserted_replacement_with_its_id_is_found_by_it(db: AsyncDatabase) -> None:
    await db["t"].replace_one({"_id": "C-1"}, {"_id": "C-1", "n": 1}, upsert=True)
    await db["t"].replace_one({"_id": "C-1"}, {"_id": "C-1", "n": 2}, upsert=True)
    assert [d async for d in db["t"].find({})] == [{"_id": "C-1", "n": 2}]
    assert (await db["t"].delete_one({"_id": "C-1"})).deleted_count == 1


async def test_a_prefix_range_on_an_indexed_string_sorted_with_a_limit(db: AsyncDatabase) -> None:
    """The console's search reads a word's start: [start + SEP, start + SEP + U+10FFFF) on `key`, sorted by
    it with a limit (storage/words.py: its newest messages first, by a time written newest-first into the
    key); strings compare by their UTF-8 bytes on both engines, in Arabic, Cyrillic and Latin alike."""
    await ensure_indexes(db, drop_stale=True)
    rows = []
    for i, start in enumerate(["ресторан", "рест", "restaurant", "rest", "فندق", "فن", "ресторан", "فندق"]):
        at_ms = 1_700_000_000_000 + i * 1000
        rows.append({"_id": f"e{i}\x1f{start}", "key": f"{start}\x1f{10**13 - at_ms:013d}", "event": f"e{i}"})
    rows.append(
        {"_id": "e9\x1fресторанх", "key": "ресторанх\x1f0000000000001", "event": "e9"}
    )  # another word
    await db["message_keys"].insert_many(rows)

    async def newest(start: str, limit: int = 0) -> list[str]:
        where = {"key": {"$gte": f"{start}\x1f", "$lt": f"{start}\x1f\U0010ffff"}}
        found = db["message_keys"].find(where, {"event": 1}).sort("key", 1).limit(limit)
        return [r["event"] async for r in found]

    assert await newest("ресторан") == ["e6", "e0"]  # newest first, and not the longer word
    assert await newest("restaurant") == ["e2"] and await newest("rest") == ["e3"]
    assert await newest("فندق") == ["e7", "e4"] and await newest("فندق", limit=1) == ["e7"]


async def test_an_upserted_replacement_keeps_the_id_it_names(db: AsyncDatabase) -> None:
    """The day kept of the figures (storage/kpi_days.py): replaced whole by its date, created the first time;
    the replacement names its `_id` itself (nx-27017 would not take it from the filter: see above). Weeks and
    today's checkpoint the same way, all read in one list of ids."""
    for revenue in (1, 2):
        doc = {"_id": "d:2026-12-05", "tallies": {"A-1": {"revenue": {"RUB": revenue}}}}
        await db.x.replace_one({"_id": "d:2026-12-05"}, doc, upsert=True)
    assert await db.x.find({}).to_list() == [
        {"_id": "d:2026-12-05", "tallies": {"A-1": {"revenue": {"RUB": 2}}}}
    ]
    assert await ids(db.x.find({"_id": {"$in": ["d:2026-12-04", "d:2026-12-05"]}})) == ["d:2026-12-05"]
    for kept in ("w:2026-11-30", "checkpoint", "checkpoint"):
        await db.x.replace_one({"_id": kept}, {"_id": kept, "share": "{}", "sum": f"s{kept}"}, upsert=True)
    every = ["d:2026-12-05", "d:2026-12-06", "w:2026-11-30", "w:2026-11-23", "checkpoint"]
    assert sorted(await ids(db.x.find({"_id": {"$in": every}}))) == [
        "checkpoint",
        "d:2026-12-05",
        "w:2026-11-30",
    ]
    # their digests alone first (what an instance has opened already is not read again)
    sums = sorted(await db.x.find({"_id": {"$in": every}}, {"sum": 1}).to_list(), key=lambda d: d["_id"])
    assert sums == [
        {"_id": "checkpoint", "sum": "scheckpoint"},
        {"_id": "d:2026-12-05"},
        {"_id": "w:2026-11-30", "sum": "sw:2026-11-30"},
    ]
    # the digests apart (`s:<id>`, each a small document of its own): by their ids, or only which exist
    for kept in ("s:w:2026-11-30", "s:checkpoint", "s:checkpoint"):
        await db.x.replace_one({"_id": kept}, {"_id": kept, "sum": kept[2:]}, upsert=True)
    apart = ["s:" + i for i in every]
    assert sorted(await db.x.find({"_id": {"$in": apart}}).to_list(), key=lambda d: d["_id"]) == [
        {"_id": "s:checkpoint", "sum": "checkpoint"},
        {"_id": "s:w:2026-11-30", "sum": "w:2026-11-30"},
    ]
    assert sorted(await ids(db.x.find({"_id": {"$in": apart}}, {"_id": 1}))) == [
        "s:checkpoint",
        "s:w:2026-11-30",
    ]


async def test_an_unordered_bulk_of_upserts_by_id_sets_or_creates_each(db: AsyncDatabase) -> None:
    """The figures' carried state (storage/kpi_days.py): each client's and request's, set whole by its id."""
    await db.x.insert_one({"_id": "c:C-1", "day": "2026-12-04", "now": {"vip": True}, "before": None})
    ops = [
        UpdateOne(
            {"_id": i}, {"$set": {"day": "2026-12-05", "now": {"vip": False}, "before": b}}, upsert=True
        )
        for i, b in (("c:C-1", {"vip": True}), ("r:R-1", None))
    ]
    result = await db.x.bulk_write(ops, ordered=False)
    assert (result.matched_count, result.upserted_count) == (1, 1)
    found = await db.x.find({"_id": {"$in": ["c:C-1", "r:R-1", "c:C-9"]}}).sort("_id", ASCENDING).to_list()
    assert found == [
        {"_id": "c:C-1", "day": "2026-12-05", "now": {"vip": False}, "before": {"vip": True}},
        {"_id": "r:R-1", "day": "2026-12-05", "now": {"vip": False}, "before": None},
    ]


async def test_a_prefix_range_on_the_word_and_client_key_holds_that_clients_rows_newest_first(
    db: AsyncDatabase,
) -> None:
    """An assistant's search, when a word has more rows than it reads: [start SEP client SEP, … U+10FFFF) on
    `client_key`, sorted by it with a limit (storage/words.py) — that client's rows alone, not those of a
    client whose id starts with theirs (C-1, C-10), newest first."""
    await ensure_indexes(db, drop_stale=True)
    rows = []
    for i, (start, client) in enumerate(
        [("стол", "C-1"), ("стол", "C-10"), ("стол", "C-1"), ("столик", "C-1")]
    ):
        newest = f"{10**13 - (1_700_000_000_000 + i * 1000):013d}"
        rows.append({"_id": f"e{i}", "client_key": f"{start}\x1f{client}\x1f{newest}", "event": f"e{i}"})
    await db["message_keys"].insert_many(rows)

    async def newest(start: str, client: str, limit: int = 0) -> list[str]:
        where = {
            "client_key": {"$gte": f"{start}\x1f{client}\x1f", "$lt": f"{start}\x1f{client}\x1f\U0010ffff"}
        }
        found = db["message_keys"].find(where, {"event": 1}).sort("client_key", 1).limit(limit)
        return [r["event"] async for r in found]

    assert await newest("стол", "C-1") == ["e2", "e0"] and await newest("стол", "C-1", limit=1) == ["e2"]
    assert await newest("стол", "C-10") == ["e1"] and await newest("столик", "C-10") == []


async def test_an_unordered_bulk_of_upserts_by_id_completes_the_rows_there_and_adds_the_rest(
    db: AsyncDatabase,
) -> None:
    """The search index's first start of a new row format (storage/words.py): each row completed in place
    by its `_id` ($set of this format's fields), a missing one created, in one write."""
    await db.x.insert_one({"_id": "e1\x1fстол", "key": "стол\x1f1", "event": "e1"})
    ops = [
        UpdateOne({"_id": i}, {"$set": {"key": "стол\x1f1", "client_key": f"стол\x1f{c}\x1f1"}}, upsert=True)
        for i, c in (("e1\x1fстол", "C-1"), ("e2\x1fстол", "C-2"))
    ]
    result = await db.x.bulk_write(ops, ordered=False)
    assert (result.matched_count, result.upserted_count) == (1, 1)
    assert sorted([(d["_id"], d.get("event"), d["client_key"]) async for d in db.x.find({})]) == [
        ("e1\x1fстол", "e1", "стол\x1fC-1\x1f1"),
        ("e2\x1fстол", None, "стол\x1fC-2\x1f1"),
    ]


async def test_a_version_guarded_upsert_creates_takes_newer_refuses_older(
    db: AsyncDatabase,
) -> None:
    """The board's cards (storage/board.py): a request's side is written over an older version only; an
    older write finds no match, tries to insert and is refused as a duplicate `_id` (never a second card)."""

    def side(version: int, state: str) -> tuple[dict, dict]:
        return {"_id": "R-1", "rv": {"$lt": version}}, {"$set": {"rv": version, "state": state, "cv": -1}}

    await db["board"].update_one(*side(2, "new"), upsert=True)
    await db["board"].update_one(*side(3, "quoted"), upsert=True)
    with pytest.raises(DuplicateKeyError):
        await db["board"].update_one(*side(2, "new"), upsert=True)
    assert [d async for d in db["board"].find({})] == [{"_id": "R-1", "rv": 3, "state": "quoted", "cv": -1}]


async def test_a_clients_older_cards_are_found_then_updated_by_id(db: AsyncDatabase) -> None:
    """A client's side onto those of their cards that show an older version: found by `client_id` (a seek),
    updated by `_id` `$in` under the same guard (an update seeks only `_id` on nx-27017)."""
    await ensure_indexes(db, drop_stale=True)
    await db["board"].insert_many(
        [
            {"_id": "R-1", "client_id": "C-1", "cv": 4, "vip": False},
            {"_id": "R-2", "client_id": "C-1", "cv": 6, "vip": True},
            {"_id": "R-3", "client_id": "C-1", "cv": -1},
            {"_id": "R-4", "client_id": "C-2", "cv": 1, "vip": False},
        ]
    )
    older = {"client_id": "C-1", "cv": {"$lt": 5}}
    ids = sorted([d["_id"] async for d in db["board"].find(older, {"_id": 1})])
    assert ids == ["R-1", "R-3"]
    done = await db["board"].update_many({"_id": {"$in": ids}} | older, {"$set": {"vip": True, "cv": 5}})
    assert done.modified_count == 2
    cards = {d["_id"]: (d["cv"], d.get("vip")) async for d in db["board"].find({})}
    assert cards == {"R-1": (5, True), "R-2": (6, True), "R-3": (5, True), "R-4": (1, False)}


async def test_a_set_with_an_inc_counts_the_writes_of_a_deadline(db: AsyncDatabase) -> None:
    """A deadline's writes counted (`v`, storage/deadlines.py) in the same update as its `$set`, by `_id` and
    by `_id` `$in` (an erasure's), and in a find-and-modify; a field not there yet starts from the
    increment."""
    await db["deadlines"].insert_many(
        [{"_id": "d1", "v": 1, "status": "waiting"}, {"_id": "d2", "status": "waiting"}]
    )
    one = await db["deadlines"].update_one({"_id": "d1"}, {"$set": {"status": "over"}, "$inc": {"v": 1}})
    many = await db["deadlines"].update_many(
        {"_id": {"$in": ["d2"]}}, {"$set": {"status": "over"}, "$inc": {"v": 1}}
    )
    assert (one.modified_count, many.modified_count) == (1, 1)
    assert [d async for d in db["deadlines"].find({}).sort("_id", 1)] == [
        {"_id": "d1", "v": 2, "status": "over"},
        {"_id": "d2", "status": "over", "v": 1},
    ]
    # a clocked one's write hands back the deadline as it is now (its cards are written from it)
    after = await db["deadlines"].find_one_and_update(
        {"_id": "d1", "status": "over"},
        {"$set": {"status": "waiting"}, "$inc": {"v": 1}},
        return_document=ReturnDocument.AFTER,
    )
    missed = await db["deadlines"].find_one_and_update(
        {"_id": "d1", "status": "over"}, {"$set": {"status": "x"}, "$inc": {"v": 1}}
    )
    assert (after, missed) == ({"_id": "d1", "v": 3, "status": "waiting"}, None)


async def test_a_guarded_upsert_sets_the_clocks_only_when_it_inserts(db: AsyncDatabase) -> None:
    """A request's side of its card (storage/board.py) with `$setOnInsert` of its clocks: a new card starts
    with none, a later side leaves the clocks a timer wrote meanwhile; a clock is written under its own
    guard."""
    none = {"rs": None, "rk": -1}

    async def side(version: int, state: str) -> None:
        await db["board"].update_one(
            {"_id": "R-1", "rv": {"$lt": version}},
            {"$set": {"rv": version, "state": state}, "$setOnInsert": none},
            upsert=True,
        )

    await side(1, "new")
    assert await db["board"].find_one({}) == {"_id": "R-1", "rv": 1, "state": "new", "rs": None, "rk": -1}
    clock = await db["board"].update_one({"_id": "R-1", "rk": {"$lt": 3}}, {"$set": {"rs": 1000, "rk": 3}})
    older = await db["board"].update_one({"_id": "R-1", "rk": {"$lt": 2}}, {"$set": {"rs": None, "rk": 2}})
    assert (clock.modified_count, older.modified_count) == (1, 0)
    await side(2, "quoted")
    assert await db["board"].find_one({}) == {"_id": "R-1", "rv": 2, "state": "quoted", "rs": 1000, "rk": 3}


async def test_equality_on_an_indexed_field_finds_every_document_of_it(db: AsyncDatabase) -> None:
    """A client's cards for the live board (storage/board.py's `client` index): the open and the closed,
    their booleans and empty clocks as written, and none of another client's."""
    await ensure_indexes(db, drop_stale=True)
    cards = [
        {"_id": "R-1", "client_id": "C-1", "open": True, "rs": None, "cv": 2, "w_ms": 5},
        {"_id": "R-2", "client_id": "C-2", "open": True, "rs": 1_000, "cv": 1, "w_ms": 5},
        {"_id": "R-3", "client_id": "C-1", "open": False, "rs": None, "cv": 2, "w_ms": 6},
    ]
    await db.board.insert_many(cards)
    found = sorted(await db.board.find({"client_id": "C-1"}).to_list(), key=lambda d: d["_id"])
    assert found == [cards[0], cards[2]]
    assert await db.board.find({"client_id": "C-9"}).to_list() == []


async def test_a_range_and_an_equality_sorted_by_the_range_with_a_limit(db: AsyncDatabase) -> None:
    """Deliveries.changed_since for one channel: after a stamp, that channel's only, in stamp order."""
    await db.x.create_index([("changed", ASCENDING)])
    await db.x.insert_many(
        [
            {"_id": i, "changed": c, "channel": ch}
            for i, c, ch in [(1, 30, "a"), (2, 10, "b"), (3, 20, "a"), (4, 5, "a"), (5, 40, "a")]
        ]
    )
    found = db.x.find({"changed": {"$gt": 5}, "channel": "a"}).sort("changed", ASCENDING).limit(2)
    assert [d["_id"] async for d in found] == [3, 1]
