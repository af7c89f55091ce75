"""Every index the service relies on, ensured at each start: what is missing is created."""

from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from domain.clients import Channel

# Single-field indexes wherever a hot read filters: nx-27017 seeks an index only for a field that leads one
# (a compound index helps it with its first field alone) and answers `$or`, `$in` on a field and array
# matches by reading every row. tests/integration/test_query_plans.py checks each hot read's plan.
INDEXES: dict[str, list[IndexModel]] = {
    "events": [
        IndexModel([("stream", ASCENDING), ("seq", ASCENDING)], unique=True, name="stream_seq"),
        IndexModel([("cause", ASCENDING)], unique=True, name="cause"),
        IndexModel([("kind", ASCENDING), ("stream", ASCENDING)], name="kind_stream"),
        IndexModel([("at_ms", ASCENDING)], name="at"),
    ],
    "inbox": [
        IndexModel([("due_ms", ASCENDING)], name="due"),
        IndexModel([("open_key", ASCENDING)], name="open_key"),
        IndexModel([("status", ASCENDING)], name="status"),
        IndexModel([("done_ms", ASCENDING)], name="done"),
        IndexModel([("key", ASCENDING)], name="key"),  # an erased client's payloads
    ],
    "deliveries": [
        IndexModel([("due_ms", ASCENDING)], name="due"),
        IndexModel([("queue", ASCENDING)], name="queue"),
        IndexModel([("changed", ASCENDING)], name="changed"),
        IndexModel([("provider_message_id", ASCENDING)], name="provider_message"),
        IndexModel([("lane", ASCENDING)], name="lane"),
        IndexModel([("settled_ms", ASCENDING)], name="settled"),
    ],
    "deliveries_archive": [IndexModel([("provider_message_id", ASCENDING)], name="provider_message")],
    "clients": [
        # a client found by who they are on each channel: a new channel's row is indexed with no edit here
        *[IndexModel([(f"identity_{c.value}", ASCENDING)], name=f"identity_{c.value}") for c in Channel],
        IndexModel([("topic_key", ASCENDING)], name="topic_key"),
        IndexModel([("phone", ASCENDING)], name="phone"),
        IndexModel([("awaiting_topic", ASCENDING)], name="awaiting_topic"),
        IndexModel([("assistant_id", ASCENDING)], name="assistant"),  # the console: an assistant's clients
        IndexModel([("merged_into", ASCENDING)], name="merged_into"),  # an erase takes the whole person
    ],
    "clients_keys": [IndexModel([("key", ASCENDING)], name="key")],  # the console's search (domain/search.py)
    "message_keys": [  # search by a word's start (words.py)
        IndexModel([("key", ASCENDING)], name="key"),
        IndexModel([("client_key", ASCENDING)], name="client_key"),  # an assistant's: by each client's
    ],
    "assistants": [IndexModel([("telegram_id", ASCENDING)], unique=True, name="telegram_id")],
    "requests": [
        IndexModel([("client_id", ASCENDING)], name="client"),
        IndexModel([("open", ASCENDING)], name="open"),  # the console's board
        IndexModel([("paid_ms", ASCENDING)], name="paid"),  # the console's payments, by time
    ],
    "board": [  # the console's board (storage/board.py): its open cards; a client's cards as they change
        IndexModel([("open", ASCENDING)], name="open"),
        IndexModel([("client_id", ASCENDING)], name="client"),
        IndexModel([("w_ms", ASCENDING)], name="written"),  # each instance's copy: what was written since
    ],
    "claims": [IndexModel([("client_id", ASCENDING)], name="client")],  # released by an erase
    "translations": [IndexModel([("client", ASCENDING)], name="client")],  # read by _id; erased by client
    "console_files": [IndexModel([("client", ASCENDING)], name="client")],  # read by _id; erased by client
    "budgets": [],  # read by _id only
    "deadlines": [
        IndexModel([("due_ms", ASCENDING)], name="due"),
        IndexModel([("subject", ASCENDING)], name="subject"),  # an erased client's timers
    ],
    "forums": [],
    # read by _id (a digest); pruned by time
    "console_links": [IndexModel([("expires_ms", ASCENDING)], name="expires")],
    "console_sessions": [IndexModel([("expires_ms", ASCENDING)], name="expires")],
    "console_attempts": [IndexModel([("at_ms", ASCENDING)], name="at")],  # old windows are dropped
}


@dataclass(frozen=True)
class IndexPlan:
    """What a start of this version changes in the indexes: (collection, index name, its keys)."""

    create: list[tuple[str, str, str]]
    drop: list[tuple[str, str, str]]


def _keys(key: dict[str, Any]) -> str:
    return ", ".join(f"{field}" if order == 1 else f"{field} desc" for field, order in key.items())


async def index_plan(db: AsyncDatabase, indexes: dict[str, list[IndexModel]] = INDEXES) -> IndexPlan:
    """Compared by keys, not names: nx-27017 names indexes its own way."""
    plan = IndexPlan([], [])
    existing = set(await db.list_collection_names())  # one read instead of a listing per missing collection
    for collection, models in indexes.items():
        wanted = {tuple(model.document["key"].items()): model for model in models}
        have = (
            {tuple(index["key"].items()): index async for index in await db[collection].list_indexes()}
            if collection in existing
            else {}
        )
        plan.drop.extend(
            (collection, index["name"], _keys(index["key"]))
            for keys, index in have.items()
            if keys not in wanted and keys != (("_id", 1),)
        )
        plan.create.extend(
            (collection, model.document["name"], _keys(model.document["key"]))
            for keys, model in wanted.items()
            if keys not in have
        )
    return plan


async def ensure_indexes(
    db: AsyncDatabase, drop_stale: bool, indexes: dict[str, list[IndexModel]] = INDEXES
) -> None:
    """Create what is listed, and with `drop_stale` drop what another version made and this one does not
    list: on nx-27017 a stale compound index can turn a seek into a scan (its name decides which fields
    count as indexed). Only a start that runs alone drops (or `concierge migrate`): an older instance still
    running keeps its reads fast, and one restarted mid-upgrade leaves the newer one's indexes alone."""
    plan = await index_plan(db, indexes)
    missing = {(collection, name) for collection, name, _ in plan.create}
    for collection, models in indexes.items():  # only what is missing: a restart sends no createIndexes
        if todo := [model for model in models if (collection, model.document["name"]) in missing]:
            await db[collection].create_indexes(todo)
    for collection, name, _ in plan.drop if drop_stale else ():
        await db[collection].drop_index(name)
