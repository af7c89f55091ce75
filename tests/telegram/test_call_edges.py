"""The phone at its edges, through the real webhook endpoints signed as Twilio signs them: every leg recorded
when recording is on, numbers and states that make no sense refused with nothing kept."""

import asyncio
import xml.etree.ElementTree as ET
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from channels.voice.twiml import render
from domain.errors import InvalidValue
from domain.events import SYSTEM, EventType
from engine import queries as q
from engine.conversation import calls
from engine.team import admin as staff_admin
from tests import reads
from tests.harness import PUBLIC, STAFF_CHAT, VOICE_NUMBER, Harness, start_harness
from tests.telegram.test_calls import ANNA_PHONE, CALLER, OMAR_PHONE, call_form, client_of, twilio, twiml
from tests.telegram.test_clock import escalations_thread


@pytest.fixture
async def phone(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock) -> Harness:
    tg = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, voice=True)
    await staff_admin.add(tg.engine.deps, 9001, "Anna", "en,ru,ar", lead=True, phone=ANNA_PHONE)
    await staff_admin.add(tg.engine.deps, 9002, "Omar", "ar,en", phone=OMAR_PHONE)
    yield tg
    await tg.store.client.drop_database(db_name)


async def test_with_recording_on_the_next_assistants_dial_is_recorded_too(phone: Harness) -> None:
    tg = phone
    assert tg.engine.deps.calls is not None
    line = replace(tg.engine.deps.calls.line, recording=True)  # (as CALL_RECORDING=on sets it)
    first = ET.fromstring(render(await calls.incoming(tg.engine.deps, line, call_form("CA20"))))
    assert first[-1].get("record") == "record-from-answer-dual"
    no_answer = call_form("CA20", DialCallStatus="no-answer")
    (dial,) = list(ET.fromstring(render(await calls.dialled(tg.engine.deps, line, 0, no_answer))))
    assert dial.tag == "Dial" and dial.get("record") == "record-from-answer-dual"
    assert dial.get("recordingStatusCallback") == f"{PUBLIC}/webhooks/twilio/voice/recording"


BAD_NUMBERS = [
    ("/webhooks/twilio/voice/status", {"CallStatus": "completed", "CallDuration": "abc"}),
    ("/webhooks/twilio/voice/status", {"CallStatus": "completed", "CallDuration": "1e9"}),
    ("/webhooks/twilio/voice/status", {"CallStatus": "completed", "CallDuration": "-5"}),
    ("/webhooks/twilio/voice/status", {"CallStatus": "completed", "CallDuration": "9" * 40}),
    ("/webhooks/twilio/voice/status", {"CallStatus": "exploded"}),
    ("/webhooks/twilio/voice/status", {"CallStatus": ""}),
    ("/webhooks/twilio/voice/dial?leg=0", {"DialCallStatus": "completed", "DialCallDuration": "abc"}),
    ("/webhooks/twilio/voice/dial?leg=0", {"DialCallStatus": "completed", "DialCallDuration": "9" * 40}),
    ("/webhooks/twilio/voice/dial?leg=0", {"DialCallStatus": "sideways"}),
    ("/webhooks/twilio/voice/voicemail", {"RecordingDuration": "abc"}),
    ("/webhooks/twilio/voice/voicemail", {"RecordingDuration": "-5"}),
    ("/webhooks/twilio/voice/recording", {"RecordingSid": "RE1", "RecordingDuration": "abc"}),
    ("/webhooks/twilio/voice/recording", {"RecordingSid": "RE1", "RecordingDuration": "9" * 40}),
]


@pytest.mark.parametrize(("path", "fields"), BAD_NUMBERS)
async def test_a_callback_with_a_number_or_state_that_makes_no_sense_is_refused_and_nothing_kept(
    phone: Harness, path: str, fields: dict[str, str]
) -> None:
    tg = phone
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA21"))
    before = await reads.event_count(tg.store)
    form = {"CallSid": "CA21", "RecordingUrl": f"{tg.tw.base_url}/Recordings/RE1", **fields}
    if path.endswith("/status"):
        form = {"CallSid": "CA21-leg", "ParentCallSid": "CA21", **fields}
    response = await twilio(tg, path, form)
    assert response.status == 400, await response.text()
    error = (await response.json())["error"]
    assert error["code"] == "bad_request" and "9" * 20 not in error["message"]
    assert await reads.event_count(tg.store) == before
    for source in ("voice-status", "voice-recording"):
        assert await tg.store.inbox.count(source=source) == 0


