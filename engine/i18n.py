"""Client-facing texts: Fluent files in the `locales` package (<lang>/*.ftl), English as the fallback."""

from __future__ import annotations

from collections.abc import Generator
from functools import cache, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from fluent.runtime import FluentLocalization, FluentResource
from fluent.runtime.fallback import AbstractResourceLoader
from fluent.syntax import ast

from domain.clients import Language

# package data, so an installed copy finds its texts wherever it was installed
LOCALES_DIR: Traversable = resources.files("locales")
DEFAULT = Language.EN


STAFF_FILE = "staff.ftl"  # staff-facing texts: English and Russian only
STAFF_LANGUAGES = ("en", "ru")


class LocaleError(RuntimeError):
    """A locale file the service needs is missing, unreadable or broken: it would speak in message ids."""


def resource_names(root: Traversable = LOCALES_DIR) -> list[str]:
    """The client-facing files (every language)."""
    folder = root / DEFAULT.value
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".ftl") and p.name != STAFF_FILE)


def check_locales(root: Traversable = LOCALES_DIR) -> None:
    """Every language's client files and the staff files are there, readable and parse cleanly."""
    names = resource_names(root)
    if not names:
        raise LocaleError(f"no client texts in {root / DEFAULT.value}: the locales were not installed")
    needed = [(lang.value, name) for lang in Language for name in names]
    for language, name in [*needed, *((code, STAFF_FILE) for code in STAFF_LANGUAGES)]:
        try:
            text = (root / language / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise LocaleError(f"cannot read {language}/{name} ({type(error).__name__})") from None
        junk = [entry for entry in _parsed(text).body if isinstance(entry, ast.Junk)]
        if junk or not text.strip():
            raise LocaleError(f"{language}/{name} is empty or does not parse")


@lru_cache(maxsize=64)
def _parsed(text: str) -> ast.Resource:
    """A file's text parsed once a process: the start-up check, then each language's fallbacks read the same
    files (Fluent's parser is pure Python; a resource is only read once parsed)."""
    return FluentResource(text)


class _PackageLoader(AbstractResourceLoader):
    """Reads <root>/<locale>/<file> through importlib.resources (a folder, a wheel, a zip alike)."""

    def __init__(self, root: Traversable) -> None:
        self._root = root

    def resources(self, locale: str, resource_ids: list[str]) -> Generator[list[ast.Resource], None, None]:
        files = [self._root / locale / name for name in resource_ids]
        found = [_parsed(f.read_text(encoding="utf-8")) for f in files if f.is_file()]
        if found:
            yield found


class Translator:
    """Renders message ids. Isolation marks stay off: they would end up inside copied ids, commands and
    URLs; the Arabic texts place Latin values where the bidi algorithm keeps them readable."""

    def __init__(self, root: Traversable = LOCALES_DIR) -> None:
        loader = _PackageLoader(root)
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

    def __init__(self, root: Traversable = LOCALES_DIR) -> None:
        loader = _PackageLoader(root)
        self._by_language = {
            code: FluentLocalization([code, "en"], [STAFF_FILE], loader, use_isolating=False)
            for code in STAFF_LANGUAGES
        }

    def __call__(self, language: str | None, message_id: str, /, **args: Any) -> str:
        return self._by_language.get(language or "en", self._by_language["en"]).format_value(message_id, args)


@cache
def staff_translator() -> StaffTranslator:
    return StaffTranslator()
