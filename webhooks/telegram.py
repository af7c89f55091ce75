"""POST /webhooks/telegram: check the secret token, store the update in the inbox, answer at once."""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from aiohttp import web

from domain.errors import InvalidValue
from webhooks.bodies import TELEGRAM_MAX, TooLarge, read_bounded
from webhooks.errors import error

log = structlog.get_logger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 — a header name


@dataclass(frozen=True)
class TelegramIntake:
    secret: str
    # (provider id, key, payload) → True when new; the caller then wakes the processor
    store: Callable[[str, str, dict[str, Any]], Awaitable[bool]]
    key_of: Callable[[dict[str, Any]], str]  # total: any JSON object gets a key
    # InvalidValue when the update cannot be stored as it is (domain.payloads.check_storable) or used
    check: Callable[[dict[str, Any]], None]
    # (provider id, reason) → recorded as rejected, without its content
    reject: Callable[[str, str], Awaitable[bool]]


TELEGRAM_INTAKE = web.AppKey("telegram_intake", TelegramIntake)
# the two answers to an update stored (as json_response writes them, without encoding them every time)
STORED = json.dumps({"ok": True, "duplicate": False}).encode()
DUPLICATE = json.dumps({"ok": True, "duplicate": True}).encode()


async def telegram_webhook(request: web.Request) -> web.Response:
    intake = request.app.get(TELEGRAM_INTAKE)
    if intake is None:
        return error(request, 404, "not_found", "the Telegram webhook is not enabled")
    if not secrets.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), intake.secret.encode()):
        log.warning("telegram.webhook_rejected", reason="secret")
        return error(request, 401, "unauthorized", "missing or wrong secret token")
    try:
        update = json.loads(await read_bounded(request, TELEGRAM_MAX))
        update_id = update["update_id"]
        if not isinstance(update_id, int) or isinstance(update_id, bool) or not 0 <= update_id < 2**63:
            raise TypeError
    except TooLarge as problem:
        return error(request, 413, "too_large", str(problem))
    except (ValueError, KeyError, TypeError, RecursionError):
        return error(request, 400, "bad_request", "not a Telegram update")
    provider_id = f"tg:{update_id}"
    try:
        intake.check(update)
    except InvalidValue as problem:
        # authentic but unusable: acknowledged, so Telegram does not hold the chat back retrying it
        new = await intake.reject(provider_id, str(problem))
        log.warning("telegram.update_rejected", reason=str(problem), duplicate=not new)
        return web.json_response({"ok": True, "rejected": True})
    new = await intake.store(provider_id, intake.key_of(update), update)
    return web.Response(body=STORED if new else DUPLICATE, content_type="application/json", charset="utf-8")


def setup(app: web.Application) -> None:
    app.router.add_post("/webhooks/telegram", telegram_webhook)
