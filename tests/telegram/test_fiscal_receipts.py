"""54-FZ: with receipts on, every payment link, one-tap charge and refund carries its fiscal receipt (the
quote's lines, the VAT rate and taxation system from settings, the client's e-mail or else their phone; the
topic told when neither is known); the receipt service's signed notification is kept on the request, its link
goes to the client in their language, the topic told."""

from __future__ import annotations

import asyncio

import pytest

from domain.events import EventType
from engine import queries as q
from sandbox.cloudpayments import ApiCall, sign
from tests.console_client import signed_in
from tests.harness import STAFF_CHAT, Harness, start_harness
from tests.telegram.test_lifecycle import (
    ANNA,
    client_asks,
    order_of,
    pay,
    quote_message,
    returning_client,
    staff_says,
)
from tests.telegram.test_miniapp import App

NO_CONTACT = "has no e-mail or phone to go to"


@pytest.fixture
async def fiscal(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock) -> Harness:
    harness = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, receipts=True
    )
    await harness.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    yield harness
    await harness.store.client.drop_database(db_name)


def customer_receipt(call: ApiCall) -> dict:
    return call.body["JsonData"]["CloudPayments"]["CustomerReceipt"]


async def test_a_payment_and_a_partial_refund_each_get_their_receipt_told_in_the_clients_language(
    fiscal: Harness,
) -> None:
    tg = fiscal
    layla, thread = await client_asks(tg, "احتاج سيارة الليلة الساعة ٨", language="ar")
    await staff_says(tg, thread, "/quote RUB\nMercedes S-Class with chauffeur — 40000\nWaiting time — 5000")
    (created,) = tg.cp.api_calls("orders/create")
    receipt = customer_receipt(created)
    assert [(i["label"], i["amount"], i["vat"], i["quantity"]) for i in receipt["Items"]] == [
        ("R-1001: Mercedes S-Class with chauffeur", 40000.0, 22, 1.0),
        ("R-1001: Waiting time", 5000.0, 22, 1.0),
    ]
    assert receipt["taxationSystem"] == 1 and receipt["amounts"]["electronic"] == 45000.0
    assert receipt["calculationPlace"] == "concierge.example"
    assert receipt["email"] is None and receipt["phone"] is None  # (the payment page asks for an e-mail)

    transaction = await pay(tg, order_of(tg, quote_message(tg, layla)))
    body, headers = tg.cp.receipt_notification(transaction["TransactionId"])
    twice = await asyncio.gather(*(tg.notify("receipt", body, headers) for _ in range(2)))  # at one moment
    assert [await each.json() for each in twice] == [
        {"code": 0}
    ] * 2  # both acknowledged: kept once, told once
    assert await (await tg.notify("receipt", body, headers)).json() == {"code": 0}  # and once more, later
    await tg.settle()
    request = await q.request(tg.store, "R-1001")
    assert request is not None and [r.kind for r in request.fiscal_receipts] == ["income"]
    url = request.fiscal_receipts[0].url
    told = [m["text"] for m in tg.to_user(layla) if url in m.get("text", "")]
    assert len(told) == 1 and "الإيصال الضريبي" in told[0]
    assert any("Fiscal receipt for R-1001" in t for t in tg.topic_texts(thread))

    await staff_says(tg, thread, "/refund 5000")
    (refunded,) = tg.cp.api_calls("payments/refund")
    assert [(i["label"], i["amount"]) for i in customer_receipt(refunded)["Items"]] == [
        ("R-1001: partial refund: Mercedes S-Class with chauffeur; Waiting time", 5000.0)
    ]
    assert customer_receipt(refunded)["email"] is None and customer_receipt(refunded)["phone"] is None
    assert sum(NO_CONTACT in t for t in tg.topic_texts(thread)) == 1  # no page asks: the assistant will
    refund_tx = next(tx for tx, (kind, _) in tg.cp.receipts.items() if kind == "IncomeReturn")
    body, headers = tg.cp.receipt_notification(refund_tx)
    await tg.notify("receipt", body, headers)
    await tg.settle()
    request = await q.request(tg.store, "R-1001")
    assert [r.kind for r in request.fiscal_receipts] == ["income", "income_return"]
    assert any("الإيصال الضريبي لاسترداد" in m.get("text", "") for m in tg.to_user(layla))
    events = [e.type for e in await tg.store.events.read("request:R-1001")]
    assert events.count(EventType.FISCAL_RECEIPT_ISSUED) == 2
    card = tg.fake.chats[STAFF_CHAT].messages[request.card_message_id]["text"]
    assert "🧾 Fiscal receipt" in card and "🧾 Fiscal refund receipt" in card
    # the topic's line says which receipt it is: a refund's is no money come in
    told = [t for t in tg.topic_texts(thread) if t.startswith("🧾 Fiscal")]
    assert [t.split(" (")[0] for t in told] == [
        "🧾 Fiscal receipt for R-1001",
        "🧾 Fiscal refund receipt for R-1001",
    ]
    page = await (await (await signed_in(tg, 9001)).get("/console/requests/R-1001")).text()
    assert "Fiscal receipt" in page and f'href="{url}"' in page


