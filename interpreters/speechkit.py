"""Yandex SpeechKit, synchronous recognition (API v1): POST /speech/v1/stt:recognize?topic=general&
lang=…&format=mp3&folderId=… with `Authorization: Api-Key …` (a service account's key, role
ai.speechkit-stt.user) and the audio as the body; the answer is {"result": "<text>"}. One request takes at
most 1 MB and 30 seconds of one channel, so a longer recording goes in parts of 25 seconds (an MP3 is a run of
frames: a decoder starts at the next frame of a part), recognised in order and joined; audio that cannot be
cut so (OggOpus) and is over the limits is refused here, never sent."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from domain.errors import Unavailable
from interpreters.http import post_json

DEFAULT_BASE = "https://stt.api.cloud.yandex.net"
MAX_BYTES = 1024 * 1024  # a request's audio
REQUEST_SECONDS = 30  # a request's audio
PART_SECONDS = 25  # under the 30 seconds a request may hold, with room for a rounded duration
MAX_SECONDS = 300  # a recording longer than this is not sent (12 requests at most)
TIMEOUT = aiohttp.ClientTimeout(total=30)
# the client's language → SpeechKit's; Arabic by the models' automatic language detection ("auto")
LANGUAGES = {"ru": "ru-RU", "en": "en-US", "ar": "auto"}
FORMATS = {"audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/ogg": "oggopus", "audio/opus": "oggopus"}


def parts(audio: bytes, seconds: int) -> list[bytes]:
    """The audio cut into parts of PART_SECONDS each (by its average bytes a second), under MAX_BYTES."""
    if seconds <= PART_SECONDS and len(audio) <= MAX_BYTES:
        return [audio]
    per_second = max(1, len(audio) // max(seconds, 1))
    size = min(MAX_BYTES, per_second * PART_SECONDS)
    return [audio[start : start + size] for start in range(0, len(audio), size)]


@dataclass
class SpeechKit:
    session: aiohttp.ClientSession
    api_key: str
    folder_id: str
    base_url: str = DEFAULT_BASE
    name: str = "speechkit"

    async def transcribe(self, audio: bytes, content_type: str, seconds: int, language: str | None) -> str:
        """The words of `audio` ("" when none were heard); Unavailable when SpeechKit cannot say."""
        audio_format = FORMATS.get(content_type.split(";")[0].strip().lower())
        if audio_format is None:
            raise Unavailable(f"SpeechKit does not take {content_type or 'this kind of audio'}")
        if seconds > MAX_SECONDS:
            raise Unavailable(f"longer than {MAX_SECONDS // 60} minutes")
        params = {
            "topic": "general",
            "lang": LANGUAGES.get(language or "", "auto"),
            "format": audio_format,
            "folderId": self.folder_id,
        }
        if audio_format != "mp3" and (seconds > REQUEST_SECONDS or len(audio) > MAX_BYTES):
            raise Unavailable(f"over SpeechKit's {REQUEST_SECONDS} seconds or 1 MB a request")
        chunks = parts(audio, seconds) if audio_format == "mp3" else [audio]
        heard = [await self._recognize(chunk, params) for chunk in chunks]
        return " ".join(text for text in heard if text)

    async def _recognize(self, chunk: bytes, params: dict[str, str]) -> str:
        url = f"{self.base_url}/speech/v1/stt:recognize"
        headers = {"Authorization": f"Api-Key {self.api_key}"}
        answer = await post_json(
            self.session, "SpeechKit", url, headers, None, data=chunk, params=params, within=TIMEOUT
        )
        result = answer.get("result")
        if not isinstance(result, str):
            raise Unavailable("SpeechKit answered without a result")
        return result.strip()
