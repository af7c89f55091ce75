"""Arabizi, Arabic in Latin letters with digits for the letters Latin lacks ("abi sayyara bukra el sa3a 7"),
written in Arabic script in intake's normal form so that the Arabic rules read it ("ابي سياره بكره الساعه 7").
Numbers, English words and names are left as they are; a text that is not Arabizi gives None."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from domain.intake.arabizi_lexicon import (
    LEXICON,
    ORDINAL,
    PHRASE_STARTS,
    PHRASE_WORDS,
    Word,
    literal_form,
    lookup,
    spelling_key,
)
from domain.intake.text import REQUEST_CUES, SMALL_TALK, normalize
from domain.intake.words import KEYWORDS


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# English words are never converted: intake's own, the common ones, those whose key meets a lexicon word's
# (found by running an English word list through lookup), and what follows a digit in "5star", "2nights".
_ENGLISH = frozenset(
    w.rstrip("*")
    for phrase in (
        *(word for words in KEYWORDS.values() for word, _ in words),
        *SMALL_TALK,
        *REQUEST_CUES,
        *_set("""
        a an and are as at be but by can could do for from get go have he her him his how i if in is it me my
        no not of on or our she so than that the them then there they this to too up us was we what when where
        which who why will with would you your pls plz day days night nights room rooms gate suite villa floor
        star stars seater door seat seats row unit house tower block road street exit code pin ref number
        hour hours min mins sec minute minutes time today tonight tomorrow pm am ok okay hi yes thanks sir
        accede aced acid albeit ammeter apogee arid athlete badly bass beady beget biddy doctor eked enured
        erred exams feature future gabble gable garb grab grebe grep grip gripe grippe hares harries hears
        hearse helicopter heresy hers hires infer inured jowl loyally matter mesa meter miter mother muter
        mutter nappy neared never oared outlet paddle peddle pedal peyote sades salami salt septa sewage
        shoo slam slat slate swag tacks tannin teaks their tiara ticks tics toilet toilette tousle tussle
        unread weedy
        """),
    )
    for w in phrase.split()
    if w.isascii()
)
# the common words of Russian written in Latin letters ("nuzhna mashina zavtra"), and what only it spells
_RUSSIAN = _set(
    """
    ya vy my ty on ona oni mne nam menya nas vas u v vo na s so k iz ot do po za dlya bez i a no ili ne net da
    eto chto shto kak gde kogda kuda skolko mozhno mozhete nado nuzhno nuzhna nuzhen nuzhny hochu khochu
    hotim khotim hotel hotela zavtra segodnya sevodnya sejchas seychas poslezavtra vecherom utrom dnem
    nochyu vecher utro privet zdravstvuyte spasibo pozhaluysta pozhalujsta pojaluista pozhalusta mashina
    mashinu voditel voditelya stolik stolika restoran restorane bilet bilety biletov zakazat zakazhite
    zabronirovat zabroniruyte odin odna dva dve tri chetyre pyat shest sem vosem devyat desyat chasov chasa
    chas minut dobryj dobryy dobroe den khorosho horosho otlichno ladno konechno tozhe eshche esche uzhe ochen
    vse budet est nomer otel gostinitsa aeroport vstretit vstretite otvezti posle pered okolo cherez
    zavtrak obed uzhin dvoikh dvoih troikh chelovek pozhe ranshe tut tam zdes vot tak tolko
    """
)
_RUSSIAN_SHAPE = re.compile(r"zh|shch|(?:ogo|ego|yy|iy|yj|oj|ij)$|^v[bcdfgkmnprstvz]")
_UNITS = _set("st nd rd th am pm a p h hr hrs m k kg km x pax ppl d n s y g yo yrs")
_LETTER_DIGIT = re.compile(r"[a-z][235-9]|[235-9][a-z]")
_NOT_ARABIZI_DIGITS = re.compile(r"\d\d|[014]")
_DIGITS_THEN_LETTERS = re.compile(r"(\d+)([a-z]+)")
_LETTERS_THEN_DIGIT = re.compile(r"([a-z]+)\d")
_HEX = re.compile(r"[0-9a-f]{6,}")
_TEXTSPEAK = _set("2moro 2mrw 2nite 2u gr8 l8 l8r w8 h8 m8 h2o co2 b2b b2c p2p")


def _number(word: str) -> bool:
    """7, 19, 7pm, 2nd, 4pax, 5star: a number, left as it is."""
    said = _DIGITS_THEN_LETTERS.fullmatch(word)
    return word.isdigit() or (said is not None and (said[2] in _UNITS or said[2] in _ENGLISH))


def _arabizi_shaped(word: str) -> bool:
    """A word with digits for letters (sa3a, a7jez, 9ba7), not a code (EK132, h2o, covid19, a hex number)
    nor a number with its unit (4pax, 2nights)."""
    if not _LETTER_DIGIT.search(word) or _NOT_ARABIZI_DIGITS.search(word):
        return False
    if sum(c.isalpha() for c in word) < 2 or not any(c in "aeiouy" for c in word) or word in _TEXTSPEAK:
        return False
    if _HEX.fullmatch(word):
        return False  # a commit, a colour
    tail = _LETTERS_THEN_DIGIT.fullmatch(word)
    return not _number(word) and not (tail and tail[1] in _ENGLISH)


# el sa3a, bel lail, lel mat3am, fel fondo8, 3al sab3a: the article (and a preposition before it), written
# apart or attached; an attached one may take the sun letter's sound (essa3a, ettawla)
_ARTICLES = {"el": "", "al": "", "il": "", "bel": "ب", "bil": "ب", "bl": "ب", "fel": "في ",
             "fil": "في ", "lel": "ل", "lil": "ل", "wel": "و", "wil": "و", "3al": "على "}  # fmt: skip
_ATTACHED = re.compile(
    r"(?P<p>3al|[bfw][ei]l|l[ei]l|[aei]l)-?(?P<rest>[a-z0-9'’-]{3,})"
    r"|[aei](?P<sun>sh|th|dh|[tdrzsnl69])-?(?P<rest2>(?:(?P=sun)|(?<=s)9|(?<=t)6)[a-z0-9'’-]{2,})"
    r"|w(?P<rest3>[^aeiou][a-z0-9'’-]{2,})"
)


def _with_article(before: str, definite: str) -> str:
    return before + (definite[1:] if before == "ل" else definite)  # ل + المطعم: للمطعم


# unknown words with letter digits, letter by letter: no keyword will match them, but they read as Arabic
_SPELLING = re.compile(r"[3679]['’]|sh|kh|gh|th|dh|ch|aa|ee|ii|oo|ou|uu|.")
_LETTERS = {
    "3'": "غ", "7'": "خ", "6'": "ظ", "9'": "ض", "sh": "ش", "kh": "خ", "gh": "غ", "th": "ث", "dh": "ذ",
    "ch": "ك", "aa": "ا", "ee": "ي", "ii": "ي", "oo": "و", "ou": "و", "uu": "و", "2": "ء", "3": "ع", "5": "خ",
    "6": "ط", "7": "ح", "8": "ق", "9": "ص", "b": "ب", "t": "ت", "j": "ج", "d": "د", "r": "ر", "z": "ز",
    "s": "س", "f": "ف", "q": "ق", "k": "ك", "l": "ل", "m": "م", "n": "ن", "h": "ه", "w": "و", "y": "ي",
    "g": "ق", "v": "ف", "p": "ب", "c": "ك", "x": "كس", "i": "ي", "o": "و", "u": "و", "a": "", "e": "",
}  # fmt: skip


def _spell(word: str) -> str:
    pieces = _SPELLING.findall(literal_form(word).replace("-", "").replace("’", "'"))
    letters = [
        "ا"
        if n == 0 and piece[0] in "aeiou2"
        else "ه"
        if n == len(pieces) - 1 and piece in "ae"
        else _LETTERS.get(piece, "")
        for n, piece in enumerate(pieces)
    ]
    return normalize("".join(letters))


class _Token(NamedTuple):  # a tuple: built for every word of every message
    start: int
    end: int
    kind: str  # number, word, soft, spelled, article, preposition, foreign, name, other
    arabic: str = ""  # a word's Arabic; an article's preposition
    word: Word | None = None
    digits: bool = False  # written with a letter digit
    russian: bool = False
    phrase: bool = False  # may start a phrase (law sama7t)


_TOKEN = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,6}|[@#]\w+"  # addresses, handles
    r"|(?P<word>[A-Za-z0-9]+(?:['’][A-Za-z0-9]+)*(?:(?<=[3679])['’])?(?:-[A-Za-z0-9]+(?:['’][A-Za-z0-9]+)*)*)"
)
_CONTRACTION = re.compile(r"(?<![3679])['’]")
_SENTENCE_END = frozenset(".!?\n…:;")


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'«(")
    return not before or before[-1] in _SENTENCE_END


def _attached(word: str, digits: bool) -> _Token | None:
    """elsob7, essa3a, allaila, bellail, wbukra: the article (or و) attached to a word of the lexicon, as
    listed or by its exact key (a loose key finds English words: "elevator", "attacks", "worried")."""
    found = _ATTACHED.fullmatch(word)
    if found is None:
        return None
    rest = found["rest"] or found["rest2"] or found["rest3"]
    known = LEXICON.literal.get(literal_form(rest)) or LEXICON.exact.get(spelling_key(rest).replace("E", "I"))
    if found["rest3"]:  # و before a name or an English word is no و: only a sure word
        sure = known is not None and not known.soft
        return _Token(0, 0, "word", "و" + known.bare, known, digits) if known and sure else None
    before = _ARTICLES.get(found["p"] or "el", "")
    if known is not None:
        return _Token(0, 0, "word", _with_article(before, known.definite), known, digits)
    if _arabizi_shaped(rest):
        return _Token(0, 0, "spelled", _with_article(before, "ال" + _spell(rest)), digits=True)
    return None


@lru_cache(maxsize=8192)
def _analyse(word: str) -> _Token:
    """What a word (in lower case) is wherever it stands; _classify places it."""
    if len(word) > 30 or (not word.isalnum() and _CONTRACTION.search(word)):
        return _Token(0, 0, "other")  # no Arabizi word is that long, nor has an apostrophe (here's)
    digits = not word.isalpha() and bool(_LETTER_DIGIT.search(word))
    russian = word in _RUSSIAN or bool(_RUSSIAN_SHAPE.search(word))
    listed = LEXICON.literal.get(literal_form(word))
    if listed is not None and listed.soft:
        return _Token(0, 0, "soft", listed.bare, listed, digits, russian, spelling_key(word) in PHRASE_STARTS)
    if listed is not None and digits:  # "el 7in" is الحين, not seven inches: the lexicon lists it
        return _Token(0, 0, "word", listed.bare, listed, digits, russian, spelling_key(word) in PHRASE_STARTS)
    if not word.isalpha() and _number(word):
        return _Token(0, 0, "number")
    if word in _ENGLISH or word in _RUSSIAN:
        return _Token(0, 0, "foreign", russian=russian, phrase=word in PHRASE_WORDS)
    phrase = spelling_key(word) in PHRASE_STARTS
    if known := listed or lookup(word):
        return _Token(0, 0, "word", known.bare, known, digits, russian, phrase)
    if word in _ARTICLES:
        return _Token(0, 0, "article", _ARTICLES[word])
    if word == "l":
        return _Token(0, 0, "preposition", "ل")  # l 4 ashkha9, l shakh9een: ل
    if attached := _attached(word, digits):
        return attached
    if digits and _arabizi_shaped(word):
        return _Token(0, 0, "spelled", _spell(word), digits=True, phrase=phrase)
    return _Token(0, 0, "other", russian=russian, phrase=phrase)


def _classify(text: str, start: int, end: int, shouting: bool) -> _Token:
    raw = text[start:end]
    seen = _analyse(raw.lower())
    kind, capital = seen.kind, raw != raw.lower() and not shouting
    if capital and kind == "soft":
        kind = "other"  # La Petite Maison, Ana
    elif capital and kind in ("word", "article", "other") and not seen.digits:
        kind = kind if _starts_sentence(text, start) else "name"  # Ritz, Salah: a capital within a sentence
    elif kind == "spelled" and raw[1:] != raw[1:].lower():
        kind = "other"  # a code: CA7, Zm9yZ2Vk
    return seen._replace(start=start, end=end, kind=kind)


def _phrase(text: str, spans: list[tuple[int, int]]) -> _Token | None:
    """law sama7t, min fadlak, 3gub bachir: words that say more together (spans: the next three words)."""
    keys = [spelling_key(text[s:e]) for s, e in spans]
    for size in (3, 2):
        if size <= len(keys) and (arabic := LEXICON.phrases.get(tuple(keys[:size]))):
            digits = any(_LETTER_DIGIT.search(text[s:e].lower()) for s, e in spans[:size])
            return _Token(spans[0][0], spans[size - 1][1], "word", arabic, digits=digits)
    return None


def _read(text: str) -> list[_Token]:
    spans = [m.span() for m in _TOKEN.finditer(text) if m["word"]]
    shouting = text.isupper()  # ABI SAYARA BUKRA: capitals are no names (yet codes stay codes: CA7)
    tokens: list[_Token] = []
    at = 0
    while at < len(spans):
        start, end = spans[at]
        token = _classify(text, start, end, shouting)
        token = (token.phrase and _phrase(text, spans[at : at + 3])) or token
        if tokens and tokens[-1].kind == "preposition" and token.kind == "article" and token.arabic == "":
            token = _Token(tokens.pop().start, token.end, "article", "ل")  # l el fondo8: للفندق
        tokens.append(token)
        while at < len(spans) and spans[at][0] < token.end:
            at += 1
    return tokens


# Arabizi when the lexicon says so: one of its words written with a letter digit ("sa3a", "a7jez"); or two
# pieces of evidence, of which one a lexicon word (lexicon words that are not also English or names count,
# and unknown words with letter digits, "ma7al", but not "4pax", "EK132", "hunter2"); or lexicon words making
# half the message ("bukra 7pm", "shukran"). And more evidence than Russian words ("nuzhna mashina zavtra").
def _is_arabizi(tokens: list[_Token]) -> bool:
    known = sum(t.kind == "word" for t in tokens)
    evidence = known + sum(t.kind == "spelled" for t in tokens)
    words = sum(t.kind != "number" for t in tokens)
    russian = sum(t.russian and t.kind not in ("word", "spelled") for t in tokens)
    said = (
        any(t.kind == "word" and t.digits for t in tokens) or (known and evidence >= 2) or 2 * known >= words
    )
    return evidence > russian and bool(said)


def _converts(token: _Token, before: _Token | None) -> bool:
    # "min" after a number is minutes, not من
    minutes = (
        token.word is not None and token.word.bare == "من" and before is not None and before.kind == "number"
    )
    return token.kind in ("word", "spelled") or (token.kind == "soft" and not minutes)


def _form(token: _Token, last: str, after: _Token | None, definite: bool = False) -> str:
    """The word's Arabic where it stands: an hour word after الساعه is the hour (الساعه السابعه, as intake
    reads it), and sa3a before an hour is الساعه."""
    word = token.word
    if word and word.hour and last.endswith("الساعه"):
        return ORDINAL[word.hour]
    if definite:
        return word.definite if word else "ال" + token.arabic
    hour_next = after is not None and (after.kind == "number" or bool(after.word and after.word.hour))
    return "الساعه" if word and word.bare == "ساعه" and hour_next else token.arabic


def _write(text: str, tokens: list[_Token]) -> str:
    parts: list[str] = []
    done, last, at = 0, "", 0
    while at < len(tokens):
        token, before = tokens[at], tokens[at - 1] if at else None
        after = tokens[at + 1] if at + 1 < len(tokens) else None
        if after and text[token.end : after.start].strip():
            after = None  # only a word right after, not across punctuation
        end, arabic = token.end, None
        if token.kind == "article" and after and _converts(after, token):
            end, arabic = after.end, _with_article(token.arabic, _form(after, last, None, definite=True))
            at += 1
        elif token.kind == "preposition" and after and _converts(after, token):
            end, arabic = after.end, token.arabic + _form(after, last, None)
            at += 1
        elif token.kind == "preposition" and after and after.kind == "number":
            arabic = token.arabic
        elif _converts(token, before):
            arabic = _form(token, last, after)
        if arabic is not None:
            parts += [text[done : token.start], arabic]
            done = end
        last, at = arabic or "", at + 1
    return "".join(parts) + text[done:]


def from_arabizi(text: str) -> str | None:
    """The text with its Arabizi words in Arabic script, in intake's normal form; None when it is not
    Arabizi (English, Russian in Latin letters, an address, a flight number)."""
    tokens = _read(text)
    return _write(text, tokens) if _is_arabizi(tokens) else None
