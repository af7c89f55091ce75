"""The console's pages (GET): board, request, clients, team, payments, activity; the live stream; files."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from aiohttp import web

from bot.console import charts
from bot.console.auth import COOKIE, deps_of
from bot.console.keys import LIVE, SESSION
from bot.console.live_lines import parse_sse_id
from bot.console.render import base_context, card_context, page, stubs
from bot.engine_runtime import ENGINE
from bot.keys import SETTINGS
from domain import formats
from domain.clients import Assistant, Client, mask_phone
from domain.errors import InvalidValue
from domain.kpis import period
from domain.money import Money
from engine import queries as q
from engine.clock import kpis
from engine.commands.dispatch import console_may, require_lead, role_refusal
from engine.commands.requests import quote_currencies
from engine.commands.table import COMMANDS
from engine.console import reads
from engine.console.event_lines import line
from engine.console.timeline import timeline
from engine.conversation import saved_replies
from engine.invocation import Place
from engine.staff_texts import st
from storage.audit import verify

STATIC = Path(__file__).resolve().parent / "static"
PERIODS = ("24h", "7d", "30d", "90d")
ACTIVITY = 100
MORE = 100  # a board column's cards drawn at each asking (the first: CONSOLE_BOARD_CARDS)


def viewer(request: web.Request) -> Assistant:
    return request[SESSION].assistant


def action_id() -> str:
    """Each form's own id: sent twice, it acts once (the cause of what it records)."""
    return secrets.token_urlsafe(18)


def offered(me: Assistant, client: Client | None = None) -> tuple[str, ...]:
    """The commands of the table that `me` may give from the console (its place, their role) and that its
    pages offer as forms, in the table's order: a page shows a command's form iff its name is here. About an
    erased client, only a refund (the money is still theirs)."""
    rows = (COMMANDS.get(name) for name in COMMANDS.allowed(Place.CONSOLE))
    names = tuple(row.name for row in rows if row and row.form and role_refusal(row, me) is None)
    return tuple(n for n in names if n == "refund") if client is not None and client.erased else names


async def _team(request: web.Request) -> list[Assistant]:
    return await q.assistants(deps_of(request).store)


def _assistant_filter(request: web.Request, me: Assistant) -> str | None:
    wanted = request.query.get("assistant", "")[:20]
    return wanted if me.lead and wanted else None


async def board(request: web.Request) -> web.Response:
    me, team = viewer(request), await _team(request)
    context = await _board_context(request, me, team)
    return page(request, "board.html", context | {"team": team})


async def board_part(request: web.Request) -> web.Response:
    return page(request, "_board.html", await _board_context(request, viewer(request), await _team(request)))


async def _board_context(request: web.Request, me: Assistant, team: list[Assistant]) -> dict:
    chosen = _assistant_filter(request, me)
    deps = deps_of(request)
    columns = await reads.board(deps, me, chosen, team)
    shared = card_context(base_context(deps, me))  # (each card's clock labels: translated once a page)
    drawn = {"drawn": request.config_dict[SETTINGS].app.console_board_cards, "stubs": stubs(deps.clock.now())}
    return {"columns": columns, "chosen": chosen or "", "states": list(columns)} | shared | drawn


async def board_cards(request: web.Request) -> web.Response:
    """A column's next cards, by request id (`?ids=R-1001,R-1002`): those on the board the viewer may see."""
    me, deps = viewer(request), deps_of(request)
    ids = [each for each in request.query.get("ids", "").split(",") if each][:MORE]
    shared = card_context(base_context(deps, me))
    return page(request, "_cards.html", {"cards": await reads.board_cards(deps, me, ids)} | shared)


async def request_page(request: web.Request) -> web.Response:
    me = viewer(request)
    deps = deps_of(request)
    found, client = await reads.visible_request(deps, me, request.match_info["id"])
    entries = await timeline(deps, client, found, me.ui_language)
    team = [a for a in await _team(request) if a.active]
    return page(
        request,
        "request.html",
        {
            "r": found,
            "client": client,
            "entries": entries,
            "team": team,
            "assistant": await q.assistant(deps.store, client.assistant_id),
            "action_id": action_id(),
            "phone": mask_phone(client.phone),
            "allowed": offered(me, client),
            "replies": await saved_replies.library(deps),
            "currencies": quote_currencies(deps),
        },
    )


