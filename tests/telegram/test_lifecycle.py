"""Request → quote → payment in the chat → fulfilment → receipt, end to end through the real endpoints."""

import pytest

from domain.events import ClientAction, EventType
from domain.money import Money
from domain.names import name_key
from domain.payments import CheckCode
from domain.requests import ServiceRequest
from engine import queries as q
from storage.audit import verify
from tests import reads
from tests.console_client import signed_in
from tests.harness import STAFF_CHAT, Harness, user

ANNA = {"id": 9001, "is_bot": False, "first_name": "Anna"}
OMAR = {"id": 9002, "is_bot": False, "first_name": "Omar"}


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "ar")
    return tg


async def client_asks(tg: Harness, text: str, language: str = "en", name: str = "Layla") -> tuple[dict, int]:
    client = user(name, language)
    await tg.send(tg.fake.user_message(client, text="/start"), tg.fake.user_message(client, text=text))
    await tg.settle()
    return client, await tg.thread_of(client)


async def staff_says(tg: Harness, thread: int, text: str, who: dict = ANNA) -> None:
    await tg.send(tg.fake.user_message(who, chat_id=STAFF_CHAT, thread_id=thread, text=text))
    await tg.settle()


async def request_of(tg: Harness, request_id: str = "R-1001") -> ServiceRequest:
    request = await q.request(tg.store, request_id)
    assert request is not None, f"no request {request_id}"
    return request


def quote_message(tg: Harness, client: dict) -> dict:
    return next(m for m in reversed(tg.to_user(client)) if "reply_markup" in m)


def order_of(tg: Harness, message: dict) -> dict:
    url = message["reply_markup"]["inline_keyboard"][0][0]["url"]
    return tg.cp.orders[url.rsplit("/", 1)[1]]


async def pay(tg: Harness, order: dict, kind: str = "pay", form: bool = True, **overrides) -> dict:
    transaction = tg.cp.pay_order(order["Id"])
    body, headers = tg.cp.notification("check", transaction, form=form, **overrides)
    check = await tg.notify("check", body, headers)
    assert check.status == 200
    body, headers = tg.cp.notification(kind, transaction, form=form, **overrides)
    response = await tg.notify(kind, body, headers)
    assert response.status == 200 and await response.json() == {"code": 0}
    await tg.settle()
    return transaction | {"check": (await check.json())["code"]}


async def test_the_whole_journey(team: Harness) -> None:
    tg = team
    layla, thread = await client_asks(tg, "Book a Mercedes S-Class tonight at 8 from the Ritz")
    ack = tg.to_user(layla)[-1]["text"]
    assert ack == "Your request R-1001 is with Anna. You'll hear back shortly."
    (card,) = tg.request_cards(thread)
    assert card.startswith("📋 R-1001 · Chauffeur & transport · new")
    assert "🕗 Sat 28 Nov, 20:00" in card and "📍 The Ritz-Carlton" in card

    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class with chauffeur, 18:00–23:00")
    offer = quote_message(tg, layla)
    assert offer["text"].startswith("Your quote for request R-1001:")
    assert "• Mercedes S-Class with chauffeur, 18:00–23:00 — RUB\u00a045,000" in offer["text"]
    assert (
        "Total: RUB\u00a045,000" in offer["text"] and "Valid until 28 November, 20:00." in offer["text"]
    )  # (the car's time)
    keyboard = offer["reply_markup"]["inline_keyboard"]
    assert keyboard[0][0]["text"] == "Pay RUB\u00a045,000"
    assert [b["callback_data"] for b in keyboard[1]] == ["ask:R-1001", "decline:R-1001:1"]
    order = order_of(tg, offer)
    assert (order["InvoiceId"], order["AccountId"], order["CultureName"]) == ("R-1001/1", "C-1001", "en-US")
    (create,) = tg.cp.api_calls("orders/create")
    assert create.request_id == "order:R-1001:1" and create.body["Amount"] == 45000.0

    assert "🧾 Quote v1: RUB\u00a045,000, valid until " in tg.request_cards(thread)[0]
    paid = await pay(tg, order)
    assert paid["check"] == CheckCode.ACCEPT
    receipt = tg.to_user(layla)[-1]["text"]
    assert receipt.startswith("Receipt RC-10001\nRequest R-1001")
    assert "Paid: RUB\u00a045,000" in receipt and "Card: Visa •••• 4242" in receipt
    assert f"Transaction {paid['TransactionId']} · 28 November, 15:00" in receipt
    assert "Thank you. Anna is taking care of everything." in receipt
    assert tg.topic_texts(thread)[-1].startswith("✅ Paid: R-1001 · RUB\u00a045,000 · Visa •••• 4242")
    assert (await request_of(tg)).state == "paid"
    assert "· PAID" in tg.request_cards(thread)[0]  # the card was edited in place
    # (paid: how long the quote could be paid no longer matters — the card said "valid until" for good)
    assert "🧾 Quote v1: RUB\u00a045,000\n" in tg.request_cards(thread)[0] + "\n"
    assert "valid until" not in tg.request_cards(thread)[0]

    await staff_says(tg, thread, "/done")
    assert tg.to_user(layla)[-2]["text"].startswith(
        "Your request R-1001 is complete. Thank you for trusting us"
    )
    assert tg.to_user(layla)[-1]["text"].startswith("How did we do with request R-1001?")
    assert (await request_of(tg)).state == "fulfilled"
    types = [e.type.value for e in await tg.store.events.read("request:R-1001")]
    assert types[:3] == ["RequestOpened", "RequestCardPosted", "RequestQuoted"]
    assert types[-4:] == ["RequestPaid", "RequestStarted", "RequestFulfilled", "RatingAsked"]
    actors = {e.type.value: e.actor.kind.value for e in await tg.store.events.read("request:R-1001")}
    assert actors["RequestOpened"] == "client" and actors["RequestQuoted"] == "assistant"
    assert actors["RequestPaid"] == "provider" and actors["RequestFulfilled"] == "assistant"
    assert (await verify(tg.store.db, tg.store.events)).intact


