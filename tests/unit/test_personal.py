"""The table of personal fields: every event type takes a side, and each path names a field that exists."""

import pytest

from domain.events import EventType
from domain.personal import NOT_PERSONAL, PERSONAL, get_path, subject_of, with_path


def test_every_event_type_is_either_personal_or_said_not_to_be() -> None:
    assert set(PERSONAL) | NOT_PERSONAL == set(EventType), "put a new event type in domain/personal.py"
    assert not set(PERSONAL) & NOT_PERSONAL


def test_a_path_is_read_and_replaced_without_touching_the_original() -> None:
    data = {"message": {"text": "hi", "channel": "telegram"}, "n": 1}
    assert get_path(data, "message.text") == (True, "hi")
    assert get_path(data, "message.extra") == (False, None)
    assert get_path(data, "n.deeper") == (False, None)
    changed = with_path(data, "message.text", "")
    assert changed == {"message": {"text": "", "channel": "telegram"}, "n": 1}
    assert data["message"]["text"] == "hi"


@pytest.mark.parametrize(
    ("stream", "data", "subject"),
    [
        ("client:C-7", {}, "C-7"),
        ("conversation:C-7", {"message": {}}, "C-7"),
        ("request:R-1", {"client_id": "C-7"}, "C-7"),
        ("call:CA1", {"client_id": None}, None),  # a withheld number: nobody's
        ("staff:A-1", {"client_id": "C-7"}, None),  # the staff's own stream
    ],
)
def test_whose_an_event_is(stream: str, data: dict, subject: str | None) -> None:
    assert subject_of(stream, data) == subject
