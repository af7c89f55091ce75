"""Deliveries a version before the neutral message stored (an `op` and vendor fields) and left pending go out
after the upgrade as they would have: no migration, `from_doc` reads the old shape (archived ones too, for
replies that name them)."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.deliveries import Delivery, DeliveryStatus
from tests import reads
from tests.harness import STAFF_CHAT, Harness, user
from tests.telegram.test_whatsapp import NUMBER, wa


async def test_pending_deliveries_of_the_old_shape_are_sent_after_the_upgrade(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en", lead=True)
    layla = user("Layla", "en")
    await tg.send(tg.fake.user_message(layla, text="Hello"))
    await tg.settle()
    client = await tg.client_of(layla)
    thread, chat = reads.thread(client), layla["id"]
    old = "conversation:" + client.id + "#90"
    pay = [[{"text": "Pay", "url": "https://pay.example/1"}]]
    for n, doc in enumerate(
        [
            {"op": "text", "chat_id": chat, "text": "Kept from before", "buttons": pay, "reply_to": None},
            {
                "op": "text",
                "chat_id": STAFF_CHAT,
                "topic_of": client.id,
                "text": "An old note",
                "reply_to": None,
            },
            {"op": "edit_card", "chat_id": STAFF_CHAT, "topic_of": client.id, "card": "client"},
        ]
    ):
        lane = f"tg:{chat}" if n == 0 else f"tg:{STAFF_CHAT}:{client.id}"
        await tg.store.deliveries.enqueue(
            Delivery(f"{old}:{n}", "telegram", str(doc["chat_id"]), doc, old, lane=lane)
        )
    await tg.settle()
    kept = tg.to_user(layla)[-1]
    assert kept["text"] == "Kept from before"
    assert kept["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://pay.example/1"
    assert tg.topic_texts(thread)[-1] == "An old note"
    assert await tg.failed_deliveries() == 0


async def test_a_pending_whatsapp_message_and_template_of_the_old_shape_go_out(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en", lead=True)
    await wa(tg, NUMBER, "Hello")
    stamp = int(datetime.now(UTC).timestamp())
    for n, (doc, lane) in enumerate(
        [
            ({"op": "text", "to": NUMBER, "text": "Kept from before"}, f"wa:{NUMBER}"),
            (
                {"op": "template", "to": NUMBER, "content_sid": "HX0", "variables": {"1": "L"}},
                f"wa-template:{NUMBER}",
            ),
        ]
    ):
        event = f"conversation:old{stamp}#{n}"
        await tg.store.deliveries.enqueue(Delivery(f"{event}:0", "whatsapp", NUMBER, doc, event, lane=lane))
    await tg.settle()
    assert "Kept from before" in tg.wa_texts(NUMBER)
    assert [m.content_sid for m in tg.tw.to(NUMBER) if m.content_sid] == ["HX0"]
    assert await tg.failed_deliveries() == 0


async def test_a_delivery_this_version_cannot_read_fails_alone_and_the_rest_still_go(tg: Harness) -> None:
    """A document of a newer shape (a rolling upgrade) or a damaged one: it fails, the others are sent."""
    await tg.add_staff(9001, "Anna", "en", lead=True)
    layla = user("Layla", "en")
    await tg.send(tg.fake.user_message(layla, text="Hello"))
    await tg.settle()
    chat = layla["id"]
    for n, doc in enumerate([{"type": "hologram", "text": "?"}, {"type": "message", "text": "Still sent"}]):
        event = f"conversation:future#{n}"
        await tg.store.deliveries.enqueue(
            Delivery(f"{event}:0", "telegram", str(chat), doc, event, lane=f"tg:{chat}:{n}")
        )
    await tg.settle()
    assert tg.to_user(layla)[-1]["text"] == "Still sent"
    assert await tg.failed_deliveries() == 1
    (failed,) = [d for d in await reads.deliveries(tg.store) if d.status is DeliveryStatus.FAILED]
    assert failed.id == "conversation:future#0:0"