async def test_the_journey_in_arabic(team: Harness) -> None:
    tg = team
    nour, thread = await client_asks(tg, "أريد طاولة لشخصين في مطعم بوشكين غدا الساعة 9 مساء", "ar", "Nour")
    assert tg.to_user(nour)[-1]["text"].startswith("طلبكم رقم R-1001 لدى")
    card = tg.request_cards(thread)[0]
    assert "Dining" in card and "Sun 29 Nov, 21:00" in card and "👥 2" in card and "Café Pushkin" in card
    await staff_says(tg, thread, "/quote RUB\nTable for two at Café Pushkin — 5 000\nChampagne — 12000")
    offer = quote_message(tg, nour)
    assert offer["text"].startswith("عرض السعر لطلبكم رقم R-1001:")
    assert "الإجمالي: \u200f17,000\u00a0RUB" in offer["text"]
    assert offer["reply_markup"]["inline_keyboard"][1][0]["text"] == "لدي سؤال"
    assert order_of(tg, offer)["CultureName"] == "ar-AE"
    await pay(tg, order_of(tg, offer))
    receipt = tg.to_user(nour)[-1]["text"]
    assert receipt.startswith("إيصال رقم RC-10001") and "المبلغ المدفوع: \u200f17,000\u00a0RUB" in receipt


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"Amount": "44999.00"}, CheckCode.WRONG_AMOUNT),
        ({"Currency": "USD"}, CheckCode.WRONG_AMOUNT),
        ({"AccountId": "C-9999"}, CheckCode.WRONG_ACCOUNT),
        ({"InvoiceId": "R-7777/1"}, CheckCode.UNKNOWN_INVOICE),
        ({"InvoiceId": "nonsense"}, CheckCode.UNKNOWN_INVOICE),
    ],
)
async def test_check_refuses_what_does_not_match_the_live_quote(
    team: Harness, change: dict, code: int
) -> None:
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    transaction = tg.cp.pay_order(order_of(tg, quote_message(tg, layla))["Id"])
    body, headers = tg.cp.notification("check", transaction, **change)
    response = await tg.notify("check", body, headers)
    assert await response.json() == {"code": code}


async def test_check_refuses_an_old_version_and_an_expired_quote(team: Harness) -> None:
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    first_order = order_of(tg, quote_message(tg, layla))
    await staff_says(tg, thread, "/quote 40000 Car to SVO, a better price")
    second = quote_message(tg, layla)
    assert second["text"].startswith("Your updated quote for request R-1001:")
    assert tg.cp.orders[first_order["Id"]]["Status"] == "Cancelled"  # the old link no longer works
    assert tg.cp.api_calls("orders/cancel")[0].request_id == f"cancel:{first_order['Id']}"
    assert "The link of v1 is cancelled." in tg.topic_texts(thread)[-1]
    old = tg.cp.pay_order(first_order["Id"])
    body, headers = tg.cp.notification("check", old)
    assert await (await tg.notify("check", body, headers)).json() == {"code": CheckCode.REJECTED}
    tg.clock.advance(hours=25)
    current = tg.cp.pay_order(order_of(tg, second)["Id"])
    body, headers = tg.cp.notification("check", current)
    assert await (await tg.notify("check", body, headers)).json() == {"code": CheckCode.EXPIRED}


async def test_a_forged_notification_is_refused_and_changes_nothing(team: Harness) -> None:
    tg = team
    layla, thread = await client_asks(tg, "Flowers to the Four Seasons tonight")
    await staff_says(tg, thread, "/quote 15000 A bouquet of white roses")
    transaction = tg.cp.pay_order(order_of(tg, quote_message(tg, layla))["Id"])
    inbox_before = await tg.store.inbox.count()
    for kind in ("check", "pay"):
        body, headers = tg.cp.notification(kind, transaction, secret="not-the-secret")
        assert (await tg.notify(kind, body, headers)).status == 401
        body, headers = tg.cp.notification(kind, transaction)
        tampered = body.replace(b"15000", b"1")
        assert (await tg.notify(kind, tampered, headers)).status == 401
        assert (await tg.notify(kind, body, {"Content-Type": headers["Content-Type"]})).status == 401
    await tg.settle()
    assert await tg.store.inbox.count() == inbox_before
    assert (await request_of(tg)).state == "quoted"


