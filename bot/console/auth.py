"""Who is at the console: one-time links become sessions (cookie HttpOnly, SameSite=Lax, Secure on https),
every POST carries the session's CSRF token, every answer the security headers. Errors are pages."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

import structlog
from aiohttp import web
from pymongo.errors import ConnectionFailure, PyMongoError

from bot.console.keys import SESSION
from bot.console.render import page
from bot.engine_runtime import ENGINE, answering_in_time
from bot.keys import SETTINGS
from domain.errors import DomainError, InvalidValue, Unavailable
from domain.signin import SESSION_HOURS
from engine.console.actions import MAX_FILE
from engine.console.reads import NotVisible
from engine.deps import Deps
from engine.invocation import Forbidden
from engine.staff_texts import of, refusal, st
from engine.team import sign_in

log = structlog.get_logger(__name__)

COOKIE = "concierge_session"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
OPEN = ("/console/sign-in", "/console/static/")
UPLOAD = re.compile(r"^/console/requests/[^/]{1,20}/file$")


def deps_of(request: web.Request) -> Deps:
    return request.config_dict[ENGINE].deps


def _secure(request: web.Request) -> bool:
    return (request.config_dict[SETTINGS].http.public_base_url or "").startswith("https://")


def _headers(response: web.StreamResponse, static: bool) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"  # a sign-in link never leaves in a Referer
    if (
        not static
    ):  # (a route that says otherwise keeps its own: a conversation's photos, for the viewer alone)
        response.headers.setdefault("Cache-Control", "no-store")


@web.middleware
async def console_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method == "POST" and UPLOAD.match(request.path):  # the one form that carries a file
        request = request.clone(client_max_size=MAX_FILE + 64 * 1024)
    deps = deps_of(request)
    public = request.path.startswith(OPEN)
    static = request.path.startswith("/console/static/")
    session = None
    try:
        if not static:
            with answering_in_time():  # a frozen store: a 503 page within the webhooks' deadline
                session = await sign_in.session_of(deps, request.cookies.get(COOKIE))
        if session is not None:
            request[SESSION] = session
        if session is None and not public:
            if request.method == "GET" and not request.path.endswith((".part", "/live", ".csv")):
                raise web.HTTPSeeOther("/console/sign-in")
            raise web.HTTPUnauthorized(text="Sign in first.")
        if request.method == "POST":
            await _readable_form(request, session)
        if request.method == "POST" and not public:
            form = await request.post()
            token = form.get("csrf") or request.headers.get("X-CSRF-Token")
            if not deps.signer.csrf_ok(session.digest, token if isinstance(token, str) else None):
                raise web.HTTPForbidden(text=st(session.assistant, "console-form-expired"))
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            response = web.Response(status=exc.status, headers=exc.headers)
        else:
            response = _error(request, exc.status, exc.text or exc.reason)
    except Unavailable as exc:
        response = _unavailable(request, session, exc.retry_after)
    except PyMongoError as exc:
        if exc.timeout or isinstance(exc, ConnectionFailure):
            response = _unavailable(request, session)  # the store went away mid-page
        else:
            response = _unexpected(request)
    except NotVisible:
        response = _error(request, 404, "Not found.")
    except Forbidden as exc:
        response = _error(request, 403, str(exc))
    except DomainError as exc:
        response = _error(request, 400, refusal(of(session.assistant if session else None), exc))
    except Exception:
        response = _unexpected(request)
    _headers(response, static)
    return response


def _unexpected(request: web.Request) -> web.Response:
    log.exception("console.unexpected_error")
    return _error(request, 500, "Something went wrong on our side; it has been logged.")


def _unavailable(request: web.Request, session: sign_in.Session | None, retry_after: int = 5) -> web.Response:
    response = _error(request, 503, st(session.assistant if session else None, "console-unavailable"))
    response.headers["Retry-After"] = str(retry_after)
    return response


async def _readable_form(request: web.Request, session: sign_in.Session | None) -> None:
    """A form whose text is not UTF-8 (a raw byte or a %-escape) is refused before anyone reads it."""
    if not await readable_form(request):
        raise web.HTTPBadRequest(text=st(session.assistant if session else None, "console-form-unreadable"))


async def readable_form(request: web.Request) -> bool:
    """Whether a posted form reads as UTF-8 throughout (its raw bytes and every %-escape); the console's and
    the client's page say no each in their own words."""
    try:
        if request.content_type == "application/x-www-form-urlencoded":
            body = (await request.read()).decode("utf-8")
            parse_qsl(body, keep_blank_values=True, encoding="utf-8", errors="strict")
        else:
            await request.post()
    except (UnicodeDecodeError, ValueError, LookupError):  # (LookupError: a charset nobody knows)
        return False
    return True


