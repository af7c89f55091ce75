"""Every event type reads as a human line for staff, in English and in Russian (never its type name)."""

import re
from datetime import UTC, datetime

import pytest

from domain.events import SYSTEM, Actor, ActorKind, Event, EventType
from engine.console.event_lines import line
from engine.i18n import STAFF_LANGUAGES
from tests.unit.test_staff_texts import _ids

T = EventType
AT = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
MONEY = {"minor": 4500000, "currency": "RUB"}
# each type's data as the engine records it (the types not here record nothing the line needs)
DATA: dict[EventType, dict] = {
    T.CLIENT_REGISTERED: {"name": "Layla"},
    T.CLIENT_IDENTITY_LINKED: {"identity": {"channel": "whatsapp", "external_id": "x"}},
    T.CLIENT_LANGUAGE_CHANGED: {"language": "ar", "first": False},
    T.CLIENT_ASSIGNED: {"assistant_id": "A-1"},
    T.CLIENT_TAGGED: {"tags": ["vip"]},
    T.CLIENT_UNREACHABLE: {"channel": "telegram"},
    T.CLIENT_MERGED: {"into": "C-2"},
    T.REQUEST_MOVED: {"client_id": "C-2", "from": "C-1"},
    T.MESSAGE_RECEIVED: {"message": {"channel": "telegram", "kind": "text", "text": "hello"}},
    T.STAFF_MESSAGE_SENT: {"assistant_id": "A-1", "message": {"kind": "text", "text": "hi"}},
    T.NOTE_ADDED: {"assistant_id": "A-1", "text": "likes tea"},
    T.STAFF_COMMAND_ISSUED: {"command": "done", "args": ""},
    T.CLIENT_ACTION_TAKEN: {"action": "ask", "request_id": "R-1001"},
    T.CHOICES_OFFERED: {"channel": "whatsapp", "choices": []},
    T.DELIVERY_PROBLEM: {"channel": "whatsapp", "problem": "window-closed"},
    T.INBOX_ITEM_SET_ASIDE: {"item": "tg:1", "source": "telegram", "reason": "ValueError"},
    T.ASSISTANT_ADDED: {"name": "Omar"},
    T.REQUEST_OPENED: {"request_id": "R-1001", "client_id": "C-1", "text": "a car at 8"},
    T.REQUEST_PAID: {"payment": {"amount": MONEY}},
    T.REQUEST_CANCELLED: {"reason": "plans changed"},
    T.REQUEST_REFUNDED: {"refund": {"amount": MONEY}},
    T.REQUEST_MESSAGE_ADDED: {"text": "and a child seat"},
    T.REQUEST_DETAILS_CHANGED: {"field": "when"},
    T.PAYMENT_FAILED: {"transaction_id": 1, "reason": "Insufficient funds"},
    T.CLIENT_PREFERENCES_SET: {"preferences": "still water"},
    T.RESPONSE_OVERDUE: {"step": 1, "action": "reminded"},
    T.QUOTE_REMINDED: {"step": 1, "version": 2},
    T.FULFILMENT_DUE: {"step": 1, "action": "overdue", "when": "2026-11-29T20:00:00+03:00"},
    T.RATING_ASKED: {"channel": "telegram"},
    T.REQUEST_RATED: {"score": 4, "tap": "x"},
    T.RATING_COMMENTED: {"text": "lovely driver"},
    T.FORUM_TOPIC_REQUESTED: {"purpose": "escalations", "generation": 1},
    T.FORUM_TOPIC_OPENED: {"purpose": "escalations", "generation": 1, "thread_id": 5},
    T.FORUM_TOPIC_LOST: {"purpose": "escalations", "generation": 1},
    T.ASSISTANT_UI_LANGUAGE_SET: {"ui_language": "ru"},
    T.CALL_RECEIVED: {"call_sid": "CA1", "client_id": "C-1", "ring": ["A-1"], "direction": "inbound"},
    T.CALL_LEG_ENDED: {"leg": 0, "assistant_id": "A-1", "status": "no-answer", "seconds": 0},
    T.CALL_ANSWERED: {"call_sid": "CA1", "assistant_id": "A-1", "seconds": 95},
    T.CALL_MISSED: {"call_sid": "CA1", "voicemail_seconds": 12},
    T.CALL_REQUESTED: {"assistant_id": "A-1"},
    T.CALL_LEG_STATUS: {"leg_sid": "CA2", "state": "ringing", "seconds": 0},
    T.VOICEMAIL_RECORDED: {"call_sid": "CA1", "recording_sid": "RE1", "seconds": 12, "conversation": False},
}
TYPE_NAMES = re.compile("|".join(t.value for t in EventType))