async def test_pay_delivered_three_times_is_one_payment_and_one_receipt(team: Harness) -> None:
    tg = team
    layla, thread = await client_asks(tg, "Two tickets to the Bolshoi on December 5")
    await staff_says(tg, thread, "/quote 60000 Two tickets, Bolshoi, 5 December, parterre")
    transaction = tg.cp.pay_order(order_of(tg, quote_message(tg, layla))["Id"])
    body, headers = tg.cp.notification("pay", transaction, form=False)  # JSON, as some accounts send it
    for _ in range(3):
        response = await tg.notify("pay", body, headers)
        assert await response.json() == {"code": 0}
    await tg.settle()
    await tg.notify("pay", body, headers)
    await tg.settle()
    receipts = [m for m in tg.to_user(layla) if m["text"].startswith("Receipt")]
    assert len(receipts) == 1
    types = [e.type.value for e in await tg.store.events.read("request:R-1001")]
    assert types.count("RequestPaid") == 1
    assert sum(t.startswith("✅ Paid") for t in tg.topic_texts(thread)) == 1


async def test_a_failed_payment_sends_the_link_again_and_tells_the_assistant(team: Harness) -> None:
    tg = team
    layla, thread = await client_asks(tg, "Spa at the Four Seasons tomorrow at 11")
    await staff_says(tg, thread, "/quote 20000 Spa day for one")
    order = order_of(tg, quote_message(tg, layla))
    transaction = tg.cp.pay_order(order["Id"])
    body, headers = tg.cp.notification("fail", transaction)
    await tg.notify("fail", body, headers)
    await tg.settle()
    retry = tg.to_user(layla)[-1]
    assert retry["text"].startswith("The payment did not go through and nothing was charged.")
    assert retry["reply_markup"]["inline_keyboard"][0][0]["url"] == order["Url"]
    assert "failed: InsufficientFunds (code 5051)" in tg.topic_texts(thread)[-1]
    assert (await request_of(tg)).state == "quoted"


async def returning_client(tg: Harness, card: str, second: str, quote: str) -> tuple[dict, int, dict, dict]:
    """A client who paid once by card (its token then answers `card`), then asks and is quoted again."""
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    first = await pay(tg, order_of(tg, quote_message(tg, layla)))
    tg.cp.tokens[first["Token"]] = card
    await staff_says(tg, thread, "/done")
    await tg.send(tg.fake.user_message(layla, text=second))
    await tg.settle()
    await staff_says(tg, thread, quote)
    return layla, thread, first, quote_message(tg, layla)


async def test_a_returning_client_pays_in_one_tap(team: Harness) -> None:
    tg = team
    layla, thread, first, offer = await returning_client(
        tg,
        "ok",
        "Now a table for 4 at White Rabbit on Friday at 21:00",
        "/quote 30000 Table for four, White Rabbit",
    )
    tap = offer["reply_markup"]["inline_keyboard"][1][0]
    assert tap == {"text": "Pay with card •••• 4242", "callback_data": "tap:R-1002:1"}
    await tg.send(tg.fake.callback(layla, offer["message_id"], tap["callback_data"]))
    await tg.settle()
    (charge,) = tg.cp.api_calls("payments/tokens/charge")
    assert charge.body["Token"] == first["Token"] and charge.body["InvoiceId"] == "R-1002/1"
    assert charge.request_id == "tap:R-1002:1"
    sent = [c.body for c in tg.cp.calls]  # receipts off (the default): no fiscal receipt data, as before
    assert sent and not any("JsonData" in body or "CustomerReceipt" in body for body in sent)
    assert tg.to_user(layla)[-1]["text"].startswith("Receipt RC-10002\nRequest R-1002")
    assert (await request_of(tg, "R-1002")).state == "paid"
    token = first["Token"]
    assert all(token not in t for t in tg.topic_texts(thread))  # tokens are stored, never shown


async def test_one_tap_falls_back_to_the_link_when_the_bank_wants_3ds(team: Harness) -> None:
    tg = team
    layla, thread, _first, offer = await returning_client(
        tg,
        "3ds",
        "And a private jet to Dubai on Friday at 14:00",
        "/quote USD 48000 Gulfstream G650, Vnukovo → Dubai",
    )
    await tg.send(tg.fake.callback(layla, offer["message_id"], "tap:R-1002:1"))
    await tg.settle()
    link = tg.to_user(layla)[-1]
    assert (
        link["text"]
        == "Your bank asks you to confirm this payment. Please complete it with the button below."
    )
    assert link["reply_markup"]["inline_keyboard"][0][0]["url"] == order_of(tg, offer)["Url"]
    assert "3-D Secure" in tg.topic_texts(thread)[-1]
    assert (await request_of(tg, "R-1002")).state == "quoted"


