"""Twilio's inbound WhatsApp form → who wrote and what, in our terms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.clients import Channel, ChannelIdentity
from domain.errors import InvalidValue
from domain.messages import Inbound, Kind, Person, language_of_script
from domain.phones import to_e164

MAX_MEDIA = 10  # Twilio's limit of media in one WhatsApp message
KINDS = {
    "image": Kind.PHOTO,
    "video": Kind.VIDEO,
    "audio": Kind.VOICE,
    "application": Kind.DOCUMENT,
    "text": Kind.DOCUMENT,
}


def sender(form: Mapping[str, str]) -> str:
    """The sender's number in E.164."""
    raw = form.get("From", "")
    if not raw.startswith("whatsapp:"):
        raise InvalidValue("not a WhatsApp sender")
    return to_e164(raw)


def media_count(form: Mapping[str, str]) -> int:
    """NumMedia, which Twilio caps at MAX_MEDIA: a larger or unreadable count is not Twilio's."""
    raw = form.get("NumMedia") or "0"
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 2 and int(raw) <= MAX_MEDIA):
        raise InvalidValue(f"NumMedia is not a count of 0 to {MAX_MEDIA}")
    return int(raw)


def normalise(form: Mapping[str, str]) -> tuple[Person, Inbound]:
    number = sender(form)
    body = form.get("Body") or ""
    language = language_of_script(body)
    name = (form.get("ProfileName") or "").strip() or "Guest"
    person = Person(
        ChannelIdentity(Channel.WHATSAPP, number), name, None, language.value if language else None
    )
    media = [
        {"url": form[f"MediaUrl{i}"], "content_type": form.get(f"MediaContentType{i}", "")}
        for i in range(media_count(form))
        if form.get(f"MediaUrl{i}")
    ]
    extra: dict[str, Any] | None
    if media:
        kind = KINDS.get(media[0]["content_type"].split("/")[0], Kind.DOCUMENT)
        extra = {"media": media}
    elif form.get("Latitude") and form.get("Longitude"):
        kind, extra = Kind.LOCATION, {"latitude": form["Latitude"], "longitude": form["Longitude"]}
    else:
        kind, extra = Kind.TEXT, None
    message = Inbound(kind, body or None, number, form["MessageSid"], extra=extra, channel=Channel.WHATSAPP)
    return person, message
