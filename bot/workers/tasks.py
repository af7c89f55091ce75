"""Background work that is always awaited: started in a cleanup_ctx, stopped and awaited on shutdown."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

import structlog

log = structlog.get_logger(__name__)


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._loops: dict[str, asyncio.Task[Any]] = {}
        self.stopping = asyncio.Event()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str, *, once: bool = False) -> asyncio.Task[Any]:
        """A loop (the default) runs until asked to stop; one that ends earlier makes the service unready."""
        task = asyncio.create_task(self._guard(coro, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if not once:
            self._loops[name] = task
        return task

    def dead(self) -> dict[str, str]:
        """The loops that ended while nobody asked them to stop: name → why (an error's type and place)."""
        if self.stopping.is_set():
            return {}
        found = {}
        for name, task in self._loops.items():
            if task.done():
                error = None if task.cancelled() else task.exception()
                found[name] = f"stopped: {describe(error)}" if error else "stopped"
        return found

    async def readiness(self) -> bool | str:
        """A readiness check: True, or the loops that died and why."""
        dead = self.dead()
        return "; ".join(f"{name} {why}" for name, why in sorted(dead.items())) if dead else True

    @staticmethod
    async def _guard(coro: Coroutine[Any, Any, Any], name: str) -> Any:
        try:
            return await coro
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background.crashed", task=name)
            raise

    async def stop(self, grace: float = 3.0) -> None:
        """Ask loops to finish their current item (they watch `stopping`), then cancel what is left."""
        self.stopping.set()
        tasks = list(self._tasks)
        if not tasks:
            return
        _done, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def wait_for_work(wake: asyncio.Event, stopping: asyncio.Event, within: float) -> None:
    """Sleep until woken (new work), asked to stop, or `within` seconds pass."""
    waiters = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stopping.wait())]
    try:
        await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def pause(stopping: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less if asked to stop."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


def describe(error: BaseException) -> str:
    """An error for logs and records: its type and where it was raised, never its text (which can carry a
    client's words, names or numbers)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f" at {tb.tb_frame.f_globals.get('__name__', '?')}:{tb.tb_lineno}" if tb else ""
    return f"{type(error).__name__}{where}"