async def test_with_receipts_on_a_quote_is_in_roubles(fiscal: Harness) -> None:
    tg = fiscal
    _layla, thread = await client_asks(tg, "A car tonight at 8")
    await staff_says(tg, thread, "/quote 500 USD Mercedes S-Class")
    assert tg.cp.api_calls("orders/create") == []
    assert any("quotes are in roubles" in t for t in tg.topic_texts(thread))
    # the console's quote form offers roubles alone (it offered USD, EUR and AED, each refused once sent)
    form = await (await (await signed_in(tg, 9001)).get("/console/requests/R-1001")).text()
    assert "<option>RUB</option>" in form and "<option>USD</option>" not in form


async def test_a_forged_or_mangled_receipt_notification_changes_nothing(fiscal: Harness) -> None:
    tg = fiscal
    layla, thread = await client_asks(tg, "A car tonight at 8")
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")
    transaction = await pay(tg, order_of(tg, quote_message(tg, layla)))
    body, headers = tg.cp.receipt_notification(transaction["TransactionId"], secret="not-the-secret")
    assert (await tg.notify("receipt", body, headers)).status == 401
    body, headers = tg.cp.receipt_notification(transaction["TransactionId"])
    mangled = body.replace(b"Type=Income", b"Type=Sale")
    headers = headers | {"Content-HMAC": sign(mangled, tg.cp.secret)}
    assert (await tg.notify("receipt", mangled, headers)).status == 400  # refused at the door
    await tg.settle()
    request = await q.request(tg.store, "R-1001")
    assert request is not None and request.fiscal_receipts == ()
    assert STAFF_CHAT and ANNA  # (the team is the lifecycle test's)


async def test_a_prepayment_is_settled_by_its_own_receipt_when_the_service_is_rendered(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> None:
    tg = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, receipts="prepayment"
    )
    await tg.add_staff(9001, "Anna", "en,ru", lead=True)
    layla, thread = await client_asks(tg, "Нужна машина сегодня в 8", language="ru")
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")
    (created,) = tg.cp.api_calls("orders/create")
    assert {item["method"] for item in customer_receipt(created)["Items"]} == {1}  # a 100% prepayment
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    await staff_says(tg, thread, "/refund 5000")  # part of it given back before the service: not settled
    (refunded,) = tg.cp.api_calls("payments/refund")
    assert {item["method"] for item in customer_receipt(refunded)["Items"]} == {1}  # a prepayment returned
    await staff_says(tg, thread, "/done")
    (settled,) = tg.cp.api_calls("kkt/receipt")
    assert settled.body["Inn"] == "7708806062" and settled.body["InvoiceId"] == "R-1001/1"
    assert settled.request_id == "settle:R-1001"
    settlement = settled.body["CustomerReceipt"]
    assert {item["method"] for item in settlement["Items"]} == {4}  # paid in full, now rendered
    assert settlement["amounts"]["advancePayment"] == 40000.0 and settlement["amounts"]["electronic"] == 0.0
    receipt_id = next(tx for tx, record in tg.cp.transactions.items() if record.get("Settlement"))
    body, headers = tg.cp.receipt_notification(receipt_id)
    assert (await tg.notify("receipt", body, headers)).status == 200
    await tg.settle()
    request = await q.request(tg.store, "R-1001")
    assert request is not None and [r.kind for r in request.fiscal_receipts] == ["settlement"]
    assert any("Итоговый кассовый чек" in m.get("text", "") for m in tg.to_user(layla))
    await tg.store.client.drop_database(db_name)


async def test_a_refused_settlement_receipt_is_told_and_alerted_never_silent(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> None:
    tg = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, receipts="prepayment"
    )
    await tg.add_staff(9001, "Anna", "en", lead=True)
    layla, thread = await client_asks(tg, "A car tonight at 8")
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    tg.cp.fail_next.append(("kkt/receipt", 503))
    await staff_says(tg, thread, "/done")
    assert any("settlement receipt of R-1001 was not printed" in t for t in tg.topic_texts(thread))
    assert await tg.failed_deliveries() == 0
    await tg.store.client.drop_database(db_name)


