"""POST /webhooks/cloudpayments/{kind}: HMAC on the raw bytes first; `check` answered with its code at once,
the others stored in the inbox (deduplicated on type and TransactionId) and answered {"code": 0}."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import structlog
from aiohttp import web

from domain.errors import DomainError
from domain.payments import KINDS, Notification
from webhooks.bodies import CLOUDPAYMENTS_MAX, TooLarge, read_bounded
from webhooks.errors import error

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class CloudPaymentsIntake:
    authentic: Callable[[bytes, Mapping[str, str]], bool]  # the signature over the raw body
    parse: Callable[[str, bytes, str], Notification]  # (kind, body, content type); or InvalidValue
    check: Callable[[Notification], Awaitable[int]]
    # (notification, raw body, content type) → True when new
    store: Callable[[Notification, bytes, str], Awaitable[bool]]


CLOUDPAYMENTS_INTAKE = web.AppKey("cloudpayments_intake", CloudPaymentsIntake)


async def notification(request: web.Request) -> web.Response:
    intake = request.app.get(CLOUDPAYMENTS_INTAKE)
    kind = request.match_info["kind"]
    if intake is None or kind not in KINDS:
        return error(request, 404, "not_found", "no such notification")
    try:
        body = await read_bounded(request, CLOUDPAYMENTS_MAX)
    except TooLarge as problem:
        return error(request, 413, "too_large", str(problem))
    if not intake.authentic(body, request.headers):
        log.warning("cloudpayments.rejected", kind=kind, reason="hmac")
        return error(request, 401, "unauthorized", "bad Content-HMAC")
    try:
        note = intake.parse(kind, body, request.content_type)
    except DomainError as problem:
        return error(request, 400, "bad_request", str(problem))
    structlog.contextvars.bind_contextvars(invoice=note.invoice_id, transaction=note.transaction_id)
    if kind == "check":
        code = await intake.check(note)
        log.info("cloudpayments.check", code=code)
        return web.json_response({"code": code})
    new = await intake.store(note, body, request.content_type)
    log.info("cloudpayments.stored", kind=kind, duplicate=not new)
    return web.json_response({"code": 0})


def setup(app: web.Application) -> None:
    app.router.add_post("/webhooks/cloudpayments/{kind}", notification)