async def test_a_lead_refunds_and_the_client_gets_a_refund_receipt(team: Harness) -> None:
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    await staff_says(tg, thread, "/cancel the flight was cancelled")
    cancelled = tg.to_user(layla)[-1]["text"]
    assert cancelled == "Your request R-1001 has been cancelled.\nReason: the flight was cancelled"
    assert "A lead can refund it with /refund" in tg.topic_texts(thread)[-1]
    await staff_says(tg, thread, "/refund", who=OMAR)
    assert tg.topic_texts(thread)[-1] == "⚠️ Only a lead can refund."
    await staff_says(tg, thread, "/refund 50000")
    assert tg.topic_texts(thread)[-1].startswith("⚠️ a refund is more than 0 and at most")
    await staff_says(tg, thread, "/refund")
    (call,) = tg.cp.api_calls("payments/refund")
    assert call.request_id.startswith("refund:") and call.body["Amount"] == 45000.0
    assert "JsonData" not in call.body  # receipts off: no fiscal receipt, and no word of one in the topic
    assert not any("fiscal receipt" in t.lower() for t in tg.topic_texts(thread))
    refund_receipt = tg.to_user(layla)[-1]["text"]
    assert (
        refund_receipt.startswith("Refund RF-10001\nRequest R-1001")
        and "Refunded: RUB\u00a045,000" in refund_receipt
    )
    assert (await request_of(tg)).state == "refunded"
    # CloudPayments then notifies the same refund: recognised, nothing sent twice
    refund_tx = max(tg.cp.transactions)
    body, headers = tg.cp.notification("refund", tg.cp.transactions[refund_tx])
    assert await (await tg.notify("refund", body, headers)).json() == {"code": 0}
    await tg.settle()
    assert sum(m["text"].startswith("Refund") for m in tg.to_user(layla)) == 1


async def test_a_partial_refund_keeps_the_request_paid_and_shows_the_amounts(team: Harness) -> None:
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    await staff_says(tg, thread, "/refund 5000")
    assert (await request_of(tg)).state == "paid"
    receipt = tg.to_user(layla)[-1]["text"]
    assert receipt.startswith("Refund RF-10001\nRequest R-1001") and "Refunded: RUB\u00a05,000" in receipt
    assert "Refunded so far: RUB\u00a05,000 of RUB\u00a045,000 paid" in receipt
    assert "RUB\u00a05,000 of RUB\u00a045,000 refunded so far" in tg.topic_texts(thread)[-1]
    card = tg.request_cards(thread)[0]
    assert card.startswith(
        "📋 R-1001 · Chauffeur & transport · PAID · partly refunded RUB\u00a05,000 of RUB\u00a045,000"
    )
    anna = await signed_in(tg, 9001)
    page = await (await anna.get("/console/requests/R-1001")).text()
    assert "Partly refunded RUB 5,000 of RUB 45,000" in page and "/requests/R-1001/refund" in page
    assert (
        "at most RUB 40,000 can still go back"
        in await (await anna.get("/console/requests/R-1001/refund")).text()
    )
    await staff_says(tg, thread, "/refund 40000.01")
    assert tg.topic_texts(thread)[-1].startswith("⚠️ a refund is more than 0 and at most the RUB\u00a040,000")
    await staff_says(tg, thread, "/refund")  # the rest
    assert (await request_of(tg)).state == "refunded"
    assert "Refunded so far: RUB\u00a045,000 of RUB\u00a045,000 paid" in tg.to_user(layla)[-1]["text"]
    calls = tg.cp.api_calls("payments/refund")
    assert [c.body["Amount"] for c in calls] == [5000.0, 40000.0]
    assert len({c.request_id for c in calls}) == 2  # two refunds, not one replayed
    rows = (await (await anna.get("/console/payments.csv?days=7")).text()).splitlines()
    assert sorted(r.split(",")[-3] for r in rows if ",refund,R-1001," in r) == ["40000.00", "5000.00"]


async def test_bad_quote_input_is_corrected_in_the_topic_and_changes_nothing(team: Harness) -> None:
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    before = len(tg.to_user(layla))
    for bad in (
        "/quote",
        "/quote lots of money",
        "/quote 45000 GBP car",
        "/quote 12.345 car",
        "/quote RUB\ncar 3000",
        "/quote 99999999999999999999 RUB car",  # would overflow the store: refused before the bank is asked
    ):
        await staff_says(tg, thread, bad)
        assert tg.topic_texts(thread)[-1].startswith("⚠️ ")
    assert tg.topic_texts(thread)[-1] == (
        "⚠️ 99999999999999999999 is more than one amount may be (at most RUB\u00a010,000,000,000)."
    )
    assert await tg.store.inbox.failures() == []
    assert len(tg.to_user(layla)) == before
    assert tg.cp.api_calls("orders/create") == []
    assert (await request_of(tg)).state == "new"


