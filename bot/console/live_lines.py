"""What an open console tab is told of an event: whose it is (and so who may see it), its line in the viewer's
language, the notification it may raise, and — for a tab that reconnects — what it missed since its last event
id. The live reader (live.py) fans these out; the activity page reads whose an event is here too."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import partial

from bot.console import board_live
from domain.clients import Assistant
from domain.events import Event, EventType
from engine import queries as q
from engine.console.event_lines import line, stamp
from engine.deps import Deps
from engine.i18n import staff_translator
from storage.timefmt import to_ms

OVERLAP = timedelta(seconds=5)  # events stamped a little late by another instance are still seen
REPLAY = 500
NOTICE = 140  # characters of a message shown in a notification

Owner = tuple[str | None, str | None, str | None]  # (client id, request id, the assistant it belongs to)


def sse_id(event: Event) -> str:
    return f"{to_ms(event.at)}-{event.id}"


def parse_sse_id(value: str | None) -> tuple[int, str] | None:
    if not value or len(value) > 120 or "-" not in value:
        return None
    ms, _, event_id = value.partition("-")
    return (int(ms), event_id) if ms.isdigit() else None


class Telling:
    """The reader's memory of whose things are (a client's assistant, a request's client) and of the team's
    names: read once, and moved only by the events the reader reads in order."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._owner_of_client: dict[str, str | None] = {}
        self._client_of_request: dict[str, str] = {}
        self._names: dict[str, str] | None = None  # the team's names (a few), read again when it changes

    async def owner(self, event: Event, follow: bool = False) -> Owner:
        """(client id, request id, the assistant the event belongs to) — None where it is nobody's. Only the
        reader, which reads the log in order, `follow`s an assignment (a page reading back never moves it)."""
        kind, key = event.stream_kind, event.stream_id
        if kind in ("assistant", "staff"):
            return None, None, key
        request_id = key if kind == "request" else None
        if request_id:
            client_id = event.data.get("client_id") or self._client_of_request.get(request_id)
            if client_id is None:
                doc = await self._deps.store.db["requests"].find_one({"_id": request_id}, {"client_id": 1})
                client_id = doc["client_id"] if doc else None
            if client_id is None:
                return None, request_id, None
            self._client_of_request[request_id] = client_id
        elif kind in ("client", "conversation"):
            client_id = key
        else:
            return None, None, None
        if event.type is EventType.CLIENT_ASSIGNED and follow:
            self._owner_of_client[client_id] = event.data.get("assistant_id")
        if client_id not in self._owner_of_client:
            doc = await self._deps.store.db["clients"].find_one({"_id": client_id}, {"assistant_id": 1})
            self._owner_of_client[client_id] = doc.get("assistant_id") if doc else None
        return client_id, request_id, self._owner_of_client[client_id]

    allowed = staticmethod(board_live.allowed)

    async def names(self, event: Event) -> dict[str, str]:
        if self._names is None or event.type is EventType.ASSISTANT_ADDED:
            self._names = {a.id: a.name for a in await q.assistants(self._deps.store)}
        return self._names

    async def message(self, event: Event, viewer: Assistant, owner: Owner) -> str:
        client_id, request_id, _ = owner
        shown = line(event, await self.names(event), viewer.ui_language)
        data = {
            "id": event.id,
            "type": event.type.value,
            "stream": event.stream,
            "client": client_id,
            "request": request_id,
            "at": event.at.isoformat(),
            "time": stamp(event.at, self._deps.policy.tz, viewer.ui_language),
            "actor": shown.actor,
            "kind": shown.kind,
            "line": shown.text,
        }
        if notice := await self.notice(event, viewer, owner):
            data["notify"] = notice
        return f"id: {sse_id(event)}\nevent: log\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

    async def notice(self, event: Event, viewer: Assistant, owner: Owner) -> dict[str, str] | None:
        """What the signed-in person's browser may show as a notification: a client of theirs wrote (not a
        command), or — for leads — a client's wait was escalated. None for everything else."""
        client_id, request_id, assigned = owner
        data, names = event.data, self._names or {}
        wrote = event.type is EventType.MESSAGE_RECEIVED and assigned == viewer.id and not data.get("command")
        escalated = event.type is EventType.RESPONSE_OVERDUE and data.get("step", 0) >= 2 and viewer.lead
        if not (wrote or escalated):
            return None  # (the usual case: decided without a read)
        client = await q.client(self._deps.store, client_id) if client_id else None
        name = (client.name if client else None) or client_id or ""
        t = partial(staff_translator(), viewer.ui_language)
        if wrote:
            message = data.get("message") or {}
            title = t("notify-message", client=name)
            body = (message.get("text") or "").strip()[:NOTICE] or f"[{message.get('kind', 'message')}]"
        else:
            title = t("notify-escalation", client=name)
            body = names.get(data.get("assistant_id") or "", "")
        page = f"/console/requests/{request_id}" if request_id else f"/console/clients/{client_id}"
        return {"title": title, "body": body, "url": page}

    async def replay(self, viewer: Assistant, after: tuple[int, str]) -> list[str]:
        """What a reconnecting tab missed since its last event id (at most REPLAY events). Events stamped
        close together can arrive out of stamp order, so the window reaches OVERLAP further back: a tab may
        be sent an event twice (the page keeps the ids it has), never miss one."""
        since = after[0] - int(OVERLAP.total_seconds() * 1000)
        found = self._deps.store.db["events"].find({"at_ms": {"$gte": since}}).sort("at_ms", 1)
        docs = sorted(await found.to_list(REPLAY * 2), key=lambda d: (d["at_ms"], d["_id"]))
        out = []
        for event in await self._deps.store.events.opened([d for d in docs if d["_id"] != after[1]]):
            owner = await self.owner(event)
            if self.allowed(viewer, owner[2]):
                out.append(await self.message(event, viewer, owner))
            if len(out) >= REPLAY:
                break
        return out
