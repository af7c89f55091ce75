"""The TwiML a call is answered with, read back as XML: the greeting in the caller's language and voice, the
assistant rung from the concierge number, the voicemail bounded, a hang-up when nothing is left to do."""

import xml.etree.ElementTree as ET

from channels.voice.twiml import render
from domain.calls import Answer, Ring, Spoken, Voicemail
from domain.clients import Language
from engine.i18n import translator

BASE = "https://concierge.example/webhooks/twilio/voice"


def test_a_caller_is_greeted_in_their_language_and_their_assistant_is_rung() -> None:
    greeting = Spoken(translator()(Language.AR, "voice-greeting", assistant="Amira"), Language.AR)
    ring = Ring("+79161234567", "+74951234567", f"{BASE}/dial?leg=0", f"{BASE}/status")
    root = ET.fromstring(render(Answer((greeting,), ring=ring)))
    say, dial = list(root)
    assert (say.tag, say.get("voice"), say.get("language")) == ("Say", "Polly.Hala-Neural", "ar-AE")
    assert "Amira" in say.text and say.text.startswith("مرحبًا")
    assert dial.tag == "Dial" and dial.get("callerId") == "+74951234567" and dial.get("timeout") == "20"
    assert dial.get("action") == f"{BASE}/dial?leg=0" and dial.get("answerOnBridge") == "true"
    (number,) = list(dial)
    assert number.text == "+79161234567" and number.get("statusCallback") == f"{BASE}/status"
    assert number.get("statusCallbackEvent") == "initiated ringing answered completed"


def test_nobody_answering_leads_to_a_bounded_voicemail() -> None:
    prompt = Spoken(translator()(Language.RU, "voice-voicemail-prompt"), Language.RU)
    xml = render(Answer((prompt,), voicemail=Voicemail(f"{BASE}/voicemail", f"{BASE}/recording")))
    say, record = list(ET.fromstring(xml))
    assert say.get("voice") == "Polly.Tatyana" and "сигнала" in say.text
    assert record.get("maxLength") == "120" and record.get("playBeep") == "true"
    assert record.get("recordingStatusCallback") == f"{BASE}/recording"
    assert record.get("recordingStatusCallbackEvent") == "completed"
    assert [e.tag for e in ET.fromstring(render(Answer()))] == ["Hangup"]
