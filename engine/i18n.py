"""Client-facing texts: Fluent files in locales/<lang>/*.ftl, English as the fallback."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentLocalization, FluentResourceLoader

from domain.clients import Language

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT = Language.EN


STAFF_FILE = "staff.ftl"  # staff-facing texts: English and Russian only
STAFF_LANGUAGES = ("en", "ru")


def resource_names(root: Path = LOCALES_DIR) -> list[str]:
    """The client-facing files (every language)."""
    return sorted(p.name for p in (root / DEFAULT.value).glob("*.ftl") if p.name != STAFF_FILE)


class Translator:
    """Renders message ids. Isolation marks stay off: they would end up inside copied ids, commands and
    URLs; the Arabic texts place Latin values where the bidi algorithm keeps them readable."""

    def __init__(self, root: Path = LOCALES_DIR) -> None:
        loader = FluentResourceLoader(str(root / "{locale}"))
        names = resource_names(root)
        self._by_language = {
            lang: FluentLocalization([lang.value, DEFAULT.value], names, loader, use_isolating=False)
            for lang in Language
        }

    def __call__(self, language: Language | None, message_id: str, /, **args: Any) -> str:
        return self._by_language[language or DEFAULT].format_value(message_id, args)


@cache
def translator() -> Translator:
    return Translator()


class StaffTranslator:
    """Staff-facing texts (the console, sign-in messages) in the assistant's interface language."""

    def __init__(self, root: Path = LOCALES_DIR) -> None:
        loader = FluentResourceLoader(str(root / "{locale}"))
        self._by_language = {
            code: FluentLocalization([code, "en"], [STAFF_FILE], loader, use_isolating=False)
            for code in STAFF_LANGUAGES
        }

    def __call__(self, language: str | None, message_id: str, /, **args: Any) -> str:
        return self._by_language.get(language or "en", self._by_language["en"]).format_value(message_id, args)


@cache
def staff_translator() -> StaffTranslator:
    return StaffTranslator()
