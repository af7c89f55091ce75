"""One POST of JSON with a deadline, the provider's refusals mapped to Unavailable (never its body: it may
quote the text)."""

from __future__ import annotations

from typing import Any

import aiohttp

from domain.errors import Unavailable

TIMEOUT = aiohttp.ClientTimeout(total=10)


async def post_json(
    session: aiohttp.ClientSession,
    provider: str,
    url: str,
    headers: dict[str, str],
    body: dict[str, Any] | None,
    *,
    data: bytes | None = None,
    params: dict[str, str] | None = None,
    within: aiohttp.ClientTimeout = TIMEOUT,
) -> dict[str, Any]:
    """A POST of `body` — or of raw `data` (audio) — (neither: a GET), and the JSON object answered."""
    method = "GET" if body is None and data is None else "POST"
    options: dict[str, Any] = {"json": body} if data is None else {"data": data}
    try:
        async with session.request(
            method, url, params=params, headers=headers, timeout=within, **options
        ) as response:
            if response.status != 200:
                raise Unavailable(f"{provider} answered {response.status}")
            answer = await response.json(content_type=None)
    except (TimeoutError, aiohttp.ClientError, ValueError) as error:
        raise Unavailable(f"{provider} did not answer ({type(error).__name__})") from None
    if not isinstance(answer, dict):
        raise Unavailable(f"{provider} answered something else than a JSON object")
    return answer


def first_text(answer: dict[str, Any], provider: str) -> tuple[str, str | None]:
    """(translated text, detected source language) of the one text sent."""
    translations = answer.get("translations")
    if not isinstance(translations, list) or not translations or not isinstance(translations[0], dict):
        raise Unavailable(f"{provider} answered without a translation")
    first = translations[0]
    text = first.get("text")
    if not isinstance(text, str):
        raise Unavailable(f"{provider} answered without a translation")
    detected = first.get("detected_source_language") or first.get("detectedLanguageCode")
    return text, detected.lower() if isinstance(detected, str) else None
