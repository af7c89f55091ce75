"""Voicemails and recorded calls in writing: the recording fetched from Twilio and recognised by the real
SpeechKit adapter talking to the local recogniser (sandbox/interpreter.py, which checks the request as
documented: API key, folder, language, format, 1 MB, 30 seconds and one channel read from the audio), the
words in the topic under the audio — translated for an assistant who does not read them — kept once, found by
the console's search, erased with the client; a long recording goes in parts; a recogniser that is down or
refuses the key leaves the audio and says so."""

import pytest

from domain.events import SYSTEM, EventType
from engine.clients import erasure
from engine.team import admin as staff_admin
from interpreters.speechkit import PART_SECONDS, parts
from tests import reads
from tests.console_client import signed_in
from tests.harness import STAFF_CHAT, Harness, start_harness
from tests.integration.test_interpreters import mp3
from tests.telegram.test_calls import CALLER, call_form, client_of, twilio, twiml

DMITRI_PHONE = "+79160000003"


@pytest.fixture
async def phone(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock) -> Harness:
    tg = await start_harness(
        aiohttp_server,
        aiohttp_client,
        mongo_url,
        db_name,
        tmp_path,
        clock,
        voice=True,
        speech=True,
        translation="yandex",
    )
    await staff_admin.add(tg.engine.deps, 9003, "Dmitri", "ru", lead=True, phone=DMITRI_PHONE)
    yield tg
    await tg.store.client.drop_database(db_name)


async def voicemail(tg: Harness, sid: str, audio: bytes, seconds: int = 12) -> None:
    await twiml(tg, "/webhooks/twilio/voice", call_form(sid))
    await twiml(tg, "/webhooks/twilio/voice/dial?leg=0", call_form(sid, DialCallStatus="no-answer"))
    recording = f"RE{sid}"
    url = f"{tg.tw.base_url}/2010-04-01/Accounts/{tg.tw.account_sid}/Recordings/{recording}"
    tg.tw.recordings[recording] = audio
    for _ in range(2):  # Twilio's callback, retried
        ready = call_form(sid, RecordingUrl=url, RecordingDuration=str(seconds), RecordingSid=recording)
        assert (await twilio(tg, "/webhooks/twilio/voice/recording", ready)).status == 204
    await tg.settle()


async def test_an_arabic_voicemail_is_written_and_translated_under_its_audio_once(phone: Harness) -> None:
    tg = phone
    said = "أريد سيارة إلى المطار غدا الساعة 7"
    await voicemail(tg, "CA31", b"ID3" + said.encode())
    client = await client_of(tg, CALLER)
    thread = reads.thread(client)
    (asked,) = [body for name, body in tg.interpreter.calls if name == "speechkit"]
    assert asked["format"] == "mp3" and asked["lang"] == "auto" and asked["folderId"]  # (Arabic: detected)
    (written,) = await reads.events(tg.store, EventType.VOICEMAIL_TRANSCRIBED)
    assert written.data["text"] == said and written.data["provider"] == "speechkit"
    lines = [m for m in tg.fake.topic_messages(STAFF_CHAT, thread) if "text" in m]
    (line,) = [m for m in lines if m["text"].startswith("📝")]
    assert line["text"].startswith("📝 In writing: [ru] ")  # Dmitri reads Russian: translated for him
    assert said in line["text"]  # (the words as said, folded beneath)
    audio = [c for c in tg.fake.sent("sendAudio") if c.params.get("message_thread_id") == thread]
    assert len(audio) == 1 and audio[0].at <= max(c.at for c in tg.fake.calls if c.method == "sendMessage")
    dmitri = await signed_in(tg, 9003)
    found = await (await dmitri.post("/console/search", {"q": "المطار"}, "/console/search")).text()
    assert found.split('id="found-messages"', 1)[1].count('class="open"') == 1  # its words are searchable


@pytest.mark.parametrize("refusal", ["down", "revoked key"])
async def test_a_recogniser_that_is_down_or_refuses_the_key_leaves_the_audio_and_says_so(
    phone: Harness, refusal: str
) -> None:
    tg = phone
    if refusal == "down":
        tg.interpreter.down = True
    else:
        tg.interpreter.yandex_key = "rotated"  # the key the service holds was revoked: SpeechKit answers 401
    await voicemail(tg, "CA32", b"ID3 call me back please")
    client = await client_of(tg, CALLER)
    lines = tg.topic_texts(reads.thread(client))
    status = 503 if refusal == "down" else 401
    said = f"📝 The voicemail could not be put in writing (SpeechKit answered {status}): listen to it above."
    assert said in lines
    assert len([c for c in tg.fake.sent("sendAudio") if c.params.get("message_thread_id")]) == 1
    assert await reads.events(tg.store, EventType.VOICEMAIL_TRANSCRIBED) == []