async def test_good_numbers_still_pass(phone: Harness) -> None:
    tg = phone
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA22"))
    form = {"CallSid": "CA22-leg", "ParentCallSid": "CA22", "CallStatus": "completed", "CallDuration": "0"}
    assert (await twilio(tg, "/webhooks/twilio/voice/status", form)).status == 204


async def test_the_event_log_refuses_an_integer_it_cannot_store_with_a_clear_domain_error(
    phone: Harness,
) -> None:
    tg = phone
    before = await reads.event_count(tg.store)
    with pytest.raises(InvalidValue, match="64 bits"):
        await tg.engine.deps.record(
            "call:CA23", EventType.CALL_LEG_STATUS, {"seconds": 10**40}, SYSTEM, "test:overflow"
        )
    assert await reads.event_count(tg.store) == before


def escalation_posts(tg: Harness) -> list[dict]:
    thread = escalations_thread(tg)
    return tg.fake.topic_messages(STAFF_CHAT, thread) if thread else []


@pytest.mark.parametrize("withheld", ["anonymous", "+266696687", "restricted"])
async def test_a_withheld_caller_is_greeted_rung_through_and_their_voicemail_told_once(
    phone: Harness, withheld: str
) -> None:
    tg = phone
    root = await twiml(tg, "/webhooks/twilio/voice", call_form("CA30", withheld))
    say, dial = list(root)
    assert say.get("voice") == "Polly.Amy-Neural" and "Omar" in say.text  # in English; the lead last
    assert dial[0].text == OMAR_PHONE and dial.get("callerId") == VOICE_NUMBER
    events = await reads.event_count(tg.store)
    assert ET.tostring(await twiml(tg, "/webhooks/twilio/voice", call_form("CA30", withheld))) == (
        ET.tostring(root)
    )  # Twilio retried: the same answer, nothing new
    assert await reads.event_count(tg.store) == events
    (nxt,) = list(
        await twiml(
            tg, "/webhooks/twilio/voice/dial?leg=0", call_form("CA30", withheld, DialCallStatus="busy")
        )
    )
    assert nxt[0].text == ANNA_PHONE
    no_answer = call_form("CA30", withheld, DialCallStatus="no-answer")
    prompt, record = list(await twiml(tg, "/webhooks/twilio/voice/dial?leg=1", no_answer))
    assert prompt.get("voice") == "Polly.Amy-Neural" and record.tag == "Record"
    url = f"{tg.tw.base_url}/2010-04-01/Accounts/{tg.tw.account_sid}/Recordings/RE30"
    tg.tw.recordings["RE30"] = b"ID3 fake mp3"
    left = call_form("CA30", withheld, RecordingUrl=url, RecordingDuration="42", RecordingSid="RE30")
    assert [e.tag for e in await twiml(tg, "/webhooks/twilio/voice/voicemail", left)] == ["Hangup"]
    for _ in range(2):  # the recording callback, retried
        assert (await twilio(tg, "/webhooks/twilio/voice/recording", left)).status == 204
    await tg.settle()
    assert await reads.clients(tg.store) == []  # nobody's client: none made
    posts = escalation_posts(tg)
    assert [p.get("caption") for p in posts if "audio" in p] == [
        "📞 Missed call from a withheld number · voicemail 0:42"
    ]
    assert not [p for p in posts if "withheld" in p.get("text", "")]  # one call, one notice


async def test_a_withheld_call_answered_or_hung_up_is_one_line_in_escalations(phone: Harness) -> None:
    tg = phone
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA31", "anonymous"))
    done = call_form("CA31", "anonymous", DialCallStatus="completed", DialCallDuration="252")
    assert [e.tag for e in await twiml(tg, "/webhooks/twilio/voice/dial?leg=0", done)] == ["Hangup"]
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA32", "restricted"))
    for leg in (0, 1):
        gone = call_form("CA32", "restricted", DialCallStatus="no-answer")
        await twiml(tg, f"/webhooks/twilio/voice/dial?leg={leg}", gone)
    await twiml(tg, "/webhooks/twilio/voice/voicemail", call_form("CA32", "restricted"))
    await twiml(tg, "/webhooks/twilio/voice/voicemail", call_form("CA32", "restricted"))  # retried
    await tg.settle()
    lines = [p["text"] for p in escalation_posts(tg) if "text" in p]
    assert lines == [
        "📞 Call from a withheld number with Omar · 4 min 12 sec",
        "📞 Missed call from a withheld number · no voicemail",
    ]
    assert await reads.clients(tg.store) == []


