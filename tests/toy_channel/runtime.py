"""Wires the toy channel onto the engine, as bot/<name>_runtime.py does for a real one: its webhook, its
inbox handler (normalised at the edge), its channel spec, its delivery worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from bot.engine_runtime import ENGINE
from domain.clients import Channel, ChannelIdentity
from domain.messages import Inbound, Kind, Person
from engine import queries as q
from engine.conversation import choices
from storage.inbox import InboxItem
from tests.toy_channel.compose import SPEC
from tests.toy_channel.sender import ToySender
from tests.toy_channel.worker import ToyDeliveryWorker

TOY = web.AppKey("toy", ToyDeliveryWorker)
TOY_SENDER = web.AppKey("toy-sender", ToySender)


def normalise(payload: dict[str, Any]) -> tuple[Person, Inbound]:
    identity = ChannelIdentity(Channel.TOY, str(payload["from"]))
    person = Person(identity, payload.get("name") or "Guest", language_code=payload.get("language"))
    inbound = Inbound(
        Kind.TEXT, payload.get("text"), identity.external_id, payload["id"], channel=Channel.TOY
    )
    return person, inbound


async def webhook(request: web.Request) -> web.Response:
    """POST /webhooks/toy {"id", "from", "name", "text"}: stored, then acknowledged."""
    payload = await request.json()
    engine = request.app[ENGINE]
    await engine.store_inbound(f"toy:{payload['id']}", "toy", f"toy:{payload['from']}", payload)
    return web.json_response({"ok": True})


async def toy_ctx(app: web.Application) -> AsyncIterator[None]:
    engine = app[ENGINE]
    sender = ToySender()
    worker = ToyDeliveryWorker(engine.deps.store.deliveries, sender, engine.deps.clock)

    async def handle(item: InboxItem) -> None:
        person, inbound = normalise(item.payload)
        client = await q.client_by_identity(engine.deps.store, person.identity)
        await choices.message(engine.deps, person, inbound, item.id, client)

    engine.add_channel(SPEC)
    engine.register("toy", handle)
    engine.add_sender(worker)
    app[TOY], app[TOY_SENDER] = worker, sender
    yield


def install(app: web.Application) -> None:
    """Before the app starts: the route, and the context after the engine's (before its workers start)."""
    app.router.add_post("/webhooks/toy", webhook)
    app.cleanup_ctx.insert(len(app.cleanup_ctx) - 1, toy_ctx)
