"""POST /webhooks/telegram: check the secret token, store the update in the inbox, answer at once."""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from aiohttp import web

log = structlog.get_logger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 — a header name


@dataclass(frozen=True)
class TelegramIntake:
    secret: str
    # (provider id, key, payload) → True when new; the caller then wakes the processor
    store: Callable[[str, str, dict[str, Any]], Awaitable[bool]]
    key_of: Callable[[dict[str, Any]], str]


TELEGRAM_INTAKE = web.AppKey("telegram_intake", TelegramIntake)


def _unauthorized() -> web.Response:
    return web.json_response(
        {"error": {"code": "unauthorized", "message": "missing or wrong secret token"}}, status=401
    )


async def telegram_webhook(request: web.Request) -> web.Response:
    intake = request.app.get(TELEGRAM_INTAKE)
    if intake is None:
        return web.json_response(
            {"error": {"code": "not_found", "message": "the Telegram webhook is not enabled"}}, status=404
        )
    if not secrets.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), intake.secret.encode()):
        log.warning("telegram.webhook_rejected", reason="secret")
        return _unauthorized()
    try:
        update = json.loads(await request.read())
        update_id = update["update_id"]
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return web.json_response(
            {"error": {"code": "bad_request", "message": "not a Telegram update"}}, status=400
        )
    new = await intake.store(f"tg:{update_id}", intake.key_of(update), update)
    return web.json_response({"ok": True, "duplicate": not new})


def setup(app: web.Application) -> None:
    app.router.add_post("/webhooks/telegram", telegram_webhook)
