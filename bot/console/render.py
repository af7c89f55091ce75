"""Templates: Jinja2 with autoescaping, the viewer's language, times in the business timezone."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from markupsafe import Markup, escape

from bot.console.keys import SESSION
from bot.engine_runtime import ENGINE
from domain import formats
from domain.clients import Assistant, Client
from domain.money import Money
from engine.console.event_lines import stamp
from engine.console.reads import Card, entry_anchor
from engine.deps import Deps
from engine.forum.topics import CHANNEL_NAMES
from engine.i18n import STAFF_LANGUAGES, staff_translator

TEMPLATES = Path(__file__).resolve().parent / "templates"


def setup_templates(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"], default=True),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["money"] = _money


@jinja2.pass_context
def _money(context: Any, amount: Any) -> str:
    """Money in the viewer's locale (45 000 RUB in the Russian console)."""
    return formats.money(amount, context.get("lang") or "en") if isinstance(amount, Money) else "—"


def _context(request: web.Request) -> dict[str, Any]:
    session = request.get(SESSION)
    deps = request.config_dict[ENGINE].deps
    if session is None:  # (the sign-in page, an error before it: in the browser's language)
        return base_context(deps, None, "", accepted(request.headers.get("Accept-Language", ""))) | {
            "path": request.path
        }
    return base_context(deps, session.assistant, session.csrf) | {"path": request.path}


MAX_ACCEPT = 512  # characters of an Accept-Language header read (a browser's is a few dozen)


def accepted(header: str) -> str:
    """The staff language a browser asks for first (Accept-Language, by its q-values), English when it asks
    for none of ours: what a page seen before anyone signs in is written in."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header[:MAX_ACCEPT].split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().lower().split("-")[0]
        if language in STAFF_LANGUAGES and q > 0:
            ranked.append((-q, i, language))
    return min(ranked)[2] if ranked else "en"


def base_context(
    deps: Deps, viewer: Assistant | None, csrf: str = "", language: str | None = None
) -> dict[str, Any]:
    """What every template is given: the viewer's language (`language` when no one is signed in), times in
    the business timezone, the clock."""
    language = viewer.ui_language if viewer else (language or "en")
    tz = deps.policy.tz
    translate = staff_translator()
    now = deps.clock.now()

    def t(message_id: str, **args: Any) -> str:
        return translate(language, message_id, **args)

    def local(moment: datetime | None, fmt: str = "%d %b %H:%M") -> str:
        """In the viewer's language: "Tue 08 Dec 14:30", "вт 08 дек. 14:30" (not strftime's English)."""
        if moment is None:
            return "—"
        return formats.strftime_in(moment.astimezone(tz), fmt, language)  # (a board draws many: not babel's)

    def ago(moment: datetime) -> str:
        return span(max(0, int((now - moment).total_seconds() // 60)))

    def until(moment: datetime) -> str:
        return span(max(0, -int((now - moment).total_seconds() // 60)))

    def span(minutes: int) -> str:
        if minutes >= 60:
            return t("duration-hours", hours=minutes // 60, minutes=f"{minutes % 60:02d}")
        return t("duration-minutes", minutes=minutes)

    def channels(client: Client) -> str:
        """As the pinned card names them: "WhatsApp, Telegram" (not "whatsapp, telegram")."""
        return ", ".join(CHANNEL_NAMES.get(i.channel.value, i.channel.value) for i in client.identities)

    def tongue(client: Client) -> str:
        """The client's language in the viewer's words ("русский", not "ru")."""
        return t(f"language-{client.language.value}") if client.language else "—"

    return {
        "t": t,
        "local": local,
        "stamp": lambda moment: stamp(moment, tz, language),
        "ago": ago,
        "until": until,
        "channels": channels,
        "tongue": tongue,
        "now": now,
        "viewer": viewer,
        "csrf": csrf,
        "lang": language,
        "path": "",
        "anchor": entry_anchor,  # a timeline entry's id: where a search's hit opens
        "new_id": lambda: secrets.token_urlsafe(18),  # each form's own id: sent twice, it acts once
    }


def card_context(context: dict[str, Any]) -> dict[str, Any]:
    """What a board's cards share: the clock's labels (the page's script fills them in) and the time."""
    t = context["t"]
    labels = {
        "waiting_reply": t("clock-waiting-reply", minutes="{m}"),
        "waiting_quote": t("clock-waiting-quote", minutes="{m}"),
        "due_in": t("clock-due-in", minutes="{m}"),
        "overdue": t("clock-overdue", minutes="{m}"),
        "minutes": t("duration-minutes", minutes="{n}"),
        "hours": t("duration-hours", hours="{h}", minutes="{n}"),
    }
    return {"labels": labels, "now_s": int(context["now"].timestamp())}


STUBS_KEPT = 20_000  # cards whose stub is kept (a board's cards are kept between boards: the same values)
_stub_tails: dict[int, tuple[Card, str]] = {}  # id(card) → (the card, its stub after its class)


def stubs(now: datetime) -> Callable[[list[Card]], Markup]:
    """A column's cards past the drawn ones, as the page keeps them until they are asked for (`button.more`):
    each its place in the column's order (breached, since, number) and its count, nothing drawn. Written
    here, not by the template: thousands of them, each a few microseconds (every value escaped) — and each
    card's once: the board's cards are the same values from one board to the next until they change."""

    def made(cards: list[Card]) -> Markup:
        if len(_stub_tails) > STUBS_KEPT:
            _stub_tails.clear()
        parts = []
        for c in cards:
            kept = _stub_tails.get(id(c))
            if kept is None or kept[0] is not c:
                kept = _stub_tails[id(c)] = (c, _stub_tail(c))
            breached = c.clock is not None and c.clock.breached(now)
            parts.append(('<a class="req stub breached"' if breached else '<a class="req stub"') + kept[1])
        return Markup("".join(parts))  # noqa: S704 (each value in a tail is escaped)

    return made


def _stub_tail(c: Card) -> str:
    since = f' data-since="{int(c.clock.since.timestamp())}"' if c.clock else ""
    rid, owner = escape(c.face.id), escape(c.face.assistant_id or "")
    return f' href="/console/requests/{rid}" data-request="{rid}" data-assistant="{owner}"{since} hidden></a>'


def render_card(env: jinja2.Environment, deps: Deps, viewer: Assistant, card: Card) -> str:
    """One card as the board draws it, for a viewer (their language): what the live stream sends."""
    context = base_context(deps, viewer)
    return env.get_template("_one_card.html").render(context | card_context(context) | {"c": card})


def page(request: web.Request, template: str, context: dict[str, Any], status: int = 200) -> web.Response:
    return aiohttp_jinja2.render_template(template, request, _context(request) | context, status=status)
