"""Saved replies: leads keep the library in the console (each language, checked variables); an assistant sends
one with /r in the topic or from the console, in the client's language, its variables filled in."""

import re

import pytest

from domain.events import EventType
from engine import queries as q
from tests import reads
from tests.console_client import signed_in
from tests.harness import Harness, user
from tests.telegram.test_console import OMAR, staff_says

TEXTS = {
    "name": "car-ready",
    "text_en": "{client}, your car for {request} is ready at {time}. {assistant}",
    "text_ar": "{client}، سيارتك للطلب {request} جاهزة في {time}. {assistant}",
    "text_ru": "",
}


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "en,ar")
    return tg


async def test_a_lead_keeps_replies_and_an_assistant_sends_one_in_the_clients_language(team: Harness) -> None:
    tg = team
    anna, omar = await signed_in(tg, 9001), await signed_in(tg, 9002)
    page = "/console/replies"
    assert (await omar.post(page, TEXTS, page)).status == 403  # leads keep the library
    wrong = await anna.post(page, TEXTS | {"text_en": "Hello {name}"}, page)
    assert wrong.status == 400 and "Unknown variable {name}" in await wrong.text()
    assert (await anna.post(page, TEXTS | {"name": "Car ready!"}, page)).status == 400
    assert (await anna.post(page, TEXTS | {"text_en": "", "text_ar": ""}, page)).status == 400
    assert await reads.event_count(tg.store, EventType.SAVED_REPLY_SET) == 0  # refusals change nothing
    assert (await anna.post(page, TEXTS, page)).status == 303
    listed = await (await omar.get(page)).text()
    assert "/r car-ready" in listed and "سيارتك" in listed

    layla = user("Layla", "ar")
    await tg.send(tg.fake.user_message(layla, text="احجز لي سيارة الليلة الساعة 8"))
    await tg.settle()
    client = await tg.client_of(layla)
    (request,) = await q.requests_of(tg.store, client.id)
    thread = reads.thread(client)
    await staff_says(tg, thread, "/r car-ready", who=OMAR)
    sent = tg.to_user(layla)[-1]["text"]
    assert sent.startswith("Layla، سيارتك للطلب R-1001 جاهزة في ") and sent.endswith("Omar")
    assert re.search(r"، \d\d:\d\d", sent) and not re.search(r", \d\d:\d\d", sent)  # the Arabic comma
    assert "{" not in sent
    assert any(t.startswith("💬 Saved reply «car-ready» sent") for t in tg.topic_texts(thread))
    (used,) = await reads.events(tg.store, EventType.SAVED_REPLY_USED)
    assert used.data == {"name": "car-ready", "language": "ar", "assistant_id": "A-9002"}

    await staff_says(tg, thread, "/r", who=OMAR)
    assert "Saved replies: car-ready" in tg.topic_texts(thread)[-1]
    await staff_says(tg, thread, "/r nope", who=OMAR)
    assert "No saved reply «nope»" in tg.topic_texts(thread)[-1]

    request_page = f"/console/requests/{request.id}"
    assert 'id="saved-reply"' in await (await omar.get(request_page)).text()
    via_console = {"name": "r", "args": "car-ready"}
    assert (await omar.post(f"{request_page}/command", via_console, request_page)).status == 303
    await tg.settle()
    assert len(await reads.events(tg.store, EventType.SAVED_REPLY_USED)) == 2
    removed = await anna.post("/console/replies/car-ready/remove", {}, page)
    assert removed.status == 303
    await staff_says(tg, thread, "/r car-ready", who=OMAR)
    assert "No saved reply «car-ready»" in tg.topic_texts(thread)[-1]


async def test_the_console_fills_the_reply_box_with_a_saved_reply_to_edit_first(team: Harness) -> None:
    """The reply box offers the library: a reply comes filled in for this client (their language, its
    variables) and goes as edited; its use is recorded either way, saying whether it was changed."""
    tg = team
    anna, omar = await signed_in(tg, 9001), await signed_in(tg, 9002)
    assert (await anna.post("/console/replies", TEXTS, "/console/replies")).status == 303
    layla = user("Layla", "ar")
    await tg.send(tg.fake.user_message(layla, text="احجز لي سيارة الليلة الساعة 8"))
    await tg.settle()
    client = await tg.client_of(layla)
    (request,) = await q.requests_of(tg.store, client.id)
    page = f"/console/requests/{request.id}"
    assert 'id="saved-fill"' in await (await omar.get(page)).text()

    filled = await (await omar.get(f"{page}/saved/car-ready")).json()
    assert filled["language"] == "ar" and filled["text"].startswith("Layla، سيارتك للطلب R-1001 جاهزة في ")
    assert await reads.event_count(tg.store, EventType.SAVED_REPLY_USED) == 0  # (filling records nothing)
    unknown = await omar.get(f"{page}/saved/nope")
    assert unknown.status == 400 and "No saved reply «nope»" in await unknown.text()

    edited = filled["text"] + " 🚘"
    sent = await omar.post(f"{page}/reply", {"text": edited, "saved": "car-ready"}, page)
    assert sent.status == 303
    await tg.settle()
    assert tg.to_user(layla)[-1]["text"] == edited
    as_is = await omar.post(f"{page}/reply", {"text": filled["text"], "saved": "car-ready"}, page)
    assert as_is.status == 303
    await tg.settle()
    assert tg.to_user(layla)[-1]["text"] == filled["text"]
    used = await reads.events(tg.store, EventType.SAVED_REPLY_USED)
    assert [(u.data["name"], u.data["language"], u.data["edited"]) for u in used] == [
        ("car-ready", "ar", True),
        ("car-ready", "ar", False),
    ]
    wrong = await omar.post(f"{page}/reply", {"text": "hello", "saved": "nope"}, page)
    assert wrong.status == 400 and await reads.event_count(tg.store, EventType.SAVED_REPLY_USED) == 2


async def test_a_saved_reply_with_nothing_to_fill_a_variable_is_not_sent_with_a_dash(team: Harness) -> None:
    """'/r table-confirmed' for a request with no time yet reached the client as 'столик … подтверждён на —.';
    it is refused in the topic, and goes once the time is set."""
    tg = team
    anna = await signed_in(tg, 9001)
    page = "/console/replies"
    assert (await anna.post(page, TEXTS, page)).status == 303
    layla = user("Layla", "en")
    await tg.send(tg.fake.user_message(layla, text="I need a car please"))
    await tg.settle()
    thread = reads.thread(await tg.client_of(layla))
    before = len(tg.to_user(layla))
    await staff_says(tg, thread, "/r car-ready", who=OMAR)
    assert len(tg.to_user(layla)) == before  # nothing reached the client
    assert tg.topic_texts(thread)[-1].startswith(
        "⚠️ «car-ready» was not sent: there is nothing yet to fill {time}"
    )
    assert await reads.events(tg.store, EventType.SAVED_REPLY_USED) == []
    await staff_says(tg, thread, "/edit when 2026-12-01 20:00", who=OMAR)
    await staff_says(tg, thread, "/r car-ready", who=OMAR)
    sent = tg.to_user(layla)[-1]["text"]
    assert sent.startswith("Layla, your car for R-1001 is ready at ") and "—" not in sent
