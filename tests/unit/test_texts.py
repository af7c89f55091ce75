"""Long texts are cut where a reader pauses, in order, within the channel's limit."""

from hypothesis import given
from hypothesis import strategies as st

from domain.texts import WHATSAPP_MAX, split_text


def test_a_short_text_is_one_part() -> None:
    assert split_text("Your car is booked.", WHATSAPP_MAX) == ["Your car is booked."]


def test_paragraphs_first_then_sentences() -> None:
    first, second = "A" * 900 + ".", "B" * 900 + "."
    assert split_text(f"{first}\n\n{second}", WHATSAPP_MAX) == [first, second]
    sentences = " ".join(f"Sentence number {n} is here." for n in range(200))
    parts = split_text(sentences, WHATSAPP_MAX)
    assert all(len(p) <= WHATSAPP_MAX and p.endswith(".") for p in parts)
    assert " ".join(parts) == sentences


def test_five_thousand_characters_of_arabic_reach_whatsapp_in_order() -> None:
    text = "\n\n".join("مرحبا بكم في موسكو. " * 20 for _ in range(13))
    parts = split_text(text, WHATSAPP_MAX)
    assert len(text) > 5000 and len(parts) >= 4
    assert all(len(p) <= WHATSAPP_MAX for p in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


@given(st.text(min_size=0, max_size=3000))
def test_any_text_fits_and_nothing_is_lost(text: str) -> None:
    parts = split_text(text, 200)
    assert all(len(p) <= 200 for p in parts)
    squeeze = "".join(text.split())
    assert "".join("".join(p.split()) for p in parts) == squeeze
