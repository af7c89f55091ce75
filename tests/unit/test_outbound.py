"""The neutral outbound message and the forum's operations: stored and read back unchanged, documents of the
earlier shape (an `op` and vendor fields) read as what they meant, and each channel's compose rules."""

from __future__ import annotations

from typing import Any

import pytest

from channels.telegram.compose import compose as telegram
from channels.whatsapp.compose import SPEC as WHATSAPP
from channels.whatsapp.compose import compose as whatsapp
from domain.clients import Language
from domain.messages import Kind
from domain.outbound import (
    Button,
    CloseTopic,
    CreateTopic,
    DeleteMessage,
    DeleteTopic,
    EditCard,
    Media,
    Mention,
    Message,
    Original,
    Outbound,
    PostCard,
    RenameTopic,
    SignIn,
    Template,
    TemplateSids,
    from_doc,
    to_doc,
)


def t(message_id: str) -> str:
    return f"<{message_id}>"


EVERY: list[Outbound] = [
    Message("Hello"),
    Message(
        "Pay",
        buttons=(
            (Button("Pay", url="https://pay"),),
            (Button("Ask", data="ask:R-1"), Button("📞", contact=True)),
        ),
        reply_to="12",
        topic="C-1001",
        mentions=(Mention(9001, "Anna"),),
        about="C-1001",
        sign_in=SignIn("nonce", "Open", "A-1", -100),
    ),
    Message(
        "caption", media=Media(Kind.PHOTO, url="https://x", file_id="f", content_type="image/jpeg", size=9)
    ),
    Message(original=Original("42", "7"), topic="C-1"),
    Message("🌐 [ru] هذا", original=Original("42", "8"), topic="C-1", folded="هذا", recaption=True),
    Template("HX1", {"1": "Layla"}),
    CreateTopic("forum:-100/escalations", 2, "⚠️ Escalations"),
    PostCard("C-1", "request:R-1"),
    EditCard("C-1"),
    RenameTopic("C-1", "Layla · AR · VIP"),
    CloseTopic("C-1"),
    DeleteTopic(77),
    DeleteMessage("C-1001", 4242),
]


@pytest.mark.parametrize("out", EVERY, ids=lambda out: type(out).__name__)
def test_every_message_and_operation_is_read_back_as_it_was_stored(out: Outbound) -> None:
    assert from_doc(to_doc(out)) == out


LEGACY: list[tuple[dict[str, Any], Outbound]] = [
    (
        {
            "op": "text",
            "chat_id": 42,
            "text": "Hi",
            "buttons": [[{"text": "1", "data": "rate:1"}]],
            "reply_to": 5,
        },
        Message("Hi", buttons=((Button("1", data="rate:1"),),), reply_to="5"),
    ),
    (
        {"op": "text", "chat_id": -100, "topic_of": "C-1", "text": "Moved", "mentions": [[9001, "Anna"]]},
        Message("Moved", topic="C-1", mentions=(Mention(9001, "Anna"),)),
    ),
    (
        {"op": "text", "chat_id": -100, "topic_of": "forum:-100/escalations", "text": "⚠️", "about": "C-1"},
        Message("⚠️", topic="forum:-100/escalations", about="C-1"),
    ),
    (
        {"op": "text", "chat_id": 9001, "text": "{link}", "sign_in": "n", "button": "Open", "staff": "A-1"},
        Message("{link}", sign_in=SignIn("n", "Open", "A-1", None)),
    ),
    (
        {"op": "copy", "chat_id": 42, "from_chat_id": -100, "message_id": 9, "reply_to": None},
        Message(original=Original("-100", "9")),
    ),
    (
        {
            "op": "upload",
            "chat_id": -100,
            "topic_of": "C-1",
            "url": "https://m",
            "content_type": "audio/mpeg",
            "caption": "🟢 WhatsApp",
        },
        Message("🟢 WhatsApp", media=Media(url="https://m", content_type="audio/mpeg"), topic="C-1"),
    ),
    (
        {
            "op": "media",
            "to": "+971",
            "file_id": "f",
            "file_name": "a.pdf",
            "mime": "application/pdf",
            "text": "",
        },
        Message(media=Media(file_id="f", content_type="application/pdf", file_name="a.pdf")),
    ),
    ({"op": "text", "to": "+971", "text": "Hello"}, Message("Hello")),
    (
        {"op": "template", "to": "+971", "content_sid": "HX1", "variables": {"1": "L"}},
        Template("HX1", {"1": "L"}),
    ),
    (
        {"op": "create_topic", "chat_id": -100, "client_id": "C-1", "generation": 1, "name": "Layla · EN"},
        CreateTopic("C-1", 1, "Layla · EN"),
    ),
    ({"op": "card", "chat_id": -100, "topic_of": "C-1"}, PostCard("C-1")),
    (
        {"op": "edit_card", "chat_id": -100, "topic_of": "C-1", "card": "request:R-1"},
        EditCard("C-1", "request:R-1"),
    ),
    (
        {"op": "rename_topic", "chat_id": -100, "topic_of": "C-1", "name": "L · VIP"},
        RenameTopic("C-1", "L · VIP"),
    ),
    ({"op": "close_topic", "chat_id": -100, "topic_of": "C-1"}, CloseTopic("C-1")),
    ({"op": "delete_topic", "chat_id": -100, "message_thread_id": 77}, DeleteTopic(77)),
]


