"""Arabizi spellings matched by their sound: one key for "sayara", "sayyarah" and "syara"; and the lexicon
built from arabizi_words.py, looked up by spelling and by key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from domain.intake.arabizi_words import LEXICON_TEXT
from domain.intake.clock import AR_HOURS
from domain.intake.text import normalize

# The spelling key: Arabizi writes one letter many ways (ع 3; ق q, g, 8; ح 7, h; ص 9, s; ط 6, t), doubles
# letters or not and writes vowels loosely, so a word is matched by its letter classes and vowel classes
# (A, I, U; a lone e is E, either A or I: bacher/bachir, arbe3a/arba3a).
_APOSTROPHE_DIGIT = re.compile(r"([3679])['’]")
_DOTTED = {"3": "gh", "7": "kh", "6": "dh", "9": "dh"}  # 3' غ, 7' خ, 6' ظ, 9' ض
_SILENT_E = re.compile(r"^(?!.*\d)(.*..[^aeiou])e$")  # English, not Arabizi: "mouse", "site", "sale"
_FINAL_H = re.compile(r"(?<=[aeiou])h$")  # ta marbuta: sayyarah, bukrah
_GLIDES = (
    (re.compile(r"(?<=[ae])[iy](?![aeiou])"), "y"),  # zain, zayn, aiwa: a diphthong
    (re.compile(r"(?<=[^aeiou])i(?=[aou])"), "y"),  # 3afia, thamania: 3afya
    (re.compile(r"(?<![aeiou])y$"), "i"),  # aby, nby: abi
)
_DIGRAPHS = (("sh", "S"), ("kh", "X"), ("gh", "Q"), ("th", "t"), ("dh", "D"), ("ch", "C"))
_CLASSES = str.maketrans("aiou2e7h5xqg8kc96dpv", "AIUUAEHHXXQQQKKstDbf")
_RUNS = re.compile(
    r"([AIUE])[AIUE]+|(.)\2+"
)  # a run of vowels keeps its first (ou, ie, a2a); one of a double
_E_RUN = re.compile(r"E(?=[AIUE])")
_DOUBLE = re.compile(r"(.)\1+")
_DOUBLE_CONSONANT = re.compile(r"([^aeiou])\1+")


def _first(found: re.Match[str]) -> str:  # a function, not r"\1": re's template path is slow on short words
    return found[found.lastindex or 0]


_VOWELS = frozenset("AIUE")


@lru_cache(maxsize=4096)
def spelling_key(word: str) -> str:
    word = word.lower().replace("-", "")
    if "'" in word or "’" in word:
        word = _APOSTROPHE_DIGIT.sub(lambda m: _DOTTED[m[1]], word)
    if word.endswith("e"):
        word = _SILENT_E.sub(_first, word)
    elif word.endswith("h"):
        word = _FINAL_H.sub("", word)
    if "i" in word or "y" in word:
        for glide, letter in _GLIDES:
            word = glide.sub(letter, word)
    if "h" in word:
        for digraph, symbol in _DIGRAPHS:
            word = word.replace(digraph, symbol)
    word = word.translate(_CLASSES)
    if "E" in word:
        word = _E_RUN.sub("I", word)  # ee, ea: i, not the lone e that may be a
    return _RUNS.sub(_first, word)


def _readings(key: str) -> list[str]:
    """The keys a written word may stand for: each lone e as a or i (as i only past three of them)."""
    readings = [key if key.count("E") <= 3 else key.replace("E", "I")]
    while "E" in readings[0]:
        readings = [k.replace("E", v, 1) for k in readings for v in "AI"]
    return readings


def literal_form(word: str) -> str:
    return _DOUBLE_CONSONANT.sub(_first, word.lower())


def _dropped(key: str) -> set[str]:
    """The key written with fewer vowels (bkra for bukra, syara for sayyara), longer than three symbols."""
    slots = [i for i, symbol in enumerate(key) if symbol in _VOWELS]
    found = set()
    for mask in range(1, 1 << len(slots)):
        gone = {slots[n] for n in range(len(slots)) if mask >> n & 1}
        found.add("".join(symbol for i, symbol in enumerate(key) if i not in gone))
    return {k for k in found if len(k) > 3 and not _DOUBLE.search(k)}


@dataclass(frozen=True, slots=True)
class Word:
    bare: str
    definite: str  # with the article: al + the word, a weekday (el ithnain) or an hour (el sab3a)
    hour: int | None = None
    soft: bool = False  # also an English word or a name: converted in lower case only, never evidence


_LINE = re.compile(r"(?P<ar>[^|:\d]+?)(?:\|(?P<definite>[^:\d]+?))?(?:\s+(?P<hour>\d+))?:(?P<spellings>.+)")
ORDINAL = {hour: word for word, hour in AR_HOURS.items() if word.startswith("ال")}


@dataclass(frozen=True, slots=True)
class _Lexicon:
    literal: dict[str, Word]
    exact: dict[str, Word]
    lossy: dict[str, Word | None]  # None: two words meet there, so neither is taken
    phrases: dict[tuple[str, ...], str]
    conflicts: tuple[str, ...]  # spellings that two concepts claim (the first listed keeps them)


def _word(line: re.Match[str], soft: bool) -> Word:
    bare = normalize(line["ar"].strip())
    hour = int(line["hour"]) if line["hour"] else None
    definite = normalize(line["definite"].strip()) if line["definite"] else None
    if definite is None:
        definite = ORDINAL[hour] if hour else bare if bare.startswith("ال") else "ال" + bare
    return Word(bare, definite, hour, soft)


def _build(text: str) -> _Lexicon:
    literal: dict[str, Word] = {}
    exact: dict[str, Word] = {}
    lossy: dict[str, tuple[int, Word | None]] = {}
    phrases: dict[tuple[str, ...], str] = {}
    conflicts: list[str] = []
    for raw in text.strip().splitlines():
        line = _LINE.fullmatch(raw)
        assert line, raw
        for spelling in line["spellings"].split():
            if "+" in spelling:
                phrases[tuple(spelling_key(w) for w in spelling.split("+"))] = normalize(line["ar"].strip())
                continue
            word = _word(line, spelling.startswith("~"))
            spelling = spelling.lstrip("~")
            key = spelling_key(spelling).replace("E", "I")
            for table, at in ((literal, literal_form(spelling)), (exact, key)):
                if at in table and table[at].bare != word.bare and (table is literal or len(at) > 3):
                    conflicts.append(spelling)
                table.setdefault(at, word)
                if word.soft:
                    break  # a soft word matches as spelled only: "ward", not "word"
            for at in () if word.soft or len(key) <= 3 else _dropped(key):
                cost = len(key) - len(at)
                old = lossy.get(at)
                if old is None or cost < old[0]:
                    lossy[at] = (cost, word)
                elif cost == old[0] and old[1] is not None and old[1].bare != word.bare:
                    lossy[at] = (cost, None)
    exact = {k: w for k, w in exact.items() if len(k) > 3}
    return _Lexicon(literal, exact, {k: w for k, (_, w) in lossy.items()}, phrases, tuple(conflicts))


LEXICON = _build(LEXICON_TEXT)
PHRASE_STARTS = frozenset(keys[0] for keys in LEXICON.phrases)
# the first words of phrases, as spelled
PHRASE_WORDS = frozenset(w.split("+")[0] for w in LEXICON_TEXT.split() if "+" in w)


def lookup(word: str) -> Word | None:
    """Spelled as listed, else by key: exactly, with fewer vowels, or with one vowel more inside (ba3ad,
    gabel; not before it: essa3a is the article's)."""
    if found := LEXICON.literal.get(literal_form(word)):
        return found
    readings = [k for k in _readings(spelling_key(word)) if len(k) > 3]
    for table in (LEXICON.exact, LEXICON.lossy):
        for key in readings:
            if key in table:
                return table[key]
    for key in readings:
        for i in range(1, len(key) - 1):
            if key[i] in _VOWELS and (found := LEXICON.exact.get(key[:i] + key[i + 1 :])):
                return found
    return None
