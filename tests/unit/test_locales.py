"""Every client-facing message exists in every locale and renders without errors."""

import re
from pathlib import Path

import pytest
from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import FluentParser, FluentSerializer, ast, visitor

from domain.clients import Language
from engine.i18n import LOCALES_DIR, Translator, resource_names

SAMPLE = {
    "name": "Layla Al Mansouri",
    "assistant": "Anna",
    "number": "R-1042",
    "count": 3,
    "total": "RUB 45,000",
    "until": "29 Nov, 20:00",
    "last4": "4242",
    "receipt": "RC-10001",
    "card": "Visa •••• 4242",
    "transaction": "70000001",
    "date": "28 Nov 2026, 15:00",
    "amount": "RUB 45,000",
    "reason": "plans changed",
    "refunded": "RUB 5,000",
    "paid": "RUB 45,000",
    "link": "https://receipts.example/r/1",
    "at": "29 Nov, 21:00",
    "place": "Nobu, Barvikha",
    "stars": "★★★★☆",
}


class _Variables(visitor.Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: ast.VariableReference) -> None:
        self.names.add(node.id.name)


def _messages(language: Language) -> dict[str, ast.Message]:
    found = {}
    for name in resource_names():
        resource = FluentParser().parse((LOCALES_DIR / language.value / name).read_text())
        junk = [entry for entry in resource.body if isinstance(entry, ast.Junk)]
        assert not junk, f"{language}/{name} does not parse: {junk[0].annotations}"
        found |= {entry.id.name: entry for entry in resource.body if isinstance(entry, ast.Message)}
    return found


def _variables(message: ast.Message) -> set[str]:
    names = _Variables()
    names.visit(message)
    return names.names


def test_every_locale_has_exactly_the_same_message_ids() -> None:
    english = set(_messages(Language.EN))
    assert english, "no messages found"
    for language in Language:
        assert set(_messages(language)) == english, language


@pytest.mark.parametrize("language", list(Language))
def test_every_message_renders_without_errors(language: Language) -> None:
    english = _messages(Language.EN)
    bundle = FluentBundle([language.value], use_isolating=False)
    for name in resource_names():  # every client file of the language: one bundle, as the translator has
        bundle.add_resource(FluentResource((LOCALES_DIR / language.value / name).read_text()))
    for message_id, message in _messages(language).items():
        assert _variables(message) <= _variables(english[message_id]) | set(SAMPLE), message_id
        pattern = bundle.get_message(message_id).value
        text, errors = bundle.format_pattern(pattern, SAMPLE)
        assert errors == [], f"{language}:{message_id}: {errors}"
        assert text.strip() and "{" not in text, f"{language}:{message_id} rendered {text!r}"


def test_the_translator_speaks_each_language_and_falls_back_to_english(tmp_path: Path) -> None:
    t = Translator()
    assert "Layla" in t(Language.AR, "welcome", name="Layla", assistant="Anna")
    assert t(Language.RU, "language-set") != t(Language.EN, "language-set") != t(Language.AR, "language-set")
    for lang in ("en", "ar", "ru"):
        (tmp_path / lang).mkdir()
    (tmp_path / "en" / "main.ftl").write_text("only-english = Hello\n")
    for lang in ("ar", "ru"):
        (tmp_path / lang / "main.ftl").write_text("")
    assert Translator(tmp_path)(Language.AR, "only-english") == "Hello"


def test_a_russian_client_reads_of_their_request_in_one_word() -> None:
    """Every Russian client text calls a request 'запрос' ('Ваш запрос R-1001 принят'), but the fiscal receipt
    came 'по заявке R-1001' (the staff's word), and a reminder's answer after it closed 'Этот заказ'."""
    said = {
        message_id: FluentSerializer().serialize_entry(m) for message_id, m in _messages(Language.RU).items()
    }
    assert not [message_id for message_id, text in said.items() if re.search("заявк|заказ", text.lower())]
