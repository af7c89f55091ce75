"""Outbound calls through the Twilio SDK (async): the assistant's phone first; when they answer, Twilio asks
for the TwiML that connects them to the client (`url`). No retries: a retried POST could call twice."""

from __future__ import annotations

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from domain.errors import DomainError

EVENTS = ["initiated", "ringing", "answered", "completed"]


class CallNotPlaced(DomainError):
    """Twilio refused the call, or could not be reached (nothing rang)."""


class TwilioCaller:
    def __init__(
        self, account_sid: str, auth_token: str, api_base: str | None, timeout: float = 15.0
    ) -> None:
        self._http = AsyncTwilioHttpClient(timeout=timeout)
        self._client = Client(account_sid, auth_token, http_client=self._http)
        if api_base:
            self._client.api.base_url = api_base.rstrip("/")

    async def call(self, to: str, from_: str, url: str, status_callback: str) -> str:
        """The new call's sid."""
        try:
            call = await self._client.calls.create_async(
                to=to,
                from_=from_,
                url=url,
                method="POST",
                status_callback=status_callback,
                status_callback_event=EVENTS,
                status_callback_method="POST",
            )
        except TwilioRestException as error:
            raise CallNotPlaced(
                f"Twilio refused the call ({error.code})", key="call-refused", code=str(error.code)
            ) from None
        except aiohttp.ClientConnectorError:
            raise CallNotPlaced(
                "Twilio could not be reached; nothing rang.", key="call-unreachable"
            ) from None
        return call.sid

    async def close(self) -> None:
        await self._http.close()
