"""A message fitted to WhatsApp (Twilio): no inline buttons — a link button becomes the link itself, the
others numbered choices the client answers with a digit; a text longer than 1,600 characters (Twilio refuses
it, error 21617) goes in parts; only photos, documents and videos up to 16 MB are sent as files."""

from __future__ import annotations

from domain.clients import Channel
from domain.messages import Kind
from domain.outbound import STORED, ChannelSpec, Composed, Message, Refusal, Translate
from domain.texts import WHATSAPP_MAX, split_text

MEDIA = frozenset({Kind.PHOTO, Kind.DOCUMENT, Kind.VIDEO})
MAX_BYTES = 16 * 1024 * 1024
NOT_SENT = "wa-not-sent"  # the staff text that says why


def degrade(message: Message, t: Translate) -> tuple[str, dict[str, str]]:
    """(text with links and numbered choices, {"1": button data, ...})."""
    if not message.buttons:
        return message.text, {}
    lines, choices = [message.text, ""], dict[str, str]()
    for row in message.buttons:
        for button in row:
            if button.app:
                continue  # a Telegram Mini App: WhatsApp clients open their page by a one-time link
            if button.url is not None:
                lines.append(f"{button.text}: {button.url}")
            elif button.data is not None:
                number = str(len(choices) + 1)
                choices[number] = button.data
                lines.append(f"{number} — {button.text}")
    if choices:
        lines += ["", t("choices-hint")]
    return "\n".join(lines), choices


def compose(message: Message, t: Translate) -> Composed:
    if message.media is not None or message.original is not None:
        media = message.media
        stored = bool(media and media.url and media.url.startswith(STORED))  # (sent from the console)
        if media is None or media.kind not in MEDIA or not (media.file_id or stored):
            kind = media.kind.value if media else Kind.OTHER.value
            return Composed(refused=Refusal(NOT_SENT, "kind", kind=kind))
        size = media.size or 0
        if size > MAX_BYTES:
            return Composed(refused=Refusal(NOT_SENT, "size", megabytes=str(size // 1024 // 1024)))
        return Composed((Message(text=message.text, media=media),))
    body, choices = degrade(message, t)
    parts = split_text(body, WHATSAPP_MAX)
    return Composed(
        tuple(Message(text=p, page_link=message.page_link if "{link}" in p else None) for p in parts), choices
    )


SPEC = ChannelSpec(Channel.WHATSAPP, compose, "wa")
