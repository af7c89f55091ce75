"""A local translator that speaks both providers' APIs: DeepL's /v2/translate and Yandex Cloud Translate's
/translate/v2/translate, with their authentication, fields and limits checked as documented, so the real
adapters (interpreters/) talk to it unchanged. It translates a few phrases for real and marks the rest with
the target language ("[ru] …"), keeping the placeholders where they were; it records every request and can
be told to fail."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DEEPL_TARGETS = {"EN-GB": "en", "EN-US": "en", "RU": "ru", "AR": "ar"}
DEEPL_SOURCES = {"EN", "RU", "AR"}
YANDEX_LANGUAGES = {"en", "ru", "ar"}
SPEECH_FORMATS = {"mp3", "oggopus", "lpcm"}
SPEECH_LANGUAGES = {"ru-RU", "en-US", "auto"}
_TAG = re.compile(r"<x id=\"\d+\"/>")

# a few sentences of the demo, for real (placeholders keep their ids)
PHRASES = {
    ("ru", "certainly, i am on it."): "Конечно, уже занимаюсь.",
    ("ar", "certainly, i am on it."): "بالتأكيد، أعمل على ذلك.",
    ("en", "конечно, уже занимаюсь."): "Certainly, I am on it.",
    ("ar", "конечно, уже занимаюсь."): "بالتأكيد، أعمل على ذلك.",
    ("en", "شكرا جزيلا"): "Thank you very much",
    ("ru", "شكرا جزيلا"): "Большое спасибо",
}


def _detect(text: str) -> str:
    if re.search(r"[\u0600-\u06ff]", text):
        return "ar"
    return "ru" if re.search(r"[а-яё]", text, re.I) else "en"


def render(markup: str, target: str) -> str:
    """The translation of `markup` (its placeholders untouched)."""
    if _detect(_TAG.sub("", markup)) == target:
        return markup
    known = PHRASES.get((target, _TAG.sub("", markup).strip().lower()))
    if known is not None:
        return known + "".join(_TAG.findall(markup))
    return f"[{target}] {markup}"


@dataclass
class FakeInterpreter:
    deepl_key: str
    yandex_key: str
    folder_id: str
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    down: bool = False  # answer 503 to everything (the provider is out)
    breaks_placeholders: bool = False  # drop the placeholders (a provider that mangles markup)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=1024**2)
        app.router.add_post("/v2/translate", self._deepl)
        app.router.add_get("/v2/usage", self._deepl_usage)
        app.router.add_post("/translate/v2/translate", self._yandex)
        app.router.add_post("/translate/v2/languages", self._yandex_languages)
        app.router.add_post("/speech/v1/stt:recognize", self._speechkit)
        return app

    async def _speechkit(self, request: web.Request) -> web.Response:
        """SpeechKit's synchronous recognition: the audio as the body (at most 1 MB), the options as query
        parameters. The sandbox's "audio" is what the caller typed: it is heard back as it was written."""
        if request.headers.get("Authorization") != f"Api-Key {self.yandex_key}":
            return web.json_response(
                {"error_code": "UNAUTHORIZED", "error_message": "Unknown api key"}, status=401
            )
        audio = await request.read()
        query = dict(request.query)
        self.calls.append(("speechkit", query | {"bytes": len(audio)}))
        if self.down:
            return web.json_response({"error_code": "UNAVAILABLE"}, status=503)
        known = query.get("format") in SPEECH_FORMATS and query.get("lang") in SPEECH_LANGUAGES
        if query.get("folderId") != self.folder_id or not known or not audio:
            return web.json_response({"error_code": "BAD_REQUEST", "error_message": "options"}, status=400)
        if len(audio) > 1024 * 1024:
            return web.json_response(
                {"error_code": "BAD_REQUEST", "error_message": "audio too long"}, status=400
            )
        heard = audio.decode("utf-8", errors="ignore").removeprefix("ID3").strip()
        return web.json_response({"result": heard})

    def _text(self, markup: str, target: str) -> str:
        translated = render(markup, target)
        return _TAG.sub("", translated) if self.breaks_placeholders else translated

    async def _deepl(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"DeepL-Auth-Key {self.deepl_key}":
            return web.json_response({"message": "Wrong endpoint or authentication"}, status=403)
        raw = await request.read()
        if len(raw) > 128 * 1024:
            return web.json_response({"message": "Request Entity Too Large"}, status=413)
        body = json.loads(raw)
        self.calls.append(("deepl", body))
        if self.down:
            return web.json_response({"message": "Service unavailable"}, status=503)
        texts, target = body.get("text"), body.get("target_lang")
        valid = isinstance(texts, list) and 1 <= len(texts) <= 50 and all(isinstance(t, str) for t in texts)
        if not valid or target not in DEEPL_TARGETS or body.get("source_lang", "EN") not in DEEPL_SOURCES:
            return web.json_response({"message": "Bad request"}, status=400)
        if body.get("tag_handling") != "xml" or "x" not in body.get("ignore_tags", []):
            return web.json_response({"message": "placeholders would be translated"}, status=400)
        language = DEEPL_TARGETS[target]
        translations = [
            {"detected_source_language": _detect(t).upper(), "text": self._text(t, language)} for t in texts
        ]
        return web.json_response({"translations": translations})

    async def _deepl_usage(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"DeepL-Auth-Key {self.deepl_key}":
            return web.json_response({"message": "Wrong endpoint or authentication"}, status=403)
        used = sum(len(t) for name, body in self.calls if name == "deepl" for t in body.get("text", []))
        return web.json_response({"character_count": used, "character_limit": 500_000})

    async def _yandex_languages(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Api-Key {self.yandex_key}":
            return web.json_response({"code": 16, "message": "Unknown api key"}, status=401)
        if (await request.json()).get("folderId") != self.folder_id:
            return web.json_response({"code": 7, "message": "Permission denied"}, status=403)
        names = {"ar": "العربية", "en": "English", "ru": "русский", "de": "Deutsch"}
        return web.json_response({"languages": [{"code": c, "name": n} for c, n in names.items()]})

    async def _yandex(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Api-Key {self.yandex_key}":
            return web.json_response({"code": 16, "message": "Unknown api key"}, status=401)
        body = await request.json()
        self.calls.append(("yandex", body))
        if self.down:
            return web.json_response({"code": 14, "message": "Unavailable"}, status=503)
        texts, target = body.get("texts"), body.get("targetLanguageCode")
        if body.get("folderId") != self.folder_id or not isinstance(texts, list) or not texts:
            return web.json_response({"code": 3, "message": "folderId and texts are required"}, status=400)
        if sum(len(t) for t in texts) > 10_000 or target not in YANDEX_LANGUAGES:
            return web.json_response({"code": 3, "message": "limit exceeded or language"}, status=400)
        if body.get("format") != "HTML":
            return web.json_response({"code": 3, "message": "placeholders would be translated"}, status=400)
        translations = [{"text": self._text(t, target), "detectedLanguageCode": _detect(t)} for t in texts]
        return web.json_response({"translations": translations})
