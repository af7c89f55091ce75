"""Hostile and malformed input, authentic or not: a clear 4xx (or a 200 where the provider must not retry),
never a 5xx, nothing half-stored, and nothing that holds the event loop."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote, urlencode, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.cloudpayments import sign
from tests.harness import CP_SECRET, PUBLIC, SECRET, Harness, user
from webhooks.media import MEDIA_SOURCE
from webhooks.media import sign as sign_media

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TG = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
text = st.text(st.characters(codec=None), max_size=40) | st.sampled_from(
    ["\ud800", "a\x00b", "٣", "²", "$x", "a.b"]
)
numbers = st.integers() | st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**5000 // 10**4990])
json_values = st.recursive(
    st.none() | st.booleans() | numbers | st.floats() | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20,
)


async def inbox_count(tg: Harness) -> int:
    return await tg.store.inbox.count()


def cp_headers(body: bytes, content_type: str) -> dict[str, str]:
    return {"Content-HMAC": sign(body, CP_SECRET), "Content-Type": content_type}


# --- what was reported ---
async def test_a_huge_media_count_is_refused_before_it_is_stored(tg: Harness) -> None:
    for count in (str(2**63), "30000000", "11", "-1", "٣", "1e3"):
        params = tg.tw.inbound("+971500000001", "hello") | {"NumMedia": count}
        response = await tg._twilio_post("/webhooks/twilio/whatsapp", params)
        assert response.status == 400, count
    assert await inbox_count(tg) == 0
    ok = tg.tw.inbound("+971500000001", "hello") | {"NumMedia": "10"}
    assert (await tg._twilio_post("/webhooks/twilio/whatsapp", ok)).status == 200


async def test_an_oversized_body_is_refused_on_its_header_before_a_byte_of_it_is_read(tg: Harness) -> None:
    """The request announces 24 MB and sends 10 bytes: an endpoint that started reading would wait forever."""
    host, port = urlsplit(str(tg.http.make_url("/"))).netloc.split(":")
    for path, headers in (
        ("/webhooks/telegram", TG),
        ("/webhooks/cloudpayments/pay", {"Content-HMAC": "x"}),
        ("/webhooks/twilio/whatsapp", {"X-Twilio-Signature": "x"}),
    ):
        reader, writer = await asyncio.open_connection(host, int(port))
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{head}Content-Length: {24 * 1024 * 1024}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n%41%41%41%41".encode()
        )
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 10)
        writer.close()
        assert status_line.split()[1] == b"413", path
    assert await inbox_count(tg) == 0


async def test_health_answers_while_hostile_bodies_arrive(tg: Harness) -> None:
    hostile = b"%41" * (8 * 1024 * 1024)  # 24 MB of URL-encoding, the CPU-heavy kind before the fix
    uploads = [
        tg.http.post("/webhooks/cloudpayments/pay", data=hostile, headers={"Content-HMAC": "x"})
        for _ in range(4)
    ]
    statuses = await asyncio.gather(*uploads, tg.http.get("/healthz"))
    assert [r.status for r in statuses] == [413, 413, 413, 413, 200]


async def test_an_authentic_update_we_cannot_use_is_acknowledged_and_recorded_as_rejected(
    tg: Harness,
) -> None:
    layla = user("Layla")
    deep: object = 1
    for _ in range(40):
        deep = [deep]
    bad = [
        {"update_id": 900001, "message": "not an object"},
        {"update_id": 900002, "message": {"chat": "x", "from": 5}},
        {
            "update_id": 900003,
            "message": {"message_id": 1, "date": 1, "chat": {"id": 2**64, "type": "private"}},
        },
        {"update_id": 900004, "callback_query": {"from": None}},
        {"update_id": 900005, "deep": deep},
        {"update_id": 900006, "": float("inf")},  # (JSON has no Infinity; Python's parser reads one)
        {"update_id": 900007, "x": [float("nan")]},
        {  # a plain text message but for a lone surrogate (an escape in JSON): the store cannot hold it
            "update_id": 900008,
            "message": {
                "message_id": 1,
                "date": 1,
                "chat": {"id": 5, "type": "private"},
                "text": "hi \ud800",
            },
        },
    ]
    for update in bad:
        response = await tg.http.post("/webhooks/telegram", data=json.dumps(update), headers=TG)
        assert response.status == 200 and (await response.json())["rejected"] is True
    rejected = [await tg.store.inbox.get(f"tg:{update['update_id']}") for update in bad]
    assert {(d["status"], str(d["payload"])) for d in rejected} == {("rejected", "{}")}
    assert await tg.store.inbox.count() == len(bad)  # nothing else was kept
    assert await tg.store.inbox.keys_with_work() == []
    again = await tg.http.post("/webhooks/telegram", data=json.dumps(bad[0]), headers=TG)
    assert again.status == 200 and await inbox_count(tg) == len(bad)  # a redelivery is still one record
    await tg.send(tg.fake.user_message(layla, text="/start"))  # and the chat is not held back
    await tg.settle()
    assert tg.to_user(layla)


async def test_unreadable_telegram_bodies_are_400(tg: Harness) -> None:
    for body in (
        b"",  # (Content-Length: 0 — a stream with nothing to read)
        b"\xff\xfe",
        b"[]",
        b'"x"',
        b"{",
        b'{"update_id": 1e3}',
        b'{"update_id": true}',
        b'{"update_id": 18446744073709551616}',
        b'{"update_id": -1}',
        b"[" * 5000 + b"]" * 5000,
    ):
        response = await tg.http.post("/webhooks/telegram", data=body, headers=TG)
        assert response.status == 400, body[:20]
        assert (await response.json())["error"]["code"] == "bad_request"
    assert await inbox_count(tg) == 0


async def test_unreadable_but_signed_cloudpayments_notifications_are_400(tg: Harness) -> None:
    good = {"TransactionId": "70000001", "Amount": "100.00", "Currency": "RUB", "InvoiceId": "R-1/1"}
    cases = [
        (b"\xff\xfe=1", "application/x-www-form-urlencoded"),
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (("[" * 5000 + "]" * 5000).encode(), "application/json"),
        (urlencode(good | {"PaymentTransactionId": "abc"}).encode(), "application/x-www-form-urlencoded"),
        (urlencode(good | {"TransactionId": "9" * 30}).encode(), "application/x-www-form-urlencoded"),
        (urlencode(good | {"TransactionId": "٣"}).encode(), "application/x-www-form-urlencoded"),
        (urlencode(good | {"Amount": "1e999999"}).encode(), "application/x-www-form-urlencoded"),
        (urlencode(good | {"Amount": "NaN"}).encode(), "application/x-www-form-urlencoded"),
        (urlencode(good | {"Currency": "XXXX"}).encode(), "application/x-www-form-urlencoded"),
        (urlencode({f"f{i}": "x" for i in range(500)}).encode(), "application/x-www-form-urlencoded"),
    ]
    for body, content_type in cases:
        response = await tg.notify("pay", body, cp_headers(body, content_type))
        assert response.status == 400, body[:40]
    assert await inbox_count(tg) == 0
    for version, expected in (("9" * 5000, 400), ("9" * 200, 200)):
        body = urlencode(good | {"InvoiceId": f"R-1001/{version}"}).encode()
        check = await tg.notify("check", body, cp_headers(body, "application/x-www-form-urlencoded"))
        assert check.status == expected
        if expected == 200:
            assert (await check.json())["code"] == 10  # not one of our invoices


async def test_a_non_utf8_twilio_form_is_400_and_stores_nothing(tg: Harness) -> None:
    for body in (
        b"Body=%FF%FE&From=whatsapp%3A%2B971500000001",
        b"Body=\xff&From=whatsapp%3A%2B971500000001",
    ):
        response = await tg.http.post(
            "/webhooks/twilio/whatsapp",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"},
        )
        assert response.status == 400, body
    assert await inbox_count(tg) == 0


async def test_a_file_telegram_cannot_serve_is_404_not_500(tg: Harness) -> None:
    source = tg.app[MEDIA_SOURCE]
    token = sign_media(source.key, "no-such-file-id", int(tg.clock.now().timestamp()) + 60)
    response = await tg.http.get(f"/media/{token}")
    assert response.status == 404
    assert (await response.json())["error"]["code"] == "not_found"


# --- fuzzing, every endpoint ---
@FUZZ
@given(update=st.dictionaries(text, json_values, max_size=5), update_id=numbers, raw=st.binary(max_size=64))
async def test_fuzzed_telegram_updates_never_get_a_5xx(
    tg: Harness, update: dict, update_id: int, raw: bytes
) -> None:
    for body in (json.dumps({**update, "update_id": update_id}).encode(), json.dumps(update).encode(), raw):
        before = await inbox_count(tg)
        response = await tg.http.post("/webhooks/telegram", data=body, headers=TG)
        assert response.status in (200, 400), response.status
        if response.status == 400:
            assert await inbox_count(tg) == before


@FUZZ
@given(
    fields=st.dictionaries(text, text, max_size=6),
    as_json=st.booleans(),
    kind=st.sampled_from(["check", "pay", "fail", "refund"]),
)
async def test_fuzzed_cloudpayments_notifications_never_get_a_5xx(
    tg: Harness, fields: dict[str, str], as_json: bool, kind: str
) -> None:
    base = {"TransactionId": "70000001", "Amount": "100.00", "InvoiceId": "R-1001/1", "AccountId": "C-1001"}
    for data in (fields, base | fields):
        content_type = "application/json" if as_json else "application/x-www-form-urlencoded"
        try:
            body = json.dumps(data).encode() if as_json else urlencode(data).encode()
        except UnicodeEncodeError:
            body = json.dumps(data).encode()  # a lone surrogate: as an escape in JSON
        before = await inbox_count(tg)
        response = await tg.notify(kind, body, cp_headers(body, content_type))
        assert response.status in (200, 400), response.status
        if response.status == 400:
            assert await inbox_count(tg) == before


@FUZZ
@given(fields=st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=6))
async def test_fuzzed_signed_twilio_forms_never_get_a_5xx(tg: Harness, fields: dict[str, str]) -> None:
    message = tg.tw.inbound("+971500000001", "hi")
    for path, params in (
        ("/webhooks/twilio/whatsapp", fields),
        ("/webhooks/twilio/whatsapp", message | fields),
        ("/webhooks/twilio/status", {"MessageSid": "SM1", "MessageStatus": "sent"} | fields),
    ):
        try:
            body = urlencode(params).encode()
        except UnicodeEncodeError:
            continue  # a lone surrogate: not a form any client can send
        _, headers = tg.tw.signed(PUBLIC + path, params)
        before = await inbox_count(tg)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        response = await tg.http.post(path, data=body, headers=headers | form)
        assert response.status in (200, 204, 400), response.status
        if response.status == 400:
            assert await inbox_count(tg) == before


@FUZZ
@given(token=st.text(max_size=200))
async def test_fuzzed_media_tokens_are_404(tg: Harness, token: str) -> None:
    response = await tg.http.get("/media/" + quote(token, safe=""))
    assert response.status == 404
