"""Telegram's sending limits. aiogram neither throttles nor retries, so the delivery worker keeps them — in
MongoDB (storage/budgets.py), shared by every instance on the store."""

from __future__ import annotations

from datetime import timedelta

# what Telegram enforces (Bot FAQ; Telegram's developers add that an edit is charged like a message — the 20 a
# minute in a group are messages and edits together — and that a topic's creation is a message)
PER_CHAT = timedelta(seconds=1)
GROUP_WINDOW, GROUP_LIMIT = timedelta(minutes=1), 20
GLOBAL_WINDOW, GLOBAL_LIMIT = timedelta(seconds=1), 30

# what we keep to. Telegram counts a message when it receives it, so our intervals run from the answer to the
# previous request, and keep a margin for the network between our clock and Telegram's: a 429 costs far more
# than the margin (every 429 measured without it came 0.74–0.999 s after the previous send).
MARGIN = timedelta(milliseconds=150)
KEEP_PER_CHAT = timedelta(milliseconds=1100)
KEEP_GROUP_LIMIT = GROUP_LIMIT - 1  # one message of margin a minute: 19 sends in any 60 s
CARD_INTERVAL = timedelta(seconds=10)  # one card is edited at most this often; changes in between coalesce


def is_group(chat: str) -> bool:
    return chat.startswith("-")
