"""One JSON error envelope for every failure at the HTTP edge; the unexpected is logged once."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable

import structlog
from aiohttp import web

from domain.errors import DomainError, Unavailable

log = structlog.get_logger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def envelope(status: int, code: str, message: str, request_id: str) -> web.Response:
    return web.json_response(
        {"error": {"code": code, "message": message, "request_id": request_id}}, status=status
    )


REQUEST_ID = web.RequestKey("request_id", str)


def _new_id() -> str:
    """16 hex digits, as `secrets.token_hex(8)` gave without a system call each: the id ties log lines to an
    answer, it guards nothing."""
    return f"{random.getrandbits(64):016x}"


def request_id(request: web.Request) -> str:
    """The caller's X-Request-ID (bounded), or one of ours; the same for the whole request."""
    if REQUEST_ID not in request:
        request[REQUEST_ID] = request.headers.get("X-Request-ID", "")[:64] or _new_id()
    return request[REQUEST_ID]


def error(request: web.Request, status: int, code: str, message: str) -> web.Response:
    """Every error a handler answers: the one JSON envelope, with the request id."""
    return envelope(status, code, message, request_id(request))


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    rid = request_id(request)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=rid, method=request.method, path=request.path)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        text = exc.text or ""
        plain = text and exc.status < 500 and not text.startswith(f"{exc.status}:")
        code = exc.reason.lower().replace(" ", "_")
        response = error(request, exc.status, code, text if plain else exc.reason)
    except Unavailable as exc:  # answered at once, so the provider retries instead of waiting on us
        response = error(request, 503, exc.code, str(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
    except DomainError as exc:
        response = error(request, 422, exc.code, str(exc))
    except Exception:
        log.exception("http.unexpected_error")
        response = error(request, 500, "internal", "Something went wrong on our side; it has been logged.")
    response.headers.setdefault("X-Request-ID", rid)
    return response
