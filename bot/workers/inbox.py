"""Processes the inbox: each key (a chat, a topic) in arrival order, different keys side by side. A passing
fault is retried with back-off while the key waits; a permanent failure is set aside at once, and told."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta

import aiohttp
import structlog
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from pymongo.errors import PyMongoError

from bot.workers.admission import Admission
from bot.workers.tasks import describe, wait_for_work
from domain.errors import ConcurrencyConflict
from storage import step_reads
from storage.inbox import Inbox, InboxItem, InboxStatus

log = structlog.get_logger(__name__)

Handler = Callable[[InboxItem], Awaitable[None]]
# worth another try: the store, the network or a provider was briefly unavailable, or a write raced another.
# Anything else (a payload we cannot read, a rule that says no, a bug) fails the same way every time.
TRANSIENT = (
    OSError,
    PyMongoError,
    aiohttp.ClientError,
    TelegramNetworkError,
    TelegramServerError,
    TelegramRetryAfter,
    ConcurrencyConflict,
)
LEASE = timedelta(minutes=2)
MAX_BACKOFF = 300


class InboxWorker:
    def __init__(
        self,
        inbox: Inbox,
        handlers: dict[str, Handler],
        admission: Admission | None = None,
        concurrency: int = 8,
    ) -> None:
        self.on_set_aside: Callable[[InboxItem, str], Awaitable[None]] | None = None
        self._admission = admission or Admission()
        self._inbox = inbox
        self._handlers = handlers
        self._concurrency = concurrency
        self.worker_id = f"in-{secrets.token_hex(4)}"
        self.wake = asyncio.Event()
        self.more = False  # the last pass saw a key with more than its head: the next pass goes at once

    def register(self, source: str, handler: Handler) -> None:
        self._handlers[source] = handler

    async def run_once(self) -> int:
        """One pass: the head of every key with work, side by side — one item per key, so a chatty key
        waits its turn behind the others instead of being drained first. Returns how many were handled."""
        await self._admission.give_way()  # (the read of the heads too: acknowledgements first)
        heads, self.more = await self._inbox.due_heads()
        semaphore = asyncio.Semaphore(self._concurrency)

        async def one(key: str, head: str | None) -> int:
            if semaphore.locked():
                head = None  # it waits its turn: its head is found again then (an earlier one may come)
            async with semaphore, self._admission.background():
                if self.wake.is_set():
                    head = None  # something was stored since the read: maybe an earlier one of this key
                return await self._next_of(key, head)

        return sum(await asyncio.gather(*(one(key, head) for key, head in heads.items())))

    async def _claim(self, key: str, head: str | None) -> InboxItem | None:
        if head is not None:
            return await self._inbox.claim_id(head, self.worker_id, LEASE)
        return await self._inbox.claim_head(key, self.worker_id, LEASE)

    async def _next_of(self, key: str, head: str | None = None) -> int:
        """Process the head of `key` (`head`: its id, when known); a head set aside for good lets the next
        one go in the same pass."""
        while (item := await self._claim(key, head)) is not None:
            head = None  # (the next one, after a head set aside: found by its key)
            structlog.contextvars.bind_contextvars(inbox_id=item.id)
            handler = self._handlers.get(item.source)
            try:
                if handler is None:
                    raise LookupError(f"no handler for {item.source}")
                with step_reads.step(first_attempt=item.first):
                    await handler(item)
            except Exception as error:
                transient = isinstance(error, TRANSIENT)
                reason = describe(error)  # the type and the place, never the payload's words
                log.error(
                    "inbox.processing_failed", reason=reason, transient=transient, attempts=item.attempts
                )
                retry = timedelta(seconds=min(2**item.attempts, MAX_BACKOFF)) if transient else None
                status = await self._inbox.failed(item.id, self.worker_id, reason, retry)
                if status is InboxStatus.FAILED:
                    await self._set_aside(item, reason)
                    continue  # the next item of the key goes on: nothing waits behind a poison message
                return 0  # a passing fault: retry later; later items of this key wait, in order
            finally:
                structlog.contextvars.unbind_contextvars("inbox_id")
            await self._inbox.done(item.id, self.worker_id)
            return 1
        return 0

    async def _set_aside(self, item: InboxItem, reason: str) -> None:
        log.error("inbox.set_aside", reason=reason, attempts=item.attempts)
        if self.on_set_aside is None:
            return
        try:
            await self.on_set_aside(item, reason)
        except Exception as error:  # telling people must not stop the queue; it is in the log and the CLI
            log.error("inbox.set_aside_notice_failed", reason=describe(error))

    async def run(self, stopping: asyncio.Event, idle_poll: float = 1.0) -> None:
        while not stopping.is_set():
            self.wake.clear()
            try:
                if await self.run_once() and self.more:
                    continue  # a key has more: the next pass at once (new work wakes it too)
            except Exception:
                log.exception("inbox.worker_error")
            await wait_for_work(self.wake, stopping, idle_poll)
