"""The aiogram Bot the service talks to Telegram with, and whether a call that failed had left: a call whose
request was sent and whose answer never came (a timeout, a connection dropped on the way back) may have been
done by Telegram; one that never got that far (no connection made, a timeout while connecting or waiting for a
connection) was not."""

from contextvars import ContextVar
from types import SimpleNamespace
from typing import Any

from aiogram import Bot
from aiogram.__meta__ import __version__
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import ClientSession, TraceConfig
from aiohttp.hdrs import USER_AGENT
from aiohttp.http import SERVER_SOFTWARE

# the calls of one send, in order: "start" when one begins, "left" once its request is written out
_CALLS: ContextVar[list[str] | None] = ContextVar("telegram_calls", default=None)


def watch_calls() -> None:
    """From now on (in this task: one send), note how far each call to Telegram got."""
    _CALLS.set([])


def last_call_left() -> bool:
    """Whether the last call made since `watch_calls` had sent its request (Telegram may have done it)."""
    calls = _CALLS.get()
    return calls is not None and calls[-1:] == ["left"]


async def _note(step: str) -> None:
    if (calls := _CALLS.get()) is not None:
        calls.append(step)


async def _started(_session: ClientSession, _context: SimpleNamespace, _params: Any) -> None:
    await _note("start")


async def _left(_session: ClientSession, _context: SimpleNamespace, _params: Any) -> None:
    await _note("left")


class _WatchedSession(AiohttpSession):
    """aiogram's session, its aiohttp session traced: each call notes when it starts and when its request
    has been sent (`watch_calls`)."""

    async def create_session(self) -> ClientSession:
        if self._should_reset_connector:
            await self.close()
        if self._session is None or self._session.closed:
            trace = TraceConfig()
            trace.on_request_start.append(_started)
            trace.on_request_headers_sent.append(_left)
            self._session = ClientSession(
                connector=self._connector_type(**self._connector_init),
                headers={USER_AGENT: f"{SERVER_SOFTWARE} aiogram/{__version__}"},
                trace_configs=[trace],
            )
            self._should_reset_connector = False
        return self._session

    async def close(self) -> None:
        """As aiogram's, without its quarter of a second's wait for TLS connections to close when there are
        none (a Bot API on plain http: a local server, the tests' and the sandbox's stand-in)."""
        if self.api.base.startswith("https://"):
            await super().close()
        elif self._session is not None and not self._session.closed:
            await self._session.close()


def make_bot(token: str, api_base: str, timeout: float = 30.0) -> Bot:
    """A Bot on the given Bot API server (Telegram's, a self-hosted one, or a local fake in tests)."""
    session = _WatchedSession(api=TelegramAPIServer.from_base(api_base), timeout=timeout)
    return Bot(token, session=session)
