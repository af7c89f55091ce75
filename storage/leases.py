from datetime import timedelta
from typing import Any


def claim_update(status: str, worker: str, now_ms: int, lease: timedelta) -> dict[str, Any]:
    """The update that hands an item to `worker` until the lease runs out (then anyone may take it over)."""
    return {
        "$set": {"status": status, "worker": worker, "lease_ms": now_ms + int(lease.total_seconds() * 1000)},
        "$inc": {"attempts": 1},
    }
