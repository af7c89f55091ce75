"""The phone, through the real webhook endpoints signed as Twilio signs them: a caller reaches their own
assistant, then the next one, then voicemail; the topic follows the call; retries change nothing."""

import asyncio
import logging
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from bot.logging import NOISY
from channels.voice.twiml import render
from domain.clients import Client
from domain.events import EventType
from engine import queries as q
from engine.conversation import calls
from engine.team import admin as staff_admin
from tests import reads
from tests.console_client import signed_in
from tests.harness import PUBLIC, STAFF_CHAT, VOICE_NUMBER, Harness, start_harness
from tests.telegram.test_whatsapp import thread

ANNA_PHONE, OMAR_PHONE = "+79161111111", "+971500000009"
CALLER = "+971500000001"


@pytest.fixture
async def phone(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock) -> Harness:
    tg = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, voice=True)
    await staff_admin.add(tg.engine.deps, 9001, "Anna", "en,ru,ar", lead=True, phone=ANNA_PHONE)
    await staff_admin.add(tg.engine.deps, 9002, "Omar", "ar,en", phone=OMAR_PHONE)
    yield tg
    await tg.store.client.drop_database(db_name)


def call_form(sid: str, number: str = CALLER, **extra: str) -> dict[str, str]:
    return {
        "CallSid": sid,
        "AccountSid": "AC" + "0123456789abcdef" * 2,
        "From": number,
        "To": VOICE_NUMBER,
        "CallStatus": "ringing",
        "Direction": "inbound",
        **extra,
    }


async def twilio(tg: Harness, path: str, params: dict[str, str], signature: str | None = None):
    """A POST as Twilio makes it: signed over the public URL and every field."""
    params, headers = tg.tw.signed(PUBLIC + path, params)
    if signature is not None:
        headers = {"X-Twilio-Signature": signature}
    return await tg.http.post(path, data=params, headers=headers)


async def twiml(tg: Harness, path: str, params: dict[str, str]) -> ET.Element:
    response = await twilio(tg, path, params)
    assert response.status == 200 and response.content_type == "text/xml", await response.text()
    return ET.fromstring(await response.text())


async def client_of(tg: Harness, number: str) -> Client | None:
    return await q.client_by_phone(tg.store, number)


async def test_a_known_caller_is_greeted_and_their_assistant_is_rung_once(phone: Harness) -> None:
    tg = phone
    await tg.wa(CALLER, "مرحبا، أحتاج سيارة غدا", name="Layla")
    await tg.settle()
    known = await client_of(tg, CALLER)
    assistant = {"A-9001": ("Anna", ANNA_PHONE), "A-9002": ("Omar", OMAR_PHONE)}[known.assistant_id]
    root = await twiml(tg, "/webhooks/twilio/voice", call_form("CA1"))
    say, dial = list(root)
    assert say.get("voice") == "Polly.Hala-Neural" and assistant[0] in say.text  # in Arabic, naming them
    assert dial.get("callerId") == VOICE_NUMBER and dial.get("timeout") == "20"
    assert dial[0].text == assistant[1]
    assert dial.get("action") == f"{PUBLIC}/webhooks/twilio/voice/dial?leg=0"
    events = await reads.event_count(tg.store)
    again = await twiml(tg, "/webhooks/twilio/voice", call_form("CA1"))  # Twilio retried
    assert ET.tostring(again) == ET.tostring(root)
    assert await reads.event_count(tg.store) == events
    await tg.settle()
    lines = tg.topic_texts(await thread(tg, CALLER))
    assert sum(line.startswith("📞 Incoming call from Layla → ringing") for line in lines) == 1