async def test_a_long_voicemail_goes_in_parts_each_within_what_speechkit_takes(phone: Harness) -> None:
    tg = phone
    await voicemail(tg, "CA33", mp3(55, "Перезвоните мне, пожалуйста"), seconds=55)
    sent = [body for name, body in tg.interpreter.calls if name == "speechkit"]
    assert len(sent) == 3 and all(b["seconds"] <= 30 and b["bytes"] <= 1024 * 1024 for b in sent)
    (written,) = await reads.events(tg.store, EventType.VOICEMAIL_TRANSCRIBED)
    assert written.data["text"] == "Перезвоните мне, пожалуйста"


async def test_a_recorded_call_is_written_under_its_audio_like_a_voicemail(phone: Harness) -> None:
    """CALL_RECORDING=on: Twilio posts the conversation's recording (RecordingSource=DialVerb, two channels)
    to the same signed callback; it is fetched mixed into one channel, recognised in parts (a call is longer
    than SpeechKit's 30 seconds a request), translated for Dmitri, kept once, found and erased."""
    tg = phone
    said = "أريد سيارة إلى المطار غدا الساعة 7"
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA34"))
    url = f"{tg.tw.base_url}/2010-04-01/Accounts/{tg.tw.account_sid}/Recordings/RECA34"
    tg.tw.recordings["RECA34"] = mp3(58, said)
    for _ in range(2):  # Twilio's callback, retried
        ready = call_form(
            "CA34",
            RecordingUrl=url,
            RecordingDuration="58",
            RecordingSid="RECA34",
            RecordingSource="DialVerb",
        )
        assert (await twilio(tg, "/webhooks/twilio/voice/recording", ready)).status == 204
    await tg.settle()
    assert "RECA34.mp3?RequestedChannels=1" in tg.tw.recordings_fetched  # one channel: what SpeechKit takes
    sent = [body for name, body in tg.interpreter.calls if name == "speechkit"]
    assert len(sent) == 3 and all(b["seconds"] <= 30 and b["lang"] == "auto" for b in sent)
    client = await client_of(tg, CALLER)
    thread = reads.thread(client)
    (audio,) = [c for c in tg.fake.sent("sendAudio") if c.params.get("message_thread_id") == thread]
    assert audio.params["caption"] == "📞 Recording of the call · 0:58"
    (written,) = await reads.events(tg.store, EventType.VOICEMAIL_TRANSCRIBED)
    assert written.data["text"] == said
    (line,) = [m for m in tg.fake.topic_messages(STAFF_CHAT, thread) if m.get("text", "").startswith("📝")]
    assert line["text"].startswith("📝 In writing: [ru] ") and said in line["text"]
    dmitri = await signed_in(tg, 9003)
    found = await (await dmitri.post("/console/search", {"q": "المطار"}, "/console/search")).text()
    assert found.split('id="found-messages"', 1)[1].count('class="open"') == 1

    await erasure.erase(tg.engine.deps, SYSTEM, client.id)
    (erased,) = await reads.events(tg.store, EventType.VOICEMAIL_TRANSCRIBED)
    assert said not in str(erased.data)  # the words went with the client


async def test_a_recorded_call_speechkit_cannot_hear_says_so_in_its_own_words(phone: Harness) -> None:
    tg = phone
    tg.interpreter.down = True
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA35"))
    url = f"{tg.tw.base_url}/2010-04-01/Accounts/{tg.tw.account_sid}/Recordings/RECA35"
    tg.tw.recordings["RECA35"] = mp3(12, "hello")
    ready = call_form(
        "CA35", RecordingUrl=url, RecordingDuration="12", RecordingSid="RECA35", RecordingSource="DialVerb"
    )
    assert (await twilio(tg, "/webhooks/twilio/voice/recording", ready)).status == 204
    await tg.settle()
    lines = tg.topic_texts(reads.thread(await client_of(tg, CALLER)))
    said = "could not be put in writing (SpeechKit answered 503): listen to it above."
    assert f"📝 The recording of the call {said}" in lines


def test_a_long_voicemail_goes_in_parts_under_the_limits() -> None:
    audio = b"x" * 600_000  # two minutes of a 40 kbit/s MP3
    pieces = parts(audio, 120)
    assert b"".join(pieces) == audio and len(pieces) == 5
    assert all(len(p) <= 600_000 // 120 * PART_SECONDS for p in pieces)
    assert parts(b"short", 10) == [b"short"]
