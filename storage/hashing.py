"""The per-stream hash chain: hash = sha256(prev + canonical JSON of the event)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = ""


def at_millis(moment: datetime) -> datetime:
    """MongoDB keeps milliseconds: cut to them before hashing so the stored event hashes the same."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(
    prev: str, *, stream: str, seq: int, type: str, at: datetime, actor: dict, cause: str, data: dict
) -> str:
    body = {
        "stream": stream,
        "seq": seq,
        "type": type,
        "at": at_millis(at).isoformat(timespec="milliseconds"),
        "actor": actor,
        "cause": cause,
        "data": data,
    }
    return hashlib.sha256(prev.encode() + canonical(body)).hexdigest()
