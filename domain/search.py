"""The keys a client is found by in the console: the prefixes of each word of their name, username and tags,
and the last digits of their phone — kept on the client's document and indexed, so a search is an index seek
however many clients there are (a scan of 10,000 documents takes ~0.4 s on the embedded engine)."""

from __future__ import annotations

import re

from domain.intake.text import normalize

PREFIX = 12  # the longest prefix kept of a word
WORDS = 8  # the words of a name (and tags) that are indexed
_WORD = re.compile(r"[^\W_]+|[0-9]+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(normalize(text or ""))


def keys(name: str, username: str | None, tags: tuple[str, ...], phone: str | None) -> list[str]:
    found: set[str] = set()
    for word in (words(name) + words(username or "") + [t.lower() for t in tags])[: WORDS * 2]:
        found.update(word[:n] for n in range(1, min(len(word), PREFIX) + 1))
    digits = re.sub(r"\D", "", phone or "")
    found.update(f"#{digits[-n:]}" for n in range(2, min(len(digits), 8) + 1))
    return sorted(found)


def query_keys(text: str) -> list[list[str]]:
    """What to look for: every word's prefix must match; a number may be a phone's last digits instead.
    Alternatives to try, each a list of keys that must all be there."""
    tokens = [t[:PREFIX] for t in words(text)][:4]
    if not tokens:
        return []
    alternatives = [tokens]
    digits = "".join(words(text)) if all(t.isdigit() for t in words(text)) else ""
    if len(digits) >= 2:  # a phone's digits, typed in groups too ('+971 50 123 4567', '916 123-45-67')
        alternatives.append([f"#{digits[-8:]}"])
    return alternatives


# --- the words of the conversation: what clients and assistants wrote, found by any word's start ---
MESSAGE_CHARS = 4000  # what of a message is read for its words
MESSAGE_WORDS = 200  # the distinct words kept of one message
QUERY_WORDS = 6
TOP = "\U0010ffff"  # above every character: [key, key + TOP) holds every string that starts with the key
_AR_LEAD = (("", "و", "ف"), ("", "ب", "ل", "ك"), ("", "ال", "لل"))  # conjunction, preposition, article
# the case endings a searched Russian word is found without, the longest first
_RU_ENDINGS = (
    "ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими",
    "ой", "ей", "ом", "ем", "ам", "ям", "ах", "ях", "ов", "ев", "ую", "юю",
    "ая", "яя", "ое", "ее", "ые", "ие", "ый", "ий", "а", "я", "у", "ю", "е", "и", "ы", "о", "ь", "й",
)  # fmt: skip
_ARABIC = re.compile("[\u0600-\u06ff]")
_CYRILLIC = re.compile("[а-я]")


def _bare(word: str) -> set[str]:
    """A word as written and without the Arabic clitics it may carry (والمطعم → مطعم, بالفندق → فندق),
    each kept only when three letters or more are left."""
    forms = {word}
    if _ARABIC.match(word):
        for conjunction in _AR_LEAD[0]:
            for preposition in _AR_LEAD[1]:
                for article in _AR_LEAD[2]:
                    lead = conjunction + preposition + article
                    if lead and word.startswith(lead) and len(word) - len(lead) >= 3:
                        forms.add(word[len(lead) :])
    return forms


def message_words(text: str) -> list[str]:
    """What a message is found by: every word of it in the intake's normal form (and bare of Arabic
    clitics), at most 12 letters of each; one-letter words are not kept. Bounded: the first 4000 characters,
    200 distinct words."""
    found: set[str] = set()
    for word in words(text[:MESSAGE_CHARS]):
        if len(word) >= 2:
            found.update(form[:PREFIX] for form in _bare(word))
        if len(found) >= MESSAGE_WORDS:
            break
    return sorted(found)


MESSAGE_KEYS = 1200  # the keys kept of one message (the starts of its words)


def message_keys(text: str) -> list[str]:
    """The keys a message is found by: every start (two letters or more) of each of its words' forms
    (`message_words`), so a search is an exact key — its newest messages first — on every engine."""
    found: set[str] = set()
    for form in message_words(text):
        found.update(form[:n] for n in range(2, len(form) + 1))
        if len(found) >= MESSAGE_KEYS:
            break
    return sorted(found)[:MESSAGE_KEYS]


def search_keys(text: str) -> list[str]:
    """The keys a search looks up, one per searched word (all must be in a message): each word's stem."""
    stems = [stem(word)[:PREFIX] for word in words(text)[:QUERY_WORDS] if len(word) >= 2]
    return [key for key in dict.fromkeys(stems) if len(key) >= 2]


def stem(word: str) -> str:
    """What a searched word must start: without an English plural or a Russian case ending (рестораны,
    ресторане → ресторан; dresses → dress; company → compan), so every form of the word is found."""
    if _CYRILLIC.search(word):
        for ending in _RU_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 4:
                return word[: -len(ending)]
    elif not _ARABIC.match(word) and not word.isdigit():
        for ending in ("'s", "ies", "es", "s", "y"):  # (company → compan: companies too)
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                return word[: -len(ending)]
    return word


def matches(word: str, keys: list[str]) -> bool:
    """Is this word (as written in a message) one the search found? (to mark it on the results page)"""
    forms = {form[:PREFIX] for form in _bare(word)} if len(word) >= 2 else set()
    return any(form.startswith(key) for form in forms for key in keys)
