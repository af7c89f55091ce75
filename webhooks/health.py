from collections.abc import Awaitable, Callable

from aiohttp import web

# name → check; each answers True when that dependency responds. Wired by bot.app.
Check = Callable[[], Awaitable[bool]]
READINESS_CHECKS = web.AppKey("readiness_checks", dict[str, Check])


async def healthz(_request: web.Request) -> web.Response:
    """Alive: the process answers. Says nothing about dependencies (that is /readyz)."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    checks = {name: await check() for name, check in request.app[READINESS_CHECKS].items()}
    ready = all(checks.values())
    body = {
        "status": "ready" if ready else "unavailable",
        "checks": {name: "ok" if ok else "unavailable" for name, ok in checks.items()},
    }
    return web.json_response(body, status=200 if ready else 503)


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
