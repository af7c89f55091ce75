"""GET /media/{token}: a file an assistant posted in Telegram, for Twilio to fetch and send on WhatsApp.
The token names the file and an expiry, signed with HMAC-SHA256; it is good for one hour."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import structlog
from aiohttp import web

from webhooks.errors import error

log = structlog.get_logger(__name__)

LIFETIME_SECONDS = 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, file_id: str, expires: int) -> str:
    body = f"{file_id}|{expires}".encode()
    return f"{_b64(body)}.{_b64(hmac.new(key, body, hashlib.sha256).digest())}"


def verify(key: bytes, token: str, now: datetime) -> str | None:
    """The file id, if the token is ours and still valid."""
    try:
        body_part, mac_part = token.split(".", 1)
        body = _unb64(body_part)
        mac = _unb64(mac_part)
    except ValueError:
        return None
    if not hmac.compare_digest(mac, hmac.new(key, body, hashlib.sha256).digest()):
        return None
    file_id, _, expires = body.decode().rpartition("|")
    return file_id if expires.isdigit() and now.timestamp() < int(expires) else None


@dataclass(frozen=True)
class MediaSource:
    key: bytes
    now: Callable[[], datetime]
    fetch: Callable[[str], Awaitable[tuple[bytes, str]]]  # file id → (content, content type)


MEDIA_SOURCE = web.AppKey("media_source", MediaSource)


async def media(request: web.Request) -> web.Response:
    source = request.app.get(MEDIA_SOURCE)
    file_id = verify(source.key, request.match_info["token"], source.now()) if source else None
    if source is None or file_id is None:
        return error(request, 404, "not_found", "no such file, or the link expired")
    try:
        content, content_type = await source.fetch(file_id)
    except (LookupError, OSError) as problem:  # gone, too large for the Bot API, or Telegram unreachable
        log.warning("media.unavailable", error=type(problem).__name__)
        return error(request, 404, "not_found", "the file is no longer available")
    return web.Response(body=content, content_type=content_type)


def setup(app: web.Application) -> None:
    app.router.add_get("/media/{token}", media)
