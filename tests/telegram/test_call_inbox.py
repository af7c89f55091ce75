"""A call's state and its recording owe Twilio no answer: through the real endpoints, signed as Twilio signs,
each is stored in the inbox before the 204 and recorded by the inbox worker, once, in arrival order per call;
a worker that fails or dies half-way is finished by another."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from domain.events import EventType
from engine.conversation import calls
from engine.team import admin as staff_admin
from tests.harness import PUBLIC, Harness, start_harness
from tests.telegram.test_calls import ANNA_PHONE, CALLER, OMAR_PHONE, call_form, client_of, twilio, twiml

VOICE_SOURCES = {"source": {"$in": ["voice-status", "voice-recording"]}}


@pytest.fixture
async def phone(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock) -> Harness:
    tg = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, voice=True)
    await staff_admin.add(tg.store, 9001, "Anna", "en,ru,ar", lead=True, phone=ANNA_PHONE)
    await staff_admin.add(tg.store, 9002, "Omar", "ar,en", phone=OMAR_PHONE)
    yield tg
    await tg.store.client.drop_database(db_name)


def leg(sid: str, state: str, **extra: str) -> dict[str, str]:
    return {"CallSid": f"{sid}-leg", "ParentCallSid": sid, "CallStatus": state, **extra}


async def to_voicemail(tg: Harness, sid: str, recording: str) -> dict[str, str]:
    """A call nobody answered, its caller's voicemail left: the recording callback Twilio will post."""
    await twiml(tg, "/webhooks/twilio/voice", call_form(sid))
    for n, status in enumerate(("no-answer", "busy")):
        await twiml(tg, f"/webhooks/twilio/voice/dial?leg={n}", call_form(sid, DialCallStatus=status))
    url = f"{tg.tw.base_url}/2010-04-01/Accounts/{tg.tw.account_sid}/Recordings/{recording}"
    tg.tw.recordings[recording] = b"ID3 fake mp3"
    left = call_form(sid, RecordingUrl=url, RecordingDuration="42", RecordingSid=recording)
    await twiml(tg, "/webhooks/twilio/voice/voicemail", left)
    await tg.settle()
    return left


async def leg_states(tg: Harness, sid: str) -> list[str]:
    return [
        e.data["state"]
        for e in await tg.store.events.read(f"call:{sid}")
        if e.type is EventType.CALL_LEG_STATUS
    ]


async def voicemails(tg: Harness) -> list[Any]:
    client = await client_of(tg, CALLER)
    events = await tg.store.events.read(f"conversation:{client['_id']}")
    return [e for e in events if e.type is EventType.VOICEMAIL_RECORDED]


def audio_posts(tg: Harness) -> list[str]:
    return [
        c.params.get("caption", "") for c in tg.fake.sent("sendAudio") if c.params.get("message_thread_id")
    ]


async def test_a_leg_state_is_stored_before_the_204_and_recorded_by_the_inbox(phone: Harness) -> None:
    tg = phone
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA50"))
    form = leg("CA50", "completed", CallDuration="61")
    assert (await twilio(tg, "/webhooks/twilio/voice/status", form)).status == 204
    stored = await tg.store.inbox.get("voice-status:CA50-leg:completed")
    assert stored is not None and stored["status"] == "pending"  # kept, unprocessed: a crash loses nothing
    assert (stored["source"], stored["key"], stored["payload"]) == ("voice-status", "call:CA50", form)
    assert await leg_states(tg, "CA50") == []
    await tg.settle()
    (event,) = [e for e in await tg.store.events.read("call:CA50") if e.type is EventType.CALL_LEG_STATUS]
    assert (event.data["state"], event.data["seconds"], event.cause) == (
        "completed",
        61,
        "voice-status:CA50-leg:completed",  # the inbox id is the cause: processed again, nothing new
    )
    assert (await tg.store.inbox.get("voice-status:CA50-leg:completed"))["status"] == "done"


async def test_a_recording_is_stored_before_the_204_and_posted_by_the_inbox(phone: Harness) -> None:
    tg = phone
    ready = await to_voicemail(tg, "CA51", "RE51")
    assert (await twilio(tg, "/webhooks/twilio/voice/recording", ready)).status == 204
    stored = await tg.store.inbox.get("voice-recording:RE51")
    assert stored is not None and (stored["status"], stored["key"]) == ("pending", "call:CA51")
    assert await voicemails(tg) == [] and audio_posts(tg) == []
    await tg.settle()
    assert [e.cause for e in await voicemails(tg)] == ["voice-recording:RE51"]
    assert audio_posts(tg) == ["📞 Missed call · voicemail 0:42"]