async def test_a_one_tap_charge_carries_its_receipt_to_the_email_the_client_set_and_the_service_posts_it(
    fiscal: Harness,
) -> None:
    tg = fiscal
    tg.cp.receipt_url = str(tg.http.make_url("/webhooks/cloudpayments/receipt"))  # as the sandbox wires it
    layla, thread, _first, offer = await returning_client(
        tg, "ok", "Now a table for 4 at White Rabbit on Friday at 21:00", "/quote 30000 Table for four"
    )
    app = App(tg, layla)
    status, page = await app.post("/app/preferences", {"email": "layla@"}, page="/app/preferences")
    assert status == 400 and "Please write an e-mail address" in page
    assert (await tg.client_of(layla)).email is None
    form = {"language": "en", "email": " layla@example.com "}
    assert (await app.post("/app/preferences", form, page="/app/preferences"))[0] == 303
    await tg.settle()
    assert (await tg.client_of(layla)).email == "layla@example.com"
    assert tg.topic_texts(thread)[-1] == "📱 The client changed in their page: e-mail for receipts."
    assert 'value="layla@example.com"' in (await app.get("/app/preferences"))[1]

    await tg.send(tg.fake.callback(layla, offer["message_id"], "tap:R-1002:1"))
    await tg.settle()
    (charge,) = tg.cp.api_calls("payments/tokens/charge")
    receipt = customer_receipt(charge)
    assert [(i["label"], i["amount"], i["vat"], i["method"]) for i in receipt["Items"]] == [
        ("R-1002: Table for four", 30000.0, 22, 4)
    ]
    assert receipt["taxationSystem"] == 1 and receipt["amounts"]["electronic"] == 30000.0
    assert receipt["email"] == "layla@example.com" and receipt["phone"] is None
    await tg.cp.posted()  # CloudPayments, as the receipt service, posts the notification by itself
    await tg.settle()
    request = await q.request(tg.store, "R-1002")
    assert request is not None and [r.kind for r in request.fiscal_receipts] == ["income"]
    url = request.fiscal_receipts[0].url
    assert url is not None and any(url in m.get("text", "") for m in tg.to_user(layla))
    assert not any(NO_CONTACT in t for t in tg.topic_texts(thread))


async def test_a_receipt_goes_to_the_phone_until_the_team_sets_an_email(fiscal: Harness) -> None:
    tg = fiscal
    layla, thread = await client_asks(tg, "A car tonight at 8")
    contact = {"phone_number": "971501234567", "first_name": "Layla", "user_id": layla["id"]}
    await tg.send(tg.fake.user_message(layla, contact=contact))
    await tg.settle()
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")
    (created,) = tg.cp.api_calls("orders/create")
    assert (
        customer_receipt(created)["phone"] == "+971501234567" and customer_receipt(created)["email"] is None
    )
    await pay(tg, order_of(tg, quote_message(tg, layla)))

    client = await tg.client_of(layla)
    anna, page = await signed_in(tg, 9001), f"/console/clients/{client.id}"
    refused = await anna.post(
        f"{page}/profile", {"tags": "", "preferences": "", "email": "not an e-mail"}, page
    )
    assert refused.status == 400 and "name@example.com" in await refused.text()
    assert (await tg.client_of(layla)).email is None
    profile = {"tags": "", "preferences": "", "email": "layla@example.com"}
    assert (await anna.post(f"{page}/profile", profile, page)).status == 303
    await tg.settle()
    assert 'value="layla@example.com"' in await (await anna.get(page)).text()
    chat = tg.fake.chats[STAFF_CHAT]
    assert "📧 l•••@example.com" in chat.messages[max(chat.pinned)]["text"]  # the forum sees it masked

    await staff_says(tg, thread, "/refund 5000")
    (refunded,) = tg.cp.api_calls("payments/refund")
    receipt = customer_receipt(refunded)
    assert receipt["email"] == "layla@example.com" and receipt["phone"] is None
    assert not any(NO_CONTACT in t for t in tg.topic_texts(thread))


async def test_a_refund_shows_on_the_clients_page_as_a_refund_not_as_another_receipt_of_a_payment(
    fiscal: Harness,
) -> None:
    """Found by hand: after a cancel and a partial refund, the page showed the payment and a second '🧾 Fiscal
    receipt · 20 000 ₽' (read as a second payment); the refund itself, nowhere."""
    tg = fiscal
    irina, thread = await client_asks(tg, "Нужна машина с водителем завтра с 10 до 18", language="ru")
    await staff_says(tg, thread, "/quote 48000 RUB Mercedes S-Class с водителем")
    transaction = await pay(tg, order_of(tg, quote_message(tg, irina)))
    body, headers = tg.cp.receipt_notification(transaction["TransactionId"])
    await tg.notify("receipt", body, headers)
    await staff_says(tg, thread, "/cancel передумали")
    await staff_says(tg, thread, "/refund 20000")
    refund_tx = next(tx for tx, (kind, _) in tg.cp.receipts.items() if kind == "IncomeReturn")
    body, headers = tg.cp.receipt_notification(refund_tx)
    await tg.notify("receipt", body, headers)
    await tg.settle()
    refund = (await q.known_request(tg.store, "R-1001")).refunds[0]
    _status, page = await App(tg, irina).get("/app/history")
    assert f"Возврат {refund.receipt}" in page and "Возвращено: 20\xa0000\xa0₽" in page  # the card, the list
    assert page.count(f"Возврат {refund.receipt}") == 2
    assert "Кассовый чек возврата · 20\xa0000\xa0₽" in page and "Фискальный чек · 48\xa0000\xa0₽" in page
