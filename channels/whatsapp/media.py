"""Media a client sent on WhatsApp, fetched from Twilio with the account's credentials — and only from Twilio:
the URL arrives in the (signed) form, but credentials never go to a host that is not Twilio's API."""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp
from yarl import URL

MAX_BYTES = 25 * 1024 * 1024
MAX_REDIRECTS = 3


class MediaRefused(LookupError):
    """This file will not be fetched (not Twilio's, gone, refused): say so instead of retrying."""


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}" + (
        f":{parts.port}" if parts.port else ""
    )


class TwilioMedia:
    def __init__(
        self, session: aiohttp.ClientSession, api_base: str, account_sid: str, auth_token: str
    ) -> None:
        self._session = session
        self._origin = origin(api_base)
        self._auth = aiohttp.BasicAuth(account_sid, auth_token)

    async def fetch(self, url: str) -> tuple[bytes, str]:
        """(content, content type); at most MAX_BYTES + a little, enough to tell "too large"."""
        if origin(url) != self._origin:
            raise MediaRefused("its link is not on Twilio's media host")
        auth: aiohttp.BasicAuth | None = self._auth
        for _ in range(MAX_REDIRECTS + 1):
            async with self._session.get(url, auth=auth, allow_redirects=False) as response:
                if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                    url = str(response.url.join(URL(response.headers["Location"])))
                    if urlsplit(url).scheme != "https" and origin(url) != self._origin:
                        raise MediaRefused("Twilio redirected it off https")
                    if origin(url) != self._origin:
                        auth = None  # a CDN link is signed on its own: our credentials stay with Twilio
                    continue
                if response.status >= 500:
                    raise ConnectionError(f"Twilio answered {response.status}")  # worth another try
                if response.status >= 400:
                    raise MediaRefused(f"Twilio answered {response.status}")
                chunks, size = [], 0
                async for chunk in response.content.iter_chunked(1 << 16):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > MAX_BYTES:
                        break
                return b"".join(chunks), response.headers.get("Content-Type", "")
        raise MediaRefused("too many redirects")
