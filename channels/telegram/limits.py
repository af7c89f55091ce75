"""Telegram's sending budgets, kept on our side because aiogram neither throttles nor retries."""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime, timedelta

PER_CHAT = timedelta(seconds=1)
GROUP_WINDOW, GROUP_LIMIT = timedelta(minutes=1), 20
GLOBAL_WINDOW, GLOBAL_LIMIT = timedelta(seconds=1), 30


def is_group(chat: str) -> bool:
    return chat.startswith("-")


class Budget:
    """When may the next message go to `chat`? 1/s per chat, 20/min per group, 30/s overall, and whatever a
    429 told us. `reserve` takes a slot; the caller only sends when `next_slot(chat, now) <= now`."""

    def __init__(self) -> None:
        self._chat_sends: dict[str, deque[datetime]] = defaultdict(deque)
        self._all_sends: deque[datetime] = deque()
        self._blocked_until: dict[str | None, datetime] = {}
        self._group_exhausted_at: dict[str, datetime] = {}

    def next_slot(self, chat: str, now: datetime) -> datetime:
        slots = [now, self._blocked_until.get(None, now), self._blocked_until.get(chat, now)]
        sends = self._chat_sends[chat]
        if sends:
            slots.append(sends[-1] + PER_CHAT)
        if is_group(chat):
            recent = [t for t in sends if now - t < GROUP_WINDOW]
            if len(recent) >= GROUP_LIMIT:
                slots.append(recent[-GROUP_LIMIT] + GROUP_WINDOW)
                self._group_exhausted_at[chat] = now
        while self._all_sends and now - self._all_sends[0] >= GLOBAL_WINDOW:
            self._all_sends.popleft()
        if len(self._all_sends) >= GLOBAL_LIMIT:
            slots.append(self._all_sends[-GLOBAL_LIMIT] + GLOBAL_WINDOW)
        return max(slots)

    def reserve(self, chat: str, now: datetime) -> None:
        sends = self._chat_sends[chat]
        sends.append(now)
        while len(sends) > GROUP_LIMIT:
            sends.popleft()
        self._all_sends.append(now)

    def block(self, chat: str | None, until: datetime) -> None:
        """A 429: nothing more to `chat` (None: to anyone) before `until`."""
        self._blocked_until[chat] = max(until, self._blocked_until.get(chat, until))

    def group_under_pressure(self, chat: str, now: datetime) -> bool:
        """The group ran out of budget within the last window: relays waiting for it should be merged."""
        exhausted = self._group_exhausted_at.get(chat)
        return exhausted is not None and now - exhausted < GROUP_WINDOW
