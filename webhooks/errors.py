"""One JSON error envelope for every failure at the HTTP edge; the unexpected is logged once."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

import structlog
from aiohttp import web

from domain.errors import DomainError

log = structlog.get_logger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def envelope(status: int, code: str, message: str, request_id: str) -> web.Response:
    return web.json_response(
        {"error": {"code": code, "message": message, "request_id": request_id}}, status=status
    )


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    request_id = request.headers.get("X-Request-ID", "")[:64] or secrets.token_hex(8)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id, method=request.method, path=request.path)
    try:
        response = await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        code = error.reason.lower().replace(" ", "_")
        return envelope(
            error.status,
            code,
            error.text
            if error.text and error.status < 500 and not error.text.startswith(f"{error.status}:")
            else error.reason,
            request_id,
        )
    except DomainError as error:
        return envelope(422, error.code, str(error), request_id)
    except Exception:
        log.exception("http.unexpected_error")
        return envelope(500, "internal", "Something went wrong on our side; it has been logged.", request_id)
    response.headers.setdefault("X-Request-ID", request_id)
    return response
