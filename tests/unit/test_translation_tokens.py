"""What a machine translation must never change goes as placeholders and comes back as written: a test over
every kind of such token, in each language, through a translator that rewrites every word around it, and
over what translators do to markup."""

import re

import pytest

from domain.translation import protect, worth_translating

TOKENS = [
    # commands
    "/quote",
    "/done@ConciergeBot",
    # amounts and currencies, on either side, with or without a space, with a scale
    "45 000 RUB",
    "45000 RUB",
    "500USD",
    "USD500",
    "USD 500",
    "$500",
    "1,500.50 EUR",
    "€20",
    "€45",
    "300 AED",
    "45,000.50 AED",
    "45k AED",
    "5000 руб.",
    "45 000 руб",
    "45 000 рублей",
    "1 рубль",
    "45 тыс. руб",
    "45 тыс. рублей",
    "1,5 млн рублей",
    "500 ₽",
    "45\u00a0000\u00a0₽",  # (no-break spaces, as Russian typesetting has them)
    "300 долларов",
    "500 dollars",
    "١٠٠٠ ريال",  # Arabic-Indic digits
    "500 درهم",
    "1000 روبل",
    "100 دولار",
    "200 دولارات",
    # times
    "20:00",
    "19:30",
    "8pm",
    "9pm",
    "9 PM",
    "9:30 PM",
    "7.30pm",
    "9 a.m",
    "9 a.m.",
    "١٢:٣٠",
    # dates
    "12.05",
    "12.12",
    "12.12.2026",
    "2026-12-05",
    "05/12",
    # phone numbers
    "+7 916 123-45-67",
    "+7 916 123 45 67",
    "+7 (916) 123-45-67",
    "+971501234567",
    "+971 50 123 4567",
    "8 916 123-45-67",
    # links (with a scheme or without) and addresses
    "https://pay.example.com/o/ord1000001?x=1",
    "http://example.com",
    "www.example.com/menu",
    "example.com/menu",
    "t.me/ConciergeBot",
    "concierge@example.com",
    "layla.m+vip@mail.example.ae",
    # request, client and assistant ids, as written
    "R-1042",
    "C-1001",
    "A-9002",
    "r-1001",
    # usernames
    "@layla_m",
    "@ConciergeBot",
]
CONTEXTS = {
    "en": "Please note {} — thank you",
    "en, punctuated": "Note it ({}), thanks.",
    "ru": "Пожалуйста, обратите внимание: {} — спасибо",
    "ar": "يرجى ملاحظة {} — شكرا",
}
_PLACEHOLDERS = re.compile(r'(<x id="\d+"/>)')


def rewrite(markup: str) -> str:
    """A translator that rewrites every word and leaves the placeholders where they are: whatever of a
    token was left outside its placeholder comes back changed."""
    return "".join(
        piece if _PLACEHOLDERS.fullmatch(piece) else re.sub(r"[^\W\d_]+", lambda m: f"‹{m[0][::-1]}›", piece)
        for piece in _PLACEHOLDERS.split(markup)
    )


@pytest.mark.parametrize("context", sorted(CONTEXTS))
@pytest.mark.parametrize("token", TOKENS)
def test_every_kind_of_token_comes_back_exactly(token: str, context: str) -> None:
    before, after = CONTEXTS[context].split("{}")
    protected = protect(before + token + after)
    assert protected.tokens == (token,)  # the whole token, and nothing of the words around it
    assert token not in protected.masked
    assert protected.restore(rewrite(protected.masked)) == (rewrite(before) + token + rewrite(after)).strip()


def test_a_command_keeps_its_arguments_that_must_not_change() -> None:
    protected = protect("Send /quote R-1001 45000 RUB when ready")
    assert protected.tokens == ("/quote", "R-1001", "45000 RUB")
    assert not worth_translating("/quote R-1001 45000 RUB Mercedes")  # (a command alone goes as it is)


def test_names_of_the_people_are_kept_as_written_whole_or_in_parts() -> None:
    protected = protect("Layla asked Dmitri for a table", keep=("Layla", "Dmitri"))
    assert protected.tokens == ("Layla", "Dmitri")
    assert protected.restore('<x id="1"/> попросил(а) <x id="0"/>') == "Dmitri попросил(а) Layla"
    people = ("Layla Al Mansouri", "Дмитрий Иванов", "ليلى المنصوري")
    for text, kept in [
        ("Dear Layla, your car is ready", ("Layla",)),  # a first name ({client} in a saved reply)
        ("Mrs Mansouri, or Layla Al Mansouri", ("Mansouri", "Layla Al Mansouri")),  # the whole name first
        ("Спасибо, Дмитрий! Иванов на связи", ("Дмитрий", "Иванов")),
        ("مرحبا ليلى، سيارتك جاهزة", ("ليلى",)),
    ]:
        assert protect(text, keep=people).tokens == kept, text
    # as written and as a word of its own: not lower case, not inside another word
    assert protect("layla and Laylani in Almaty", keep=people).tokens == ()
    assert protect("J. Smith", keep=("J. Smith",)).tokens == ("J. Smith",)
    assert protect("Dear J.", keep=("J. Smith",)).tokens == ()  # an initial alone is no name


def test_what_is_not_a_token() -> None:
    assert protect("I am on it, the amazing Pmrs").tokens == ()
    assert protect("Rubles and dollars are fine").tokens == ()  # a currency is kept with its amount
    assert protect("I am 5km away").tokens == ("5",)  # a unit is a word to translate
    assert protect("See example.community or http://example.com/menu.").tokens == ("http://example.com/menu",)


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
    assert not worth_translating("45 000 рублей, 9 PM")
    assert not worth_translating("👍")
    assert not worth_translating("x" * 4097)