async def test_a_quote_the_store_refuses_after_the_bank_made_its_order_leaves_no_payable_link(
    team: Harness,
) -> None:
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    tg.cp.next_order_number = 2**64  # what the bank answers cannot be kept: the quote is refused for good
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    (order,) = tg.cp.orders.values()
    assert order["Status"] == "Cancelled"  # the link the client never got cannot be paid
    assert (await request_of(tg)).state == "new"
    assert [
        e for e in await tg.store.events.read("request:R-1001") if e.type is EventType.REQUEST_QUOTED
    ] == []
    assert not any("Pay" in str(m.get("reply_markup")) for m in tg.to_user(layla))


async def test_declining_cancels_the_request_and_its_link(team: Harness) -> None:
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    offer = quote_message(tg, layla)
    await tg.send(tg.fake.callback(layla, offer["message_id"], "ask:R-1001"))
    await tg.settle()
    assert tg.to_user(layla)[-1]["text"].startswith("Of course — write your question here")
    assert tg.topic_texts(thread)[-1] == "❓ The client has a question about R-1001."
    await tg.send(tg.fake.callback(layla, offer["message_id"], "decline:R-1001:1"))
    await tg.settle()
    assert tg.to_user(layla)[-1]["text"].startswith("Understood, the quote for request R-1001 is declined.")
    assert (await request_of(tg)).state == "cancelled"
    assert tg.cp.orders[order_of(tg, offer)["Id"]]["Status"] == "Cancelled"
    # pressing an old button again is answered kindly, and changes nothing
    await tg.send(tg.fake.callback(layla, offer["message_id"], "decline:R-1001:1"))
    await tg.settle()
    assert tg.to_user(layla)[-1]["text"].startswith("This quote is no longer valid.")
    # what the client tapped is kept as the client's own action, never as a staff command
    client_id = (await tg.client_of(layla)).id
    log = await tg.store.events.read(f"conversation:{client_id}")
    assert [ClientAction.of(e) for e in log if e.type is EventType.CLIENT_ACTION_TAKEN] == [
        ClientAction("ask", "R-1001"),
        ClientAction("decline", "R-1001", stale=True),
    ]
    assert not [e for e in log if e.type is EventType.STAFF_COMMAND_ISSUED and e.actor.kind == "client"]


async def test_a_replaced_quotes_buttons_point_to_the_quote_that_replaced_it(team: Harness) -> None:
    # Decline under v1 once v2 was sent was answered "This quote is no longer valid. Anna will send you a
    # fresh one." — with the fresh one just below it
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    first = quote_message(tg, layla)
    await staff_says(tg, thread, "/quote 48000 Car to SVO, with a child seat")
    second = quote_message(tg, layla)
    await tg.send(tg.fake.callback(layla, first["message_id"], "decline:R-1001:1"))
    await tg.settle()
    answer = tg.to_user(layla)[-1]
    assert answer["text"].startswith(
        "This quote has been replaced by an updated one for request R-1001: RUB\u00a048,000, valid until "
    )
    assert answer["reply_markup"] == second["reply_markup"]  # pay, ask or decline the live one, right there
    assert (await request_of(tg)).state == "quoted"  # nothing declined
    await staff_says(tg, thread, "/cancel")
    await tg.send(tg.fake.callback(layla, first["message_id"], "decline:R-1001:1"))
    await tg.settle()
    assert tg.to_user(layla)[-1]["text"].startswith("This quote is no longer valid.")  # nothing live


async def test_a_paid_quotes_buttons_are_answered_already_paid_and_change_nothing(team: Harness) -> None:
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    offer = quote_message(tg, layla)
    await pay(tg, order_of(tg, offer))
    client_id = (await tg.client_of(layla)).id
    to_client, in_topic = len(tg.to_user(layla)), len(tg.topic_texts(thread))
    logged = len(await tg.store.events.read(f"conversation:{client_id}"))
    for data in ("decline:R-1001:1", "tap:R-1001:1"):
        await tg.send(tg.fake.callback(layla, offer["message_id"], data))
        await tg.settle()
        answer = [c for c in tg.fake.calls if c.method == "answerCallbackQuery"][-1]
        assert answer.params["text"] == "This quote is already paid — nothing more to do here."
    assert len(tg.to_user(layla)) == to_client and len(tg.topic_texts(thread)) == in_topic
    assert len(await tg.store.events.read(f"conversation:{client_id}")) == logged
    assert (await request_of(tg)).state == "paid"


async def test_a_topic_message_set_aside_is_told_as_the_topics_not_the_clients(team: Harness) -> None:
    tg = team
    _layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    poison = {"update_id": 999, "message": {"message_id": "x", "chat": {"id": STAFF_CHAT}}}
    await tg.engine.store_inbound("tg:999", "telegram", f"tg:{STAFF_CHAT}:{thread}", poison, 999)
    await tg.settle()
    (notice,) = [t for t in tg.topic_texts(thread) if t.startswith("⚠️ Something")]
    assert notice.startswith("⚠️ Something written in this topic could not be processed (")