async def test_no_answer_rings_the_next_then_voicemail_reaches_the_topic_once(phone: Harness) -> None:
    tg = phone
    root = await twiml(tg, "/webhooks/twilio/voice", call_form("CA2"))
    first = list(root)[1][0].text
    nxt = await twiml(tg, "/webhooks/twilio/voice/dial?leg=0", call_form("CA2", DialCallStatus="no-answer"))
    (dial,) = list(nxt)
    second = dial[0].text
    assert {first, second} == {ANNA_PHONE, OMAR_PHONE} and dial.get("callerId") == VOICE_NUMBER
    voicemail = await twiml(tg, "/webhooks/twilio/voice/dial?leg=1", call_form("CA2", DialCallStatus="busy"))
    say, record = list(voicemail)
    assert say.get("voice") == "Polly.Hala-Neural" and record.get("maxLength") == "120"
    recording_url = f"{tg.tw.base_url}/2010-04-01/Accounts/{tg.tw.account_sid}/Recordings/RE1"
    tg.tw.recordings["RE1"] = b"ID3 fake mp3"
    done = call_form("CA2", RecordingUrl=recording_url, RecordingDuration="42", RecordingSid="RE1")
    hang = await twiml(tg, "/webhooks/twilio/voice/voicemail", done)
    assert [e.tag for e in hang] == ["Hangup"]
    for _ in range(2):  # the recording callback, retried
        ready = call_form("CA2", RecordingUrl=recording_url, RecordingDuration="42", RecordingSid="RE1")
        assert (await twilio(tg, "/webhooks/twilio/voice/recording", ready)).status == 204
    await tg.settle()
    client = await client_of(tg, CALLER)
    audio = [c for c in tg.fake.sent("sendAudio") if c.params.get("message_thread_id")]
    assert len(audio) == 1 and "Missed call · voicemail 0:42" in audio[0].params.get("caption", "")
    assert tg.tw.recordings_fetched == ["RE1.mp3"]
    lines = tg.topic_texts(reads.thread(client))
    assert any("did not answer → ringing" in line for line in lines)
    assert any(line == "📞 Nobody answered → voicemail" for line in lines)


async def test_an_unknown_caller_from_the_gulf_becomes_an_arabic_client_and_whatsapp_finds_them(
    phone: Harness,
) -> None:
    tg = phone
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA3", "+971501112233"))
    await tg.settle()
    client = await client_of(tg, "+971501112233")
    assert client.language == "ar" and client.assistant_id in ("A-9001", "A-9002")
    assert client.name == "+971•••••2233" and reads.thread(client)
    await tg.wa("+971501112233", "السلام عليكم", name="Huda")
    await tg.settle()
    same = await q.clients_with_phone(tg.store, "+971501112233")
    assert [c.id for c in same] == [client.id]
    assert reads.thread(await client_of(tg, "+971501112233")) == reads.thread(client)


async def test_a_forged_call_is_refused_and_nothing_is_stored(phone: Harness) -> None:
    tg = phone
    before = await reads.event_count(tg.store)
    for signature in ("", "Zm9yZ2Vk"):
        response = await twilio(tg, "/webhooks/twilio/voice", call_form("CA4"), signature=signature)
        assert response.status == 403
    assert await reads.event_count(tg.store) == before


async def test_leg_states_only_move_forward(phone: Harness) -> None:
    tg = phone
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA5"))
    for state in ("completed", "ringing", "in-progress", "completed"):
        form = {"CallSid": "CA5-leg", "ParentCallSid": "CA5", "CallStatus": state, "CallDuration": "252"}
        assert (await twilio(tg, "/webhooks/twilio/voice/status", form)).status == 204
    await tg.settle()  # stored in the inbox, recorded by its worker
    states = [
        e.data["state"] for e in await tg.store.events.read("call:CA5") if e.type is EventType.CALL_LEG_STATUS
    ]
    assert states == ["completed"]


async def test_an_answered_call_is_told_with_its_length_and_a_missed_one_starts_the_clock(
    phone: Harness,
) -> None:
    tg = phone
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA6"))
    answered = call_form("CA6", DialCallStatus="completed", DialCallDuration="252")
    assert [e.tag for e in await twiml(tg, "/webhooks/twilio/voice/dial?leg=0", answered)] == ["Hangup"]
    await tg.settle()
    client = await client_of(tg, CALLER)
    assert any(
        line.startswith("📞 Call with") and line.endswith("· 4 min 12 sec")
        for line in tg.topic_texts(reads.thread(client))
    )
    talked = [
        e
        for e in await tg.store.events.read(f"conversation:{client.id}")
        if e.type is EventType.CALL_ANSWERED
    ]
    assert [(e.data["seconds"], e.actor.kind.value) for e in talked] == [
        (252, "assistant")
    ]  # the client's stream
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA7"))
    for leg, status in ((0, "no-answer"), (1, "no-answer")):
        await twiml(tg, f"/webhooks/twilio/voice/dial?leg={leg}", call_form("CA7", DialCallStatus=status))
    await twiml(tg, "/webhooks/twilio/voice/voicemail", call_form("CA7"))  # hung up without a message
    await tg.settle()
    assert "📞 Missed call · no voicemail" in tg.topic_texts(reads.thread(client))
    deadline = await tg.store.deadlines.current(f"first-response:{client.id}")
    assert deadline is not None and deadline["status"] == "waiting"


