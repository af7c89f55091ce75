"""One write of many documents, and which of them the store refused as already there."""

from __future__ import annotations

from pymongo.errors import BulkWriteError

DUPLICATE_KEY = 11000  # the store's duplicate key error


def duplicates(error: BulkWriteError) -> set[int]:
    """The indexes of the writes refused for a duplicate `_id` (an insert of one already there, an upsert
    whose filter no longer matches); any other refusal is raised as it is."""
    refused = error.details.get("writeErrors", [])
    if any(e.get("code") != DUPLICATE_KEY for e in refused):
        raise error
    return {e["index"] for e in refused}
