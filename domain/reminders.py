"""When a paid request's client is reminded of it: the evening before at 19:00 and two hours before, in the
business time zone — each only at a decent hour, only while still ahead, and never within an hour of the
payment (they have just seen it). Pure."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from domain.miniapp import is_quiet

EVENING = time(19, 0)  # the evening before
SOON = timedelta(hours=2)  # and this long before
DECENT = (time(8, 0), time(22, 0))  # a reminder lands between these, business time, or not at all
AFTER_PAYMENT = timedelta(hours=1)
GAP = timedelta(hours=4)  # the evening reminder only for a time at least this long after it
LAST_CALL = timedelta(minutes=30)  # a reminder due while the service was down goes late, but not this close


def too_late(step: int, when: datetime, now: datetime) -> bool:
    """A reminder that fell due while the service was down (or the sandbox's clock jumped): the evening's is
    pointless once the day itself is near, the last one once the booking is half an hour away."""
    return now >= when - (GAP if step == EVENING_STEP else LAST_CALL)


EVENING_STEP, SOON_STEP = 1, 2


def reminders(
    when: datetime, now: datetime, tz: tzinfo, paid_at: datetime | None
) -> list[tuple[int, datetime]]:
    """(step, due) of each reminder still to come, in order."""
    local = when.astimezone(tz)
    evening = datetime.combine(local.date() - timedelta(days=1), EVENING, tz)
    candidates = [(EVENING_STEP, evening)] if when - evening >= GAP else []
    candidates.append((SOON_STEP, when - SOON))
    floor = max(now, paid_at + AFTER_PAYMENT) if paid_at else now
    return [
        (step, due)
        for step, due in candidates
        if due > floor and DECENT[0] <= due.astimezone(tz).time() < DECENT[1]
    ]


def decent_at_or_before(at: datetime, tz: tzinfo) -> datetime:
    """`at` when it is a decent hour; otherwise the evening before it at 19:00 (a quote's nudge due at 6:00
    comes the evening before, not at 6:00 nor not at all)."""
    local = at.astimezone(tz)
    if DECENT[0] <= local.time() < DECENT[1]:
        return at
    day = local.date() if local.time() >= DECENT[1] else local.date() - timedelta(days=1)
    return datetime.combine(day, EVENING, tz)


def nice_moment(at: datetime, tz: tzinfo, quiet: tuple[int, int] | None) -> datetime | None:
    """When something merely nice to say (a rating question) may go: `at` when it is a decent hour outside
    the client's quiet hours, else the first whole hour that is (None when their quiet hours cover every
    decent hour)."""

    def nice(moment: datetime) -> bool:
        local = moment.astimezone(tz)
        return DECENT[0] <= local.time() < DECENT[1] and not is_quiet(quiet, local.hour)

    if nice(at):
        return at
    hour = at.astimezone(tz).replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    for k in range(1, 25):
        if nice(candidate := hour + timedelta(hours=k)):
            return candidate
    return None
