"""The words a message is found by, and what a searched word must start (domain/search.py): the intake's
normal form, Arabic bare of its clitics, Russian without a case ending, English without a plural; bounded."""

from hypothesis import given
from hypothesis import strategies as st

from domain import search


def found(written: str, searched: str) -> bool:
    keys, indexed = search.search_keys(searched), set(search.message_keys(written))
    return bool(keys) and all(key in indexed for key in keys)  # (what the store looks up: exact keys)


def test_arabic_is_found_without_its_clitics_diacritics_and_letter_variants() -> None:
    assert found("سنلتقي بالفندق", "فندق") and found("سنلتقي بالفندق", "الفندق")
    assert found("والمطعم جميل", "مطعم") and found("المطعم", "ٱلْمَطْعَم")
    assert found("طاولة لأربعة", "طاوله")  # ta marbuta written as ha
    assert found("الساعة ٢١", "21")  # Arabic-Indic digits
    assert not found("فندق", "مطعم")


def test_russian_is_found_in_another_case_and_english_in_the_plural() -> None:
    assert found("столик в ресторане", "рестораны") and found("ресторанами", "ресторан")
    assert found("Берёзовая роща", "березовой")  # ё as е
    assert found("the Ritz restaurants", "restaurant") and found("a restaurant", "restaurants")
    assert found("two dresses", "dress") and found("three companies", "company")
    assert not found("the Ritz", "restaurant")


def test_every_searched_word_must_be_there_and_one_letter_is_not_searched() -> None:
    assert found("a table at Nobu tonight", "nobu table")
    assert not found("a table at Nobu tonight", "nobu car")
    assert search.search_keys("a я") == [] and search.message_words("a я") == []


def test_a_word_is_kept_to_twelve_letters_and_a_message_to_two_hundred_words() -> None:
    assert search.message_words("Internationalisation") == ["internationa"]
    assert found("Internationalisation", "internationalization")  # (the first twelve letters agree)
    many = " ".join(f"w{i}" for i in range(5000))
    assert len(search.message_words(many)) <= search.MESSAGE_WORDS + 1


@given(st.text(max_size=300))
def test_any_text_is_found_by_each_of_its_words(text: str) -> None:
    for word in search.words(text)[:5]:
        if len(word) >= 2 and len(search.message_words(text)) < search.MESSAGE_WORDS:
            assert found(text, word), word


def test_a_search_key_is_one_of_the_keys_of_every_message_the_search_finds() -> None:
    for written, searched in (
        ("سنلتقي بالفندق", "فندق"),
        ("столик в ресторане", "рестораны"),
        ("the Ritz restaurants", "restaurant"),
        ("two dresses", "dress"),
    ):
        keys = set(search.message_keys(written))
        assert all(key in keys for key in search.search_keys(searched)), (written, searched)
    assert "ri" in search.message_keys("Ritz") and "r" not in search.message_keys("Ritz")
    assert len(search.message_keys(" ".join(f"word{i}x" for i in range(400)))) <= search.MESSAGE_KEYS
