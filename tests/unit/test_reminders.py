"""A paid request's reminders to its client: the evening before at 19:00 and two hours before, business time,
only at a decent hour, only ahead, never right after the payment."""

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.reminders import decent_at_or_before, nice_moment, reminders, too_late

MSK = ZoneInfo("Europe/Moscow")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=MSK)


def test_a_dinner_tomorrow_is_reminded_the_evening_before_and_two_hours_before() -> None:
    assert reminders(at(6, 21), at(5, 10), MSK, at(5, 9)) == [(1, at(5, 19)), (2, at(6, 19))]


def test_an_early_pickup_is_not_reminded_at_dawn_and_the_evening_before_still_is() -> None:
    assert reminders(at(6, 7), at(5, 10), MSK, at(5, 9)) == [(1, at(5, 19))]  # (05:00 is no hour to ring)


def test_a_time_today_has_no_evening_before_and_nothing_within_an_hour_of_paying() -> None:
    assert reminders(at(5, 21), at(5, 12), MSK, at(5, 12)) == [(2, at(5, 19))]
    assert reminders(at(5, 21), at(5, 18, 30), MSK, at(5, 18, 30)) == []  # paid 30 min before it was due
    assert reminders(at(6, 20), at(5, 23), MSK, at(5, 23)) == [(2, at(6, 18))]  # the evening has gone


def test_a_time_just_after_midnight_is_reminded_the_evening_before_it_and_not_at_half_past_ten() -> None:
    assert reminders(at(7, 0, 30), at(5, 10), MSK, None) == [(1, at(6, 19))]  # (22:30: too late to ring)
    assert reminders(at(6, 22, 30), at(6, 10), MSK, None) == [(2, at(6, 20, 30))]
    assert reminders(at(6, 21), at(6, 10), MSK, None) == [(2, at(6, 19))]  # (19:00 that day: not "before")


def test_times_are_read_in_the_business_time_zone_whatever_zone_they_come_in() -> None:
    utc = at(6, 21).astimezone(ZoneInfo("UTC"))
    assert reminders(utc, at(5, 10), MSK, None) == [(1, at(5, 19)), (2, at(6, 19))]


def test_a_reminder_due_while_the_service_was_down_goes_late_but_not_pointlessly() -> None:
    assert not too_late(1, at(6, 21), at(5, 23))  # the evening's, four hours late: the day is still ahead
    assert too_late(1, at(6, 21), at(6, 18))  # the day itself: the last reminder says it
    assert not too_late(2, at(6, 21), at(6, 20, 20)) and too_late(2, at(6, 21), at(6, 20, 30))


def test_a_nudge_due_at_night_comes_the_evening_before() -> None:
    moscow = ZoneInfo("Europe/Moscow")
    noon = datetime(2026, 12, 7, 12, 0, tzinfo=moscow)
    assert decent_at_or_before(noon, moscow) == noon
    assert decent_at_or_before(datetime(2026, 12, 7, 6, 0, tzinfo=moscow), moscow) == datetime(
        2026, 12, 6, 19, 0, tzinfo=moscow
    )
    assert decent_at_or_before(datetime(2026, 12, 7, 23, 30, tzinfo=moscow), moscow) == datetime(
        2026, 12, 7, 19, 0, tzinfo=moscow
    )


def test_something_merely_nice_waits_for_a_decent_hour_outside_the_client_s_quiet_hours() -> None:
    assert nice_moment(at(7, 14, 25), MSK, None) == at(7, 14, 25)  # now
    assert nice_moment(at(7, 23, 30), MSK, None) == at(8, 8)  # not at night: in the morning
    assert nice_moment(at(8, 3), MSK, None) == at(8, 8)
    assert nice_moment(at(7, 21, 59), MSK, None) == at(7, 21, 59)
    assert nice_moment(at(7, 16), MSK, (15, 18)) == at(7, 18)  # their quiet hours end
    assert nice_moment(at(7, 23), MSK, (22, 10)) == at(8, 10)  # over midnight, past the decent morning
    assert nice_moment(at(7, 21), MSK, (20, 8)) == at(8, 8)
    assert nice_moment(at(7, 12), MSK, (6, 23)) is None  # no decent hour is theirs: never