async def test_no_assistant_phone_number_reaches_a_client_or_a_log(phone: Harness, caplog) -> None:
    tg = phone
    caplog.set_level(logging.DEBUG)  # everything the service logs, even at DEBUG …
    for noisy in NOISY:  # … with the third-party loggers capped as the service caps them
        logging.getLogger(noisy).setLevel(logging.WARNING)
    await tg.wa(CALLER, "hello", name="Layla")
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA8"))
    await twiml(tg, "/webhooks/twilio/voice/dial?leg=0", call_form("CA8", DialCallStatus="no-answer"))
    await tg.settle()
    told = " ".join(tg.wa_texts(CALLER))
    for number in (ANNA_PHONE, OMAR_PHONE):
        digits = number.lstrip("+")
        assert digits not in told and digits not in caplog.text


async def test_a_deactivated_assistant_is_never_rung(phone: Harness) -> None:
    tg = phone
    root = await twiml(tg, "/webhooks/twilio/voice", call_form("CA9"))
    first = list(root)[1][0].text
    other = 9002 if first == ANNA_PHONE else 9001
    await staff_admin.deactivate(tg.engine.deps, other)  # while the first phone rings
    after = await twiml(tg, "/webhooks/twilio/voice/dial?leg=0", call_form("CA9", DialCallStatus="no-answer"))
    assert [e.tag for e in after] == ["Say", "Record"]  # straight to voicemail
    await staff_admin.deactivate(tg.engine.deps, 9001 if other == 9002 else 9002)
    nobody = await twiml(tg, "/webhooks/twilio/voice", call_form("CA10", "+79990000000"))
    assert [e.tag for e in nobody] == ["Say", "Record"]  # no active phone: a voicemail, in Russian
    assert nobody[0].get("voice") == "Polly.Tatyana"


async def test_call_rings_the_assistant_first_once_and_bridges_to_the_client(phone: Harness) -> None:
    tg = phone
    await tg.wa(CALLER, "Please call me about the car", name="Layla")
    await tg.settle()
    client = await client_of(tg, CALLER)
    owner = {
        "A-9001": ({"id": 9001, "is_bot": False, "first_name": "Anna"}, ANNA_PHONE),
        "A-9002": ({"id": 9002, "is_bot": False, "first_name": "Omar"}, OMAR_PHONE),
    }[client.assistant_id]
    staff, staff_phone = owner
    update = tg.fake.user_message(staff, chat_id=STAFF_CHAT, thread_id=reads.thread(client), text="/call")
    await tg.send(update)
    await tg.send(update)  # Telegram delivered it twice
    await tg.settle()
    (placed,) = tg.tw.calls
    assert (placed["To"], placed["From"]) == (staff_phone, VOICE_NUMBER)  # the assistant's phone first
    assert placed["Url"].startswith(f"{PUBLIC}/webhooks/twilio/voice/bridge")
    assert any(line.startswith("📞 Calling") for line in tg.topic_texts(reads.thread(client)))
    # the assistant answers: Twilio asks what next — the client, from the concierge number
    (dial,) = list(
        await twiml(
            tg, "/webhooks/twilio/voice/bridge", {"CallSid": placed["sid"], "CallStatus": "in-progress"}
        )
    )
    assert dial.get("callerId") == VOICE_NUMBER and dial[0].text == CALLER
    done = {"CallSid": placed["sid"], "DialCallStatus": "completed", "DialCallDuration": "61"}
    await twiml(tg, "/webhooks/twilio/voice/dial?leg=0", done)
    await tg.settle()
    assert any(line.endswith("· 1 min 1 sec") for line in tg.topic_texts(reads.thread(client)))
    assert staff_phone.lstrip("+") not in " ".join(tg.wa_texts(CALLER))