async def placed_call(tg: Harness) -> tuple[dict, dict]:
    """A client wrote on WhatsApp, their assistant wrote /call in the topic: the call Twilio was asked for."""
    await tg.wa(CALLER, "Please call me about the car", name="Layla")
    await tg.settle()
    client = await client_of(tg, CALLER)
    staff = {"id": int(client.assistant_id.split("-")[1]), "is_bot": False, "first_name": "Staff"}
    thread = reads.thread(client)
    await tg.send(tg.fake.user_message(staff, chat_id=STAFF_CHAT, thread_id=thread, text="/call"))
    await tg.settle()
    (placed,) = tg.tw.calls
    return placed, client


async def test_the_bridge_url_is_percent_encoded_and_answers_at_the_url_twilio_signs(phone: Harness) -> None:
    tg = phone
    placed, _client = await placed_call(tg)
    url = urlsplit(placed["Url"])
    assert "#" not in placed["Url"] and url.fragment == ""
    assert parse_qs(url.query)["request"][0].startswith("conversation:")  # the whole id, `#` and all
    (dial,) = list(await twiml(tg, f"{url.path}?{url.query}", {"CallSid": placed["sid"]}))
    assert dial[0].text == CALLER


async def test_a_client_who_does_not_answer_a_call_back_is_told_to_the_assistant_not_voicemail(
    phone: Harness,
) -> None:
    tg = phone
    placed, client = await placed_call(tg)
    await twiml(tg, "/webhooks/twilio/voice/bridge", {"CallSid": placed["sid"], "CallStatus": "in-progress"})
    missed = {"CallSid": placed["sid"], "DialCallStatus": "no-answer"}
    said = list(await twiml(tg, "/webhooks/twilio/voice/dial?leg=0", missed))
    assert [e.tag for e in said] == ["Say", "Hangup"]  # no <Record>: the assistant leaves no voicemail
    assert said[0].get("voice") == "Polly.Amy-Neural" and "did not answer" in said[0].text
    assert "leave a message" not in said[0].text
    await tg.settle()
    lines = tg.topic_texts(reads.thread(client))
    assert sum(line.endswith("did not answer (no-answer)") for line in lines) == 1
    assert "📞 Nobody answered → voicemail" not in lines


async def test_the_same_call_twice_at_once_is_answered_alike_and_kept_once(phone: Harness) -> None:
    """Twilio retrying while the first attempt is in flight, or two instances behind a balancer: nothing is
    read before the answer is decided, so the call's record decides (its first event, once per CallSid)."""
    tg = phone
    await tg.wa(CALLER, "Hello, I need a car tonight", name="Layla")
    await tg.settle()
    new = "+971500000042"
    for sid, number in (("CA40", CALLER), ("CA41", new), ("CA42", "anonymous")):
        params, headers = tg.tw.signed(f"{PUBLIC}/webhooks/twilio/voice", call_form(sid, number))
        both = await asyncio.gather(
            *(tg.http.post("/webhooks/twilio/voice", data=params, headers=headers) for _ in range(2))
        )
        said = [await response.text() for response in both]
        assert [r.status for r in both] == [200, 200] and said[0] == said[1] and "<Dial" in said[0], said
        kept = [e for e in await tg.store.events.read(f"call:{sid}") if e.type is EventType.CALL_RECEIVED]
        assert len(kept) == 1, sid
    await tg.settle()  # (a new number is registered after the answer)
    (client,) = await q.clients_with_phone(tg.store, new)  # one client for the new number
    told = [e.type for e in await tg.store.events.read(f"client:{client.id}")]
    assert told.count(EventType.CLIENT_REGISTERED) == told.count(EventType.CLIENT_ASSIGNED) == 1
    for number in (CALLER, new):
        lines = tg.topic_texts(reads.thread(await client_of(tg, number)))
        assert sum(line.startswith("📞 Incoming call from") for line in lines) == 1, lines
