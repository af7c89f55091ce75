"""The CloudPayments adapter: the cloudpayments package, in a thread, with a timeout and X-Request-ID.

The package is synchronous (requests, no timeout, no HTTP status check) and sends X-Request-ID only for
some calls, so every call goes through its own transport (`_send_request`: auth, base URL, Decimal
parsing) with our request id, on a small thread pool the event loop never waits on longer than `timeout`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
import structlog
from cloudpayments import CloudPayments
from cloudpayments.models import Order, Transaction
from requests.auth import HTTPBasicAuth

from domain.money import Money
from domain.payments import Charged, ChargeResult, Declined, GatewayError, NeedsConfirmation, PaymentLink
from domain.receipts import FiscalReceipt

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ReceiptRules:
    """What the company's receipts say by law (from settings): its taxation system, the VAT rate (None: no
    VAT) and where the sale is made (its site)."""

    taxation_system: int
    vat: int | None
    place: str
    inn: str | None = None  # the company's, for a receipt printed apart from a payment (the settlement)


PREPAYMENT, FULL_PAYMENT, SERVICE = 1, 4, 4  # tag 1214: prepaid in full, paid in full; tag 1212: a service


T = TypeVar("T")


class CloudPaymentsGateway:
    def __init__(
        self,
        public_id: str,
        api_secret: str,
        api_base: str,
        timeout: float = 15.0,
        receipts: ReceiptRules | None = None,
    ) -> None:
        self._receipts = receipts
        self._client = CloudPayments(public_id, api_secret)
        self._client.URL = api_base.rstrip("/") + "/"  # the instance's, not the class attribute
        self._timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="cloudpayments")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _call(self, endpoint: str, params: dict[str, Any], request_id: str) -> dict[str, Any]:
        return await self._in_thread(endpoint, self._client._send_request, endpoint, params, request_id)

    async def _in_thread(self, endpoint: str, call: Callable[..., T], *args: Any) -> T:
        """A synchronous call on the pool, never longer than the timeout; its failures in our words."""
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(loop.run_in_executor(self._pool, call, *args), self._timeout)
        except TimeoutError:
            raise GatewayError(
                f"CloudPayments did not answer {endpoint} within {self._timeout:.0f} s"
            ) from None
        except ValueError:  # an HTML error page instead of JSON
            raise GatewayError(f"CloudPayments answered {endpoint} with an error page; try again") from None
        except OSError as error:
            raise GatewayError(f"CloudPayments could not be reached ({type(error).__name__})") from None

    async def credentials_accepted(self) -> bool:
        """The API's `test` method (the preflight): True when the Public ID and the secret are accepted."""
        client, timeout = self._client, self._timeout

        def ask() -> bool:  # (its own request: a refusal is a status, not the JSON the package expects)
            auth = HTTPBasicAuth(client.public_id, client.api_secret)
            response = requests.post(client.URL + "test", json={}, auth=auth, timeout=timeout)
            if response.status_code in (401, 403):
                return False
            return bool(response.json().get("Success"))

        return await self._in_thread("test", ask)

    @staticmethod
    def _amount(money: Money) -> float:
        return float(money.major)  # requests serialises JSON itself and refuses Decimal; 2 decimals are exact

    def _customer_receipt(self, receipt: FiscalReceipt, settling: bool = False) -> dict[str, Any]:
        """The CustomerReceipt CloudKassir prints (54-FZ). `settling`: rendered after a prepayment."""
        rules = self._receipts
        assert rules is not None
        items = [
            {
                "label": line.label,
                "price": self._amount(line.amount),
                "quantity": 1.0,
                "amount": self._amount(line.amount),
                "vat": rules.vat,
                "method": FULL_PAYMENT if settling or not receipt.prepaid else PREPAYMENT,
                "object": SERVICE,
            }
            for line in receipt.lines
        ]
        customer = {
            "Items": items,
            "calculationPlace": rules.place,
            "taxationSystem": rules.taxation_system,
            "email": receipt.email,  # without either, only the payment page can ask the payer for one
            "phone": receipt.phone,
            "isBso": False,
            "amounts": {
                "electronic": 0.0 if settling else self._amount(receipt.total),
                "advancePayment": self._amount(receipt.total) if settling else 0.0,  # the prepayment set off
                "credit": 0.0,
                "provision": 0.0,
            },
        }
        return customer

    def _with_receipt(self, params: dict[str, Any], receipt: FiscalReceipt | None) -> dict[str, Any]:
        """The receipt CloudKassir prints with this payment or refund (54-FZ), in the payment's JsonData."""
        if receipt is None or self._receipts is None:
            return params
        return params | {"JsonData": {"CloudPayments": {"CustomerReceipt": self._customer_receipt(receipt)}}}

    async def settle_prepayment(
        self, *, invoice_id: str, account_id: str, receipt: FiscalReceipt, request_id: str
    ) -> None:
        """The service was rendered: the full-settlement receipt, setting off the prepayment (kkt/receipt)."""
        rules = self._receipts
        if rules is None:
            return
        params = {
            "Inn": rules.inn,
            "Type": "Income",
            "InvoiceId": invoice_id,
            "AccountId": account_id,
            "CustomerReceipt": self._customer_receipt(receipt, settling=True),
        }
        response = await self._call("kkt/receipt", params, request_id)
        if not response.get("Success"):
            raise GatewayError(
                f"CloudKassir refused the settlement receipt: {response.get('Message') or 'no reason'}"
            )

    async def create_order(
        self,
        *,
        invoice_id: str,
        account_id: str,
        amount: Money,
        description: str,
        culture: str,
        request_id: str,
        receipt: FiscalReceipt | None = None,
    ) -> PaymentLink:
        response = await self._call(
            "orders/create",
            self._with_receipt(
                {
                    "Amount": self._amount(amount),
                    "Currency": amount.currency,
                    "Description": description,
                    "InvoiceId": invoice_id,
                    "AccountId": account_id,
                    "RequireConfirmation": False,
                    "CultureName": culture,
                },
                receipt,
            ),
            request_id,
        )
        if not response.get("Success"):
            raise GatewayError(
                f"CloudPayments refused the payment link: {response.get('Message') or 'no reason'}"
            )
        order = Order.from_dict(response["Model"])
        return PaymentLink(order.id, order.number, order.url)

    async def cancel_order(self, order_id: str, request_id: str) -> None:
        response = await self._call("orders/cancel", {"Id": order_id}, request_id)
        if not response.get("Success"):
            raise GatewayError(f"CloudPayments did not cancel the old link: {response.get('Message')}")

    async def charge_token(
        self,
        *,
        token: str,
        account_id: str,
        amount: Money,
        invoice_id: str,
        description: str,
        request_id: str,
        receipt: FiscalReceipt | None = None,
    ) -> ChargeResult:
        response = await self._call(
            "payments/tokens/charge",
            self._with_receipt(
                {
                    "Amount": self._amount(amount),
                    "Currency": amount.currency,
                    "AccountId": account_id,
                    "Token": token,
                    "InvoiceId": invoice_id,
                    "Description": description,
                },
                receipt,
            ),
            request_id,
        )
        model = response.get("Model") or {}
        if response.get("Success"):
            transaction = Transaction.from_dict(model)
            return Charged(int(transaction.id), transaction.card_last_four, transaction.card_type)
        if "AcsUrl" in model:
            return NeedsConfirmation(int(model["TransactionId"]))
        if "ReasonCode" in model:
            return Declined(model.get("Reason") or "declined", model.get("CardHolderMessage"))
        return Declined(response.get("Message") or "declined", None)

    async def refund(
        self, *, transaction_id: int, amount: Money, request_id: str, receipt: FiscalReceipt | None = None
    ) -> int:
        params = {"TransactionId": transaction_id, "Amount": self._amount(amount)}
        response = await self._call("payments/refund", self._with_receipt(params, receipt), request_id)
        if not response.get("Success"):
            raise GatewayError(f"CloudPayments refused the refund: {response.get('Message') or 'no reason'}")
        return int(response["Model"]["TransactionId"])
