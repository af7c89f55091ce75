"""The sun's times at a place, so that "after Maghrib", "بعد صلاة الجمعة" or "at sunrise" read from the real
sky of the day (Moscow's sunset is ~16:00 in late November and ~21:20 in June), not from fixed hours.

The sun: NOAA's solar position algorithm (after Meeus: Julian centuries, declination, equation of time),
each event iterated at its own moment; sunrise and sunset at -0.833° (refraction and the half disc).
The prayers: MWL angles (Fajr 18°, Isha 17° below the horizon), Shafi'i/standard Asr (shadow = object +
its noon shadow), Dhuhr at solar noon rounded up to the minute (the sun has passed the meridian),
Maghrib at sunset, and the angle-based high-latitude rule (praytimes.org "AngleBased"): Fajr no earlier
than sunrise - 18/60 of the night and Isha no later than sunset + 17/60 of it, which also gives them when
the sun never gets that low (Moscow from about May to August).
Moscow's mosques publish the Spiritual Administration's own tables, which may differ by minutes (more for
Fajr and Isha in summer). A day with no sunrise, no sunset or no Asr shadow raises PolarDayOrNight.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import DomainError

HORIZON = -0.833
FAJR_ANGLE = 18.0
ISHA_ANGLE = 17.0
_J2000 = datetime(2000, 1, 1, 12, tzinfo=UTC)
_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Place:
    latitude: float  # degrees, north positive
    longitude: float  # degrees, east positive


MOSCOW = Place(55.7558, 37.6173)


@dataclass(frozen=True, slots=True)
class PrayerTimes:
    """Aware datetimes in the place's zone, to the minute; Isha may fall after local midnight."""

    fajr: datetime
    sunrise: datetime
    dhuhr: datetime
    asr: datetime
    maghrib: datetime
    isha: datetime

    @property
    def sunset(self) -> datetime:
        return self.maghrib


class PolarDayOrNight(DomainError):
    """No sunset (polar day), or no sunrise or none high enough to cast an Asr shadow (polar night, and its
    edges where refraction alone lifts the sun): no Maghrib, night or Asr to go by."""

    code = "polar_day_or_night"

    def __init__(self, day: date, place: Place, *, polar_day: bool) -> None:
        kind = "polar day: the sun does not set" if polar_day else "polar night: the sun stays too low"
        super().__init__(f"{kind} at {place.latitude}, {place.longitude} on {day.isoformat()}")
        self.polar_day = polar_day


def prayer_times(day: date, place: Place, tz: ZoneInfo) -> PrayerTimes:
    noon = _transit(day, place, tz)
    sunrise = _when(noon, place, _horizon_target(place, -1))
    sunset = _when(noon, place, _horizon_target(place, +1))
    asr = _when(noon, place, _asr_target(place))
    if sunrise is None or sunset is None or asr is None:
        raise PolarDayOrNight(day, place, polar_day=sunset is None and _altitude_at_noon(noon, place) > 0)
    # the night before this sunrise and the night after this sunset; next to a polar spell, a day's own +24 h
    last_sunset = _when(noon - _DAY, place, _horizon_target(place, +1)) or sunset - _DAY
    next_sunrise = _when(noon + _DAY, place, _horizon_target(place, -1)) or sunrise + _DAY
    earliest_fajr = sunrise - (sunrise - last_sunset) * (FAJR_ANGLE / 60)
    latest_isha = sunset + (next_sunrise - sunset) * (ISHA_ANGLE / 60)
    fajr = _when(noon, place, _depression_target(place, FAJR_ANGLE, -1))
    isha = _when(noon, place, _depression_target(place, ISHA_ANGLE, +1))
    return PrayerTimes(
        fajr=_to_minute(earliest_fajr if fajr is None else max(fajr, earliest_fajr), tz),
        sunrise=_to_minute(sunrise, tz),
        dhuhr=_to_minute(noon, tz, up=True),
        asr=_to_minute(asr, tz),
        maghrib=_to_minute(sunset, tz),
        isha=_to_minute(latest_isha if isha is None else min(isha, latest_isha), tz),
    )


