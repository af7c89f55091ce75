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

# longest first where they overlap: a link holds digits, an amount holds a number
_PATTERNS = [
    r"https?://\S+",
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    r"(?<![\w/])/[A-Za-z_]+(?:@\w+)?",  # a command
    r"@\w{3,}",  # a Telegram username
    r"\b[RCA]-\d+\b",  # a request, client or assistant id
    # an amount with its currency on either side, a time, a date, a phone number, any number
    r"(?:[$€£₽]\s?)?\+?\d+(?:(?:[.,:/\-]|\s(?=\d{3}(?!\d)))\d+)*"
    r"(?:\s?(?:RUB|USD|EUR|AED|GBP|руб\.?|₽|\$|€|درهم|[ap]\.?m\.?\b))?",
    r"\b(?:RUB|USD|EUR|AED|GBP)\b",
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


def protect(text: str, keep: Iterable[str] = ()) -> Protected:
    """`keep`: the names in the conversation (the client's, the assistant's), kept as written."""
    names = sorted({k for k in keep if k and len(k) >= 2}, key=len, reverse=True)
    alternatives = [re.escape(name) for name in names] + _PATTERNS
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
