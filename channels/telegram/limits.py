"""Telegram's sending limits. aiogram neither throttles nor retries, so the delivery worker keeps them — in
MongoDB (storage/budgets.py), shared by every instance on the store."""

from __future__ import annotations

from datetime import timedelta

PER_CHAT = timedelta(seconds=1)
GROUP_WINDOW, GROUP_LIMIT = timedelta(minutes=1), 20
GLOBAL_WINDOW, GLOBAL_LIMIT = timedelta(seconds=1), 30
# what we keep to: a little wider than Telegram's windows, so that network jitter between our clock and
# Telegram's never makes two sends arrive closer than allowed (a 429 costs far more than the margin)
MARGIN = timedelta(milliseconds=150)


def is_group(chat: str) -> bool:
    return chat.startswith("-")
