"""The toy's own rules: no inline buttons — each becomes a bracketed word the client answers with the word —
and at most 120 characters a message."""

from __future__ import annotations

from domain.clients import Channel
from domain.outbound import ChannelSpec, Composed, Message, Refusal, Translate
from domain.texts import split_text

LIMIT = 120


def compose(message: Message, _t: Translate) -> Composed:
    if message.media is not None or message.original is not None:
        kind = message.media.kind.value if message.media else "file"
        return Composed(refused=Refusal("wa-not-sent", "kind", kind=kind))
    choices = {b.text.lower(): b.data for row in message.buttons for b in row if b.data is not None}
    links = [f"{b.text} <{b.url}>" for row in message.buttons for b in row if b.url is not None]
    words = " ".join(f"[{b.text}]" for row in message.buttons for b in row if b.data is not None)
    text = "\n".join(part for part in (message.text, words, *links) if part)
    return Composed(tuple(Message(text=part) for part in split_text(text, LIMIT)), choices)


SPEC = ChannelSpec(Channel.TOY, compose, "toy")
