from collections.abc import Awaitable, Callable

from aiohttp import web

# name → check; each answers True when that part works, False or the reason (a short text) when it does not.
Check = Callable[[], Awaitable[bool | str]]
READINESS_CHECKS = web.AppKey("readiness_checks", dict[str, Check])


async def healthz(_request: web.Request) -> web.Response:
    """Alive: the process answers. Says nothing about dependencies (that is /readyz)."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    checks = {name: await check() for name, check in request.app[READINESS_CHECKS].items()}
    ready = all(ok is True for ok in checks.values())
    body = {
        "status": "ready" if ready else "unavailable",
        "checks": {name: _state(ok) for name, ok in checks.items()},
    }
    return web.json_response(body, status=200 if ready else 503)


def _state(ok: bool | str) -> str:
    if ok is True:
        return "ok"
    return ok or "unavailable"


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
