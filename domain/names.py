"""People's names as the team types them: "/assign Амира" for Amira, "Дмитрий" for Dmitri, "anna" for Anna.
A name's key is what its spellings share — Cyrillic spelled in Latin letters, y and j as i, double letters
single, marks and case gone — so that a Russian assistant typing a colleague's name in Cyrillic finds her."""

from __future__ import annotations

import re
import unicodedata

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_TABLE = str.maketrans(_CYRILLIC)


def name_key(name: str) -> str:
    """What the spellings of one name share: "Дмитрий", "Dmitri" and "dmitriy" → "dmitri"."""
    plain = unicodedata.normalize("NFKD", name.strip().lower().lstrip("@"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).translate(_TABLE)
    plain = re.sub(r"[^a-z]", "", plain).replace("kh", "h").replace("y", "i").replace("j", "i")
    return re.sub(r"(.)\1+", r"\1", plain)
