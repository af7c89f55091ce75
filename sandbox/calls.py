"""The sandbox's phone: it plays Twilio for a call. A persona calls the concierge number; the service's own
voice webhook (signed as Twilio signs) answers with TwiML, which this reads: whose phone rings (shown in the
forum pane with Answer / Decline), or a voicemail (the caller types it). Each step posts the callback Twilio
would post, so the service cannot tell the difference."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import aiohttp

from sandbox.twilio import FakeTwilio


@dataclass
class Call:
    sid: str
    persona: str
    number: str  # the caller's
    stage: str = "ringing"  # ringing | in-call | voicemail | ended
    ringing: str | None = None  # the phone that rings now
    said: list[str] = field(default_factory=list)
    action: str = ""  # where the ringing's (or the voicemail's) end is told
    recording_callback: str = ""
    answered_at: datetime | None = None
    outcome: str = ""


class SandboxPhone:
    def __init__(
        self, twilio: FakeTwilio, public_base_url: str, voice_number: str, now, id_base: int = 0
    ) -> None:
        self._twilio = twilio
        self._base = public_base_url
        self._number = voice_number
        self._now = now
        self._sids = itertools.count(id_base + 1)
        self.calls: dict[str, Call] = {}

    @property
    def current(self) -> Call | None:
        live = [c for c in self.calls.values() if c.stage != "ended"]
        return live[-1] if live else (list(self.calls.values())[-1] if self.calls else None)

    async def _post(self, url: str, params: dict[str, str]) -> str:
        params, headers = self._twilio.signed(url, params)
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=params, headers=headers) as response,
        ):
            return await response.text()

    def _form(self, call: Call, **extra: str) -> dict[str, str]:
        return {
            "CallSid": call.sid,
            "AccountSid": self._twilio.account_sid,
            "From": call.number,
            "To": self._number,
            "Direction": "inbound",
            **extra,
        }

    async def _leg(self, call: Call, state: str, seconds: int = 0) -> None:
        """A status callback for the leg that rings an assistant, as Twilio posts them."""
        if call.ringing is None:
            return
        leg = {"CallSid": f"{call.sid}-{call.ringing[-4:]}", "ParentCallSid": call.sid, "CallStatus": state}
        if seconds:
            leg["CallDuration"] = str(seconds)
        await self._post(f"{self._base}/webhooks/twilio/voice/status", leg)

    def _follow(self, call: Call, twiml: str) -> None:
        """Read what the service said to do next."""
        root = ET.fromstring(twiml)  # noqa: S314 — the TwiML our own service wrote
        call.said += [say.text or "" for say in root.iter("Say")]
        dial, record = root.find("Dial"), root.find("Record")
        if dial is not None:
            call.stage, call.ringing, call.action = "ringing", dial.findtext("Number"), dial.get("action", "")
        elif record is not None:
            call.stage, call.ringing = "voicemail", None
            call.action, call.recording_callback = (
                record.get("action", ""),
                record.get("recordingStatusCallback", ""),
            )
        else:
            call.stage, call.ringing = "ended", None

    async def place(self, persona: str, number: str) -> Call:
        call = Call(f"CA{next(self._sids):032x}", persona, number)
        self.calls[call.sid] = call
        url = f"{self._base}/webhooks/twilio/voice"
        self._follow(call, await self._post(url, self._form(call, CallStatus="ringing")))
        await self._leg(call, "ringing")
        return call

    async def answer(self, call: Call) -> None:
        if call.stage == "ringing":
            call.stage, call.answered_at = "in-call", self._now()
            await self._leg(call, "in-progress")

    async def decline(self, call: Call) -> None:
        if call.stage == "ringing":
            await self._leg(call, "busy")
            self._follow(call, await self._post(call.action, self._form(call, DialCallStatus="busy")))
            await self._leg(call, "ringing")  # the next phone, if there is one

    async def hang_up(self, call: Call) -> None:
        """The caller hangs up: what Twilio posts then, the call's own end (its status callback) last."""
        if call.stage == "in-call" and call.answered_at is not None:
            seconds = str(max(1, int((self._now() - call.answered_at).total_seconds())))
            await self._leg(call, "completed", int(seconds))
            done = self._form(call, DialCallStatus="completed", DialCallDuration=seconds)
            self._follow(call, await self._post(call.action, done))
            call.outcome = "talked"
        elif call.stage in ("ringing", "voicemail"):
            await self._leg(call, "canceled")  # (the assistant's phone stops ringing)
            call.stage, call.outcome = "ended", "hung up"
        else:
            return
        ended = self._form(call, CallStatus="completed")
        await self._post(f"{self._base}/webhooks/twilio/voice/status", ended)

    async def leave_voicemail(self, call: Call, text: str) -> None:
        """A typed "voicemail": kept by the fake Twilio as the recording's audio, then both callbacks."""
        if call.stage != "voicemail":
            return
        recording = f"RE{next(self._sids):032x}"
        self._twilio.recordings[recording] = text.encode()
        api = self._twilio.base_url
        url = f"{api}/2010-04-01/Accounts/{self._twilio.account_sid}/Recordings/{recording}"
        seconds = str(max(1, len(text) // 12))
        ready = self._form(call, RecordingSid=recording, RecordingUrl=url, RecordingDuration=seconds)
        self._follow(call, await self._post(call.action, ready))
        await self._post(call.recording_callback, ready)
        call.stage, call.outcome = "ended", "voicemail"

    def state(self, names: dict[str, str]) -> dict:
        call = self.current
        if call is None:
            return {"call": None}
        return {
            "call": {
                "sid": call.sid,
                "persona": call.persona,
                "stage": call.stage,
                "ringing": names.get(call.ringing or "", "") if call.ringing else None,
                "said": call.said,
                "outcome": call.outcome,
                "path": urlsplit(call.action).path,
            }
        }
