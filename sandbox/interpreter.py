"""A local translator that speaks both providers' APIs: DeepL's /v2/translate and Yandex Cloud Translate's
/translate/v2/translate, and SpeechKit's synchronous recognition, with their authentication, fields and limits
checked as documented (DeepL: 128 KiB and 50 texts a request; Translate: 10,000 characters; SpeechKit: 1 MB,
30 seconds and one channel, the duration read from the audio itself), so the real adapters (interpreters/)
talk to it unchanged. It translates a few phrases for real and marks the rest with the target language
("[ru] …"), keeping the placeholders where they were; it records every request, refused or not (an over-limit
one included: a test sees what was sent), and can be told to fail."""

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
SPEECH_RATES = {"48000", "16000", "8000"}  # LPCM's sampleRateHertz (16-bit, one channel)
SPEECH_MAX_BYTES = 1024 * 1024
SPEECH_MAX_SECONDS = 30
DEEPL_MAX_BODY = 128 * 1024
DEEPL_MAX_TEXTS = 50
YANDEX_MAX_CHARS = 10_000
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


# MPEG audio Layer III frame headers: kbit/s by bitrate index, Hz by sample-rate index, for MPEG-1 (version
# bits 11), MPEG-2 (10) and MPEG-2.5 (00)
_MP3_KBPS = {
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_HZ = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def mp3_audio(audio: bytes) -> tuple[float, int]:
    """(seconds, channels) of an MP3 by its frames, each found by its header as a decoder finds it (a part
    cut anywhere starts at its next frame); bytes that are no frame count for nothing."""
    seconds, channels, at = 0.0, 1, 0
    while at + 4 <= len(audio):
        b1, b2, b3 = audio[at + 1], audio[at + 2], audio[at + 3]
        version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
        rate, hz = b2 >> 4, (b2 >> 2) & 3
        if audio[at] != 0xFF or b1 & 0xE0 != 0xE0 or version == 1 or layer != 1 or rate in (0, 15) or hz == 3:
            at += 1
            continue
        kbps, sample_rate = _MP3_KBPS[3 if version == 3 else 2][rate], _MP3_HZ[version][hz]
        samples = 1152 if version == 3 else 576
        length = samples // 8 * kbps * 1000 // sample_rate + ((b2 >> 1) & 1)
        seconds += samples / sample_rate
        channels = max(channels, 1 if b3 >> 6 == 3 else 2)
        at += length
    return seconds, channels


def ogg_opus_audio(audio: bytes) -> tuple[float, int]:
    """(seconds, channels) of an OggOpus stream: its last page's granule position (48 kHz samples) less the
    pre-skip of its OpusHead."""
    head, last = audio.find(b"OpusHead"), audio.rfind(b"OggS")
    if head < 0 or last < 0 or len(audio) < max(head + 12, last + 14):
        return 0.0, 1
    granule = int.from_bytes(audio[last + 6 : last + 14], "little")
    pre_skip = int.from_bytes(audio[head + 10 : head + 12], "little")
    return max(0, granule - pre_skip) / 48000, audio[head + 9]


def measure(audio: bytes, audio_format: str, sample_rate: str) -> tuple[float, int]:
    """(seconds, channels) of `audio` in SpeechKit's `format` (LPCM: 16-bit samples of one channel)."""
    if audio_format == "mp3":
        return mp3_audio(audio)
    if audio_format == "oggopus":
        return ogg_opus_audio(audio)
    return len(audio) / (2 * int(sample_rate)), 1


def heard(audio: bytes) -> str:
    """What the sandbox "hears": the text written in the audio (a typed voicemail, or words a test put in
    frames), every byte that is not printable text left out."""
    text = audio.decode("utf-8", errors="ignore").removeprefix("ID3")
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


@dataclass
class FakeInterpreter:
    deepl_key: str
    yandex_key: str
    folder_id: str
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    down: bool = False  # answer 503 to everything (the provider is out)
    breaks_placeholders: bool = False  # drop the placeholders (a provider that mangles markup)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=8 * 1024**2)  # (the limits are checked below, as documented)
        app.router.add_post("/v2/translate", self._deepl)
        app.router.add_get("/v2/usage", self._deepl_usage)
        app.router.add_post("/translate/v2/translate", self._yandex)
        app.router.add_post("/translate/v2/languages", self._yandex_languages)
        app.router.add_post("/speech/v1/stt:recognize", self._speechkit)
        return app

    async def _speechkit(self, request: web.Request) -> web.Response:
        """SpeechKit's synchronous recognition: the audio as the body (at most 1 MB, 30 seconds, one channel),
        the options as query parameters. The sandbox's "audio" is what the caller typed: it is heard back as
        it was written."""
        refused = self._yandex_refusal(request, request.query.get("folderId"), speech=True)
        if refused is not None:
            return refused
        audio = await request.read()
        query = dict(request.query)
        audio_format, rate = query.get("format"), query.get("sampleRateHertz", "48000")
        known = (
            audio_format in SPEECH_FORMATS
            and query.get("lang", "ru-RU") in SPEECH_LANGUAGES
            and rate in SPEECH_RATES
        )
        seconds, channels = measure(audio, audio_format or "", rate) if known else (0.0, 1)
        self.calls.append(("speechkit", query | {"bytes": len(audio), "seconds": seconds}))
        if self.down:
            return web.json_response({"error_code": "UNAVAILABLE"}, status=503)
        if not known or not audio:
            return _speech_refusal("options")
        if len(audio) > SPEECH_MAX_BYTES:
            return _speech_refusal("audio size should be less than 1MB")
        if seconds > SPEECH_MAX_SECONDS:
            return _speech_refusal("audio duration should be less than 30s")
        if channels > 1:
            return _speech_refusal("audio should have one channel")
        return web.json_response({"result": heard(audio)})

    def _yandex_refusal(self, request: web.Request, folder: Any, speech: bool = False) -> web.Response | None:
        """Yandex Cloud's authentication: a service account's `Authorization: Api-Key …`; such a request
        needs no folderId (the account's folder is used), and one naming another folder is denied."""
        if request.headers.get("Authorization") != f"Api-Key {self.yandex_key}":
            error = {"error_code": "UNAUTHORIZED", "error_message": "Unknown api key"}
            return web.json_response(
                error if speech else {"code": 16, "message": "Unknown api key"}, status=401
            )
        if folder is not None and folder != self.folder_id:
            error = {"error_code": "PERMISSION_DENIED", "error_message": "Permission denied"}
            return web.json_response(
                error if speech else {"code": 7, "message": "Permission denied"}, status=403
            )
        return None

    def _text(self, markup: str, target: str) -> str:
        translated = render(markup, target)
        return _TAG.sub("", translated) if self.breaks_placeholders else translated

    async def _deepl(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"DeepL-Auth-Key {self.deepl_key}":
            return web.json_response({"message": "Wrong endpoint or authentication"}, status=403)
        raw = await request.read()
        if len(raw) > DEEPL_MAX_BODY:
            self.calls.append(("deepl", {"bytes": len(raw)}))
            return web.json_response({"message": "Request Entity Too Large"}, status=413)
        body = json.loads(raw)
        self.calls.append(("deepl", body))
        if self.down:
            return web.json_response({"message": "Service unavailable"}, status=503)
        texts, target = body.get("text"), body.get("target_lang")
        valid = (
            isinstance(texts, list)
            and 1 <= len(texts) <= DEEPL_MAX_TEXTS
            and all(isinstance(t, str) for t in texts)
        )
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
        refused = self._yandex_refusal(request, (await request.json()).get("folderId"))
        if refused is not None:
            return refused
        names = {"ar": "العربية", "en": "English", "ru": "русский", "de": "Deutsch"}
        return web.json_response({"languages": [{"code": c, "name": n} for c, n in names.items()]})

    async def _yandex(self, request: web.Request) -> web.Response:
        body = await request.json()
        refused = self._yandex_refusal(request, body.get("folderId"))
        if refused is not None:
            return refused
        self.calls.append(("yandex", body))
        if self.down:
            return web.json_response({"code": 14, "message": "Unavailable"}, status=503)
        texts, target = body.get("texts"), body.get("targetLanguageCode")
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            return web.json_response({"code": 3, "message": "texts are required"}, status=400)
        if sum(len(t) for t in texts) > YANDEX_MAX_CHARS or target not in YANDEX_LANGUAGES:
            return web.json_response({"code": 3, "message": "limit exceeded or language"}, status=400)
        if body.get("format") != "HTML":
            return web.json_response({"code": 3, "message": "placeholders would be translated"}, status=400)
        translations = [{"text": self._text(t, target), "detectedLanguageCode": _detect(t)} for t in texts]
        return web.json_response({"translations": translations})


def _speech_refusal(why: str) -> web.Response:
    return web.json_response({"error_code": "BAD_REQUEST", "error_message": why}, status=400)
