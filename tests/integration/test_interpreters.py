"""The translation and speech adapters (interpreters/) against the local stand-in (sandbox/interpreter.py),
which checks requests as the providers document them: a wrong key is refused with the provider's status and
the adapter says Unavailable (the engine then sends the original, the topic told); a request over a limit is
never sent (cut in parts, or refused before sending); and the stand-in itself refuses what is over a limit,
with the documented error, so it really checks the shape."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator

import aiohttp
import pytest

from domain.errors import Unavailable
from interpreters.deepl import DeepL
from interpreters.speechkit import SpeechKit
from interpreters.yandex import YandexTranslate
from sandbox.interpreter import FakeInterpreter
from tests.harness import DEEPL_KEY, YANDEX_FOLDER, YANDEX_KEY

FRAME = b"\xff\xfb\x90\xc0"  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, one channel: 417 bytes, 1152 samples
STEREO = b"\xff\xfb\x90\x00"


def mp3(seconds: float, words: str = "", header: bytes = FRAME) -> bytes:
    """An MP3 of `seconds` (whole frames), `words` written in its first frame: what the stand-in "hears"."""
    frames = math.ceil(seconds * 44100 / 1152)
    first = words.encode().ljust(413, b" ")
    assert len(first) == 413, "the words fit in one frame"
    return header + first + (header + b" " * 413) * (frames - 1)


def ogg_opus(seconds: float) -> bytes:
    """An OggOpus stream's first page (its OpusHead, pre-skip 312) and last page (the granule position)."""
    head = (
        b"OpusHead" + bytes([1, 1]) + (312).to_bytes(2, "little") + (48000).to_bytes(4, "little") + bytes(3)
    )

    def page(granule: int, payload: bytes) -> bytes:
        return b"OggS" + bytes(2) + granule.to_bytes(8, "little") + bytes(13) + payload

    return page(0, head) + page(int(seconds * 48000) + 312, bytes(200))


@pytest.fixture
async def served(aiohttp_server) -> AsyncIterator[tuple[FakeInterpreter, str, aiohttp.ClientSession]]:
    fake = FakeInterpreter(DEEPL_KEY, YANDEX_KEY, YANDEX_FOLDER)
    base = str((await aiohttp_server(fake.app())).make_url("")).rstrip("/")
    async with aiohttp.ClientSession() as session:
        yield fake, base, session


async def test_a_wrong_key_is_refused_as_documented_and_each_adapter_says_unavailable(served) -> None:
    fake, base, session = served
    adapters = [
        (DeepL(session, "revoked:fx", base).translate("Hello", "ru"), "deepl answered 403"),
        (
            YandexTranslate(session, "revoked", YANDEX_FOLDER, base).translate("Hello", "ru"),
            "yandex answered 401",
        ),
        (
            SpeechKit(session, "revoked", YANDEX_FOLDER, base).transcribe(
                b"ID3 hello", "audio/mpeg", 3, "en"
            ),
            "SpeechKit answered 401",
        ),
    ]
    for call, said in adapters:
        with pytest.raises(Unavailable, match=said):
            await call
    assert fake.calls == []  # refused at the door: nothing was translated or heard


async def test_the_stand_in_checks_each_providers_authorization_header(served) -> None:
    _fake, base, session = served
    body = {"text": ["Hello"], "target_lang": "RU", "tag_handling": "xml", "ignore_tags": ["x"]}
    deepl = f"{base}/v2/translate"
    for header, status in (
        (f"DeepL-Auth-Key {DEEPL_KEY}", 200),
        (f"Bearer {DEEPL_KEY}", 403),
        (DEEPL_KEY, 403),
        ("DeepL-Auth-Key revoked:fx", 403),
    ):
        async with session.post(deepl, json=body, headers={"Authorization": header}) as answer:
            assert answer.status == status, header
    yandex = f"{base}/translate/v2/translate"
    texts = {"texts": ["Hello"], "targetLanguageCode": "ru", "format": "HTML"}
    for header, folder, status in (
        (f"Api-Key {YANDEX_KEY}", YANDEX_FOLDER, 200),
        (f"Api-Key {YANDEX_KEY}", None, 200),  # a service account's key needs no folder: its own is used
        (f"Api-Key {YANDEX_KEY}", "b1gother", 403),  # nor may it use another's
        (f"Bearer {YANDEX_KEY}", YANDEX_FOLDER, 401),
        (YANDEX_KEY, YANDEX_FOLDER, 401),
    ):
        asked = texts | ({"folderId": folder} if folder else {})
        async with session.post(yandex, json=asked, headers={"Authorization": header}) as answer:
            assert answer.status == status, (header, folder)
            if status == 401:
                assert (await answer.json())["code"] == 16
    speech = f"{base}/speech/v1/stt:recognize"
    query = {"topic": "general", "lang": "en-US", "format": "mp3", "folderId": YANDEX_FOLDER}
    for header, status in ((f"Api-Key {YANDEX_KEY}", 200), (f"Bearer {YANDEX_KEY}", 401)):
        async with session.post(
            speech, params=query, data=b"ID3 hello", headers={"Authorization": header}
        ) as answer:
            assert answer.status == status, header


