"""What a machine translation must never change goes as placeholders and comes back as written: a test over
every kind of such token, in each language, and over what translators do to markup."""

import pytest

from domain.translation import protect, worth_translating

TOKENS = [
    "/quote",  # a command
    "/done@ConciergeBot",
    "45 000 RUB",  # amounts and currencies, either side
    "45000 RUB",
    "$500",
    "1,500.50 EUR",
    "€20",
    "300 AED",
    "5000 руб.",
    "20:00",  # times
    "8pm",
    "9 a.m",
    "12.05",  # dates
    "2026-12-05",
    "05/12",
    "+7 916 123-45-67",  # phone numbers
    "+971501234567",
    "https://pay.example.com/o/ord1000001?x=1",  # links and addresses
    "concierge@example.com",
    "R-1042",  # request, client and assistant ids
    "C-1001",
    "A-9002",
    "@layla_m",  # a username
]
CONTEXTS = {
    "en": "Please note {} — thank you",
    "ru": "Пожалуйста, обратите внимание: {} — спасибо",
    "ar": "يرجى ملاحظة {} — شكرا",
}


@pytest.mark.parametrize("language", sorted(CONTEXTS))
@pytest.mark.parametrize("token", TOKENS)
def test_every_kind_of_token_comes_back_exactly(token: str, language: str) -> None:
    text = CONTEXTS[language].format(token)
    protected = protect(text)
    assert token in protected.tokens, protected.tokens
    assert token not in protected.masked
    translated = "«" + protected.masked.replace("—", "-") + "»"  # a translator rewrites the words around
    assert token in protected.restore(translated)


def test_names_of_the_people_are_kept_as_written() -> None:
    protected = protect("Layla asked Dmitri for a table", keep=("Layla", "Dmitri"))
    assert protected.tokens == ("Layla", "Dmitri")
    assert protected.restore('<x id="1"/> попросил(а) <x id="0"/>') == "Dmitri попросил(а) Layla"


def test_what_translators_do_to_markup() -> None:
    protected = protect("Table at 21:00 for R-1001 & friends")
    assert protected.masked == 'Table at <x id="0"/> for <x id="1"/> &amp; friends'
    moved = "Стол для <x id = \"1\" /> в <x id='0'></x> &amp; друзей"  # reordered, respaced, closed
    assert protected.restore(moved) == "Стол для R-1001 в 21:00 & друзей"
    assert protected.restore("Стол для друзей") is None  # a placeholder lost
    assert protected.restore('<x id="0"/> <x id="0"/> <x id="1"/>') is None  # doubled
    assert protected.restore('<x id="0"/> <x id="1"/> <x id="2"/>') is None  # invented
    assert protected.restore('<x id="0"/><b> <x id="1"/></b>') == "21:00 R-1001"  # a stray tag dropped


def test_what_is_worth_translating() -> None:
    assert worth_translating("Где моя машина?")
    assert not worth_translating("/quote 45000 RUB Mercedes")  # a command goes as it is
    assert not worth_translating("20:00 45 000 RUB")  # nothing but tokens
    assert not worth_translating("👍")
    assert not worth_translating("x" * 4097)