async def test_a_reply_to_a_client_who_only_called_is_explained_not_lost(phone: Harness) -> None:
    tg = phone
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA11", "+971509998877"))
    await tg.settle()
    client = await client_of(tg, "+971509998877")
    staff = {"id": int(client.assistant_id.split("-")[1]), "is_bot": False, "first_name": "Staff"}
    await tg.send(
        tg.fake.user_message(staff, chat_id=STAFF_CHAT, thread_id=reads.thread(client), text="Hello!")
    )
    await tg.settle()
    assert any(
        line.startswith("⚠️ Not sent: this client has only called")
        for line in tg.topic_texts(reads.thread(client))
    )
    assert await tg.failed_deliveries() == 0


async def test_a_console_reply_to_a_client_who_only_called_is_refused_not_queued(phone: Harness) -> None:
    tg = phone
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA12", "+971509998866"))
    await tg.settle()
    client = await client_of(tg, "+971509998866")
    assert client is not None
    anna, thread_id = {"id": 9001, "is_bot": False, "first_name": "Anna"}, reads.thread(client)
    await tg.send(tg.fake.user_message(anna, chat_id=STAFF_CHAT, thread_id=thread_id, text="/new a car at 8"))
    await tg.settle()
    (request,) = await q.requests_of(tg.store, client.id)
    console = await signed_in(tg, 9001)
    page = f"/console/requests/{request.id}"
    token, action = await console.form(page)
    refused = await console.post(f"{page}/reply", {"text": "Hello!", "csrf": token, "action": action})
    assert refused.status == 400 and "has only called" in await refused.text()
    await tg.settle()  # (a delivery to no chat at all used to be stored, and broke the sender)
    assert await tg.failed_deliveries() == 0
    conversation = await tg.store.events.read(f"conversation:{client.id}")
    assert not [e for e in conversation if e.type is EventType.STAFF_MESSAGE_SENT]


async def test_with_recording_on_the_caller_is_told_and_the_conversation_is_posted(
    aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock
) -> None:
    tg = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, voice=True)
    assert tg.engine.deps.calls is not None
    line = replace(tg.engine.deps.calls.line, recording=True)  # (as CALL_RECORDING=on sets it)
    await staff_admin.add(tg.engine.deps, 9001, "Anna", "en,ru,ar", lead=True, phone=ANNA_PHONE)
    root = ET.fromstring(
        render(await calls.incoming(tg.engine.deps, line, call_form("CA12", "+442071234567")))
    )
    await calls.told(tg.engine.deps, "CA12")  # (what the runtime has the inbox do after the answer)
    _greeting, notice, dial = list(root)
    assert (
        notice.text == "This call may be recorded for your service."
        and notice.get("voice") == "Polly.Amy-Neural"
    )
    assert dial.get("record") == "record-from-answer-dual"
    assert dial.get("recordingStatusCallback") == f"{PUBLIC}/webhooks/twilio/voice/recording"
    url = f"{tg.tw.base_url}/2010-04-01/Accounts/{tg.tw.account_sid}/Recordings/RE9"
    tg.tw.recordings["RE9"] = b"ID3 conversation"
    form = call_form(
        "CA12", RecordingSid="RE9", RecordingUrl=url, RecordingDuration="75", RecordingSource="DialVerb"
    )
    await calls.recording(tg.engine.deps, form, "voice-recording:RE9")
    await tg.settle()
    (audio,) = [c for c in tg.fake.sent("sendAudio") if c.params.get("message_thread_id")]
    assert audio.params["caption"] == "📞 Recording of the call · 1:15"
    await tg.store.client.drop_database(db_name)