async def test_the_stand_in_refuses_what_is_over_each_documented_limit(served) -> None:
    fake, base, session = served
    deepl = {"Authorization": f"DeepL-Auth-Key {DEEPL_KEY}"}
    body = {"target_lang": "RU", "tag_handling": "xml", "ignore_tags": ["x"]}
    for texts, status in ((["x" * 131_000], 413), (["Hi"] * 51, 400), (["Hi"] * 50, 200)):
        async with session.post(
            f"{base}/v2/translate", data=json.dumps(body | {"text": texts}), headers=deepl
        ) as answer:
            assert answer.status == status, len(texts)
    yandex = {"Authorization": f"Api-Key {YANDEX_KEY}"}
    for texts, status in ((["x" * 6000, "y" * 4001], 400), (["x" * 6000, "y" * 4000], 200)):
        asked = {"texts": texts, "targetLanguageCode": "ru", "format": "HTML"}
        async with session.post(f"{base}/translate/v2/translate", json=asked, headers=yandex) as answer:
            assert answer.status == status
            if status == 400:
                assert (await answer.json())["code"] == 3  # INVALID_ARGUMENT
    query = {"topic": "general", "lang": "ru-RU", "format": "mp3"}
    for audio, options, why in (
        (mp3(29.9), {}, None),
        (mp3(40), {}, "audio duration should be less than 30s"),  # (640 KB: under the 1 MB)
        (mp3(10, header=STEREO), {}, "audio should have one channel"),
        (b"ID3" + b" " * (1024 * 1024), {}, "audio size should be less than 1MB"),
        (ogg_opus(29), {"format": "oggopus"}, None),
        (ogg_opus(31), {"format": "oggopus"}, "audio duration should be less than 30s"),
        (bytes(2 * 8000 * 31), {"format": "lpcm", "sampleRateHertz": "8000"}, "audio duration"),
        (bytes(2 * 8000 * 29), {"format": "lpcm", "sampleRateHertz": "8000"}, None),
    ):
        async with session.post(
            f"{base}/speech/v1/stt:recognize", params=query | options, data=audio, headers=yandex
        ) as answer:
            said = await answer.json()
            if why is None:
                assert answer.status == 200, said
            else:
                assert answer.status == 400 and said["error_code"] == "BAD_REQUEST", said
                assert said["error_message"].startswith(why)
    measured = [round(body["seconds"], 1) for name, body in fake.calls if name == "speechkit"]
    assert measured[:2] == [29.9, 40.0]  # read from the frames, not from the size


async def test_no_adapter_sends_a_request_over_the_limits(served) -> None:
    fake, base, session = served
    with pytest.raises(Unavailable, match="too long for one DeepL request"):
        await DeepL(session, DEEPL_KEY, base).translate("x" * 140_000, "ru")
    with pytest.raises(Unavailable, match="too long for one Yandex Translate request"):
        await YandexTranslate(session, YANDEX_KEY, YANDEX_FOLDER, base).translate("x" * 10_001, "ru")
    speechkit = SpeechKit(session, YANDEX_KEY, YANDEX_FOLDER, base)
    with pytest.raises(Unavailable, match="over SpeechKit's 30 seconds"):
        await speechkit.transcribe(ogg_opus(45), "audio/ogg", 45, "ru")  # (an Ogg stream is not cut)
    with pytest.raises(Unavailable, match="longer than 5 minutes"):
        await speechkit.transcribe(mp3(301), "audio/mpeg", 301, "ru")
    assert fake.calls == []  # none of them reached the provider

    # a long MP3 goes in parts, each within a request's 30 seconds and 1 MB, heard in order
    audio = mp3(60, "Встретьте меня в аэропорту")
    assert len(audio) < 1024 * 1024  # (its length, not its size, is over)
    assert await speechkit.transcribe(audio, "audio/mpeg", 60, "ru") == "Встретьте меня в аэропорту"
    sent = [body for name, body in fake.calls if name == "speechkit"]
    assert len(sent) == 3 and all(b["seconds"] <= 30 and b["bytes"] <= 1024 * 1024 for b in sent)
    assert sum(b["bytes"] for b in sent) == len(audio)
