"""The people of the stateful test: what they write in each language, the commands staff type, and a word
that finds one client message among everything a topic shows."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

LANGUAGES = ("en", "ar", "ru")
OPENING = {
    "en": ("Could you book a table for two tonight at 8?", "Book a car to Sheremetyevo tomorrow at 7"),
    "ar": ("أحتاج سيارة الليلة الساعة 9", "أريد حجز طاولة لشخصين غدا مساء"),
    "ru": ("Забронируйте столик на двоих сегодня в 20:00", "Нужна машина в Шереметьево завтра в 7 утра"),
}
FOLLOW_UP = {
    "en": ("Thank you!", "Please make it a black car"),
    "ar": ("شكرا جزيلا", "هل يمكن أن تكون السيارة سوداء؟"),
    "ru": ("Спасибо!", "Пожалуйста, чёрную машину"),
}
LANGUAGE_NAMES = {"en": "English", "ar": "العربية", "ru": "Русский"}
TOPIC_COMMANDS = (
    "/note prefers the Maybach",
    "/card",
    "/progress",
    "/done",
    "/cancel plans changed",
    "/new",
    "/away",
    "/back",
    "/stats",
    "/assign Omar",
    "/assign Dmitri",
    "/take",
    "/edit guests 3",
    "/close",
    "/call",
)
CONSOLE_ACTIONS = ("reply", "progress", "done", "note", "assign", "tags")
STAFF_IDS = {"A-9001": 9001, "A-9002": 9002, "A-9003": 9003}
_numbers = itertools.count(1001)


def next_number() -> int:
    """A number no other person of the run has (names, telephone numbers)."""
    return next(_numbers)


_words = itertools.count(1)


def tag() -> str:
    """A word no text contains, to find one client message among everything a topic shows."""
    n, letters = next(_words), ""
    while n:
        n, digit = divmod(n, 26)
        letters += chr(ord("a") + digit)
    return f"zq{letters}"


@dataclass
class Person:
    identity: str
    language: str
    user: dict[str, Any] | None = None  # on Telegram
    number: str | None = None  # on WhatsApp

    def __repr__(self) -> str:  # how hypothesis prints a failing sequence
        return f"Person({self.identity!r}, {self.language!r})"
