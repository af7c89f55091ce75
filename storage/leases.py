"""Leases: an item is handed to one worker until its lease runs out."""

from datetime import timedelta
from typing import Any


def due(pending: str, held: str, now_ms: int, also: dict[str, Any] | None = None) -> dict[str, Any]:
    """Due now: `pending` and its time has come, or `held` under a lease that expired (its worker died).
    Further conditions (`also`) are repeated inside each branch, so the filter is one plain `$or`: nx-27017
    reads an update's `{"_id": X, "$or": [A, B]}` as `_id = X AND A OR B`, and with `$and` and a sort it
    updates one document and returns another (tests/integration/test_store_conformance.py)."""
    return {
        "$or": [
            {**(also or {}), "status": pending, "next_attempt_ms": {"$lte": now_ms}},
            {**(also or {}), "status": held, "lease_ms": {"$lt": now_ms}},
        ]
    }


def claim_update(status: str, worker: str, now_ms: int, lease: timedelta) -> dict[str, Any]:
    """The update that hands an item to `worker` until the lease runs out (then anyone may take it over)."""
    return {
        "$set": {"status": status, "worker": worker, "lease_ms": now_ms + int(lease.total_seconds() * 1000)},
        "$inc": {"attempts": 1},
    }


class WrongClaim(RuntimeError):
    """The store handed over something other than what was claimed: stop before anything is sent."""


def checked_claim(doc: dict[str, Any], wanted_id: str, worker: str) -> dict[str, Any]:
    """A claim returns exactly the item asked for, now held by `worker` — or nothing goes further."""
    if doc.get("_id") != wanted_id or doc.get("worker") != worker:
        raise WrongClaim(f"claimed {wanted_id!r} for {worker}, the store returned {doc.get('_id')!r}")
    return doc
