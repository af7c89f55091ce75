"""Every index the service relies on. create_index is idempotent: run at each start."""

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

INDEXES: dict[str, list[IndexModel]] = {
    "events": [
        IndexModel([("stream", ASCENDING), ("seq", ASCENDING)], unique=True, name="stream_seq"),
        IndexModel([("cause", ASCENDING)], unique=True, name="cause"),
        IndexModel([("kind", ASCENDING), ("stream", ASCENDING)], name="kind_stream"),
    ],
    "inbox": [
        IndexModel([("key", ASCENDING), ("status", ASCENDING), ("n", ASCENDING)], name="key_status_n"),
        IndexModel([("status", ASCENDING), ("n", ASCENDING)], name="status_n"),
    ],
    "deliveries": [
        IndexModel([("status", ASCENDING), ("next_attempt_ms", ASCENDING)], name="status_due"),
        IndexModel([("channel", ASCENDING), ("provider_message_id", ASCENDING)], name="provider_message"),
        IndexModel([("channel", ASCENDING), ("status", ASCENDING), ("n", ASCENDING)], name="channel_queue"),
        IndexModel([("lane", ASCENDING), ("status", ASCENDING)], name="lane_status"),
    ],
    "clients": [
        IndexModel([("identity_keys", ASCENDING)], name="identity_keys"),
        IndexModel([("topic_chat_id", ASCENDING), ("topic_thread_id", ASCENDING)], name="topic"),
        IndexModel([("phone", ASCENDING)], name="phone"),
        IndexModel([("assistant_id", ASCENDING)], name="assistant"),
    ],
    "assistants": [IndexModel([("telegram_id", ASCENDING)], unique=True, name="telegram_id")],
    "requests": [IndexModel([("client_id", ASCENDING), ("open", ASCENDING)], name="client_open")],
    "budgets": [IndexModel([("group", ASCENDING), ("free_at_ms", ASCENDING)], name="group_free")],
}


async def ensure_indexes(db: AsyncDatabase) -> None:
    for collection, models in INDEXES.items():
        await db[collection].create_indexes(models)