async def test_edit_and_new_requests(team: Harness) -> None:
    tg = team
    layla, thread = await client_asks(tg, "Dinner for 2 somewhere nice tonight")
    await staff_says(tg, thread, "/edit when 2026-12-01 20:00")
    await staff_says(tg, thread, "/edit guests 4")
    await staff_says(tg, thread, "/edit category events")
    await staff_says(tg, thread, "/edit guests many")
    assert tg.topic_texts(thread)[-1] == "⚠️ “many” is not a number of guests"
    details = (await request_of(tg)).details
    assert details.when.isoformat().startswith("2026-12-01T20:00") and details.guests == 4
    assert details.category == "events"
    assert "Tue 1 Dec, 20:00" in tg.request_cards(thread)[0]
    # the client asks for something else: a second request; /new splits one by hand
    await tg.send(tg.fake.user_message(layla, text="Also a car from the Ritz tomorrow at 9"))
    await tg.settle()
    assert (await request_of(tg, "R-1002")).details.category == "chauffeur"
    await staff_says(tg, thread, "/new Flowers for the table")
    assert (await request_of(tg, "R-1003")).text == "Flowers for the table"
    assert tg.to_user(layla)[-1]["text"].startswith("Your request R-1003 is with Anna")


def card_id(tg: Harness, thread: int, request_id: str) -> int:
    """The message id of a request's card in the topic."""
    cards = [m for m in tg.fake.topic_messages(STAFF_CHAT, thread) if m.get("text", "").startswith("📋 ")]
    return next(m["message_id"] for m in cards if m["text"].startswith(f"📋 {request_id} "))


async def test_with_several_open_a_command_replying_to_a_card_acts_on_that_request(team: Harness) -> None:
    """A client with a car, a table and tickets open: /quote typed for the car was sent as the tickets' quote
    (the latest) with no way in the topic to say which; a reply to the car's card now quotes the car."""
    tg = team
    layla, thread = await client_asks(tg, "A Mercedes from the Ritz tonight at 8")
    for text in (
        "Also a table for 4 at White Rabbit tomorrow at 9pm",
        "And two tickets to Swan Lake on Friday",
    ):
        await tg.send(tg.fake.user_message(layla, text=text))
        await tg.settle()
    assert (await request_of(tg, "R-1003")).state.value == "new"
    car = card_id(tg, thread, "R-1001")
    typed = "/quote 15000 RUB Mercedes S-Class, Ritz to Bolshoi"
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, reply_to=car, text=typed))
    await tg.settle()
    assert (await request_of(tg, "R-1001")).quote.total == Money.of("15000", "RUB")
    assert (await request_of(tg, "R-1003")).quote is None
    assert "request R-1001" in quote_message(tg, layla)["text"]
    assert tg.topic_texts(thread)[-1].startswith("🧾 Quote v1 of R-1001 sent to the client")
    # without a reply, the latest as ever; a reply to a card whose request cannot take it is refused
    await staff_says(tg, thread, "/quote 90000 RUB Two tickets, stalls")
    assert (await request_of(tg, "R-1003")).quote.total == Money.of("90000", "RUB")
    await tg.send(
        tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, reply_to=car, text="/done")
    )
    await tg.settle()
    assert "R-1001" in tg.topic_texts(thread)[-1] and (await request_of(tg, "R-1001")).state.value == "quoted"


async def test_amounts_after_edit_budget_and_refund_are_read_as_assistants_type_them(team: Harness) -> None:
    # "/edit budget 15 000 RUB" was refused with "'000 RUB' is not an ISO 4217 currency code" (in English to
    # anyone), "/edit budget 15000 руб" with "'РУБ' is not…", "/refund 5000 RUB" with "is not an amount"
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/edit budget 15 000 RUB")
    assert (await request_of(tg)).details.budget == Money.of("15000", "RUB")
    await staff_says(tg, thread, "/edit budget 20000 руб")
    assert (await request_of(tg)).details.budget == Money.of("20000", "RUB")
    await staff_says(tg, thread, "/edit budget $500")
    assert (await request_of(tg)).details.budget == Money.of("500", "USD")
    await staff_says(tg, thread, "/edit budget lots")
    assert tg.topic_texts(thread)[-1] == "⚠️ “lots” is not an amount."
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    await staff_says(tg, thread, "/refund 5 000 руб")
    await staff_says(tg, thread, "/refund 10000 RUB")
    assert [c.body["Amount"] for c in tg.cp.api_calls("payments/refund")] == [5000.0, 10000.0]
    await staff_says(tg, thread, "/refund 100 USD")  # not what was paid
    assert tg.topic_texts(thread)[-1].startswith("⚠️ a refund is more than 0 and at most the RUB\u00a030,000")
    assert len(tg.cp.api_calls("payments/refund")) == 2


async def test_audit_stays_green_through_the_lifecycle(team: Harness) -> None:
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    await staff_says(tg, thread, "/progress")
    assert tg.to_user(layla)[-1]["text"] == "Your request R-1001 is in progress."
    await staff_says(tg, thread, "/done")
    report = await verify(tg.store.db, tg.store.events)
    assert report.intact and report.events > 10
    assert "tk_" not in repr(await request_of(tg))  # no token on the request


