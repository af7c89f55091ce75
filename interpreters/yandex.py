"""Yandex Cloud Translate v2: POST /translate/v2/translate with `Authorization: Api-Key …` (a service
account's API key), JSON `{folderId, texts: [...], targetLanguageCode, sourceLanguageCode, format: "HTML"}`
(markup keeps the placeholders), at most 10,000 characters a request."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from domain.errors import Unavailable
from interpreters.http import first_text, post_json

MAX_CHARS = 10_000
DEFAULT_BASE = "https://translate.api.cloud.yandex.net"


@dataclass
class YandexTranslate:
    session: aiohttp.ClientSession
    api_key: str
    folder_id: str
    base_url: str = DEFAULT_BASE
    name: str = "yandex"

    async def translate(self, masked: str, target: str, source: str | None = None) -> tuple[str, str | None]:
        if len(masked) > MAX_CHARS:
            raise Unavailable("too long for one Yandex Translate request")
        body: dict = {
            "folderId": self.folder_id,
            "texts": [masked],
            "targetLanguageCode": target,
            "format": "HTML",
        }
        if source and source != target:
            body["sourceLanguageCode"] = source
        headers = {"Authorization": f"Api-Key {self.api_key}"}
        url = f"{self.base_url}/translate/v2/translate"
        return first_text(await post_json(self.session, self.name, url, headers, body), self.name)

    async def languages(self) -> set[str]:
        """The languages the folder may translate: what the preflight checks (ours must be among them)."""
        headers = {"Authorization": f"Api-Key {self.api_key}"}
        url = f"{self.base_url}/translate/v2/languages"
        answer = await post_json(self.session, self.name, url, headers, {"folderId": self.folder_id})
        found = answer.get("languages")
        return (
            {x["code"] for x in found if isinstance(x, dict) and "code" in x}
            if isinstance(found, list)
            else set()
        )
