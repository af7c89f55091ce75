"""A local CloudPayments: the REST endpoints the concierge uses (orders/create, orders/cancel,
payments/tokens/charge with 3-D Secure and declines, payments/refund), HTTP Basic auth, X-Request-ID
replay, and notifications signed the way CloudPayments signs them. It plays the receipt service too: a payment
or refund that carries a CustomerReceipt gets a fiscal receipt (a page at /receipts/<id>) and a signed
`receipt` notification. The real cloudpayments package uses it."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import html
import itertools
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import BasicAuth, web

from domain.clock import Clock, SystemClock

CURRENCY_CODES = {"RUB": 0, "USD": 1, "EUR": 2, "AED": 26}


def sign(body: bytes, secret: str) -> str:
    """Content-HMAC: base64(HMAC-SHA256(API secret, raw body))."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class ApiCall:
    endpoint: str
    body: dict[str, Any]
    request_id: str | None
    replayed: bool = False


class FakeCloudPayments:
    def __init__(self, public_id: str, secret: str, clock: Clock | None = None, id_base: int = 0) -> None:
        self.public_id, self.secret = public_id, secret
        self.clock = clock or SystemClock()
        self.base_url = ""  # set when served: payment links point here
        self.calls: list[ApiCall] = []
        self.orders: dict[str, dict[str, Any]] = {}
        self.transactions: dict[int, dict[str, Any]] = {}
        self.tokens: dict[str, str] = {}  # token → "ok" | "3ds" | "decline"
        self.fail_next: list[tuple[str, int]] = []  # (endpoint, HTTP status) to answer once
        self.next_order_number: int | None = None  # the Number the next order gets (then counting on)
        self._replies: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1_000_001 + id_base)  # (past a restarted sandbox's earlier ids)
        self._tx_ids = itertools.count(70_000_001 + id_base)
        self.order_receipts: dict[str, dict[str, Any]] = {}  # order → the CustomerReceipt it was created with
        self.receipts: dict[
            int, tuple[str, dict[str, Any]]
        ] = {}  # transaction → (Income | IncomeReturn, receipt)
        self.receipt_url: str | None = None  # where `receipt` notifications go (the sandbox; tests post them)
        self._posting: set[asyncio.Task[None]] = set()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/receipts/{transaction}", self.receipt_page)
        app.router.add_post("/{endpoint:.+}", self._handle)
        app.on_cleanup.append(self._stop_posting)
        return app

    async def _stop_posting(self, _app: web.Application) -> None:
        for task in list(self._posting):
            task.cancel()
        await asyncio.gather(*self._posting, return_exceptions=True)

    @staticmethod
    def _customer_receipt(body: dict) -> dict[str, Any] | None:
        data = body.get("JsonData") or {}
        return ((data.get("CloudPayments") or {}).get("CustomerReceipt")) if isinstance(data, dict) else None

    def _print(self, tx_id: int, kind: str, receipt: dict[str, Any] | None) -> None:
        """The receipt service prints it, and (in the sandbox) tells the service."""
        if receipt is None:
            return
        self.receipts[tx_id] = (kind, receipt)
        if self.receipt_url is not None:
            task = asyncio.create_task(self._post_receipt(tx_id))
            self._posting.add(task)
            task.add_done_callback(self._posting.discard)

    async def posted(self) -> None:
        """Once every receipt notification sent so far is answered (a test waits on this, not on time)."""
        await asyncio.gather(*list(self._posting))

    async def _post_receipt(self, tx_id: int) -> None:
        body, headers = self.receipt_notification(tx_id)
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.receipt_url or "", data=body, headers=headers) as response,
        ):
            await response.read()

    def receipt_notification(self, tx_id: int, *, secret: str | None = None) -> tuple[bytes, dict[str, str]]:
        """The body and headers of CloudPayments' `receipt` notification for a printed receipt."""
        kind, receipt = self.receipts[tx_id]
        transaction = self.transactions[tx_id]
        fields = {
            "Id": f"rc-{tx_id}",
            "DocumentNumber": str(tx_id % 100_000),
            "SessionNumber": "12",
            "Number": str(tx_id % 1000),
            "FiscalSign": str(tx_id * 7 % 10**10),
            "DeviceNumber": "0000000400054952",
            "RegNumber": "0000000001038624",
            "FiscalNumber": "9999078900004792",
            "Inn": "7708806062",
            "Type": kind,
            "Ofd": "ofd.ru",
            "Url": f"{self.base_url}/receipts/{tx_id}",
            "QrCodeUrl": f"{self.base_url}/receipts/{tx_id}.png",
            "Amount": str(transaction["Amount"]),
            "DateTime": transaction["CreatedDateIso"].replace("T", " "),
            "Receipt": json.dumps(receipt, ensure_ascii=False, default=str),
            "TransactionId": "" if transaction.get("Settlement") else str(tx_id),
            "InvoiceId": transaction.get("InvoiceId") or "",
            "AccountId": transaction.get("AccountId") or "",
        }
        body = urlencode(fields).encode()
        return body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-HMAC": sign(body, secret or self.secret),
        }

    async def receipt_page(self, request: web.Request) -> web.Response:
        """What the buyer's link shows: the fiscal document (a stand-in for the OFD's page)."""
        tx_id = int(request.match_info["transaction"]) if request.match_info["transaction"].isdigit() else 0
        if tx_id not in self.receipts:
            raise web.HTTPNotFound(text="no such receipt")
        kind, receipt = self.receipts[tx_id]
        lines = "".join(
            f"<tr><td>{html.escape(str(i.get('label')))}</td><td>{i.get('amount')}</td></tr>"
            for i in receipt.get("Items", [])
        )
        title = "Кассовый чек · приход" if kind == "Income" else "Кассовый чек · возврат прихода"
        return web.Response(
            text=f"<!doctype html><meta charset=utf-8><title>{title}</title><h1>{title}</h1>"
            f"<table>{lines}</table><p>ФП {tx_id * 7 % 10**10}</p>",
            content_type="text/html",
        )

    async def _handle(self, request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization", "")
        try:
            credentials = BasicAuth.decode(auth)
        except ValueError:
            credentials = None
        if credentials is None or (credentials.login, credentials.password) != (self.public_id, self.secret):
            return web.json_response({"Success": False, "Message": "Unauthorized"}, status=401)
        endpoint = request.match_info["endpoint"]
        body = json.loads(await request.read() or b"{}", parse_float=Decimal) or {}
        request_id = request.headers.get("X-Request-ID")
        for i, (failing, status) in enumerate(self.fail_next):
            if failing == endpoint:
                del self.fail_next[i]
                self.calls.append(ApiCall(endpoint, body, request_id))
                return web.Response(status=status, text="<html>Service Unavailable</html>")
        if request_id and request_id in self._replies:
            self.calls.append(ApiCall(endpoint, body, request_id, replayed=True))
            return web.json_response(self._replies[request_id], dumps=_dumps)
        self.calls.append(ApiCall(endpoint, body, request_id))
        handler = getattr(self, "_" + endpoint.replace("/", "_"), None)
        reply = handler(body) if handler else {"Success": False, "Message": f"unknown endpoint {endpoint}"}
        if request_id:
            self._replies[request_id] = reply
        return web.json_response(reply, dumps=_dumps)

    # --- endpoints --------------------------------------------------------------------------------------
    def _test(self, _body: dict) -> dict:
        return {"Success": True, "Message": "ok"}

    def _orders_create(self, body: dict) -> dict:
        order_id = f"ord{next(self._ids)}"
        if (receipt := self._customer_receipt(body)) is not None:
            self.order_receipts[order_id] = receipt
        order = {
            "Id": order_id,
            "Number": self._order_number(),
            "Amount": body["Amount"],
            "Currency": body["Currency"],
            "CurrencyCode": CURRENCY_CODES.get(body["Currency"], 0),
            "Email": body.get("Email"),
            "Description": body["Description"],
            "RequireConfirmation": bool(body.get("RequireConfirmation")),
            "Url": f"{self.base_url}/pay/{order_id}",
            "InvoiceId": body.get("InvoiceId"),
            "AccountId": body.get("AccountId"),
            "CultureName": body.get("CultureName"),
            "Status": "Created",
        }
        self.orders[order_id] = order
        return {"Success": True, "Message": None, "Model": order}

    def _kkt_receipt(self, body: dict) -> dict:
        """A receipt printed apart from a payment: the settlement of a prepayment (the service rendered)."""
        receipt = body.get("CustomerReceipt")
        if (
            not body.get("Inn")
            or not isinstance(receipt, dict)
            or body.get("Type") not in ("Income", "IncomeReturn")
        ):
            return {"Success": False, "Message": "Inn, Type and CustomerReceipt are required"}
        receipt_id = next(self._tx_ids)
        total = sum(Decimal(str(item["amount"])) for item in receipt.get("Items", []))
        self.transactions[receipt_id] = {
            "TransactionId": receipt_id,
            "Settlement": True,  # no payment behind it: its notification names no transaction
            "Amount": total,
            "Currency": "RUB",
            "InvoiceId": body.get("InvoiceId"),
            "AccountId": body.get("AccountId"),
            "CreatedDateIso": self.clock.now().strftime("%Y-%m-%dT%H:%M:%S"),
        }
        self._print(receipt_id, body["Type"], receipt)
        return {"Success": True, "Message": "Queued", "Model": {"Id": f"rc-{receipt_id}"}}

    def _order_number(self) -> int:
        number, self.next_order_number = self.next_order_number or len(self.orders) + 1, None
        return number

    def _orders_cancel(self, body: dict) -> dict:
        order = self.orders.get(body.get("Id"))
        if order is None:
            return {"Success": False, "Message": "Order not found"}
        order["Status"] = "Cancelled"
        return {"Success": True, "Message": None}

    def _payments_tokens_charge(self, body: dict) -> dict:
        behaviour = self.tokens.get(body.get("Token"))
        tx_id = next(self._tx_ids)
        if behaviour is None:
            return {"Success": False, "Message": "Token not found"}
        if behaviour == "3ds":
            return {
                "Success": False,
                "Message": None,
                "Model": {"TransactionId": tx_id, "PaReq": "eJxVUdtugkAQ", "AcsUrl": f"{self.base_url}/acs"},
            }
        if behaviour == "decline":
            return {
                "Success": False,
                "Message": None,
                "Model": {
                    "TransactionId": tx_id,
                    "ReasonCode": 5051,
                    "Reason": "InsufficientFunds",
                    "CardHolderMessage": "Insufficient funds on the card",
                },
            }
        transaction = self.transaction(tx_id, body, token=body["Token"])
        self._print(tx_id, "Income", self._customer_receipt(body))
        return {"Success": True, "Message": None, "Model": transaction}

    def _payments_refund(self, body: dict) -> dict:
        original = self.transactions.get(int(body["TransactionId"]))
        if original is None:
            return {"Success": False, "Message": "Transaction not found"}
        refund_id = next(self._tx_ids)
        self.transactions[refund_id] = {
            **original,
            "TransactionId": refund_id,
            "Amount": body["Amount"],
            "Status": "Refunded",
            "RefundOf": original["TransactionId"],
        }
        self._print(refund_id, "IncomeReturn", self._customer_receipt(body))
        return {"Success": True, "Message": None, "Model": {"TransactionId": refund_id}}

    # --- what a payer does -----------------------------------------------------------------------------
    def transaction(
        self, tx_id: int, body: dict, *, token: str | None = None, last_four: str = "4242"
    ) -> dict:
        now = self.clock.now().strftime("%Y-%m-%dT%H:%M:%S")
        transaction = {
            "TransactionId": tx_id,
            "Amount": body["Amount"],
            "Currency": body["Currency"],
            "CurrencyCode": CURRENCY_CODES.get(body["Currency"], 0),
            "InvoiceId": body.get("InvoiceId"),
            "AccountId": body.get("AccountId"),
            "Email": None,
            "Description": body.get("Description"),
            "JsonData": None,
            "CreatedDateIso": now,
            "AuthDateIso": now,
            "ConfirmDateIso": now,
            "AuthCode": "A1B2C3",
            "TestMode": True,
            "IpAddress": "127.0.0.1",
            "IpCountry": "AE",
            "IpCity": "Dubai",
            "IpRegion": None,
            "IpDistrict": None,
            "IpLatitude": None,
            "IpLongitude": None,
            "CardFirstSix": "424242",
            "CardLastFour": last_four,
            "CardExpDate": "12/29",
            "CardType": "Visa",
            "CardTypeCode": 0,
            "Issuer": "Emirates NBD",
            "IssuerBankCountry": "AE",
            "Status": "Completed",
            "StatusCode": 3,
            "Reason": "Approved",
            "ReasonCode": 0,
            "CardHolderMessage": "Payment successful",
            "Name": "CARDHOLDER",
            "Token": token or f"tk_{tx_id}",
        }
        self.transactions[tx_id] = transaction
        return transaction

    def pay_order(self, order_id: str, last_four: str = "4242") -> dict[str, Any]:
        """The client paid on the order's page: the transaction behind the `check` and `pay` notifications."""
        order = self.orders[order_id]
        transaction = self.transaction(next(self._tx_ids), order, last_four=last_four)
        if order_id in self.order_receipts:
            self.receipts[transaction["TransactionId"]] = ("Income", self.order_receipts[order_id])
        return transaction

    def notification(
        self,
        kind: str,
        transaction: dict[str, Any],
        *,
        form: bool = True,
        secret: str | None = None,
        **overrides: Any,
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers CloudPayments posts to /webhooks/cloudpayments/<kind>."""
        fields = {
            "TransactionId": transaction["TransactionId"],
            "Amount": str(transaction["Amount"]),
            "Currency": transaction["Currency"],
            "PaymentAmount": str(transaction["Amount"]),
            "PaymentCurrency": transaction["Currency"],
            "DateTime": transaction["CreatedDateIso"].replace("T", " "),
            "CardFirstSix": transaction["CardFirstSix"],
            "CardLastFour": transaction["CardLastFour"],
            "CardType": transaction["CardType"],
            "CardExpDate": transaction["CardExpDate"],
            "TestMode": "1",
            "Status": transaction["Status"],
            "OperationType": "Payment",
            "InvoiceId": transaction["InvoiceId"] or "",
            "AccountId": transaction["AccountId"] or "",
            "IpAddress": "127.0.0.1",
        }
        if kind == "pay":
            fields |= {"Token": transaction["Token"], "AuthCode": transaction["AuthCode"], "TotalFee": "0.00"}
        if kind == "fail":
            fields |= {"Reason": "InsufficientFunds", "ReasonCode": "5051", "Status": "Declined"}
        if kind == "refund":
            fields |= {
                "PaymentTransactionId": transaction.get("RefundOf", transaction["TransactionId"]),
                "OperationType": "Refund",
            }
        fields |= {k: str(v) for k, v in overrides.items()}
        if form:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        else:
            body, content_type = json.dumps(fields).encode(), "application/json"
        return body, {"Content-Type": content_type, "Content-HMAC": sign(body, secret or self.secret)}

    def api_calls(self, endpoint: str) -> list[ApiCall]:
        return [c for c in self.calls if c.endpoint == endpoint]


def _dumps(value: Any) -> str:
    return json.dumps(value, default=lambda v: float(v) if isinstance(v, Decimal) else str(v))
