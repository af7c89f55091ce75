"""Phone calls, pure: which language a caller is greeted in, which voice speaks it, and the order in which a
call's states may follow one another (status callbacks arrive late and out of order: never backwards)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

import phonenumbers

from domain.clients import Language
from domain.errors import InvalidValue
from domain.formats import duration
from domain.phones import to_e164

# where Arabic is the language people expect on the phone (the Gulf first: most of our callers)
ARABIC_REGIONS = frozenset(
    {
        "AE",
        "SA",
        "QA",
        "KW",
        "BH",
        "OM",
        "YE",
        "IQ",
        "JO",
        "LB",
        "SY",
        "PS",
        "EG",
        "LY",
        "TN",
        "DZ",
        "MA",
        "SD",
    }
)
RUSSIAN_REGIONS = frozenset({"RU", "KZ"})  # +7


def caller_language(e164: str) -> Language:
    """A new caller's language from their number: Arabic-speaking countries → Arabic, +7 → Russian, else
    English (they can change it on any channel later)."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return Language.EN
    if region in ARABIC_REGIONS:
        return Language.AR
    if region in RUSSIAN_REGIONS:
        return Language.RU
    return Language.EN


# what Twilio puts in From when the caller withholds their number
WITHHELD = frozenset(
    {"anonymous", "restricted", "private", "unknown", "blocked", "unavailable", "+266696687"}
)
WITHHELD_LANGUAGE = Language.EN  # an unknown caller has no country to go by


def withheld(raw: str) -> bool:
    """True when the caller's number is withheld or unreadable: an unknown caller, never an error."""
    if raw.strip().lower() in WITHHELD:
        return True
    try:
        to_e164(raw)
    except InvalidValue:
        return True
    return False


# a client asking to be phoned, in our three languages (word stems: "call me", "перезвоните", "اتصلوا بي")
CALL_ME = re.compile(
    r"\b(call|phone|ring) (me|us|back)\b|\bcall\b.*\b(me|back)\b|"
    r"\b(пере|по)звони(те)?\b|\bнаберите\b|\bзвонок\b|"
    r"اتصلوا|اتصل بي|كلمني|كلموني|مكالمة",
    re.IGNORECASE,
)


def asks_for_call(text: str) -> bool:
    return CALL_ME.search(text) is not None


# <Say> voices Twilio offers for each language (Amazon Polly): (voice, language)
VOICES: dict[Language, tuple[str, str]] = {
    Language.EN: ("Polly.Amy-Neural", "en-GB"),
    Language.AR: ("Polly.Hala-Neural", "ar-AE"),  # Gulf Arabic
    Language.RU: ("Polly.Tatyana", "ru-RU"),
}

# a call leg's states in the order they can happen; the last rank is every way of ending
RANKS = {
    "queued": 0,
    "initiated": 1,
    "ringing": 2,
    "in-progress": 3,
    "answered": 3,
    "completed": 4,
    "busy": 4,
    "no-answer": 4,
    "failed": 4,
    "canceled": 4,
}
ENDED = frozenset(state for state, rank in RANKS.items() if rank == 4)
ANSWERED = frozenset({"completed", "answered"})  # a <Dial> that connected (DialCallStatus)
DIAL_STATES = frozenset({"completed", "answered", "busy", "no-answer", "failed", "canceled"})
MAX_SECONDS = 86_400  # Twilio ends every call at 24 hours
SECONDS_FIELDS = ("CallDuration", "DialCallDuration", "RecordingDuration")


def seconds(form: dict[str, str], name: str) -> int:
    """A duration field as whole seconds (absent: 0); InvalidValue naming the field, never its value."""
    raw = form.get(name) or "0"
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or int(raw) > MAX_SECONDS:
        raise InvalidValue(f"{name} must be whole seconds from 0 to {MAX_SECONDS}")
    return int(raw)


def check_callback(form: dict[str, str]) -> None:
    """InvalidValue unless every duration and state a voice callback carries is one Twilio sends."""
    for name in SECONDS_FIELDS:
        seconds(form, name)
    if "CallStatus" in form and form["CallStatus"] not in RANKS:
        raise InvalidValue("CallStatus is not a call state")
    if "DialCallStatus" in form and form["DialCallStatus"] not in DIAL_STATES:
        raise InvalidValue("DialCallStatus is not a dial outcome")


def moves_forward(current: str | None, new: str) -> bool:
    """True when `new` may follow `current`: a late `ringing` never replaces `completed`."""
    if new not in RANKS:
        return False
    return current is None or RANKS[new] > RANKS.get(current, -1)


def duration_text(seconds: int, locale: str = "en") -> str:
    """A call's length in the topic, in the reader's language: '4 min 12 sec', '4 мин 12 с'."""
    return duration(max(0, seconds), locale)


# --- what a call is told to do next (rendered as TwiML by channels/voice) ---
@dataclass(frozen=True, slots=True)
class Spoken:
    """A sentence and the language it is in (the voice follows from it)."""

    text: str
    language: Language


@dataclass(frozen=True, slots=True)
class Ring:
    number: str  # the assistant's phone
    caller_id: str  # the concierge number: what the assistant sees
    action: str  # told how the ringing ended
    status_callback: str  # told each state of this leg
    recording_callback: str | None = None  # CALL_RECORDING=on: the conversation is recorded, and told here


@dataclass(frozen=True, slots=True)
class Voicemail:
    action: str  # told when the caller hung up
    recording_callback: str  # told when the recording is ready


@dataclass(frozen=True, slots=True)
class Answer:
    """Say these, then ring a phone, or take a voicemail; neither: hang up."""

    say: tuple[Spoken, ...] = ()
    ring: Ring | None = None
    voicemail: Voicemail | None = None


@dataclass(frozen=True, slots=True)
class VoiceLine:
    """The concierge number and where Twilio reaches us about a call (public, signed URLs)."""

    number: str
    base: str  # {PUBLIC_BASE_URL}/webhooks/twilio/voice
    recording: bool = False  # CALL_RECORDING=on: the caller hears a notice first

    def dial_action(self, leg: int) -> str:
        return f"{self.base}/dial?leg={leg}"

    def ring(self, number: str, leg: int) -> Ring:
        """Ring leg `leg` (with CALL_RECORDING=on, every leg's conversation is recorded)."""
        recorded = self.recording_status if self.recording else None
        return Ring(number, self.number, self.dial_action(leg), self.leg_status, recorded)

    def bridge(self, request: str) -> str:
        """Where /call's answered assistant is connected on: an event id (`…#3`) percent-encoded, since
        Twilio signs the URL it was given."""
        return f"{self.base}/bridge?{urlencode({'request': request}, safe=':')}"

    @property
    def leg_status(self) -> str:
        return f"{self.base}/status"

    @property
    def voicemail_action(self) -> str:
        return f"{self.base}/voicemail"

    @property
    def recording_status(self) -> str:
        return f"{self.base}/recording"
