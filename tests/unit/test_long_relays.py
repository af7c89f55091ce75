"""A client's text longer than one Telegram message reaches the topic in parts, right behind its relay, and
never more than a bounded few (engine/outbox.py `relay_to_topic`)."""

from datetime import UTC, datetime

from channels.telegram.sender import folded
from domain.clients import Channel
from domain.events import Actor, ActorKind, Event, EventType
from domain.messages import Inbound, Kind
from domain.outbound import read_doc
from domain.texts import TELEGRAM_MAX
from engine.outbox import CONTINUED, MORE_PARTS, relay_to_topic

EVENT = Event(
    "conversation:C-1",
    2,
    EventType.MESSAGE_RECEIVED,
    datetime(2026, 12, 6, tzinfo=UTC),
    Actor(ActorKind.CLIENT, "C-1"),
    "cause",
    {},
)


def texts(deliveries) -> list[str]:
    return [read_doc(d.payload).text for d in deliveries]


def whatsapp(text: str) -> Inbound:
    return Inbound(Kind.TEXT, text, "+971500000000", "SM1", channel=Channel.WHATSAPP)


def test_a_text_that_fits_is_one_relay() -> None:
    (relay,) = relay_to_topic(EVENT, 0, -100, "C-1", whatsapp("Hello"))
    assert texts([relay]) == ["🟢 WhatsApp · Hello"] and relay.merge_key == "topic:C-1"


def test_a_long_translation_goes_in_parts_and_its_original_is_folded_beneath_the_last() -> None:
    relay, *more = relay_to_topic(EVENT, 0, -100, "C-1", whatsapp("مرحبا"), translation="word " * 1000)
    assert len(more) == 1 and all(len(t) <= TELEGRAM_MAX for t in texts([relay, *more]))
    assert read_doc(relay.payload).folded is None and read_doc(more[0].payload).folded == "مرحبا"
    assert [d.id for d in more] == [f"{EVENT.id}:{CONTINUED + 1}"] and more[0].lane == relay.lane
    assert " ".join(texts([relay, *more])).split()[-1000:] == ["word"] * 1000


def test_a_long_translation_still_shows_the_client_s_own_words_whole() -> None:
    """Found by the review: the original was folded beneath the first part, already a whole message long, so
    the sender found no room and left it out — not one word the client wrote reached the topic. With no room
    beneath the translation's last part, the original follows whole, on its own."""
    original = "أريد سيارة مع سائق من فندق ريتز إلى المطار غداً. " * 60  # (~3,000 characters)
    for words, on_its_own in ((1000, False), (1600, True)):  # (room beneath the last part, or none)
        relay, *more = relay_to_topic(EVENT, 0, -100, "C-1", whatsapp(original), translation="word " * words)
        shown = []
        for d in (relay, *more):
            out = read_doc(d.payload)
            shown.append(folded(out.text, out.folded, None)[0] if out.folded else out.text)
        assert original.strip() in "\n".join(shown) and all(len(t) <= TELEGRAM_MAX for t in shown)
        assert (texts(more)[-1].strip() == original.strip()) is on_its_own


def test_no_text_makes_more_than_a_few_parts() -> None:
    relay, *more = relay_to_topic(EVENT, 0, -100, "C-1", whatsapp("x " * 50_000))
    assert len(more) == MORE_PARTS and texts(more)[-1].endswith("…")
    assert all(len(t) <= TELEGRAM_MAX for t in texts([relay, *more]))
