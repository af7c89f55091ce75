"""Every Arabic client text is correct for any client, man or woman: it addresses them in the
respectful plural (اكتبوا، تودّون، لديكم) or neutrally (يُرجى، الدفع), never in the masculine singular
(اكتب، تودّ، لديك)."""

import re

from fluent.runtime import FluentBundle, FluentResource

from engine.i18n import LOCALES_DIR, resource_names
from tests.unit.test_locales import SAMPLE

_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640]")  # diacritics, tatweel
_WORD = re.compile("[\u0621-\u064a]+")

# the singular forms that addressed every client as a man, and their like
FORBIDDEN = {
    "اكتب", "اضغط", "أرسل", "ارسل", "اختر", "ابدأ", "أخبرني", "أخبرنا", "قيمنا", "تفضل", "اتصل", "انتظر",
    "تود", "تريد", "تكتب", "تحتاج", "تحتاجه", "تستطيع", "ترغب", "رغبت", "احتجت", "رفضت", "شئت",
}  # fmt: skip
# words that end in ك by their root, not a "you" (كَ/كِ) attached to them
ROOT_KAF = {"ترك", "ذلك", "تلك", "هناك", "كذلك", "لذلك", "بذلك", "البنك", "بنك"}


def _arabic_texts() -> dict[str, str]:
    texts = {}
    for name in resource_names():
        source = (LOCALES_DIR / "ar" / name).read_text()
        bundle = FluentBundle(["ar"], use_isolating=False)
        bundle.add_resource(FluentResource(source))
        for message_id in re.findall(r"^([a-z][\w-]*) =", source, re.MULTILINE):
            text, errors = bundle.format_pattern(bundle.get_message(message_id).value, SAMPLE)
            assert not errors, message_id
            texts[message_id] = _MARKS.sub("", text)
    return texts


def _words(text: str) -> list[str]:
    """Each word, also without a leading "and"/"so" (واكتب is اكتب)."""
    words = _WORD.findall(text)
    return words + [w[1:] for w in words if w[0] in "وف" and len(w) > 3]


def test_no_arabic_text_uses_a_masculine_singular_form() -> None:
    texts = _arabic_texts()
    assert len(texts) >= 45  # every message, not a parse that found none
    found = {i: sorted(set(_words(t)) & FORBIDDEN) for i, t in texts.items() if set(_words(t)) & FORBIDDEN}
    assert found == {}


def test_no_arabic_text_says_you_in_the_singular() -> None:
    singular = {
        message_id: [w for w in _WORD.findall(text) if w.endswith("ك") and w not in ROOT_KAF]
        for message_id, text in _arabic_texts().items()
    }
    assert {i: words for i, words in singular.items() if words} == {}


def test_no_arabic_text_makes_the_assistant_a_man() -> None:
    """The assistant may be a woman (Amira leads the team): 'سيتولى Amira خدمتكم' and 'وسيتولى Amira الأمر'
    spoke of her in the masculine. The word before the name is never a third-person verb (يـ، سيـ)."""
    verbs = re.compile("^[وف]?س?ي[\u0621-\u064a]{2,}$")
    found = {}
    for name in resource_names():
        source = _MARKS.sub("", (LOCALES_DIR / "ar" / name).read_text())
        for message_id, before in re.findall(
            r"^([a-z][\w-]*) =.*?(\S+) \{ \$assistant \}", source, re.MULTILINE
        ):
            if verbs.match(before):
                found[message_id] = before
    assert found == {}