def _event(event_type: EventType) -> Event:
    actor = Actor(ActorKind.ASSISTANT, "A-1") if event_type.name.startswith("STAFF") else SYSTEM
    return Event("client:C-1", 1, event_type, AT, actor, "c", DATA.get(event_type, {}))


def test_every_event_type_has_its_own_line_in_english_and_russian() -> None:
    for language in STAFF_LANGUAGES:
        missing = {f"ev-{t.value}" for t in EventType} - set(_ids(language))
        assert not missing, (language, sorted(missing))


@pytest.mark.parametrize("language", STAFF_LANGUAGES)
@pytest.mark.parametrize("event_type", [t for t in EventType if t not in (T.REQUEST_QUOTED,)])
def test_no_line_shows_a_type_name_or_a_placeholder(event_type: EventType, language: str) -> None:
    shown = line(_event(event_type), {"A-1": "Omar"}, language).text
    assert shown.strip() and not TYPE_NAMES.search(shown), shown
    assert "?" not in shown and "{" not in shown and "ev-" not in shown, shown


def test_a_rating_reads_its_score() -> None:
    rated = _event(T.REQUEST_RATED)
    assert line(rated, {}, "en").text == "rated 4/5"
    assert line(rated, {}, "ru").text == "оценка 4/5"


def test_money_in_a_line_reads_in_the_readers_locale() -> None:
    paid = Event("request:R-1001", 2, T.REQUEST_PAID, AT, SYSTEM, "c", DATA[T.REQUEST_PAID])
    assert "RUB\u00a045,000" in line(paid, {}, "en").text
    assert "45\u00a0000\u00a0RUB" in line(paid, {}, "ru").text  # not "RUB 45,000" in a Russian console


def test_a_clients_tap_and_a_changed_field_read_in_the_readers_words() -> None:
    """A Russian timeline read 'client ask R-1001', 'client change R-1001' and 'детали заявки изменены:
    when'."""
    tapped = _event(T.CLIENT_ACTION_TAKEN)
    assert line(tapped, {}, "ru").text == "вопрос по предложению R-1001"
    assert line(tapped, {}, "en").text == "asked about the quote for R-1001"
    change = Event(
        "request:R-1001",
        5,
        T.CLIENT_ACTION_TAKEN,
        AT,
        SYSTEM,
        "c",
        {"action": "change", "request_id": "R-1001"},
    )
    assert line(change, {}, "ru").text == "R-1001: нужно изменить"
    stale = {"command": "client-decline-stale", "args": "decline:R-1001:1"}  # (as an older log recorded it)
    old = Event("conversation:C-1", 3, T.STAFF_COMMAND_ISSUED, AT, SYSTEM, "c", stale)
    assert line(old, {}, "ru").text == "отказ от предложения по R-1001 (предложение уже не действовало)"
    assert line(_event(T.REQUEST_DETAILS_CHANGED), {}, "ru").text == "детали заявки изменены: время"
    assert line(_event(T.STAFF_COMMAND_ISSUED), {}, "ru").text == "/done "


def test_machine_translation_turned_on_reads_in_the_readers_words() -> None:
    """The Russian activity page read '🌐 машинный перевод: on'."""
    turned = Event("client:C-1", 4, T.TRANSLATION_SET, AT, SYSTEM, "c", {"on": True})
    assert line(turned, {}, "ru").text == "🌐 машинный перевод: включён"
    assert line(turned, {}, "en").text == "🌐 machine translation on"
