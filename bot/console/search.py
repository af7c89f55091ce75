"""The console's search: a request number, a client's name or phone digits, and words from the conversation
(engine/console/reads.py `search_all`). Asked with a POST: what is searched never goes into a URL, a browser's
history or a log."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp import web

from bot.console.actions import viewer
from bot.console.auth import deps_of
from bot.console.render import page
from domain import search
from engine.console import reads

SNIPPET = 280  # characters of a message shown
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    marked: bool


def snippet(text: str, keys: list[str]) -> tuple[list[Piece], bool]:
    """The message around its first found word, the found words marked; False: no word of it was found
    (it was found by its translation)."""
    spans = [
        m.span() for m in _TOKEN.finditer(text) if any(search.matches(w, keys) for w in search.words(m[0]))
    ]
    start = max(0, spans[0][0] - SNIPPET // 3) if spans else 0
    end = min(len(text), start + SNIPPET)
    pieces, at = [], start
    for low, high in spans:
        if low < start or high > end:
            continue
        pieces += [Piece(text[at:low], False), Piece(text[low:high], True)]
        at = high
    pieces.append(Piece(text[at:end], False))
    if start:
        pieces.insert(0, Piece("…", False))
    if end < len(text):
        pieces.append(Piece("…", False))
    return [p for p in pieces if p.text], bool(spans)


async def search_page(request: web.Request) -> web.Response:
    text = ""
    if request.method == "POST":
        asked = (await request.post()).get("q", "")
        text = asked[:80] if isinstance(asked, str) else ""
    deps, me = deps_of(request), viewer(request)
    found = await reads.search_all(deps, me, text) if text.strip() else None
    shown = []
    for hit in found.messages if found else []:
        message = hit.event.data.get("message") or {}
        pieces, own = snippet(message.get("text") or hit.event.data.get("text") or "", found.keys)
        shown.append((hit, pieces, own))
    names = {a.id: a.name for a in await reads.q.assistants(deps.store)}
    return page(request, "search.html", {"q": text, "found": found, "hits": shown, "names": names})


def routes(app: web.Application) -> None:
    app.router.add_get("/search", search_page)
    app.router.add_post("/search", search_page)