async def timeline_part(request: web.Request) -> web.Response:
    me = viewer(request)
    deps = deps_of(request)
    found, client = await reads.visible_request(deps, me, request.match_info["id"])
    entries = await timeline(deps, client, found, me.ui_language)
    return page(request, "_timeline.html", {"entries": entries, "r": found})


async def refund_confirm(request: web.Request) -> web.Response:
    me = viewer(request)
    console_may(me, "refund")
    found, client = await reads.visible_request(deps_of(request), me, request.match_info["id"])
    if found.payment is None:
        raise InvalidValue(st(me, "console-never-paid", request=found.id))
    return page(request, "refund.html", {"r": found, "client": client, "action_id": action_id()})


async def clients(request: web.Request) -> web.Response:
    """The newest clients; a search is a POST (a name or a phone never goes into a URL, a history, a log)."""
    text = ""
    if request.method == "POST":
        asked = (await request.post()).get("q", "")
        text = asked[:80] if isinstance(asked, str) else ""
    found = await reads.search_clients(deps_of(request), viewer(request), text)
    names = {a.id: a.name for a in await _team(request)}
    return page(request, "clients.html", {"found": found, "q": text, "names": names, "mask": mask_phone})


async def client_page(request: web.Request) -> web.Response:
    me = viewer(request)
    deps = deps_of(request)
    client = await reads.visible_client(deps, me, request.match_info["id"])
    requests = await q.requests_of(deps.store, client.id)
    return page(
        request,
        "client.html",
        {
            "client": client,
            "requests": list(reversed(requests)),
            "value": reads.lifetime_value(requests).net(),
            "assistant": await q.assistant(deps.store, client.assistant_id),
            "phone": mask_phone(client.phone),
            "action_id": action_id(),
            "allowed": offered(me, client),
        },
    )


def _span(name: str, now: datetime) -> timedelta:
    start, end = period(name, now)
    return end - start


async def team(request: web.Request) -> web.Response:
    me = viewer(request)
    deps = deps_of(request)
    chosen = request.query.get("period", "7d")
    if chosen not in PERIODS:
        chosen = "7d"
    start, end = period(chosen, deps.clock.now(), deps.policy.tz)
    await deps.store.kpi_days.ask("team", chosen, end)  # (made ready again when a day is kept: `kpis.warm`)
    figures = await kpis.team(deps.store, start, end, deps.policy.promises, deps.policy.tz)
    rows = figures.rows if me.lead else [row for row in figures.rows if row.assistant_id == me.id]
    members = await _team(request)
    load = await q.open_load(deps.store)
    return page(
        request,
        "team.html",
        {
            "rows": rows,
            "columns": kpis.columns(me.ui_language),
            "period": chosen,
            "periods": PERIODS,
            "period_names": {p: formats.period(_span(p, end), me.ui_language) for p in PERIODS},
            "charts": {
                row.assistant_id: charts.for_assistant(
                    figures.buckets, figures.series.get(row.assistant_id, []), me.ui_language
                )
                for row in rows
            },
            "weekly": figures.weekly,
            "members": members if me.lead else [me],
            "load": load,
            "action_id": action_id(),
        },
    )


def _payment_query(request: web.Request) -> dict:
    days = request.query.get("days", "30")
    currency = request.query.get("currency", "").upper()[:3]
    kind = request.query.get("kind", "")
    return {
        "days": int(days) if days.isdigit() and 0 < int(days) <= 3660 else 30,
        "currency": currency if currency.isalpha() and len(currency) == 3 else "",
        "kind": kind if kind in ("payment", "refund") else "",
    }


async def _payments(request: web.Request) -> tuple[dict, list[reads.PaymentLine], dict]:
    """The filters asked for, and what they select (the page and the CSV read the same)."""
    me, deps = viewer(request), deps_of(request)
    chosen = _payment_query(request)
    start, end = reads.days_back(deps.clock.now(), chosen["days"])
    lines, totals = await reads.payments(
        deps,
        me,
        start,
        end,
        chosen["currency"] or None,
        chosen["kind"] or None,
        _assistant_filter(request, me),
    )
    return chosen, lines, totals


