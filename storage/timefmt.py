from datetime import UTC, datetime


def to_ms(moment: datetime) -> int:
    """Mutable timestamps (leases, retries) are kept as epoch milliseconds: exact and comparable on every
    engine (nx-27017 stores a datetime written by $set as a string)."""
    return int(moment.astimezone(UTC).timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)
