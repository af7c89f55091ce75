"""`/`, where the README sends people: the sandbox when it runs, otherwise a page naming what is served."""

from __future__ import annotations

from aiohttp import web

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Concierge</title></head>
<body>
<h1>Concierge</h1>
<ul>
<li><a href="/console/">/console</a> — the staff console (the bot sends a sign-in link on /console)</li>
<li><a href="/healthz">/healthz</a> — alive</li>
<li><a href="/readyz">/readyz</a> — ready: the store answers and every worker runs</li>
</ul>
</body></html>
"""


async def _home(_request: web.Request) -> web.Response:
    return web.Response(text=PAGE, content_type="text/html")


async def _to_sandbox(_request: web.Request) -> web.Response:
    raise web.HTTPFound("/sandbox")


def setup(app: web.Application, sandbox: bool) -> None:
    app.router.add_get("/", _to_sandbox if sandbox else _home)
