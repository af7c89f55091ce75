"""Every staff-facing text exists in English and Russian and renders; every event has a readable line."""

from datetime import UTC, datetime

import pytest
from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import FluentParser, ast

from domain.events import SYSTEM, Event, EventType
from engine.event_lines import SPECIFIC, line
from engine.i18n import LOCALES_DIR, STAFF_FILE, STAFF_LANGUAGES

SAMPLE = {
    "minutes": "5 min",
    "hours": 2,
    "name": "Anna",
    "amount": "RUB 45,000",
    "currency": "RUB",
    "type": "Thing",
    "tags": "vip",
    "text": "hello",
    "language": "ar",
    "channel": "WhatsApp",
    "command": "/done",
    "args": "",
    "version": 2,
    "reason": "plans changed",
    "rating": 5,
    "step": 2,
    "assistant": "Omar",
    "stream": "C-1",
}


def _ids(language: str) -> dict[str, ast.Message]:
    resource = FluentParser().parse((LOCALES_DIR / language / STAFF_FILE).read_text())
    assert not [e for e in resource.body if isinstance(e, ast.Junk)], (
        f"{language}/{STAFF_FILE} does not parse"
    )
    return {e.id.name: e for e in resource.body if isinstance(e, ast.Message)}


def test_english_and_russian_have_the_same_staff_texts() -> None:
    english = set(_ids("en"))
    assert english and set(_ids("ru")) == english


@pytest.mark.parametrize("language", STAFF_LANGUAGES)
def test_every_staff_text_renders_without_errors(language: str) -> None:
    bundle = FluentBundle([language], use_isolating=False)
    bundle.add_resource(FluentResource((LOCALES_DIR / language / STAFF_FILE).read_text()))
    for message_id in _ids(language):
        text, errors = bundle.format_pattern(bundle.get_message(message_id).value, SAMPLE)
        assert not errors and text.strip(), (language, message_id, errors)


def test_every_event_type_has_a_line_in_both_languages() -> None:
    ids = set(_ids("en"))
    assert {f"ev-{t.value}" for t in SPECIFIC} <= ids
    for event_type in EventType:
        event = Event("client:C-1", 1, event_type, datetime(2026, 11, 29, tzinfo=UTC), SYSTEM, "c", {})
        for language in STAFF_LANGUAGES:
            try:
                shown = line(event, {}, language)
            except (KeyError, TypeError):
                continue  # its data is required (a quote, a payment): tested with real data elsewhere
            assert shown.text and "{" not in shown.text, (event_type, language, shown.text)
