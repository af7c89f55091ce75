"""The console's actions (POST, each with the session's CSRF token and its form's own id): they call the
engine's use cases and go back to the page they came from."""

from __future__ import annotations

import asyncio
import json
import re

from aiohttp import web

from bot.console.auth import deps_of
from bot.console.keys import SESSION
from domain.clients import Assistant, Client
from domain.errors import InvalidValue
from domain.quote_parsing import priced_last
from engine.commands.dispatch import console_may, require_lead
from engine.console import actions as act
from engine.console import reads
from engine.console.timeline import history
from engine.conversation import saved_replies
from engine.staff_texts import st


def viewer(request: web.Request) -> Assistant:
    return request[SESSION].assistant


COST = re.compile(r"\d{1,3}(?:[ \u00a0,]\d{3})+(?:\.\d{1,2})?|\d{1,12}(?:\.\d{1,2})?")  # an amount


def _field(form, name: str, limit: int = 5000) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def _back(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def living(me: Assistant, client: Client) -> None:
    """An erased client is read, refunded and exported, never written to or about again."""
    if client.erased:
        raise InvalidValue(st(me, "console-client-erased", client=client.id))


async def _request_action(request: web.Request):
    me, deps = viewer(request), deps_of(request)
    found, client = await reads.visible_request(deps, me, request.match_info["id"])
    return me, deps, found, client, await request.post()


async def reply(request: web.Request) -> web.Response:
    me, deps, found, client, form = await _request_action(request)
    living(me, client)
    if saved := _field(form, "saved", 32):  # the box was filled with a saved reply
        console_may(me, "r")
    text, action = _field(form, "text"), _field(form, "action", 64)
    await act.reply(deps, me, client, text, action, found.id, saved)
    return _back(f"/console/requests/{found.id}")


async def saved_reply(request: web.Request) -> web.Response:
    """A saved reply as it would go to this request's client (their language, its variables filled), for the
    reply box to be filled with and edited before it goes; nothing is recorded until it is sent."""
    me, deps = viewer(request), deps_of(request)
    console_may(me, "r")
    found, client = await reads.visible_request(deps, me, request.match_info["id"])
    living(me, client)
    filled = await saved_replies.fill(deps, me, client, found.id, request.match_info["name"][:32])
    shown = {"name": filled.name, "language": filled.language, "text": filled.text}
    return web.json_response(shown, headers={"Cache-Control": "no-store"})


async def command(request: web.Request) -> web.Response:
    me, deps, found, client, form = await _request_action(request)
    name = _field(form, "name", 20)  # the table says whether the console may give it, and who may
    living(me, client)
    refused = await act.command(
        deps, me, client, name, _field(form, "args"), found.id, _field(form, "action", 64)
    )
    if refused:
        raise InvalidValue(refused)
    return _back(f"/console/requests/{found.id}")


async def quote(request: web.Request) -> web.Response:
    """The console's quote form, read by /quote's own parser and checks: one line `45000 Mercedes` or lines of
    `description — amount`, a currency, and the supplier's cost if known. Too long is refused, never cut (a
    cut last line would quote another amount)."""
    me, deps, found, client, form = await _request_action(request)
    living(me, client)
    items = _field(form, "items", 3001).replace("\r\n", "\n")
    if len(items) > 3000:
        raise InvalidValue(st(me, "console-too-long", limit="3000"))
    currency, cost = _field(form, "currency", 3).upper(), _field(form, "cost", 21).strip()
    if cost and not COST.fullmatch(cost):
        raise InvalidValue(st(me, "err-quote-cost-amount"))
    lines = [line.strip() for line in items.splitlines() if line.strip()]
    # (a line with its price last is an item: "2 tickets — 96000" as "RUB 2 tickets …" was quoted at RUB 2)
    if len(lines) == 1 and lines[0][:1].isdigit() and not priced_last(lines[0]):
        args = f"{currency} {lines[0]}" + (f" cost {cost}" if cost else "")
    else:
        args = "\n".join([currency, *lines] + ([f"cost — {cost}"] if cost else []))
    refused = await act.command(deps, me, client, "quote", args, found.id, _field(form, "action", 64))
    if refused:
        raise InvalidValue(refused)
    return _back(f"/console/requests/{found.id}")


async def send_file(request: web.Request) -> web.Response:
    me, deps, found, client, form = await _request_action(request)
    living(me, client)
    field = form.get("file")
    if not isinstance(field, web.FileField):
        raise InvalidValue(st(me, "console-file-empty"))
    content = await asyncio.to_thread(field.file.read, act.MAX_FILE + 1)  # (a spooled file: off the loop)
    name = (field.filename or "file").replace("/", "_").replace("\\", "_")[-120:] or "file"
    kind = (field.content_type or "application/octet-stream").split(";")[0].strip().lower()[:100]
    upload = act.Upload(name, kind, content)
    await act.send_file(deps, me, client, upload, _field(form, "caption", 1100), _field(form, "action", 64))
    return _back(f"/console/requests/{found.id}")


async def refund(request: web.Request) -> web.Response:
    me, deps, found, client, form = await _request_action(request)
    console_may(me, "refund")  # (before the confirmation is asked for)
    if _field(form, "confirm", 10) != "yes":
        raise InvalidValue(st(me, "console-confirm-refund"))
    refused = await act.command(
        deps, me, client, "refund", _field(form, "amount", 20), found.id, _field(form, "action", 64)
    )
    if refused:
        raise InvalidValue(refused)
    return _back(f"/console/requests/{found.id}")


async def profile(request: web.Request) -> web.Response:
    me, deps = viewer(request), deps_of(request)
    client = await reads.visible_client(deps, me, request.match_info["id"])
    living(me, client)
    form = await request.post()
    await act.set_profile(
        deps,
        me,
        client,
        _field(form, "tags", 400),
        _field(form, "preferences", 2000),
        _field(form, "email", 400),
        _field(form, "action", 64),
    )
    return _back(f"/console/clients/{client.id}")


async def export(request: web.Request) -> web.Response:
    me, deps = viewer(request), deps_of(request)
    require_lead(me, "export")
    client = await reads.visible_client(deps, me, request.match_info["id"])
    form = await request.post()
    await act.exported(deps, me, client, _field(form, "action", 64))
    body = json.dumps(await history(deps, client), ensure_ascii=False, indent=1, default=str)
    return web.Response(
        text=body,
        content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{client.id}-history.json"'},
    )


async def client_command(request: web.Request, name: str, field: str, limit: int) -> web.Response:
    """A command of the table given from a client's page (their /merge, their /translate), its argument from
    the form's `field`: refused as the topic refuses it, then back to the page."""
    me, deps = viewer(request), deps_of(request)
    console_may(me, name)  # (refused before the client is looked up: 403, not 404)
    client = await reads.visible_client(deps, me, request.match_info["id"])
    living(me, client)
    form = await request.post()
    refused = await act.command(
        deps, me, client, name, _field(form, field, limit), None, _field(form, "action", 64)
    )
    if refused:
        raise InvalidValue(refused)
    return _back(f"/console/clients/{client.id}")


async def translate(request: web.Request) -> web.Response:
    """Machine translation for this client on or off."""
    return await client_command(request, "translate", "args", 10)


async def erase(request: web.Request) -> web.Response:
    me, deps = viewer(request), deps_of(request)
    require_lead(me, "erase")
    client = await reads.visible_client(deps, me, request.match_info["id"])
    form = await request.post()
    await act.erase(deps, me, client, _field(form, "confirm", 20), _field(form, "action", 64))
    return _back(f"/console/clients/{client.id}")


async def add_assistant(request: web.Request) -> web.Response:
    me, deps = viewer(request), deps_of(request)
    form = await request.post()
    await act.add_assistant(
        deps,
        me,
        _field(form, "telegram_id", 20),
        _field(form, "name", 64),
        _field(form, "languages", 20),
        _field(form, "lead", 5) == "on",
        _field(form, "ui_language", 5) or "en",
        _field(form, "action", 64),
    )
    return _back("/console/team")


async def deactivate_assistant(request: web.Request) -> web.Response:
    me, deps = viewer(request), deps_of(request)
    form = await request.post()
    await act.deactivate_assistant(deps, me, request.match_info["id"][:20], _field(form, "action", 64))
    return _back("/console/team")


async def language(request: web.Request) -> web.Response:
    me, deps = viewer(request), deps_of(request)
    form = await request.post()
    await act.set_ui_language(deps, me, _field(form, "ui_language", 5), _field(form, "action", 64))
    back = _field(form, "back", 200)
    return _back(back if back.startswith("/console/") and "//" not in back else "/console/")


def routes(app: web.Application) -> None:
    app.router.add_post("/requests/{id}/reply", reply)
    app.router.add_get("/requests/{id}/saved/{name}", saved_reply)
    app.router.add_post("/requests/{id}/command", command)
    app.router.add_post("/requests/{id}/refund", refund)
    app.router.add_post("/requests/{id}/quote", quote)
    app.router.add_post("/requests/{id}/file", send_file)
    app.router.add_post("/clients/{id}/profile", profile)
    app.router.add_post("/clients/{id}/export", export)
    app.router.add_post("/clients/{id}/erase", erase)
    app.router.add_post("/clients/{id}/translate", translate)
    app.router.add_post("/team/add", add_assistant)
    app.router.add_post("/team/{id}/deactivate", deactivate_assistant)
    app.router.add_post("/language", language)
