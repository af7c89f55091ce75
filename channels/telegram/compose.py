"""A message fitted to Telegram: buttons stay (the sender makes them an inline keyboard, or a reply keyboard
for sharing one's number), a text longer than 4,096 characters goes in parts with the buttons on the last;
a message that came from Telegram is copied as it is."""

from __future__ import annotations

from dataclasses import replace

from domain.clients import Channel
from domain.outbound import ChannelSpec, Composed, Message, Translate
from domain.texts import TELEGRAM_MAX, split_text


def compose(message: Message, _t: Translate) -> Composed:
    if message.original is not None:  # copied as it is, caption included (unless translated: `recaption`)
        caption = message.text if message.recaption else ""
        return Composed((replace(message, text=caption, buttons=(), media=None),))
    if message.media is not None:
        return Composed((message,))
    texts = split_text(message.text, TELEGRAM_MAX)
    last = len(texts) - 1
    return Composed(
        tuple(
            replace(message, text=text, buttons=message.buttons if k == last else ())
            for k, text in enumerate(texts)
        )
    )


SPEC = ChannelSpec(Channel.TELEGRAM, compose, "tg")
