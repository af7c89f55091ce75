"""Leases: an item is handed to one worker until its lease runs out.

Every queue item carries `due_ms`: when it may be taken next — a pending item's next attempt, a held item's
lease end; None once it is finished (or parked). A claim is then one index seek on both engines: `_id` and
`due_ms <= now`, with no `$or` (nx-27017 reads an update's `{"_id": X, "$or": [A, B]}` as
`_id = X AND A OR B` and answers any `$or` by reading every row: tests/integration/test_store_conformance.py
and test_query_plans.py)."""

from datetime import timedelta
from typing import Any


def claimable(item_id: str, now_ms: int) -> dict[str, Any]:
    """The filter of a claim of one named item: due now (pending and its time has come, or held under a
    lease that ran out because its worker died)."""
    return {"_id": item_id, "due_ms": {"$lte": now_ms}}


def lease_end(now_ms: int, lease: timedelta) -> int:
    return now_ms + int(lease.total_seconds() * 1000)


def claim_update(status: str, worker: str, now_ms: int, lease: timedelta) -> dict[str, Any]:
    """The update that hands an item to `worker` until the lease runs out (then anyone may take it over)."""
    end = lease_end(now_ms, lease)
    return {
        "$set": {"status": status, "worker": worker, "lease_ms": end, "due_ms": end},
        "$inc": {"attempts": 1},
    }


class WrongClaim(RuntimeError):
    """The store handed over something other than what was claimed: stop before anything is sent."""


def checked_claim(doc: dict[str, Any], wanted_id: str, worker: str) -> dict[str, Any]:
    """A claim returns exactly the item asked for, now held by `worker` — or nothing goes further."""
    if doc.get("_id") != wanted_id or doc.get("worker") != worker:
        raise WrongClaim(f"claimed {wanted_id!r} for {worker}, the store returned {doc.get('_id')!r}")
    return doc