def _sun(t: datetime) -> tuple[float, float]:
    """The sun's declination (degrees) and the equation of time (minutes) at t, by NOAA's formulas."""
    jc = (t - _J2000).total_seconds() / 86400 / 36525
    mean_longitude = (280.46646 + jc * (36000.76983 + jc * 0.0003032)) % 360
    anomaly = 357.52911 + jc * (35999.05029 - 0.0001537 * jc)
    eccentricity = 0.016708634 - jc * (0.000042037 + 0.0000001267 * jc)
    centre = (
        _sin(anomaly) * (1.914602 - jc * (0.004817 + 0.000014 * jc))
        + _sin(2 * anomaly) * (0.019993 - 0.000101 * jc)
        + _sin(3 * anomaly) * 0.000289
    )
    node = 125.04 - 1934.136 * jc
    apparent_longitude = mean_longitude + centre - 0.00569 - 0.00478 * _sin(node)
    mean_obliquity = 23 + (26 + (21.448 - jc * (46.815 + jc * (0.00059 - jc * 0.001813))) / 60) / 60
    obliquity = mean_obliquity + 0.00256 * _cos(node)
    declination = math.degrees(math.asin(_sin(obliquity) * _sin(apparent_longitude)))
    y = math.tan(math.radians(obliquity / 2)) ** 2
    l0, m, e = math.radians(mean_longitude), math.radians(anomaly), eccentricity
    equation = (
        y * math.sin(2 * l0)
        - 2 * e * math.sin(m)
        + 4 * e * y * math.sin(m) * math.cos(2 * l0)
        - 0.5 * y * y * math.sin(4 * l0)
        - 1.25 * e * e * math.sin(2 * m)
    )
    return declination, 4 * math.degrees(equation)


def _hour_angle(t: datetime, place: Place, equation: float) -> float:
    """Degrees west of the meridian, in [-180, 180): J2000 fell at 12:00 UT, so whole days drop out."""
    minutes = (t - _J2000).total_seconds() / 60
    return _wrap((minutes + equation + 4 * place.longitude) / 4)


def _when(start: datetime, place: Place, target: Callable[[float], float | None]) -> datetime | None:
    """The moment near `start` when the sun's hour angle is target(declination), or None if never."""
    t = start
    for _ in range(3):  # the declination and the equation at the event's own moment: converged to seconds
        declination, equation = _sun(t)
        wanted = target(declination)
        if wanted is None:
            return None
        t += timedelta(minutes=4 * _wrap(wanted - _hour_angle(t, place, equation)))
    return t


def _transit(day: date, place: Place, tz: ZoneInfo) -> datetime:
    noon = datetime.combine(day, time(12), tzinfo=tz).astimezone(UTC)
    t = _when(noon, place, lambda _declination: 0.0)
    assert t is not None  # the meridian is always crossed
    return t


def _hour_angle_at(altitude: float, latitude: float, declination: float) -> float | None:
    """The hour angle (degrees, 0..180) at which the sun stands at `altitude`, or None if it never does."""
    denominator = _cos(latitude) * _cos(declination)
    if abs(denominator) < 1e-12:  # at a pole the sun circles at one height
        return None
    cosine = (_sin(altitude) - _sin(latitude) * _sin(declination)) / denominator
    return math.degrees(math.acos(cosine)) if -1 <= cosine <= 1 else None


def _horizon_target(place: Place, side: int) -> Callable[[float], float | None]:
    return _depression_target(place, -HORIZON, side)


def _depression_target(place: Place, below: float, side: int) -> Callable[[float], float | None]:
    def target(declination: float) -> float | None:
        angle = _hour_angle_at(-below, place.latitude, declination)
        return None if angle is None else side * angle

    return target


def _asr_target(place: Place) -> Callable[[float], float | None]:
    def target(declination: float) -> float | None:
        shadow = 1 + math.tan(math.radians(abs(place.latitude - declination)))  # Shafi'i: factor 1
        if shadow <= 0:  # the sun never clears the horizon at noon
            return None
        return _hour_angle_at(math.degrees(math.atan(1 / shadow)), place.latitude, declination)

    return target


def _altitude_at_noon(noon: datetime, place: Place) -> float:
    declination, _ = _sun(noon)
    return 90 - abs(place.latitude - declination)


def _to_minute(t: datetime, tz: ZoneInfo, *, up: bool = False) -> datetime:
    whole = t.replace(second=0, microsecond=0)
    rest = t - whole
    if rest >= timedelta(seconds=30) or (up and rest > timedelta(0)):
        whole += _MINUTE
    return whole.astimezone(tz)


def _wrap(degrees: float) -> float:
    return (degrees + 180) % 360 - 180


def _sin(degrees: float) -> float:
    return math.sin(math.radians(degrees))


def _cos(degrees: float) -> float:
    return math.cos(math.radians(degrees))
