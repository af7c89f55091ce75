"""The request card: what was understood, as the assistant reads it."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from domain.intake import Category, Understanding
from domain.requests import ServiceRequest
from engine.forum.cards import render

MOSCOW = ZoneInfo("Europe/Moscow")


def card(when: datetime | None, time_known: bool) -> str:
    details = Understanding(Category.DINING, when, time_known)
    return render(ServiceRequest("R-1001", "C-1001", "A table on Sunday", details), MOSCOW)


def test_a_day_without_a_time_reads_cleanly() -> None:
    sunday = datetime(2026, 11, 29, 0, 0, tzinfo=MOSCOW)
    assert card(sunday, False).splitlines()[1] == "🕗 Sun 29 Nov · time?"


def test_a_day_and_a_time_in_the_business_timezone() -> None:
    at = datetime(2026, 11, 29, 17, 30, tzinfo=UTC)  # 20:30 in Moscow
    assert card(at, True).splitlines()[1] == "🕗 Sun 29 Nov, 20:30"
    assert card(None, False).splitlines()[1] == "🕗 —"


def test_a_time_already_past_when_said_is_marked_to_confirm() -> None:
    at = datetime(2026, 11, 28, 20, 0, tzinfo=MOSCOW)
    details = Understanding(Category.DINING, at, True, time_past=True)
    shown = render(ServiceRequest("R-1001", "C-1001", "A table tonight at 8", details), MOSCOW)
    assert shown.splitlines()[1] == "🕗 Sat 28 Nov, 20:00 · ⚠️ already past when said: confirm"


def test_two_times_offered_read_as_a_question_not_a_guess() -> None:
    """ "at 7 or 8": the card asks ("time?") with the day if one was said, and without one if not."""
    from domain.intake import understand

    now = datetime(2026, 11, 28, 15, 0, tzinfo=MOSCOW)
    said = understand("a table tomorrow at 7 or 8", now, MOSCOW)
    assert said.time_unsure and not said.time_known
    assert render(ServiceRequest("R-1", "C-1", "x", said), MOSCOW).splitlines()[1] == "🕗 Sun 29 Nov · time?"
    said = understand("столик в 7 или в 8", now, MOSCOW)
    assert said.when is None and said.time_unsure
    assert render(ServiceRequest("R-1", "C-1", "x", said), MOSCOW).splitlines()[1] == "🕗 time?"
    assert Understanding.from_data(said.to_data()) == said
