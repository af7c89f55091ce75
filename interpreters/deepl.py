"""DeepL's /v2/translate: `Authorization: DeepL-Auth-Key …`, JSON `{text: [...], target_lang, source_lang,
tag_handling: "xml", ignore_tags: ["x"]}` (the placeholders pass through untouched), a body of at most
128 KiB. A Free key (ending ":fx") is served by api-free.deepl.com."""

from __future__ import annotations

import json
from dataclasses import dataclass

import aiohttp

from domain.errors import Unavailable
from interpreters.http import first_text, post_json

MAX_BODY = 128 * 1024
TARGETS = {"en": "EN-GB", "ru": "RU", "ar": "AR"}  # (English needs its variant as a target)


def default_base(auth_key: str) -> str:
    return "https://api-free.deepl.com" if auth_key.endswith(":fx") else "https://api.deepl.com"


@dataclass
class DeepL:
    session: aiohttp.ClientSession
    auth_key: str
    base_url: str
    name: str = "deepl"

    async def translate(self, masked: str, target: str, source: str | None = None) -> tuple[str, str | None]:
        body: dict = {
            "text": [masked],
            "target_lang": TARGETS[target],
            "tag_handling": "xml",
            "ignore_tags": ["x"],
        }
        if source and source != target:
            body["source_lang"] = source.upper()
        if len(json.dumps(body).encode()) > MAX_BODY:
            raise Unavailable("too long for one DeepL request")
        headers = {"Authorization": f"DeepL-Auth-Key {self.auth_key}"}
        answer = await post_json(self.session, self.name, f"{self.base_url}/v2/translate", headers, body)
        return first_text(answer, self.name)

    async def usage(self) -> tuple[int, int]:
        """(characters translated this billing period, the period's limit): what the preflight shows."""
        headers = {"Authorization": f"DeepL-Auth-Key {self.auth_key}"}
        answer = await post_json(self.session, self.name, f"{self.base_url}/v2/usage", headers, None)
        count, limit = answer.get("character_count"), answer.get("character_limit")
        if not isinstance(count, int) or not isinstance(limit, int):
            raise Unavailable("DeepL answered its usage without the counts")
        return count, limit
