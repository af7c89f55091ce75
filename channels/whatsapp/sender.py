"""Sends one stored WhatsApp delivery with the twilio SDK's async client and says what happened.

Never twice: a send is retried only when the request provably did not reach Twilio (no connection, or
Twilio refused it with 429); a timeout or a dropped connection after the request left is *uncertain*."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from domain.outbound import STORED, Message, Outbound, Template, Unreadable

OUTSIDE_WINDOW = 63016


@dataclass(frozen=True, slots=True)
class Sent:
    sid: str


@dataclass(frozen=True, slots=True)
class NotSent:
    """Provably not taken by Twilio: safe to try again."""

    error: str
    after: float = 0.0


@dataclass(frozen=True, slots=True)
class Uncertain:
    error: str


@dataclass(frozen=True, slots=True)
class OutsideWindow:
    pass


@dataclass(frozen=True, slots=True)
class Refused:
    code: int | None
    error: str


Outcome = Sent | NotSent | Uncertain | OutsideWindow | Refused


class WhatsAppSender:
    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        sender: str,
        api_base: str | None,
        status_callback: str | None,
        media_url: Callable[[str], str],  # a Telegram file id → a short-lived link Twilio fetches
        timeout: float = 15.0,
        page_url: Callable[[str], str] | None = None,  # a nonce → the client's one-time link to their page
    ) -> None:
        self._http = AsyncTwilioHttpClient(timeout=timeout)  # no max_retries: a retried POST can send twice
        self._client = Client(account_sid, auth_token, http_client=self._http)
        if api_base:
            self._client.api.base_url = api_base.rstrip("/")
        self._from = sender
        self._status_callback = status_callback
        self._media_url = media_url
        self._page_url = page_url

    async def close(self) -> None:
        await self._http.close()

    async def send(self, number: str, out: Outbound | Unreadable) -> Outcome:
        options: dict[str, Any] = {"to": f"whatsapp:{number}", "from_": self._from}
        if self._status_callback:
            options["status_callback"] = self._status_callback
        match out:
            case Template(content_sid, variables):
                options["content_sid"] = content_sid
                options["content_variables"] = json.dumps(dict(variables))
            case Message(text=text, media=media, page_link=nonce):
                if nonce and self._page_url is not None:  # made only now: the stored message holds the nonce
                    text = text.replace("{link}", self._page_url(nonce))
                if text:
                    options["body"] = text
                stored = media.url if media and media.url and media.url.startswith(STORED) else None
                if media is not None and (ref := media.file_id or stored):
                    options["media_url"] = [self._media_url(ref)]
            case _:
                return Refused(None, f"WhatsApp cannot carry {type(out).__name__}")
        try:
            message = await self._client.messages.create_async(**options)
        except TwilioRestException as error:
            if error.code == OUTSIDE_WINDOW:
                return OutsideWindow()
            if error.status == 429:
                return NotSent(f"Twilio is rate limiting ({error.code})", after=5.0)
            return Refused(error.code, error.msg or f"HTTP {error.status}")
        except aiohttp.ClientConnectorError as error:
            return NotSent(f"Twilio could not be reached ({type(error).__name__})")
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            return Uncertain(f"{type(error).__name__}: the request left, no answer came back")
        return Sent(message.sid)
