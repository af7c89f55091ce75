"""What a machine translation may change, and what it may not: commands, amounts, currencies, times, dates,
numbers, links, addresses, request and client ids, @usernames and the names of the people in the
conversation go to the translator as placeholders (`<x id="3"/>`, in markup both DeepL and Yandex keep) and
come back exactly as they were. A translation that lost, doubled or invented a placeholder is not used."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_CHARS = 4096  # a message is at most this long (Telegram's limit); what is longer is not translated

_SPACE = "[ \u00a0\u202f]"  # between a number and its unit, or its groups of thousands (also no-break spaces)
_END = r"[^\s<>.,;:!?)\]}»\"'…]"  # a link's last character: not the sentence's punctuation around it
_CODE = "(?:RUB|USD|EUR|AED|GBP|SAR)(?![A-Za-z])"
_CURRENCY = "|".join(
    [
        _CODE,
        r"[$€£₽]",
        r"د\.إ",
        r"(?i:рубл(?:ь|я|ей|ю|ем|ём|и|ям|ях|ями)|руб\.?|р\.)(?!\w)",
        r"(?i:доллар(?:а|ов|ы|ам|ах)?|дирхам(?:а|ов|ы)?|евро)(?!\w)",
        r"(?i:dollars?|euros?|dirhams?|r[o]?ubles?|riyals?)(?![A-Za-z])",
        r"(?:ال)?(?:ريال(?:ات)?|درهم|دراهم|روبل(?:ات)?|دولار(?:ات)?|يورو)(?!\w)",
    ]
)
_SCALE = r"(?:[kK](?!\w)|тыс\.|тыс(?!\w)|тысяч[иа]?(?!\w)|млн\.?(?!\w)|миллион(?:а|ов)?(?!\w)|ألف|آلاف|مليون)"
_NUMBER = rf"\d+(?:(?:[.,:/\-٫٬]|{_SPACE}(?=\d{{3}}(?!\d)))\d+)*"
_AMPM = r"(?i:[ap]\.?m\.?)(?!\w)"

# longest first where they overlap: a link holds digits, an amount holds a number
_PATTERNS = [
    rf"(?:https?://|www\.)[^\s<>]*{_END}",  # a link
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # an address
    rf"(?<![\w@.])(?:[A-Za-z0-9-]+\.)+(?:com|net|org|ru|ae|me|io|app|info)(?:/[^\s<>]*{_END})?(?![\w@])",
    r"(?<![\w/])/[A-Za-z][A-Za-z0-9_]*(?:@\w+)?",  # a command
    r"(?<![\w.])@\w{3,}",  # a Telegram username
    r"(?<![\w-])[RCArca]-\d+(?!\w)",  # a request, client or assistant id (as written, in either case)
    r"\+\d(?:[ \-.]?(?:\(\d+\)|\d)){6,14}(?!\d)",  # an international phone number
    # an amount with its currency on either side (and its scale: тыс., k), a time, a date, any number
    rf"(?:(?:[$€£₽]|(?<![A-Za-z]){_CODE}){_SPACE}?)?\+?{_NUMBER}"
    rf"(?:{_SPACE}?{_SCALE})?(?:{_SPACE}?(?:{_CURRENCY}|{_AMPM}))?",
    rf"(?<![A-Za-z]){_CODE}",
]
_PLACEHOLDER = re.compile(r"""<x\s+id\s*=\s*["'](\d+)["']\s*/?>(?:\s*</x>)?""")


@dataclass(frozen=True, slots=True)
class Protected:
    masked: str  # the text as markup: placeholders for what must not change, the rest escaped
    tokens: tuple[str, ...]

    def restore(self, translated: str) -> str | None:
        """The translation with every token back in its place; None when a placeholder went missing, came
        twice or was never ours (the original is sent instead)."""
        found = [int(n) for n in _PLACEHOLDER.findall(translated)]
        if sorted(found) != list(range(len(self.tokens))):
            return None
        restored = _PLACEHOLDER.sub(lambda m: f"\x00{m.group(1)}\x00", translated)
        restored = html.unescape(re.sub(r"<[^>]*>", "", restored))  # (a stray tag a translator added)
        return re.sub("\x00(\\d+)\x00", lambda m: self.tokens[int(m.group(1))], restored).strip()


def _names(keep: Iterable[str]) -> list[str]:
    """The names to keep as written, longest first: each person's name as stored, and its parts of two letters
    or more that begin with a capital (or a letter of a script without capitals: Arabic), so "Layla" of
    "Layla Al Mansouri" is kept too, and "al" or an initial is not."""
    found = set()
    for name in keep:
        found.add(name.strip())
        found.update(
            part
            for part in re.split(r"[\s\-]+", name)
            if sum(ch.isalpha() for ch in part) >= 2 and part[0].isalpha() and not part[0].islower()
        )
    return sorted((n for n in found if len(n) >= 2), key=len, reverse=True)


def protect(text: str, keep: Iterable[str] = ()) -> Protected:
    """`keep`: the names in the conversation (the client's, the assistant's), kept as written wherever they
    stand as words of their own (as written: "Layla", not "layla")."""
    alternatives = [rf"(?<!\w){re.escape(name)}(?!\w)" for name in _names(keep)] + _PATTERNS
    pattern = re.compile("|".join(f"(?:{a})" for a in alternatives))
    tokens: list[str] = []
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        if not match.group().strip():
            continue
        parts.append(html.escape(text[last : match.start()], quote=False))
        parts.append(f'<x id="{len(tokens)}"/>')
        tokens.append(match.group())
        last = match.end()
    parts.append(html.escape(text[last:], quote=False))
    return Protected("".join(parts), tuple(tokens))


def worth_translating(text: str) -> bool:
    """Words to translate: not a command, not only numbers, emoji or punctuation, not too long."""
    if not text or len(text) > MAX_CHARS or text.lstrip().startswith("/"):
        return False
    return any(ch.isalpha() for ch in _PLACEHOLDER.sub("", protect(text).masked))
