"""domain.sun against published and independently computed times, and its rules over whole years.

References, each to ±2 minutes: the times the brief quotes (timeanddate/NOAA style, rounded as published);
PyEphem 4.2.1 (libastro, VSOP87: not NOAA's series), sun's centre at -0.833° with no extra refraction;
praytimes.org's own Python code (v2.3.2, set to MWL 18°/17°, Standard Asr, AngleBased, three iterations).
"""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from domain.errors import DomainError
from domain.sun import MOSCOW, Place, PolarDayOrNight, PrayerTimes, prayer_times

MSK = ZoneInfo("Europe/Moscow")
LONDON = ZoneInfo("Europe/London")
MECCA = Place(21.4225, 39.8262)
DUBAI = Place(25.2048, 55.2708)
GREENWICH = Place(51.4769, 0.0)
MURMANSK = Place(68.97, 33.08)
LONGYEARBYEN = Place(78.22, 15.65)
DAY, ZERO = timedelta(days=1), timedelta(0)
NAMES = ("fajr", "sunrise", "dhuhr", "asr", "maghrib", "isha")


def _year(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


def _off_by(got: datetime, expected: str) -> float:
    """Minutes between `got` and HH:MM on its own local date."""
    hour, minute = map(int, expected.split(":"))
    return abs((got - got.replace(hour=hour, minute=minute)).total_seconds()) / 60


SUN = [
    # the brief's published values
    (MOSCOW, MSK, date(2026, 11, 28), "08:30", "16:04"),
    (MOSCOW, MSK, date(2026, 6, 21), "03:44", "21:18"),
    # PyEphem (08:57:27, 15:57:37); the brief's 08:59 is Moscow's latest sunrise (Dec 25 - Jan 1)
    (MOSCOW, MSK, date(2026, 12, 21), "08:57", "15:58"),
    (MECCA, ZoneInfo("Asia/Riyadh"), date(2026, 6, 21), "05:39", "19:06"),
    (MECCA, ZoneInfo("Asia/Riyadh"), date(2026, 12, 21), "06:54", "17:44"),
    (GREENWICH, LONDON, date(2026, 3, 20), "06:03", "18:13"),
    (GREENWICH, LONDON, date(2026, 10, 24), "07:39", "17:48"),  # BST, the eve of the change
    (GREENWICH, LONDON, date(2026, 10, 25), "06:41", "16:46"),  # GMT
]


@pytest.mark.parametrize(("place", "tz", "day", "sunrise", "sunset"), SUN)
def test_sunrise_and_sunset_agree_with_the_references(
    place: Place, tz: ZoneInfo, day: date, sunrise: str, sunset: str
) -> None:
    times = prayer_times(day, place, tz)
    assert _off_by(times.sunrise, sunrise) <= 2
    assert _off_by(times.sunset, sunset) <= 2


PRAYERS = [
    # the brief's own quick computation for Moscow
    (MOSCOW, MSK, date(2026, 11, 28), "06:14 08:30 12:17 13:47 16:04 18:13"),
    (MOSCOW, MSK, date(2026, 12, 4), "06:22 08:40 12:19 13:44 15:59 18:10"),
    # praytimes.org's code; Apr 25 and Aug 8 are bound by the night's portion, Jun 21 has no 17°/18° at all
    (MOSCOW, MSK, date(2026, 3, 20), "04:25 06:32 12:37 15:49 18:43 20:42"),
    (MOSCOW, MSK, date(2026, 4, 25), "02:17 05:01 12:28 16:28 19:56 22:30"),
    (MOSCOW, MSK, date(2026, 6, 21), "01:49 03:45 12:31 17:03 21:18 23:08"),
    (MOSCOW, MSK, date(2026, 8, 8), "02:16 04:48 12:35 16:45 20:22 22:45"),
    (MECCA, ZoneInfo("Asia/Riyadh"), date(2026, 6, 21), "04:14 05:39 12:22 15:42 19:06 20:26"),
    (DUBAI, ZoneInfo("Asia/Dubai"), date(2026, 1, 15), "05:46 07:06 12:28 15:30 17:51 19:06"),
    (DUBAI, ZoneInfo("Asia/Dubai"), date(2026, 7, 15), "04:11 05:38 12:25 15:49 19:12 20:34"),
    (GREENWICH, LONDON, date(2026, 3, 28), "03:48 05:45 12:05 15:33 18:27 20:16"),
    (GREENWICH, LONDON, date(2026, 3, 29), "04:46 06:42 13:05 16:34 19:28 21:18"),  # the first BST day
]


@pytest.mark.parametrize(("place", "tz", "day", "expected"), PRAYERS)
def test_prayer_times_agree_with_the_references(place: Place, tz: ZoneInfo, day: date, expected: str) -> None:
    times = prayer_times(day, place, tz)
    off = {
        name: _off_by(getattr(times, name), hhmm) for name, hhmm in zip(NAMES, expected.split(), strict=True)
    }
    assert max(off.values()) <= 2, off


def test_times_are_whole_minutes_in_the_zone_asked_for() -> None:
    times = prayer_times(date(2026, 11, 28), MOSCOW, MSK)
    for name in NAMES:
        moment = getattr(times, name)
        assert moment.tzinfo is MSK
        assert (moment.second, moment.microsecond) == (0, 0)
    assert times.sunset == times.maghrib
    assert times.dhuhr.strftime("%H:%M") == "12:18"  # solar noon is 12:17:26, and Dhuhr is after it


def test_the_change_to_and_from_summer_time_moves_the_clock_not_the_sun() -> None:
    before, after = (prayer_times(date(2026, 3, d), GREENWICH, LONDON) for d in (28, 29))
    assert (before.sunrise.utcoffset(), after.sunrise.utcoffset()) == (timedelta(0), timedelta(hours=1))
    # (aware datetimes of one zone subtract by their clocks: the sun's own day is read in UTC)
    assert timedelta(minutes=-4) < after.sunrise.astimezone(UTC) - before.sunrise.astimezone(UTC) - DAY < ZERO
    assert after.sunrise.hour - before.sunrise.hour == 1
    autumn = prayer_times(date(2026, 10, 25), GREENWICH, LONDON)
    assert autumn.fajr.utcoffset() == autumn.isha.utcoffset() == timedelta(0)


CITIES = [
    (MOSCOW, MSK, 0),
    (DUBAI, ZoneInfo("Asia/Dubai"), 0),
    # polar night Nov 27 - Jan 15 (no sunrise Dec 2 - Jan 11, then no Asr shadow), polar day May 21 - Jul 22
    (MURMANSK, MSK, 15 + 63 + 35),
]


@pytest.mark.parametrize(("place", "tz", "polar"), CITIES)
def test_every_day_of_a_year_is_in_order(place: Place, tz: ZoneInfo, polar: int) -> None:
    days: list[PrayerTimes] = []
    skipped = 0
    for day in _year(2026):
        try:
            days.append(prayer_times(day, place, tz))
        except PolarDayOrNight:
            skipped += 1
            continue
        t = days[-1]
        assert t.fajr < t.sunrise < t.dhuhr <= t.asr < t.maghrib < t.isha, day
        assert t.dhuhr < t.asr or place is MURMANSK, day  # the sun barely up: both in the same minute
    assert skipped == polar
    for today, tomorrow in pairwise(days):
        if tomorrow.sunrise - today.sunrise < 2 * DAY:  # (not across a polar spell)
            assert today.isha < tomorrow.fajr


def test_fajr_and_isha_keep_within_their_portions_of_the_night_all_year() -> None:
    days = {day: prayer_times(day, MOSCOW, MSK) for day in _year(2026)}
    for day in _year(2026)[1:-1]:
        t, previous, following = days[day], days[day - timedelta(1)], days[day + timedelta(1)]
        assert t.sunrise - t.fajr <= (t.sunrise - previous.sunset) * 18 / 60 + timedelta(minutes=1)
        assert t.isha - t.sunset <= (following.sunrise - t.sunset) * 17 / 60 + timedelta(minutes=1)


def test_in_a_moscow_june_fajr_and_isha_are_the_angle_based_portions_of_the_night() -> None:
    for n in range(30):
        day = date(2026, 6, 1) + timedelta(days=n)
        t, previous, following = (prayer_times(day + timedelta(days=k), MOSCOW, MSK) for k in (0, -1, 1))
        night_before, night_after = t.sunrise - previous.sunset, following.sunrise - t.sunset
        assert abs(t.sunrise - t.fajr - night_before * 18 / 60) <= timedelta(minutes=1)
        assert abs(t.isha - t.sunset - night_after * 17 / 60) <= timedelta(minutes=1)
        assert previous.sunset < t.fajr < t.sunrise and t.sunset < t.isha < following.sunrise


def test_in_a_moscow_winter_the_angles_themselves_give_fajr_and_isha() -> None:
    t = prayer_times(date(2026, 11, 28), MOSCOW, MSK)
    following = prayer_times(date(2026, 11, 29), MOSCOW, MSK)
    assert t.isha - t.sunset < (following.sunrise - t.sunset) * 17 / 60 - timedelta(hours=2)


@pytest.mark.parametrize(
    ("day", "polar_day"), [(date(2026, 6, 21), True), (date(2026, 12, 21), False), (date(2026, 2, 1), False)]
)
def test_polar_day_and_night_raise_a_domain_error(day: date, polar_day: bool) -> None:
    with pytest.raises(PolarDayOrNight) as raised:
        prayer_times(day, LONGYEARBYEN, ZoneInfo("Arctic/Longyearbyen"))
    assert isinstance(raised.value, DomainError)
    assert raised.value.polar_day is polar_day
    assert ("does not set" in str(raised.value)) is polar_day


def test_murmansks_polar_day_starts_and_ends_when_pyephem_says() -> None:
    def polar_day(day: date) -> bool:
        try:
            prayer_times(day, MURMANSK, MSK)
        except PolarDayOrNight as error:
            return error.polar_day
        return False

    assert [polar_day(date(2026, 5, d)) for d in (20, 21)] == [False, True]
    assert [polar_day(date(2026, 7, d)) for d in (22, 23)] == [True, False]
    # its last night before: the sun sets after local midnight, and Isha follows it
    last = prayer_times(date(2026, 5, 20), MURMANSK, MSK)
    assert last.maghrib.date() == date(2026, 5, 21) and last.maghrib < last.isha


def test_at_the_pole_there_is_no_day_to_reckon() -> None:
    with pytest.raises(PolarDayOrNight):
        prayer_times(date(2026, 6, 21), Place(90.0, 0.0), ZoneInfo("UTC"))