def _error(request: web.Request, status: int, message: str) -> web.Response:
    if request.path.endswith((".part", "/live")) or request.headers.get("Accept") == "application/json":
        return web.Response(status=status, text=message)
    return page(request, "error.html", {"status": status, "message": message}, status)


def _who(request: web.Request) -> str:
    """Sign-in attempts are counted per address, kept as a digest."""
    return hashlib.sha256(client_address(request).encode()).hexdigest()[:24]


def client_address(request: web.Request) -> str:
    """The client's address: the peer's, or behind a trusted proxy (TRUSTED_PROXIES) the nearest address in
    X-Forwarded-For that is not one of the proxies. From anyone else the header is ignored (it is forged at
    will)."""
    trusted = request.config_dict[SETTINGS].http.proxies
    remote = request.remote or "?"
    if not _among(remote, trusted):
        return remote
    hops = ",".join(request.headers.getall("X-Forwarded-For", [])).split(",")
    for hop in reversed([h.strip() for h in hops if h.strip()]):
        if not _among(hop, trusted):
            return hop
    return remote


def _among(address: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


async def sign_in_page(request: web.Request) -> web.Response:
    token = request.query.get("t", "")
    deps = deps_of(request)
    if not token:
        return page(request, "signin.html", {"token": "", "refused": None})
    if deps.signer is None or not deps.signer.authentic(token):
        return page(request, "signin.html", {"token": "", "refused": "forged"}, 403)
    return page(request, "signin.html", {"token": token, "refused": None})


async def sign_in_post(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    form = await request.post()
    token = form.get("t")
    try:
        with answering_in_time():
            session, assistant = await sign_in.open_link(
                deps, token if isinstance(token, str) else "", _who(request)
            )
    except sign_in.TooManyAttempts:
        return page(request, "signin.html", {"token": "", "refused": "busy"}, 429)
    except InvalidValue:
        return page(request, "signin.html", {"token": "", "refused": "used"}, 403)
    log.info("console.signed_in", assistant_id=assistant.id)
    return signed_in(request, COOKIE, session, SESSION_HOURS, "/console")


def signed_in(request: web.Request, cookie: str, session: str, hours: int, path: str) -> web.Response:
    """Into `path` with the session's cookie: HttpOnly, SameSite=Lax, Secure on https, for `path` alone."""
    response = web.Response(status=303, headers={"Location": f"{path}/"})
    response.set_cookie(
        cookie,
        session,
        max_age=hours * 3600,
        path=path,
        httponly=True,
        samesite="Lax",
        secure=_secure(request),
    )
    return response


async def sign_out(request: web.Request) -> web.StreamResponse:
    await sign_in.sign_out(deps_of(request), request[SESSION])
    response = web.Response(status=303, headers={"Location": "/console/sign-in"})
    response.del_cookie(COOKIE, path="/console")
    return response


def routes(app: web.Application) -> None:
    app.router.add_get("/sign-in", sign_in_page)
    app.router.add_post("/sign-in", sign_in_post)
    app.router.add_post("/sign-out", sign_out)
