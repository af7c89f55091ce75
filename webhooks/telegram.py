"""POST /webhooks/telegram: check the secret token, store the update in the inbox, answer at once."""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from aiohttp import web

from webhooks.errors import error

log = structlog.get_logger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 — a header name


@dataclass(frozen=True)
class TelegramIntake:
    secret: str
    # (provider id, key, payload) → True when new; the caller then wakes the processor
    store: Callable[[str, str, dict[str, Any]], Awaitable[bool]]
    key_of: Callable[[dict[str, Any]], str]


TELEGRAM_INTAKE = web.AppKey("telegram_intake", TelegramIntake)


async def telegram_webhook(request: web.Request) -> web.Response:
    intake = request.app.get(TELEGRAM_INTAKE)
    if intake is None:
        return error(request, 404, "not_found", "the Telegram webhook is not enabled")
    if not secrets.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), intake.secret.encode()):
        log.warning("telegram.webhook_rejected", reason="secret")
        return error(request, 401, "unauthorized", "missing or wrong secret token")
    try:
        update = json.loads(await request.read())
        update_id = update["update_id"]
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return error(request, 400, "bad_request", "not a Telegram update")
    new = await intake.store(f"tg:{update_id}", intake.key_of(update), update)
    return web.json_response({"ok": True, "duplicate": not new})


def setup(app: web.Application) -> None:
    app.router.add_post("/webhooks/telegram", telegram_webhook)
