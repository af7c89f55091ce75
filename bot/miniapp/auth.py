"""Who is on the client's page. From Telegram: the Mini App's initData, sent by our script on every request
(`Authorization: tma <initData>`) and validated as Telegram documents it, for a user who is a known client.
From WhatsApp: a session cookie opened by a one-time link. Anything else sees only the page's shell (the
script that asks Telegram who it is); a POST without our script's header is refused (no form from elsewhere
acts)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from aiohttp import web
from pymongo.errors import ConnectionFailure, PyMongoError

from bot.console.auth import readable_form
from bot.engine_runtime import ENGINE, answering_in_time
from bot.keys import SETTINGS
from domain.clients import Client
from domain.errors import DomainError, Unavailable
from domain.miniapp import NotTelegrams, verify
from engine.console import client_page as flow
from engine.deps import Deps
from sandbox.web import SANDBOX_WORLD

log = structlog.get_logger(__name__)

COOKIE = "concierge_app"
HEADER = "X-Concierge-App"  # set by our script on every request it makes
CLIENT = web.RequestKey("app_client", Client)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
OPEN = ("/app/static/", "/app/link")
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
MAX_FORM = 32 * 1024  # the longest form (a request with its notes) is a few kilobytes


def deps_of(request: web.Request) -> Deps:
    return request.config_dict[ENGINE].deps


def _sandbox(request: web.Request) -> bool:
    return SANDBOX_WORLD in request.config_dict


def script_source(request: web.Request) -> str:
    """Telegram's own script, as Telegram requires; the sandbox serves its stand-in (no internet there)."""
    return "/sandbox/static/telegram-web-app.js" if _sandbox(request) else TELEGRAM_SCRIPT


def _csp(request: web.Request) -> str:
    telegram = "" if _sandbox(request) else " https://telegram.org"
    return (
        f"default-src 'none'; script-src 'self'{telegram}; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; "
        # Telegram Web shows a Mini App in a frame of its own; nobody else may frame it
        "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
    )


async def _client(request: web.Request) -> Client | None:
    deps = deps_of(request)
    said = request.headers.get("Authorization", "")
    if said.startswith("tma "):
        token = request.config_dict[SETTINGS].telegram.telegram_bot_token
        if token is None:
            raise web.HTTPUnauthorized(text="This service has no Telegram bot.")
        try:
            data = verify(said[4:], token.get_secret_value(), deps.clock.now())
        except NotTelegrams as refused:
            log.info("app.refused", reason=refused.key)  # (never the data: it names a person)
            raise web.HTTPUnauthorized(text="Open this page from the bot's menu.") from None
        client = await flow.client_of_telegram(deps, data.user.id)
        if client is None:
            log.info("app.unknown_user")
            raise web.HTTPUnauthorized(text="Write to the bot first.")
        return client
    return await flow.session_client(deps, request.cookies.get(COOKIE))


async def _readable_form(request: web.Request) -> None:
    """A form bounded before it is read, and refused unless it is URL-encoded UTF-8 (a raw byte, a %-escape
    of one, another charset: 400, nothing done)."""
    if request.content_length is not None and request.content_length > MAX_FORM:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_FORM, actual_size=request.content_length)
    if request.content_type not in ("application/x-www-form-urlencoded", ""):
        raise web.HTTPUnsupportedMediaType(text="A form of this page is URL-encoded.")
    if not await readable_form(request):
        raise web.HTTPBadRequest(text="The form is not readable.")


@web.middleware
async def app_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    static = request.path.startswith("/app/static/")
    try:
        if request.method == "POST":
            request = request.clone(client_max_size=MAX_FORM)  # (a sub-app's own limit is not applied)
            await _readable_form(request)
        if not request.path.startswith(OPEN):
            if request.method == "POST" and request.headers.get(HEADER) != "1":
                raise web.HTTPForbidden(text="This form is sent by the page itself.")
            with answering_in_time():
                client = await _client(request)
            if client is not None:
                request[CLIENT] = client
            elif request.method != "GET" or request.headers.get(HEADER) == "1":
                raise web.HTTPUnauthorized(text="Open this page from the bot's menu.")
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            response = web.Response(status=exc.status, headers=exc.headers)
        else:
            response = web.Response(status=exc.status, text=exc.text or exc.reason)
    except Unavailable as exc:
        response = web.Response(status=503, text=str(exc), headers={"Retry-After": str(exc.retry_after)})
    except PyMongoError as exc:
        if not (exc.timeout or isinstance(exc, ConnectionFailure)):
            log.exception("app.unexpected_error")
        response = web.Response(status=503, text="Please try again in a moment.")
    except DomainError as exc:
        response = web.Response(status=400, text=str(exc))
    except Exception:
        log.exception("app.unexpected_error")
        response = web.Response(status=500, text="Something went wrong on our side; it has been logged.")
    response.headers["Content-Security-Policy"] = _csp(request)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if not static:
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers["Vary"] = "Authorization, Cookie"
    return response