async def test_a_call_is_answered_first_and_its_topic_told_after_even_if_the_service_died_between(
    phone: Harness,
) -> None:
    """The answer goes as soon as the call is recorded; the topic hears of it through the inbox. A process
    that died between the record and the inbox leaves it to the call's end: the topic is told then, once."""
    tg = phone
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA20"))
    assert (await tg.store.inbox.get("voice-call:CA20")) is not None  # to be told after the answer
    await tg.settle()
    lines = tg.topic_texts(reads.thread(await client_of(tg, CALLER)))  # (a caller's number: no WhatsApp)
    assert sum(t.startswith("📞 Incoming call from") for t in lines) == 1
    assert tg.engine.deps.calls is not None
    other = "+971500000055"
    await calls.incoming(tg.engine.deps, tg.engine.deps.calls.line, call_form("CA21", other))  # then died
    for _ in range(2):  # (Twilio may post it twice)
        ended = call_form("CA21", other, CallStatus="completed", CallDuration="0")
        assert (await twilio(tg, "/webhooks/twilio/voice/status", ended)).status == 204
    await tg.settle()
    texts = tg.topic_texts(reads.thread(await client_of(tg, other)))
    assert sum(t.startswith("📞 Incoming call from") for t in texts) == 1


async def test_calls_arriving_together_each_ring_their_own_assistant_and_the_team_as_it_is(
    phone: Harness,
) -> None:
    """Answers made at the same moment share their reads of the team (storage/flights.py): each known caller
    still reaches their own assistant first, and a change to the team made before a call shows in its
    answer, whatever answers were under way."""
    tg = phone
    known = [f"+9715000001{n:02d}" for n in range(4)]
    for n, number in enumerate(known):
        await tg.wa(number, "Hello, I need a car tonight", name=f"Guest {n}")
    await tg.settle()
    own = {number: (await client_of(tg, number)).assistant_id for number in known}
    assert set(own.values()) == {"A-9001", "A-9002"}  # (both assistants have callers)
    phones = {"A-9001": ANNA_PHONE, "A-9002": OMAR_PHONE}

    async def wave(first: int) -> list[tuple[str, ET.Element]]:
        numbers = [*known, *(f"+9715000002{first + n:02d}" for n in range(4))]
        roots = await asyncio.gather(
            *(
                twiml(tg, "/webhooks/twilio/voice", call_form(f"CA{first + n}", number))
                for n, number in enumerate(numbers)
            )
        )
        return list(zip(numbers, roots, strict=True))

    for number, root in await wave(100):
        dial = root.find("Dial")
        assert dial is not None and dial[0].text in phones.values()
        if number in own:
            assert dial[0].text == phones[own[number]]
    await staff_admin.deactivate(tg.engine.deps, 9002)  # (as another instance would: in the store)
    for _number, root in await wave(200):
        assert [n.text for n in root.iter("Number")] == [ANNA_PHONE]  # Omar is rung by no call after it


async def test_a_caller_who_hangs_up_while_it_rings_is_a_missed_call_once(phone: Harness) -> None:
    """Found by hand: the topic kept '📞 Incoming call … → ringing Dmitri' and nothing after, as if the phone
    still rang. The call's end (its status callback) with no answer and no voicemail callback is a missed
    call, told once, whatever comes after; an answered call's end is no missed call."""
    tg = phone
    await tg.wa(CALLER, "hello", name="Layla")
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA30"))
    for _ in range(2):  # (Twilio may post it twice)
        ended = call_form("CA30", CallStatus="completed", CallDuration="9")
        assert (await twilio(tg, "/webhooks/twilio/voice/status", ended)).status == 204
    await tg.settle()
    client = await client_of(tg, CALLER)
    assert client is not None
    assert tg.topic_texts(reads.thread(client)).count("📞 Missed call · no voicemail") == 1
    await twiml(tg, "/webhooks/twilio/voice/voicemail", call_form("CA30"))  # (a late Record action)
    await tg.settle()
    assert tg.topic_texts(reads.thread(client)).count("📞 Missed call · no voicemail") == 1
    said = await tg.store.events.read(f"conversation:{client.id}")
    assert [e.data["call_sid"] for e in said if e.type is EventType.CALL_MISSED] == ["CA30"]

    await twiml(tg, "/webhooks/twilio/voice", call_form("CA31"))
    answered = call_form("CA31", DialCallStatus="completed", DialCallDuration="40")
    await twiml(tg, "/webhooks/twilio/voice/dial?leg=0", answered)
    ended = call_form("CA31", CallStatus="completed", CallDuration="45")
    assert (await twilio(tg, "/webhooks/twilio/voice/status", ended)).status == 204
    await tg.settle()
    assert tg.topic_texts(reads.thread(client)).count("📞 Missed call · no voicemail") == 1  # (CA30's only)
