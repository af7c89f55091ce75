"""Telegram's sending limits. aiogram neither throttles nor retries, so the delivery worker keeps them — in
MongoDB (storage/budgets.py), shared by every instance on the store."""

from __future__ import annotations

from datetime import timedelta

PER_CHAT = timedelta(seconds=1)
GROUP_WINDOW, GROUP_LIMIT = timedelta(minutes=1), 20
GLOBAL_WINDOW, GLOBAL_LIMIT = timedelta(seconds=1), 30


def is_group(chat: str) -> bool:
    return chat.startswith("-")
