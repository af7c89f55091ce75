"""Processes the inbox: each key (a chat, a topic) in arrival order, different keys side by side."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta

import structlog

from bot.workers.tasks import wait_for_work
from storage.inbox import Inbox, InboxItem, InboxStatus

log = structlog.get_logger(__name__)

Handler = Callable[[InboxItem], Awaitable[None]]
LEASE = timedelta(minutes=2)
MAX_BACKOFF = 300


class InboxWorker:
    def __init__(self, inbox: Inbox, handlers: dict[str, Handler], concurrency: int = 8) -> None:
        self._inbox = inbox
        self._handlers = handlers
        self._concurrency = concurrency
        self.worker_id = f"in-{secrets.token_hex(4)}"
        self.wake = asyncio.Event()

    def register(self, source: str, handler: Handler) -> None:
        self._handlers[source] = handler

    async def run_once(self) -> int:
        """Process what is due; returns how many items were handled."""
        keys = await self._inbox.keys_with_work()
        semaphore = asyncio.Semaphore(self._concurrency)

        async def drain(key: str) -> int:
            async with semaphore:
                return await self._drain_key(key)

        return sum(await asyncio.gather(*(drain(key) for key in keys)))

    async def _drain_key(self, key: str) -> int:
        handled = 0
        while (item := await self._inbox.claim_head(key, self.worker_id, LEASE)) is not None:
            structlog.contextvars.bind_contextvars(inbox_id=item.id)
            handler = self._handlers.get(item.source)
            try:
                if handler is None:
                    raise LookupError(f"no handler for {item.source}")
                await handler(item)
            except Exception as error:
                log.exception("inbox.processing_failed", attempts=item.attempts)
                retry = timedelta(seconds=min(2**item.attempts, MAX_BACKOFF))
                status = await self._inbox.failed(
                    item.id, self.worker_id, f"{type(error).__name__}: {error}", retry if handler else None
                )
                if status is InboxStatus.FAILED:
                    log.error("inbox.gave_up", attempts=item.attempts)
                    continue  # the next item of the key may go on
                return handled  # retry later; later items of this key wait, in order
            finally:
                structlog.contextvars.unbind_contextvars("inbox_id")
            await self._inbox.done(item.id, self.worker_id)
            handled += 1
        return handled

    async def run(self, stopping: asyncio.Event, idle_poll: float = 1.0) -> None:
        while not stopping.is_set():
            self.wake.clear()
            try:
                await self.run_once()
            except Exception:
                log.exception("inbox.worker_error")
            await wait_for_work(self.wake, stopping, idle_poll)