async def payments(request: web.Request) -> web.Response:
    me = viewer(request)
    chosen, lines, totals = await _payments(request)
    totals_shown = {
        c: {k: Money(v, c) for k, v in kinds.items()} | {"net": Money(kinds["payment"] - kinds["refund"], c)}
        for c, kinds in totals.items()
    }
    return page(
        request,
        "payments.html",
        {
            "lines": lines,
            "totals": totals_shown,
            "chosen": chosen,
            "team": await _team(request),
            "assistant": _assistant_filter(request, me) or "",
            "query": request.query_string,
        },
    )


async def payments_csv(request: web.Request) -> web.Response:
    chosen, lines, _ = await _payments(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["time_utc", "kind", "request", "client", "assistant", "amount", "currency", "transaction"]
    )
    for p in lines:
        writer.writerow(
            [
                p.at.isoformat(),
                p.kind,
                p.request.id,
                _cell(p.client_name),
                _cell(p.assistant),
                str(p.amount.major),
                p.amount.currency,
                p.transaction_id,
            ]
        )
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="payments-{chosen["days"]}d.csv"'},
    )


def _cell(text: str) -> str:
    """No formula injection when the file is opened in a spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def activity(request: web.Request) -> web.Response:
    me, deps = viewer(request), deps_of(request)
    live = request.config_dict[LIVE]
    since = deps.clock.now() - timedelta(days=2)
    recent = await deps.store.events.written_between(since, deps.clock.now() + timedelta(seconds=1), 5000)
    names = {a.id: a.name for a in await _team(request)}
    shown = []
    for event in reversed(recent):
        owner = await live.told.owner(event)
        if live.told.allowed(me, owner[2]):
            shown.append((line(event, names, me.ui_language), owner))
            if len(shown) >= ACTIVITY:
                break
    return page(request, "activity.html", {"shown": shown, "action_id": action_id()})


async def audit_status(request: web.Request) -> web.Response:
    me = viewer(request)
    require_lead(me, "audit")
    store = deps_of(request).store
    report = await verify(store.db, store.events)
    counts = {"events": report.events, "streams": report.streams}
    summary = (
        st(me, "audit-intact", **counts)
        if report.intact
        else st(me, "audit-broken", **counts, broken=report.broken or "—")
    )
    return web.json_response({"intact": report.intact, **counts, "broken": report.broken, "summary": summary})


async def live_stream(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: what the viewer may see, as it is recorded; resumed from Last-Event-ID."""
    me = viewer(request)
    hub = request.config_dict[LIVE]
    engine = request.config_dict[ENGINE]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
    response.headers["X-Accel-Buffering"] = "no"
    await response.prepare(request)
    tab = hub.subscribe(me, board=request.query.get("board") == "1", session=request.cookies.get(COOKIE))
    try:
        after = parse_sse_id(request.headers.get("Last-Event-ID"))
        sent = 0
        if after is not None:
            for message in await hub.told.replay(me, after):
                await response.write(message.encode())
                sent += 1
        await response.write(b"retry: 2000\n\n")
        while not engine.tasks.stopping.is_set():
            # (no timer of its own, no read: the live reader puts a keep-alive on every tab every 15 s, or
            # closes the tab of a session that ended meanwhile)
            messages = [await tab.queue.get()]  # what else is queued by now goes in the same write
            while messages[-1] is not None and not tab.queue.empty():
                messages.append(tab.queue.get_nowait())
            if text := "".join(m for m in messages if m is not None):
                await response.write(text.encode())
            if messages[-1] is None:
                break
    except ConnectionResetError:  # the tab went away
        pass
    finally:
        hub.unsubscribe(tab)
    return response


def routes(app: web.Application) -> None:
    app.router.add_get("/", board)
    app.router.add_get("/board.part", board_part)
    app.router.add_get("/board.cards", board_cards)
    app.router.add_get("/requests/{id}", request_page)
    app.router.add_get("/requests/{id}/timeline.part", timeline_part)
    app.router.add_get("/requests/{id}/refund", refund_confirm)
    app.router.add_get("/clients", clients)
    app.router.add_post("/clients", clients)
    app.router.add_get("/clients/{id}", client_page)
    app.router.add_get("/team", team)
    app.router.add_get("/payments", payments)
    app.router.add_get("/payments.csv", payments_csv)
    app.router.add_get("/activity", activity)
    app.router.add_get("/audit.json", audit_status)
    app.router.add_get("/live", live_stream)
    app.router.add_static("/static", STATIC)
