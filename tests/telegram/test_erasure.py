"""A lead erases a client from the console: a person who wrote on WhatsApp, then on Telegram (one person, two
clients merged), shared their number, was quoted, paid and served. Afterwards nothing readable of them is left
in the store's files (their raw bytes searched), the hash chain verifies, the money records remain, the forum
topic is gone, and the same person writing again is a new client."""

import json
from pathlib import Path

import pytest

from domain.events import SYSTEM, EventType
from engine import queries as q
from engine.clients import erasure
from engine.team import admin as staff_admin
from storage.audit import verify
from storage.backup import take
from tests import reads
from tests.console_client import signed_in
from tests.harness import STAFF_CHAT, Harness, start_harness, user
from tests.telegram.test_calls import call_form, twilio
from tests.telegram.test_console import staff_says
from tests.telegram.test_console_media import send_file
from tests.telegram.test_lifecycle import order_of, pay, quote_message

NUMBER = "+971507654321"
# what only this person's data contains: if any of it is in the store's files, it was not erased
MARKERS = [
    "Zubaydah",
    "zubaydah_q",
    "Qasimiyya",
    "Faisalovich",
    "Marzipan",
    "Barvikha Lux",
    "goldline",
    "7654321",
    "زبيدة",
    "القاسمية",
]


@pytest.fixture
async def own(aiohttp_server, aiohttp_client, db_name, tmp_path, clock) -> Harness:
    """The service on an embedded store of its own, so its files hold nobody else's data."""
    harness = await start_harness(
        aiohttp_server, aiohttp_client, None, db_name, tmp_path / "data", clock, voice=True
    )
    await staff_admin.add(harness.engine.deps, 9001, "Anna", "en,ru,ar", lead=True, phone="+79160000001")
    await staff_admin.add(harness.engine.deps, 9002, "Omar", "en,ar", phone="+79160000002")
    return harness


async def snapshot(tg: Harness) -> dict[str, list[dict]]:
    return {
        name: await tg.store.db[name].find({}, {"_fmt": 0}).sort("_id", 1).to_list()
        for name in ("clients", "requests", "conversations", "clients_keys")
    }


def readable(data_dir: Path) -> set[str]:
    """The markers found in any file under the data directory, as UTF-8 or as JSON escapes."""
    found = set()
    blobs = [p.read_bytes() for p in data_dir.rglob("*") if p.is_file()]
    for marker in MARKERS:
        forms = {marker.encode(), json.dumps(marker).strip('"').encode(), marker.lower().encode()}
        if any(form in blob for blob in blobs for form in forms):
            found.add(marker)
    return found


async def served_person(tg: Harness) -> tuple[dict, str]:
    """WhatsApp first, then Telegram with the same number: one person, the WhatsApp client surviving."""
    await tg.wa(NUMBER, "مرحبا، أنا زبيدة القاسمية", name="Zubaydah Qasimiyya")
    await tg.settle()
    # a call from their number, given up while it rang: its stream names them, no conversation event does
    assert (await twilio(tg, "/webhooks/twilio/voice", call_form("CA77", NUMBER))).status == 200
    gone = {"CallSid": "CA77-leg", "ParentCallSid": "CA77", "CallStatus": "no-answer", "From": NUMBER}
    assert (await twilio(tg, "/webhooks/twilio/voice/status", gone)).status == 204
    await tg.settle()
    person = user("Zubaydah", "ar", username="zubaydah_q", last_name="Qasimiyya")
    contact = {"phone_number": NUMBER[1:], "first_name": "Zubaydah", "user_id": person["id"]}
    await tg.send(tg.fake.user_message(person, text="/start"), tg.fake.user_message(person, contact=contact))
    await tg.settle()
    await tg.send(tg.fake.user_message(person, text="A table at Barvikha Lux tonight at 8 for Faisalovich"))
    await tg.settle()
    client = await tg.client_of(person)
    thread = reads.thread(client)
    await staff_says(tg, thread, "Certainly Zubaydah, your usual corner table.")
    await staff_says(tg, thread, "/note allergic to Marzipan")
    await staff_says(tg, thread, "/quote 45000 RUB Dinner reservation")
    await pay(tg, order_of(tg, quote_message(tg, person)))
    anna = await signed_in(tg, 9001)
    page = f"/console/clients/{client.id}"
    profile = {
        "tags": "goldline",
        "preferences": "No Marzipan; window seat",
        "email": "qasimiyya.z@example.com",
    }
    assert (await anna.post(f"{page}/profile", profile, page)).status == 303
    # a file sent from the console: kept in the store under its name (erased with the person)
    sent = await send_file(
        anna, "/console/requests/R-1001", b"%PDF-1.7", "Faisalovich-visa.pdf", "application/pdf"
    )
    assert sent.status == 303
    await tg.settle()
    return person, client.id


