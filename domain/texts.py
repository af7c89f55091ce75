"""Long texts cut to a channel's limit where a reader would pause: between paragraphs, then sentences, then
words; a single unbroken run longer than the limit is cut where it must be."""

from __future__ import annotations

import re

WHATSAPP_MAX = 1600  # Twilio refuses a longer WhatsApp body (error 21617)
TELEGRAM_MAX = 4096
TELEGRAM_CAPTION_MAX = 1024  # a photo's or a file's caption

_SENTENCE_END = re.compile(r"(?<=[.!?…۔؟。])\s+")


def _pieces(text: str) -> list[str]:
    """Paragraphs, each followed by the blank line that ended it; then sentences; then words."""
    return re.split(r"(?<=\n\n)", text)


def split_text(text: str, limit: int) -> list[str]:
    """Parts of at most `limit` characters, in order, which joined give the text back (less the whitespace
    at the cuts)."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for unit in _units(text, limit):
        if current and len(current) + len(unit) > limit:
            parts.append(current.rstrip())
            current = unit.lstrip()
        else:
            current += unit
    if current.strip():
        parts.append(current.rstrip())
    return [part for part in parts if part]


def _units(text: str, limit: int) -> list[str]:
    units: list[str] = []
    for paragraph in _pieces(text):
        if len(paragraph) <= limit:
            units.append(paragraph)
            continue
        for sentence in _split_keep(paragraph, _SENTENCE_END):
            if len(sentence) <= limit:
                units.append(sentence)
                continue
            for word in _split_keep(sentence, re.compile(r"(?<=\s)")):
                while len(word) > limit:  # no place to pause: cut
                    units.append(word[:limit])
                    word = word[limit:]
                units.append(word)
    return units


def _split_keep(text: str, boundary: re.Pattern[str]) -> list[str]:
    """Split after each boundary, keeping the whitespace with the piece before it."""
    pieces, start = [], 0
    for match in boundary.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    pieces.append(text[start:])
    return [p for p in pieces if p]
