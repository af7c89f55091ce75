"""Request bodies read within a limit sized to what each provider can send: a larger one is refused (413)
before it is read, and nothing proportional to it is done."""

from __future__ import annotations

from aiohttp import web

KIB = 1024
TELEGRAM_MAX = 1024 * KIB  # an update: text up to 4096 characters, entities, a replied-to message
TWILIO_MAX = 256 * KIB  # a form: Body up to 1600 characters, up to 10 media URLs
CLOUDPAYMENTS_MAX = 256 * KIB  # a notification: a few dozen fields and our JsonData
MAX_FORM_FIELDS = 200


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the body is larger than {limit // KIB} KiB")


async def read_bounded(request: web.Request, limit: int) -> bytes:
    length = request.content_length
    if length is not None:
        if length > limit:
            raise TooLarge(limit)  # refused on the header alone: nothing of it is read
        # (aiohttp's parser holds the body to its Content-Length: one read of exactly that, however it
        # arrives; a connection lost before the end raises, as the chunked read below would. An empty body
        # has a stream that refuses even a read of nothing.)
        return await request.content.readexactly(length) if length else b""
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * KIB):
        body += chunk
        if len(body) > limit:
            raise TooLarge(limit)
    return bytes(body)