async def test_an_erased_person_leaves_nothing_readable_in_the_stores_files(
    own: Harness, db_name: str
) -> None:
    tg = own
    person, client_id = await served_person(tg)
    merged = [c.id for c in await q.merged_into(tg.store, client_id)]
    assert len(merged) == 1  # the Telegram client, merged into the WhatsApp one
    data_dir = tg.store.data_file.parent.parent
    assert readable(data_dir) >= {"Zubaydah", "Faisalovich", "Marzipan"}  # (the search can find them)
    (request,) = await q.requests_of(tg.store, client_id)
    anna, omar = await signed_in(tg, 9001), await signed_in(tg, 9002)
    page = f"/console/clients/{client_id}"
    before = await reads.event_count(tg.store)

    assert (await omar.post(f"{page}/erase", {"confirm": client_id}, page)).status == 403
    wrong = await anna.post(f"{page}/erase", {"confirm": "C-9999"}, page)
    assert wrong.status == 400 and f"Type {client_id}" in await wrong.text()
    busy = await anna.post(f"{page}/erase", {"confirm": client_id}, page)
    assert busy.status == 400 and f"{request.id} still open" in await busy.text()
    assert await reads.event_count(tg.store) == before and not (await q.client(tg.store, client_id)).erased

    thread = reads.thread(await q.client(tg.store, client_id))
    await staff_says(tg, thread, "/done")
    erased = await anna.post(f"{page}/erase", {"confirm": client_id.lower()}, page)
    assert erased.status == 303
    await tg.settle()

    assert readable(data_dir) == set()
    assert (await verify(tg.store.db, tg.store.events)).intact
    erased_topics = {c: (await q.client(tg.store, c)).topic_generation for c in (client_id, *merged)}
    for cid in (client_id, *merged):
        client = await q.client(tg.store, cid)
        assert client.erased and client.name == "" and client.identities == () and client.phone is None
        assert client.email is None
    (kept,) = await q.requests_of(tg.store, client_id)
    assert (
        kept.payment.amount.minor == 4_500_000
        and kept.payment.transaction_id == request.payment.transaction_id
    )
    assert kept.quote.items[0].description == "Dinner reservation" and kept.text == ""
    erasures = await reads.events(tg.store, EventType.CLIENT_ERASED)
    assert sorted(e.stream for e in erasures) == sorted(f"client:{c}" for c in (client_id, *merged))
    assert {e.actor.id for e in erasures} == {"A-9001"}
    assert thread in tg.fake.chats[STAFF_CHAT].deleted_topics  # the forum topic, with the conversation

    shown = await (await anna.get(page)).text()
    assert "erased" in shown and all(m not in shown for m in MARKERS)
    exported = await (await anna.post(f"{page}/export", {}, page)).text()
    assert all(m not in exported for m in MARKERS) and "RequestPaid" in exported
    assert client_id not in await (await anna.post("/console/clients", {"q": "Zubaydah"})).text()

    reply = await anna.post(f"/console/requests/{request.id}/reply", {"text": "Zubaydah?"}, page)
    assert reply.status == 400 and "erased" in await reply.text()
    assert "reply-text" not in await (await anna.get(f"/console/requests/{request.id}")).text()

    backup = take(data_dir, db_name, data_dir.parent / "after-erase.db")  # a backup taken afterwards
    assert all(m.encode() not in backup.path.read_bytes() for m in MARKERS)
    projected = await snapshot(tg)
    await tg.store.projector.rebuild()
    assert await snapshot(tg) == projected  # the log folds to the same erased projections
    again = await erasure.erase(tg.engine.deps, SYSTEM, client_id)  # a repeat: harmless
    assert again.clients == (client_id, *merged)
    assert len(await reads.events(tg.store, EventType.CLIENT_ERASED)) == len(erasures)

    # the money is still theirs: a refund after the erase goes through, and posts nothing anywhere
    refund_page = f"/console/requests/{request.id}/refund"
    refunded = await anna.post(refund_page, {"confirm": "yes", "amount": "5000"}, refund_page)
    assert refunded.status == 303, await refunded.text()
    await tg.settle()
    assert (await q.request(tg.store, request.id)).refunded.minor == 500_000
    assert [d.id for d in await reads.deliveries(tg.store) if d.in_queue] == []
    assert (await q.client(tg.store, client_id)).topic_generation == erased_topics[client_id]
    assert readable(data_dir) == set()

    await tg.send(tg.fake.user_message(person, text="Hello again"))
    await tg.settle()
    again = await tg.client_of(person)
    assert again.id not in (client_id, *merged) and reads.thread(again) not in (None, thread)


