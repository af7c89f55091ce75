"""GET /console/media/{client}/{seq}/{n}: a file of a conversation's message, for its timeline. Only someone
who may see the client gets it; the bytes come from the channel it came on (Telegram's Bot API, Twilio's media
host) through the media bridge, at most 20 MB, and only pictures, sound, video and PDF are shown inline — any
other type is a download, so a file can never run as a page of the console."""

from __future__ import annotations

import re

import structlog
from aiohttp import web

from bot.console.actions import viewer
from bot.console.auth import deps_of
from bot.engine_runtime import ENGINE
from engine.console import reads
from engine.console.timeline import message_files

log = structlog.get_logger(__name__)

INLINE = re.compile(
    "^(image/(jpeg|png|gif|webp)|audio/[a-z0-9.+-]+|video/(mp4|webm|quicktime)|application/pdf)$"
)
MAX_BYTES = 20 * 1024 * 1024


async def media(request: web.Request) -> web.Response:
    deps, me = deps_of(request), viewer(request)
    client_id, seq, n = (request.match_info[k] for k in ("client", "seq", "n"))
    if not (seq.isdigit() and n.isdigit() and len(seq) <= 9 and len(n) <= 2):
        raise web.HTTPNotFound()
    client = await reads.visible_client(deps, me, client_id)  # (404 for a client not the viewer's)
    found = await deps.store.events.by_ids([f"conversation:{client.id}#{int(seq)}"])
    file = message_files(found[0]).get(int(n)) if found else None
    if file is None:
        raise web.HTTPNotFound()
    bridge = request.config_dict[ENGINE].media
    fetch = bridge.fetch_whatsapp_media if file.whatsapp else bridge.fetch_file
    try:
        content, content_type = await fetch(file.ref)
    except (LookupError, OSError) as problem:  # gone, too large, the channel unreachable or not configured
        log.warning("console.media_unavailable", whatsapp=file.whatsapp, error=type(problem).__name__)
        raise web.HTTPNotFound() from None
    if len(content) > MAX_BYTES:
        raise web.HTTPNotFound()
    if content_type in ("", "application/octet-stream") and file.content_type:
        content_type = file.content_type  # (Telegram's file paths often say nothing; the message did)
    inline = bool(INLINE.match(content_type))
    headers = {
        "Cache-Control": "private, max-age=3600",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline" if inline else "attachment",
    }
    shown_type = content_type if inline else "application/octet-stream"
    return web.Response(body=content, content_type=shown_type, headers=headers)


def routes(app: web.Application) -> None:
    app.router.add_get("/media/{client}/{seq}/{n}", media)
