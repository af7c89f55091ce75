"""What a provider's payload must be before we keep it: plain JSON the store can hold, bounded in depth and in
the size of its numbers. Checked at the edge, in one pass, before anything is stored."""

from __future__ import annotations

import math
from typing import Any

from domain.errors import InvalidValue

MAX_DEPTH = 32  # Telegram's deepest updates (a reply to a message with a reply) are around 8 levels
INT64 = 2**63


def check_storable(value: Any, depth: int = 0) -> None:
    """InvalidValue, naming the problem (never the content), unless `value` can be stored as it is."""
    if depth > MAX_DEPTH:
        raise InvalidValue(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidValue("a number that is not finite")  # JSON has none; the store refuses it
    if value is None or isinstance(value, bool | float):
        return
    if isinstance(value, int):
        if not -INT64 <= value < INT64:
            raise InvalidValue("an integer outside 64 bits")
        return
    if isinstance(value, str):
        _check_text(value)
        return
    if isinstance(value, list):
        for item in value:
            check_storable(item, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or "\x00" in key or "." in key or key.startswith("$"):
                raise InvalidValue("a key the store cannot hold")
            _check_text(key)
            check_storable(item, depth + 1)
        return
    raise InvalidValue(f"a {type(value).__name__} is not JSON")


def check_integers(value: Any) -> None:
    """InvalidValue when an integer anywhere in `value` does not fit BSON's 64 bits (the store would raise
    OverflowError mid-write)."""
    if isinstance(value, int) and not isinstance(value, bool) and not -INT64 <= value < INT64:
        raise InvalidValue("an integer outside 64 bits")
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list | tuple) else ()
    for item in items:
        check_integers(item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidValue("text that is not valid Unicode (a lone surrogate)") from None
