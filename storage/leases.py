"""Leases: an item is handed to one worker until its lease runs out."""

from datetime import timedelta
from typing import Any


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