async def test_cloudpayments_errors_reach_the_assistant_as_plain_sentences(team: Harness) -> None:
    tg = team
    _layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    tg.cp.fail_next.append(("orders/create", 503))
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    expected = "⚠️ CloudPayments answered orders/create with an error page; try again"
    assert tg.topic_texts(thread)[-1] == expected
    assert (await request_of(tg)).state == "new"
    await staff_says(tg, thread, "/quote 45000 Car to SVO")  # the same X-Request-ID: one order, not two
    assert (await request_of(tg)).state == "quoted"
    assert len(tg.cp.orders) == 1


async def test_a_test_mode_payment_never_marks_a_live_request_paid(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> None:
    from tests.harness import start_harness

    tg = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, test_payments=False
    )
    await tg.add_staff(9001, "Anna", "en", lead=True)
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    order = order_of(tg, quote_message(tg, layla))
    paid = await pay(tg, order)  # the fake is a test account: TestMode=1
    assert paid["check"] == CheckCode.REJECTED
    assert (await request_of(tg)).state == "quoted"
    assert tg.topic_texts(thread)[-1].startswith("⚠️ A test-mode payment of RUB\xa045,000 (transaction")
    assert not [m for m in tg.to_user(layla) if m["text"].startswith("Receipt")]
    live = await pay(tg, order, TestMode="0")
    assert live["check"] == CheckCode.ACCEPT and (await request_of(tg)).state == "paid"
    await tg.store.client.drop_database(db_name)