async def test_a_repeated_callback_is_stored_and_recorded_once_even_twice_at_once(phone: Harness) -> None:
    tg = phone
    ready = await to_voicemail(tg, "CA52", "RE52")
    ringing = leg("CA52", "ringing")
    for path, form in (("status", ringing), ("recording", ready)):
        params, headers = tg.tw.signed(f"{PUBLIC}/webhooks/twilio/voice/{path}", form)
        post = f"/webhooks/twilio/voice/{path}"
        at_once = await asyncio.gather(*(tg.http.post(post, data=params, headers=headers) for _ in range(2)))
        again = await twilio(tg, post, form)  # and Twilio retried later
        assert [r.status for r in (*at_once, again)] == [204, 204, 204]
    assert await tg.store.db["inbox"].count_documents(VOICE_SOURCES) == 2
    await tg.settle()
    assert await leg_states(tg, "CA52") == ["ringing"]
    assert len(await voicemails(tg)) == 1 and audio_posts(tg) == ["📞 Missed call · voicemail 0:42"]
    assert tg.tw.recordings_fetched == ["RE52.mp3"]


async def test_a_forged_call_state_or_recording_is_refused_and_nothing_stored(phone: Harness) -> None:
    tg = phone
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA53"))
    recording = call_form("CA53", RecordingSid="RE53", RecordingUrl=f"{tg.tw.base_url}/Recordings/RE53")
    for path, form in (("status", leg("CA53", "completed")), ("recording", recording)):
        for signature in ("", "Zm9yZ2Vk"):
            response = await twilio(tg, f"/webhooks/twilio/voice/{path}", form, signature=signature)
            assert response.status == 403
    assert await tg.store.db["inbox"].count_documents(VOICE_SOURCES) == 0
    await tg.settle()
    assert await leg_states(tg, "CA53") == []


async def test_states_of_one_call_are_recorded_in_the_order_they_arrived(phone: Harness) -> None:
    tg = phone
    await twiml(tg, "/webhooks/twilio/voice", call_form("CA54"))
    for state in ("ringing", "in-progress", "completed"):  # stored, none processed yet
        assert (await twilio(tg, "/webhooks/twilio/voice/status", leg("CA54", state))).status == 204
    assert await tg.store.inbox.keys_with_work() == ["call:CA54"]  # one lane for the call
    await tg.settle()
    # out of order, `completed` first would have left the earlier states unrecorded (never backwards)
    assert await leg_states(tg, "CA54") == ["ringing", "in-progress", "completed"]


async def test_a_handler_failing_half_way_is_retried_and_completes_once(phone: Harness) -> None:
    tg = phone
    ready = await to_voicemail(tg, "CA55", "RE55")
    delivered = tg.dies_before_storing_deliveries()  # recorded, then the process fails before the audio
    assert (await twilio(tg, "/webhooks/twilio/voice/recording", ready)).status == 204
    await tg.settle()
    assert delivered["n"] == 2  # the first try failed half-way; the inbox worker tried again
    assert (await tg.store.inbox.get("voice-recording:RE55"))["attempts"] == 2
    assert len(await voicemails(tg)) == 1 and audio_posts(tg) == ["📞 Missed call · voicemail 0:42"]


async def test_a_callback_whose_worker_died_after_doing_it_is_finished_once_by_another(
    phone: Harness,
) -> None:
    tg = phone
    ready = await to_voicemail(tg, "CA56", "RE56")
    await twilio(tg, "/webhooks/twilio/voice/recording", ready)
    item = await tg.store.inbox.claim_head("call:CA56", "a-worker-that-died", timedelta(minutes=2))
    assert item is not None
    await calls.recording(tg.engine.deps, item.payload, item.id)  # it did the work, and died before `done`
    tg.clock.advance(minutes=3)  # its lease runs out
    await tg.settle()
    assert (await tg.store.inbox.get("voice-recording:RE56"))["status"] == "done"
    assert len(await voicemails(tg)) == 1 and audio_posts(tg) == ["📞 Missed call · voicemail 0:42"]


async def test_a_recording_that_fails_for_good_is_told_in_the_callers_topic_and_can_be_retried(
    phone: Harness,
) -> None:
    tg = phone
    ready = await to_voicemail(tg, "CA57", "RE57")
    deliver = tg.engine.deps.deliver

    async def refuses(*deliveries: Any) -> None:
        if any(d.payload.get("url") for d in deliveries):  # the audio only: the notice still goes
            raise ValueError("a bug")  # not a passing fault: set aside at once
        await deliver(*deliveries)

    tg.engine.deps.deliver = refuses
    await twilio(tg, "/webhooks/twilio/voice/recording", ready)
    await tg.process_inbox()
    tg.engine.deps.deliver = deliver
    await tg.settle()
    assert (await tg.store.inbox.get("voice-recording:RE57"))["status"] == "failed"
    thread = (await client_of(tg, CALLER))["topic_thread_id"]
    (told,) = [line for line in tg.topic_texts(thread) if "set aside" in line]
    assert "concierge inbox retry voice-recording:RE57" in told  # in the caller's topic, not General
    assert audio_posts(tg) == []
    assert await tg.store.inbox.retry_failed("voice-recording:RE57")
    await tg.settle()
    assert len(await voicemails(tg)) == 1 and audio_posts(tg) == ["📞 Missed call · voicemail 0:42"]
