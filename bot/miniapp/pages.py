"""The client's pages (GET) and actions (POST). Every action carries its form's own id: sent twice, it acts
once. Pages read the client's affairs; actions call the engine's use cases (engine/miniapp.py)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import structlog
from aiohttp import web
from babel.dates import format_datetime

from bot.console.auth import _who, signed_in
from bot.engine_runtime import answering_in_time
from bot.keys import SETTINGS
from bot.miniapp.auth import CLIENT, COOKIE, deps_of, script_source
from domain.clients import Channel, Client, Language
from domain.intake.words import Category
from domain.lifecycle import RequestState
from domain.miniapp import (
    CONTACTS,
    EMAIL_CHARS,
    NOTES,
    Asked,
    Unusable,
    asked_of,
    contact_of,
    email_of,
    notes_of,
    quiet_of,
)
from domain.money import SUPPORTED_CURRENCIES, Money
from domain.requests import ServiceRequest
from domain.signin import APP_SESSION_HOURS
from engine import queries as q
from engine.client_texts import date_pattern
from engine.console import client_page as flow
from engine.console.timeline import history
from engine.team.sign_in import TooManyAttempts
from engine.translations import bridges

log = structlog.get_logger(__name__)

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
CATEGORIES = [c for c in Category if c is not Category.OTHER] + [Category.OTHER]
SCORES = (1, 2, 3, 4, 5)
EXPORT_SECONDS = 300
FISCAL = {"income_return": "app-fiscal-refund", "settlement": "app-fiscal-settlement"}  # else app-fiscal
TRANSLATED = {"on": True, "off": False, "": None}  # ("": not offered, their assistant reads their language)


def client_of(request: web.Request) -> Client:
    return request[CLIENT]


def language_of(client: Client | None) -> Language:
    return client.language if client and client.language else Language.EN


def _texts(request: web.Request, language: Language):
    deps = deps_of(request)

    def t(message_id: str, **args: Any) -> str:
        return deps.t(language, message_id, **args)

    return t


def render(request: web.Request, template: str, context: dict[str, Any], status: int = 200) -> web.Response:
    deps = deps_of(request)
    client = request.get(CLIENT)
    language = language_of(client)
    tz = deps.policy.tz

    def moment(at: datetime | None, fmt: str = "EEE d MMM, HH:mm") -> str:
        return (
            format_datetime(at.astimezone(tz), date_pattern(fmt, language.value), locale=language.value)
            if at
            else "—"
        )

    def money(amount: Money | None) -> str:
        return amount.format(language.value) if amount else "—"

    base = {
        "t": _texts(request, language),
        "lang": language.value,
        "rtl": language is Language.AR,
        "client": client,
        "moment": moment,
        "money": money,
        "FISCAL": FISCAL,
        "iso": lambda at: at.isoformat() if at else "",
        "tz_offset": int(deps.clock.now().astimezone(tz).utcoffset().total_seconds() // 60),  # type: ignore[union-attr]
        "new_id": lambda: secrets.token_urlsafe(18),
        "script": script_source(request),
        "path": request.path,
    }
    return aiohttp_jinja2.render_template(template, request, base | context, status=status)


def _form_id(form: Any) -> str:
    said = form.get("action")
    if not isinstance(said, str) or not 8 <= len(said) <= 64:
        raise web.HTTPBadRequest(text="The form has no id; reload the page.")
    return said


def _text(form: Any, name: str, limit: int = 2000) -> str:
    value = form.get(name)
    if value is not None and not isinstance(value, str):
        raise web.HTTPBadRequest(text=f"{name} is not text")
    if value is not None and len(value) > limit:
        raise Unusable(f"{name} is longer than {limit} characters", key="app-too-long")
    return value or ""


async def _request_of(request: web.Request) -> ServiceRequest:
    found = await q.request(deps_of(request).store, request.match_info["id"][:20])
    if found is None or found.client_id != client_of(request).id:
        raise web.HTTPNotFound(text="No such request.")
    return found


# ---- pages ----


Page = Callable[[web.Request], Awaitable[web.Response]]


def shown(handler: Page) -> Page:
    """Without a client yet (a Mini App's first load: only the script can ask Telegram who it is), the page's
    shell; the page itself once the script has said who is asking."""

    async def page(request: web.Request) -> web.Response:
        if request.get(CLIENT) is None:
            return render(request, "shell.html", {})
        return await handler(request)

    return page


def tab(request: web.Request, template: str, context: dict[str, Any], status: int = 200) -> web.Response:
    return render(request, template, {"tab": template.removesuffix(".html")} | context, status)


async def now_page(request: web.Request) -> web.Response:
    affairs = await flow.affairs(deps_of(request), client_of(request))
    now = deps_of(request).clock.now()
    waiting = [r for r in affairs.open if r.state is RequestState.QUOTED]
    today = [r for r in affairs.coming if flow.within(r, now)]
    context = {
        "affairs": affairs,
        "today": today,
        "waiting": waiting,
        "called": "called" in request.query,
        "write": _write_url(request, affairs.channel),
    }
    return tab(request, "now.html", context)


async def requests_page(request: web.Request) -> web.Response:
    affairs = await flow.affairs(deps_of(request), client_of(request))
    said = {
        "request_opened": request.query.get("opened", "")[:20],
        "paying": request.query.get("paying", "")[:20],
    }
    # while something is on its way (a quote; the receipt of a payment under way) it keeps itself current
    paying = next((r for r in affairs.open if r.id == said["paying"]), None)
    live = any(r.state is RequestState.NEW for r in affairs.open) or (
        paying is not None and paying.state is RequestState.QUOTED
    )
    if paying is None or paying.state is not RequestState.QUOTED:
        said["paying"] = ""  # (paid: the receipt shows; the notice has done its work)
    return tab(request, "requests.html", {"affairs": affairs, "scores": SCORES, "live": live} | said)


async def new_page(
    request: web.Request, error: str = "", form: Any = None, status: int = 200
) -> web.Response:
    affairs = await flow.affairs(deps_of(request), client_of(request))
    deps = deps_of(request)
    today = deps.clock.now().astimezone(deps.policy.tz).date()
    context = {
        "categories": CATEGORIES,
        "currencies": sorted(SUPPORTED_CURRENCIES),
        "places": affairs.places,
        "today": today.isoformat(),
        "error": error,
        "form": form or {},
    }
    return tab(request, "new.html", context, status)


async def preferences_page(
    request: web.Request, error: str = "", said: dict[str, str] | None = None, status: int = 200
) -> web.Response:
    """The form as stored, or — refused — as the client filled it in (nothing they chose is lost)."""
    deps, client = deps_of(request), client_of(request)
    quiet = [f"{h:02d}:00" for h in client.quiet] if client.quiet else ["", ""]
    stored = {
        "language": client.language.value if client.language else "",
        "translated": "on" if client.translated else "off",
        "contact": client.contact or "",
        "quiet_from": quiet[0],
        "quiet_to": quiet[1],
        "email": client.email or "",
        **notes_of(client.preferences),
    }
    context = {
        "shown": stored | (said or {}),
        "names": list(NOTES),
        "contacts": CONTACTS,
        "languages": list(Language),
        "hours": [f"{h:02d}:00" for h in range(24)],
        "translation": bridges(deps, client, await q.assistant(deps.store, client.assistant_id)),
        "email_chars": EMAIL_CHARS,
        "error": error,
        "saved": "saved" in request.query and not error,
    }
    return tab(request, "preferences.html", context, status)


async def history_page(request: web.Request) -> web.Response:
    affairs = await flow.affairs(deps_of(request), client_of(request))
    payments = [r for r in affairs.open + affairs.closed if r.payment is not None]
    return tab(request, "history.html", {"affairs": affairs, "payments": payments})


def _write_url(request: web.Request, channel: Channel) -> str:
    """Where "write" goes outside Telegram (a Mini App closes back into its chat): the WhatsApp chat."""
    sender = request.config_dict[SETTINGS].twilio.twilio_whatsapp_from or ""
    digits = "".join(c for c in sender if c.isdigit())
    return f"https://wa.me/{digits}" if channel is Channel.WHATSAPP and digits else ""


# ---- actions ----


async def ask(request: web.Request) -> web.StreamResponse:
    deps, client = deps_of(request), client_of(request)
    form = await request.post()
    action = _form_id(form)
    said = {name: _text(form, name) for name in ("category", "date", "time", "guests", "place", "budget")}
    said |= {"currency": _text(form, "currency", 8), "notes": _text(form, "notes", 2000)}
    t = _texts(request, language_of(client))
    try:
        asked = asked_of(said, deps.clock.now(), deps.policy.tz)
    except Unusable as refused:
        return await new_page(request, t(refused.key or "app-too-long"), said, 400)
    words = _words(t, asked, language_of(client), deps.policy.tz)
    number = await flow.ask(deps, client, asked, words, action)
    raise web.HTTPSeeOther(f"/app/requests?opened={number}")


def _words(t: Any, asked: Asked, language: Language, tz: Any) -> str:
    """The request in the client's own language, as the topic and their chat show it."""
    parts = [t(f"app-category-{asked.category.value}")]
    if asked.when is not None:
        fmt = "EEE d MMM, HH:mm" if asked.time_known else "EEE d MMM"
        parts.append(
            format_datetime(
                asked.when.astimezone(tz), date_pattern(fmt, language.value), locale=language.value
            )
        )
    if asked.guests:
        parts.append(t("app-words-guests", count=asked.guests))
    if asked.place:
        parts.append(t("app-words-place", place=asked.place))
    if asked.budget:
        parts.append(t("app-words-budget", amount=asked.budget.format(language.value)))
    lines = ["📱 " + " · ".join(parts)]
    if asked.notes:
        lines.append(asked.notes)
    return "\n".join(lines)


async def save_preferences(request: web.Request) -> web.StreamResponse:
    deps, client = deps_of(request), client_of(request)
    form = await request.post()
    action = _form_id(form)
    t = _texts(request, language_of(client))
    said = {name: _text(form, name, 400) for name in NOTES}
    said |= {
        name: _text(form, name, 16)
        for name in ("language", "contact", "quiet_from", "quiet_to", "translated")
    }
    if said["translated"] not in TRANSLATED:
        raise web.HTTPBadRequest(text="Translation is on or off.")
    said["email"] = _text(form, "email", 400)
    try:
        if said["contact"]:
            contact_of(said["contact"])
        quiet = quiet_of(said["quiet_from"], said["quiet_to"])
        email = email_of(said["email"])
        notes = {name: said[name] for name in NOTES}
        language = Language.parse(said["language"])
        translated = TRANSLATED[said["translated"]]
        await flow.set_preferences(
            deps, client, language, said["contact"], quiet, email, notes, action, translated
        )
    except Unusable as refused:
        return await preferences_page(request, t(refused.key or "app-too-long"), said, 400)
    raise web.HTTPSeeOther("/app/preferences?saved=1")


async def remove_card(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    await flow.remove_card(deps_of(request), client_of(request), _form_id(form))
    raise web.HTTPSeeOther("/app/preferences?saved=1")


async def call_me(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    await flow.call_me(deps_of(request), client_of(request), _form_id(form))
    raise web.HTTPSeeOther("/app/?called=1")


async def pay(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    current = await _request_of(request)
    version = _text(form, "version", 6)
    if not (version.isascii() and version.isdecimal()):
        raise web.HTTPBadRequest(text="The form names no quote; reload the page.")
    if client_of(request).saved_card:  # (a quote revised or paid since is refused as the chat's button is)
        await flow.pay_by_card(deps_of(request), client_of(request), current, int(version), _form_id(form))
    raise web.HTTPSeeOther(f"/app/requests?paying={current.id}")


async def rate(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    current = await _request_of(request)
    score = _text(form, "score", 2)
    if not (score.isascii() and score.isdecimal()) or int(score) not in SCORES:
        raise web.HTTPBadRequest(text="A rating is 1 to 5.")
    await flow.rate(deps_of(request), client_of(request), current, int(score), _form_id(form))
    raise web.HTTPSeeOther("/app/requests")


async def export(request: web.Request) -> web.StreamResponse:
    """A short-lived signed address of the client's data (a Mini App downloads by address, not headers)."""
    deps, client = deps_of(request), client_of(request)
    form = await request.post()
    await flow.exported(deps, client, _form_id(form))
    assert deps.signer is not None  # (a client is signed in: the bot's token is set)
    expires = int((deps.clock.now() + timedelta(seconds=EXPORT_SECONDS)).timestamp())
    mac = deps.signer.export_mac(client.id, expires)
    return web.json_response({"url": f"/app/export/{client.id}/{expires}/{mac}"})


async def download(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    client_id, expires = request.match_info["client"], request.match_info["expires"]
    mac = request.match_info["mac"]
    good = (
        deps.signer is not None
        and expires.isascii()
        and expires.isdecimal()
        and len(expires) < 12
        and secrets.compare_digest(mac.encode(), deps.signer.export_mac(client_id, int(expires)).encode())
        and int(expires) >= deps.clock.now().timestamp()
    )
    client = await flow.living(deps, client_id) if good else None
    if client is None:
        raise web.HTTPNotFound(text="This download has expired; ask for it again.")
    mine = flow.for_the_client(await history(deps, client))  # (what the team keeps for itself left out)
    body = json.dumps(mine, ensure_ascii=False, indent=1, default=str)
    return web.Response(
        text=body,
        content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{client.id}-my-data.json"'},
    )


async def link_page(request: web.Request) -> web.Response:
    """A WhatsApp client's one-time link: a page that opens it by a POST (a link preview, which only GETs,
    cannot use it up)."""
    token = request.query.get("t", "")[:120]
    return render(request, "link.html", {"token": token})


async def link_open(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    site = request.headers.get("Sec-Fetch-Site", "same-origin")
    origin = request.headers.get("Origin")
    if site not in ("same-origin", "none") or (origin and urlsplit(origin).netloc != request.host):
        raise web.HTTPForbidden(text="A link is opened from its own page.")  # (no site signs a client in)
    form = await request.post()
    token = form.get("t")
    try:
        with answering_in_time():
            opened = await flow.open_link(deps, token if isinstance(token, str) else "", _who(request))
    except TooManyAttempts:  # (forged links from one address, or from everyone: a minute's pause)
        return render(request, "link.html", {"token": ""}, 429)
    if opened is None:
        return render(request, "link.html", {"token": ""}, 403)
    session, client = opened
    log.info("app.opened_by_link", client_id=client.id)
    return signed_in(request, COOKIE, session, APP_SESSION_HOURS, "/app")


def routes(app: web.Application) -> None:
    app.router.add_get("/", shown(now_page))
    app.router.add_get("/requests", shown(requests_page))
    app.router.add_get("/new", shown(new_page))
    app.router.add_get("/preferences", shown(preferences_page))
    app.router.add_get("/history", shown(history_page))
    app.router.add_post("/new", ask)
    app.router.add_post("/preferences", save_preferences)
    app.router.add_post("/card/remove", remove_card)
    app.router.add_post("/call-me", call_me)
    app.router.add_post("/requests/{id}/pay", pay)
    app.router.add_post("/requests/{id}/rate", rate)
    app.router.add_post("/export", export)
    app.router.add_get("/export/{client}/{expires}/{mac}", download)
    app.router.add_get("/link", link_page)
    app.router.add_post("/link", link_open)
    app.router.add_static("/static", STATIC)
