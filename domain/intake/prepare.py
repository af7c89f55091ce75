"""What is done to a message before the rules read it: its letters (Arabizi and Russian in Latin letters into
their own script), Gulf غدا read as lunch where it is, and the stretches whose time is not the time asked for
(what is thanked for, a day ruled out)."""

from __future__ import annotations

import re

from domain.intake.arabizi import from_arabizi
from domain.intake.category import ruled_out, service_starts
from domain.intake.text import blank, re_compile, thanks_said
from domain.intake.translit import from_translit

# Gulf غدا is lunch when tomorrow is said otherwise, or when it is what is wanted ("نبي غدا باچر", "ابي غدا")
_LUNCH = re.compile(r"(?<![\u0600-\u06ff])(?:ال)?غدا(?![\u0600-\u06ff])")
_WANTED = re_compile(r"(?:ابي|نبي|ابغى|نبغى|بغيت|حق)\s+$")
_TOMORROW = re.compile(r"(?<![\u0600-\u06ff])(?:بكره|بكرا|باكر|باچر|باجر)(?![\u0600-\u06ff])")


def lunch(normalized: str) -> str:
    """Gulf غدا as lunch ("الغداء") where it is not tomorrow."""

    def read(found: re.Match[str]) -> str:
        if found.group(0).startswith("ال"):
            return "الغداء"  # tomorrow never takes the article
        wanted = _WANTED.search(normalized, 0, found.start()) is not None
        return "الغداء" if wanted or _TOMORROW.search(normalized) else found.group(0)

    return _LUNCH.sub(read, normalized)


# a greeting says when it is, not when it is wanted: "good evening! a car tomorrow at 9"
_GREETING = re_compile(
    r"(?<![\w\u0600-\u06ff])(?:good\s+(?:morning|afternoon|evening|night)|доброе\s+утро|добрый\s+(?:день|вечер)"
    r"|доброй\s+ночи|спокойной\s+ночи|صباح\s+(?:الخير|النور)|مساء\s+(?:الخير|النور)|تصبح\s+على\s+خير)"
)


def ungreeted(normalized: str) -> str:
    return _GREETING.sub(lambda found: " " * len(found.group(0)), normalized)


def unthanked(normalized: str) -> str:
    """What is thanked for was: its time is not the time of what is asked next."""
    if (thanked := thanks_said(normalized)) is None:
        return normalized
    return blank(normalized, *thanked.span())


def in_script(text: str) -> str:
    """A message in Latin letters may be Russian ("nuzhna mashina zavtra") or Arabic ("abi sayyara bukra"):
    intake reads it in Cyrillic or Arabic script, as the rules are written."""
    if _NOT_LATIN.search(text):
        return text
    return from_arabizi(text) or from_translit(text) or text


_NOT_LATIN = re.compile("[\u0400-\u04ff\u0600-\u06ff]")


def without_days_ruled_out(normalized: str) -> str:
    """ "sorry, Sunday not Monday": a day ruled out is not read as the day ("no restaurant tonight" rules out
    the restaurant, not tonight; "не в 8, а в полдевятого" is half past eight)."""
    spans = ruled_out(normalized)
    services = service_starts(normalized) if spans else []  # (only a message that rules out reads them)
    for start, end in spans:
        if not any(start <= at < end for at in services):
            normalized = blank(normalized, start, end)
    return normalized