async def test_a_quote_processed_again_after_a_crash_is_not_quoted_twice(
    team: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    calls = tg.dies_before_storing_deliveries(monkeypatch)  # right after the decision is recorded
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    assert calls["n"] > 1
    assert len(tg.cp.api_calls("orders/create")) == 1
    assert (await request_of(tg)).quote.version == 1
    quotes = [m for m in tg.to_user(layla) if "reply_markup" in m]
    assert len(quotes) == 1 and "RUB" in quotes[0]["text"]
    assert tg.topic_texts(thread)[-1].startswith("🧾 Quote v1 of R-1001 sent to the client")


@pytest.mark.parametrize(
    ("command", "told"),
    [
        ("/progress", "is in progress"),
        ("/done", "is complete"),
        ("/cancel the client changed plans", "cancelled"),
        ("/refund", "Refund RF-10001"),
    ],
)
async def test_a_command_processed_again_after_a_crash_is_finished_not_refused(
    team: Harness, command: str, told: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    calls = tg.dies_before_storing_deliveries(monkeypatch)  # right after the decision is recorded
    before = len(tg.to_user(layla))
    await staff_says(tg, thread, command)
    assert calls["n"] > 1
    news = [m["text"] for m in tg.to_user(layla)[before:]]
    asked = 1 if command == "/done" else 0  # then how did we do, asked once
    assert len(news) == 1 + asked and told in news[0], news
    assert not [t for t in tg.topic_texts(thread) if t.startswith("⚠️")]


async def test_a_partial_refund_processed_again_after_a_crash_is_told_once_never_refused(
    team: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    tg.dies_before_storing_deliveries(monkeypatch)  # the refund is recorded, then the process dies
    await staff_says(tg, thread, "/refund 30000")  # (more than half: what is left no longer covers it)
    assert not any(t.startswith("⚠️") for t in tg.topic_texts(thread))
    receipts = [m["text"] for m in tg.to_user(layla) if m["text"].startswith("Refund RF-")]
    assert len(receipts) == 1 and "Refunded: RUB\u00a030,000" in receipts[0]
    assert len([c for c in tg.cp.api_calls("payments/refund") if not c.replayed]) == 1  # the bank: once
    assert (await request_of(tg)).state == "paid"


async def test_a_refund_notified_before_the_bank_answers_is_recorded_once_without_a_refusal(
    team: Harness,
) -> None:
    """CloudPayments may notify the refund (and we record it) while its answer to our request is on its way:
    the command then finds it recorded, tells nothing twice and refuses nothing."""
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    gateway = tg.engine.deps.payments
    refund = gateway.refund

    async def notified_first(**kwargs):
        refund_tx = await refund(**kwargs)
        body, headers = tg.cp.notification("refund", tg.cp.transactions[refund_tx])
        assert await (await tg.notify("refund", body, headers)).json() == {"code": 0}
        await tg.process_inbox()  # recorded before our own answer is
        return refund_tx

    gateway.refund = notified_first
    await staff_says(tg, thread, "/refund")
    assert not [t for t in tg.topic_texts(thread) if t.startswith("⚠️ a request cannot go")]
    assert [t for t in tg.topic_texts(thread) if t.startswith("↩️ Refunded")] != []
    receipts = [m["text"] for m in tg.to_user(layla) if m["text"].startswith("Refund RF-")]
    assert len(receipts) == 1 and (await request_of(tg)).state == "refunded"


async def test_a_quote_paid_twice_from_two_devices_tells_the_client_and_the_leads(team: Harness) -> None:
    """Both checks passed before either payment (two devices at once): the second payment is money the
    request did not need. The client hears it comes back; the leads, who alone refund, hear which
    transaction to refund in CloudPayments (/refund returns the request's own payment); its refund there
    leaves the request paid."""
    from tests.telegram.test_clock import escalation_lines

    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 RUB Car to SVO")
    order = order_of(tg, quote_message(tg, layla))
    await pay(tg, order)
    second = tg.cp.pay_order(order["Id"])  # (its check came before the first payment)
    body, headers = tg.cp.notification("pay", second, form=True)
    assert (await tg.notify("pay", body, headers)).status == 200
    await tg.settle()
    told = tg.to_user(layla)[-1]["text"]
    assert told == (
        "We have received a payment of RUB\u00a045,000 for request R-1001 that was not needed. Nothing more "
        "is owed: it will be returned to your card, and your assistant will confirm it."
    )
    assert (
        "arrived for R-1001, which is paid. A lead can refund that transaction in CloudPayments"
        in (tg.topic_texts(thread)[-1])
    )
    extra = str(second["TransactionId"])
    assert escalation_lines(tg)[-1].startswith(
        f"💸 R-1001 received RUB\u00a045,000 it did not need (transaction {extra}: paid twice"
    )
    assert (await request_of(tg)).payment.transaction_id != second["TransactionId"]  # the first one counts

    returned = {**second, "TransactionId": second["TransactionId"] + 500, "RefundOf": second["TransactionId"]}
    body, headers = tg.cp.notification("refund", returned, form=True)  # (refunded in the dashboard)
    assert (await tg.notify("refund", body, headers)).status == 200
    await tg.settle()
    request = await request_of(tg)
    assert request.state == "paid" and not request.refunds  # its own payment untouched
    assert tg.topic_texts(thread)[-1].startswith(
        f"💸 The extra payment of RUB\u00a045,000 (transaction {extra})"
    )


async def test_a_payment_of_a_quote_revised_meanwhile_tells_the_client_nothing_is_owed_no(
    team: Harness,
) -> None:
    """Paid for version 1 while version 2 was being sent (its check came first): that money is kept aside
    for a lead, and the client is not told 'nothing more is owed' — version 2 still is."""
    tg = team
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/quote 45000 RUB Car to SVO")
    first = order_of(tg, quote_message(tg, layla))
    await staff_says(tg, thread, "/quote 52000 RUB Car to SVO, Maybach")
    old = tg.cp.pay_order(first["Id"])
    body, headers = tg.cp.notification("pay", old, form=True)
    assert (await tg.notify("pay", body, headers)).status == 200
    await tg.settle()
    assert (await request_of(tg)).state == "quoted"
    assert not any("that was not needed" in m["text"] for m in tg.to_user(layla))
    assert "arrived for R-1001, which is quoted" in tg.topic_texts(thread)[-1]


async def test_a_client_cancelling_one_of_their_requests_opens_no_new_one(team: Harness) -> None:
    """Found by hand: "Actually, cancel the White Rabbit table, we'll eat at the hotel" opened a dining
    request R-1003 and the client was told it was received. It reaches the topic for the assistant, and
    changes nothing of the requests open."""
    tg = team
    layla, thread = await client_asks(tg, "A Mercedes from the Ritz tonight at 8")
    await tg.send(tg.fake.user_message(layla, text="Also a table for 4 at White Rabbit tomorrow at 9pm"))
    await tg.settle()
    before = [(r.id, r.details, r.text) for r in await reads.requests(tg.store)]
    told = len(tg.to_user(layla))
    cancel = "Actually, cancel the White Rabbit table, we'll eat at the hotel"
    await tg.send(tg.fake.user_message(layla, text=cancel))
    await tg.settle()
    assert [(r.id, r.details, r.text) for r in await reads.requests(tg.store)] == before
    assert tg.topic_texts(thread)[-1] == cancel and len(tg.to_user(layla)) == told


async def test_a_colleague_is_found_by_her_name_typed_in_cyrillic(team: Harness) -> None:
    """'/assign Амира' and '/assign Дмитрий' found nobody ("no active assistant is called …"): a Russian
    assistant types a colleague's name as she says it. Spelled alike by two, it is nobody's."""
    tg = team
    await tg.add_staff(9003, "Dmitri", "ru,en")
    layla, thread = await client_asks(tg, "A car to Sheremetyevo tomorrow at 7")
    await staff_says(tg, thread, "/assign Дмитрий")
    assert (await tg.client_of(layla)).assistant_id == "A-9003"
    await staff_says(tg, thread, "/assign anna")
    assert (await tg.client_of(layla)).assistant_id == "A-9001"


@pytest.mark.parametrize(
    ("typed", "name"),
    [("Дмитрий", "Dmitri"), ("Амира", "Amira"), ("Анна", "Anna"), ("@dmitriy", "Dmitri"), ("Хасан", "Hasan")],
)
def test_a_name_s_spellings_share_one_key(typed: str, name: str) -> None:
    assert name_key(typed) == name_key(name) and name_key("Omar") != name_key("Amira")