@pytest.mark.parametrize(("doc", "meant"), LEGACY, ids=lambda v: v.get("op") if isinstance(v, dict) else "")
def test_a_delivery_stored_by_an_earlier_version_is_read_as_what_it_meant(
    doc: dict[str, Any], meant: Outbound
) -> None:
    assert from_doc(doc) == meant


def test_the_stored_document_keeps_the_keys_lookups_read() -> None:
    """Replies to an escalation line (/take) and the console's timeline read these from stored documents."""
    doc = to_doc(Message("⚠️", topic="forum:-100/escalations", about="C-1"))
    assert (doc["about"], doc["topic_of"], doc["text"]) == ("C-1", "forum:-100/escalations", "⚠️")


def test_telegram_keeps_buttons_and_splits_at_4096_with_the_buttons_on_the_last_part() -> None:
    rows = ((Button("Pay", url="https://pay"),),)
    composed = telegram(Message("x" * 5000, buttons=rows, reply_to="3"), t)
    assert [len(p.text) for p in composed.parts] == [4096, 904]
    assert [p.buttons for p in composed.parts] == [(), rows]
    assert {p.reply_to for p in composed.parts} == {"3"}
    assert composed.choices == {} and composed.refused is None


def test_telegram_copies_a_telegram_message_as_it_is() -> None:
    original = Message("caption", media=Media(Kind.PHOTO, file_id="f"), original=Original("-100", "9"))
    assert telegram(original, t).parts == (Message(original=Original("-100", "9")),)
    translated = Message("[ar] Вот", original=Original("-100", "9"), folded="Вот", recaption=True)
    assert telegram(translated, t).parts == (translated,)  # its caption replaced by the translation


def test_whatsapp_makes_links_of_link_buttons_and_numbered_choices_of_the_others() -> None:
    rows = (
        (Button("Pay 100 €", url="https://pay"),),
        (Button("Ask", data="ask:R-1"), Button("Decline", data="decline:R-1:1")),
    )
    composed = whatsapp(Message("Your quote", buttons=rows, reply_to="4"), t)
    assert composed.parts == (
        Message("Your quote\n\nPay 100 €: https://pay\n1 — Ask\n2 — Decline\n\n<choices-hint>"),
    )
    assert composed.choices == {"1": "ask:R-1", "2": "decline:R-1:1"}


def test_whatsapp_splits_at_1600() -> None:
    assert [len(p.text) for p in whatsapp(Message("y" * 2000), t).parts] == [1600, 400]


def test_whatsapp_lanes_keep_the_names_stored_deliveries_carry() -> None:
    """A chat's messages and its re-open template (in a lane of its own) are named by the spec, as before."""
    assert WHATSAPP.lane("+971500000001") == "wa:+971500000001"
    assert WHATSAPP.template_lane("+971500000001") == "wa-template:+971500000001"


def test_whatsapp_sends_photos_documents_and_videos_up_to_16_mb_and_refuses_the_rest() -> None:
    photo = Message("look", media=Media(Kind.PHOTO, file_id="f", size=1024))
    assert whatsapp(photo, t).parts == (photo,)
    big = whatsapp(Message(media=Media(Kind.VIDEO, file_id="f", size=17 * 1024 * 1024)), t).refused
    assert big is not None and (big.notice, big.problem, big.megabytes) == ("wa-not-sent", "size", "17")
    sticker = whatsapp(
        Message(media=Media(Kind.STICKER, file_id="f"), original=Original("1", "2")), t
    ).refused
    assert sticker is not None and (sticker.problem, sticker.kind) == ("kind", "sticker")


AR, EN, ANY = "HX" + "a" * 32, "HX" + "e" * 32, "HX" + "0" * 32


def test_a_template_setting_names_one_sid_per_language_and_perhaps_one_for_any() -> None:
    per_language = TemplateSids.parse(f" ar={AR} , EN={EN},")
    assert [per_language.sid(lang) for lang in Language] == [EN, AR, None]  # no Russian one: none
    assert TemplateSids.parse(f"{ANY},en={EN}").sid(Language.RU) == ANY  # the older bare SID: any language
    assert TemplateSids.parse(ANY).sid(Language.AR) == ANY
    assert TemplateSids.parse(None).sid(Language.EN) is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("HX123", "is not a Content SID"),
        (f"ar={AR},ar={EN}", "two SIDs for ar"),
        (f"fr={AR}", "'fr' is not a client language"),
        (f"={AR}", "'' is not a client language"),
        (f"{AR},{EN}", "two SIDs for any language"),
        (f"ar:{AR}", "is not a Content SID"),
    ],
)
def test_a_wrong_template_setting_says_what_is_wrong(value: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        TemplateSids.parse(value)