async def test_the_export_of_a_merged_person_holds_every_client_and_call_of_theirs(own: Harness) -> None:
    """A data request is answered whole: the WhatsApp client, the Telegram one merged into it (with its
    username), and the call from their number — asked from either client's page."""
    tg = own
    _person, client_id = await served_person(tg)
    (merged,) = [c.id for c in await q.merged_into(tg.store, client_id)]
    anna = await signed_in(tg, 9001)
    for asked in (client_id, merged):
        page = f"/console/clients/{asked}"
        response = await anna.post(f"{page}/export", {}, page)
        assert response.status == 200
        history = json.loads(await response.text())
        assert history["client"]["_id"] == client_id
        assert [m["_id"] for m in history["merged"]] == [merged]
        streams = {e["stream"] for e in history["events"]}
        assert {f"client:{merged}", f"conversation:{merged}", f"client:{client_id}", "call:CA77"} <= streams
        assert "zubaydah_q" in json.dumps(history, ensure_ascii=False)
        assert "R-1001" in {r["_id"] for r in history["requests"]}


async def test_an_erase_cut_short_by_a_crash_is_finished_by_asking_again(
    own: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = own
    person = user("Zubaydah", "ar", username="zubaydah_q")
    await tg.send(tg.fake.user_message(person, text="Hello, Zubaydah Qasimiyya here"))
    await tg.settle()
    client = await tg.client_of(person)
    await staff_says(tg, reads.thread(client), "Welcome back, Zubaydah.")
    for request in await q.requests_of(tg.store, client.id):
        await staff_says(tg, reads.thread(client), f"/cancel {request.id}")
    data_dir = tg.store.data_file.parent.parent

    async def crash(*_args, **_kwargs):
        raise RuntimeError("the process died here")

    monkeypatch.setattr(erasure, "scrub", crash)  # after the key is gone, before the payloads are
    with pytest.raises(RuntimeError):
        await erasure.erase(tg.engine.deps, SYSTEM, client.id)
    assert (await q.client(tg.store, client.id)).erased and readable(data_dir)  # half done: payloads remain
    monkeypatch.undo()
    anna = await signed_in(tg, 9001)
    page = f"/console/clients/{client.id}"
    assert (await anna.post(f"{page}/erase", {"confirm": client.id}, page)).status == 303
    await tg.settle()
    assert readable(data_dir) == set()
    assert len(await reads.events(tg.store, EventType.CLIENT_ERASED)) == 1


async def test_a_first_contact_racing_the_erase_starts_a_new_client(own: Harness) -> None:
    """A message processed while the erase ran left the claim on the erased client: it is no claim."""
    tg = own
    person = user("Zubaydah", "ar")
    await tg.send(tg.fake.user_message(person, text="مرحبا"))
    await tg.settle()
    erased = await tg.client_of(person)
    await erasure.erase(tg.engine.deps, SYSTEM, erased.id)
    claim = f"telegram:{person['id']}"
    await tg.store.db["claims"].insert_one({"_id": claim, "client_id": erased.id})  # as the race left it
    await tg.send(tg.fake.user_message(person, text="Hello?"))
    await tg.settle()
    fresh = await tg.client_of(person)
    assert fresh.id != erased.id and not fresh.erased and reads.thread(fresh) is not None
    assert (await q.client(tg.store, erased.id)).identities == ()
