"""The phone's pure rules: a caller's language from their number, a voice for each language, states that
only move forward."""

import pytest

from domain.calls import VOICES, caller_language, check_callback, duration_text, moves_forward, seconds
from domain.clients import Language
from domain.errors import InvalidValue


@pytest.mark.parametrize(
    ("number", "language"),
    [
        ("+971501234567", Language.AR),  # UAE
        ("+966501234567", Language.AR),  # Saudi Arabia
        ("+97455123456", Language.AR),  # Qatar
        ("+201001234567", Language.AR),  # Egypt
        ("+74951234567", Language.RU),  # Moscow
        ("+77011234567", Language.RU),  # Kazakhstan (+7 too)
        ("+442071234567", Language.EN),
        ("+14155238886", Language.EN),
        ("not a number", Language.EN),
    ],
)
def test_a_new_callers_language_follows_their_country_code(number: str, language: Language) -> None:
    assert caller_language(number) is language


def test_every_language_has_a_voice() -> None:
    assert set(VOICES) == set(Language)
    assert all(voice.startswith("Polly.") and "-" in code for voice, code in VOICES.values())


def test_states_only_move_forward() -> None:
    assert moves_forward(None, "ringing")
    assert moves_forward("ringing", "in-progress") and moves_forward("in-progress", "completed")
    assert not moves_forward("completed", "ringing")  # a late callback
    assert not moves_forward("completed", "in-progress")
    assert not moves_forward("busy", "completed")  # one way of ending is enough
    assert not moves_forward("ringing", "ringing")  # the same callback twice
    assert not moves_forward(None, "exploded")


def test_a_calls_length_reads_well() -> None:
    assert duration_text(252) == "4 min 12 sec" and duration_text(42) == "42 sec"
    assert duration_text(-3) == "0 sec"


def test_a_callbacks_durations_and_states_are_read_or_refused_without_their_value() -> None:
    assert seconds({"CallDuration": "252"}, "CallDuration") == 252 and seconds({}, "CallDuration") == 0
    for raw in ("abc", "1e9", "-5", "9" * 40, "٣", "86401"):
        with pytest.raises(InvalidValue, match="CallDuration must be whole seconds") as refused:
            seconds({"CallDuration": raw}, "CallDuration")
        assert raw not in str(refused.value)
    check_callback({"CallStatus": "in-progress", "DialCallStatus": "no-answer", "RecordingDuration": "42"})
    for form in ({"CallStatus": "exploded"}, {"DialCallStatus": "ringing"}):
        with pytest.raises(InvalidValue):
            check_callback(form)
