"""A local Twilio: the Messages REST resource the concierge uses, HTTP Basic auth, the 24-hour WhatsApp
window, media behind basic auth, failures on demand (an error code, a dropped connection after the message
was taken, an outage of every resource), and inbound webhooks and status callbacks signed with the real
RequestValidator. For the preflight: the account, its phone numbers, its WhatsApp senders (the Senders API)
and its Messaging Services, as Twilio's REST API shows them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiohttp import BasicAuth, web
from twilio.request_validator import RequestValidator

from domain.clock import Clock, SystemClock

MAX_BODY = 1600
WINDOW = timedelta(hours=24)


@dataclass
class SentMessage:
    sid: str
    to: str
    from_: str
    body: str | None
    media_urls: list[str]
    content_sid: str | None
    content_variables: str | None
    status_callback: str | None
    at: Any


@dataclass
class Failure:
    status: int
    code: int
    message: str
    drop: bool = False  # take the message, then drop the connection: the caller cannot know it was sent


def _unauthenticated() -> web.Response:
    return web.json_response({"code": 20003, "message": "Authenticate", "status": 401}, status=401)


@dataclass
class WhatsAppSender:
    """A WhatsApp sender as the Senders API shows it: where its messages go, and whether it is live."""

    callback_url: str | None
    status: str = "ONLINE"  # or CREATING, OFFLINE, PENDING_VERIFICATION, TWILIO_REVIEW, …


@dataclass
class MessagingService:
    """A Messaging Service: its senders' incoming messages go to its Incoming Messages URL, unless it defers
    to each sender's own webhook."""

    friendly_name: str
    inbound_request_url: str | None
    senders: list[str] = field(default_factory=list)  # whatsapp:+E164
    use_inbound_webhook_on_number: bool = False


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    clock: Clock = field(default_factory=SystemClock)
    base_url: str = ""
    messages: list[SentMessage] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    recordings: dict[str, bytes] = field(default_factory=dict)  # a voicemail's audio by RecordingSid
    recordings_fetched: list[str] = field(default_factory=list)  # "RE….mp3", with the query asked if any
    calls: list[dict[str, Any]] = field(default_factory=list)  # outbound calls asked for (/call)
    inbound_at: dict[str, Any] = field(default_factory=dict)  # whatsapp:+E164 → last inbound time
    refused: list[dict[str, Any]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)  # what people wrote, for the sandbox phone
    id_base: int = 0  # a restarted sandbox goes on past every SID it handed out before
    account_status: str = "active"  # or suspended, closed
    numbers: dict[str, str] = field(default_factory=dict)  # the account's phone numbers → their Voice URL
    senders: dict[str, WhatsAppSender] = field(default_factory=dict)  # by sender id (whatsapp:+E164)
    services: list[MessagingService] = field(default_factory=list)
    outage: int | None = None  # an HTTP status every REST resource answers with (5xx: Twilio is down)

    def __post_init__(self) -> None:
        self._sids = itertools.count(self.id_base + 1)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._outage])
        app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", self._create)
        app.router.add_get("/media/{media_id}", self._media)
        app.router.add_get("/2010-04-01/Accounts/{account}/Recordings/{recording}", self._recording)
        app.router.add_post("/2010-04-01/Accounts/{account}/Calls.json", self._call)
        app.router.add_get("/2010-04-01/Accounts/{account}.json", self._account)
        app.router.add_get("/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json", self._phone_numbers)
        app.router.add_get("/v2/Channels/Senders", self._senders)
        app.router.add_get("/v1/Services", self._services)
        app.router.add_get("/v1/Services/{service}/ChannelSenders", self._service_senders)
        return app

    @web.middleware
    async def _outage(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if self.outage is None:
            return await handler(request)
        return web.json_response(
            {"code": 20500, "message": "Internal Server Error", "status": self.outage}, status=self.outage
        )

    @staticmethod
    def _page(request: web.Request, key: str, items: list[dict[str, Any]]) -> web.Response:
        """One page of a list of the messaging API (v1 and v2 alike): the items under `meta.key`."""
        url = str(request.url)
        meta = {"page": 0, "page_size": 50, "first_page_url": url, "previous_page_url": None, "url": url}
        return web.json_response({key: items, "meta": {**meta, "next_page_url": None, "key": key}})

    async def _senders(self, request: web.Request) -> web.Response:
        """GET /v2/Channels/Senders?Channel=whatsapp: the account's WhatsApp senders (the Senders API)."""
        if not self._authorised(request):
            return _unauthenticated()
        if request.query.get("Channel") != "whatsapp":
            return web.json_response(
                {"code": 20001, "message": "Channel is required", "status": 400}, status=400
            )
        found = [
            {
                "sid": f"XE{n:032x}",
                "sender_id": sender_id,
                "status": sender.status,
                "webhook": {
                    "callback_url": sender.callback_url,
                    "callback_method": "POST",
                    "fallback_url": None,
                    "fallback_method": "POST",
                    "status_callback_url": None,
                    "status_callback_method": "POST",
                },
                "url": f"https://messaging.twilio.com/v2/Channels/Senders/XE{n:032x}",
            }
            for n, (sender_id, sender) in enumerate(self.senders.items())
        ]
        return self._page(request, "senders", found)

    async def _services(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _unauthenticated()
        found = [
            {
                "sid": f"MG{n:032x}",
                "account_sid": self.account_sid,
                "friendly_name": service.friendly_name,
                "inbound_request_url": service.inbound_request_url,
                "inbound_method": "POST",
                "use_inbound_webhook_on_number": service.use_inbound_webhook_on_number,
            }
            for n, service in enumerate(self.services)
        ]
        return self._page(request, "services", found)

    async def _service_senders(self, request: web.Request) -> web.Response:
        """A Messaging Service's channel senders (WhatsApp): GET /v1/Services/{sid}/ChannelSenders."""
        if not self._authorised(request):
            return _unauthenticated()
        sid = request.match_info["service"]
        n = int(sid[2:], 16) if sid.startswith("MG") else -1
        if not 0 <= n < len(self.services):
            return web.json_response({"code": 20404, "message": "Not Found", "status": 404}, status=404)
        found = [
            {"sid": f"XE{i:032x}", "messaging_service_sid": sid, "sender": sender, "sender_type": "WhatsApp"}
            for i, sender in enumerate(self.services[n].senders)
        ]
        return self._page(request, "senders", found)

    async def _account(self, request: web.Request) -> web.Response:
        if not self._authorised(request) or request.match_info["account"] != self.account_sid:
            return _unauthenticated()
        uri = f"/2010-04-01/Accounts/{self.account_sid}.json"
        return web.json_response(
            {"sid": self.account_sid, "friendly_name": "Concierge", "status": self.account_status, "uri": uri}
        )

    async def _phone_numbers(self, request: web.Request) -> web.Response:
        if not self._authorised(request) or request.match_info["account"] != self.account_sid:
            return _unauthenticated()
        wanted = request.query.get("PhoneNumber")
        found = [
            {"sid": f"PN{n:032x}", "phone_number": number, "voice_url": url}
            for n, (number, url) in enumerate(self.numbers.items())
            if wanted in (None, number)
        ]
        uri = f"/2010-04-01/Accounts/{self.account_sid}/IncomingPhoneNumbers.json"
        return web.json_response(
            {"incoming_phone_numbers": found, "page": 0, "page_size": 50, "next_page_uri": None, "uri": uri}
        )

    async def _call(self, request: web.Request) -> web.Response:
        """An outbound call (/call): recorded; the test (or the sandbox) plays what happens next."""
        if not self._authorised(request) or request.match_info["account"] != self.account_sid:
            return _unauthenticated()
        form = {k: v for k, v in (await request.post()).items()}
        sid = f"CA{next(self._sids):032x}"
        self.calls.append({"sid": sid, **form})
        return web.json_response(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": form.get("To"),
                "from": form.get("From"),
                "status": "queued",
                "direction": "outbound-api",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json",
            },
            status=201,
        )

    async def _recording(self, request: web.Request) -> web.Response:
        """A voicemail's audio (`<RecordingUrl>.mp3`), with the account's credentials only."""
        if not self._authorised(request) or request.match_info["account"] != self.account_sid:
            return web.Response(status=401)
        query = f"?{request.query_string}" if request.query_string else ""
        self.recordings_fetched.append(request.match_info["recording"] + query)
        name = request.match_info["recording"].removesuffix(".mp3")
        if name not in self.recordings:
            return web.Response(status=404)
        return web.Response(body=self.recordings[name], content_type="audio/mpeg")

    def _authorised(self, request: web.Request) -> bool:
        try:
            credentials = BasicAuth.decode(request.headers.get("Authorization", ""))
        except ValueError:
            return False
        return (credentials.login, credentials.password) == (self.account_sid, self.auth_token)

    async def _create(self, request: web.Request) -> web.StreamResponse:
        if not self._authorised(request) or request.match_info["account"] != self.account_sid:
            return _unauthenticated()
        form = await request.post()
        params = {key: form.getall(key) for key in form}
        to = params["To"][0]
        content_sid = (params.get("ContentSid") or [None])[0]
        if self.failures:
            failure = self.failures.pop(0)
            if failure.drop:
                self._record(params)
                request.transport.close()  # the message is queued, the answer never arrives
                raise ConnectionResetError("dropped by the fake")
            self.refused.append({"to": to, "code": failure.code})
            return web.json_response(
                {"code": failure.code, "message": failure.message, "status": failure.status},
                status=failure.status,
            )
        body = (params.get("Body") or [""])[0]
        if len(body) > MAX_BODY:  # as Twilio: the message is refused, nothing reaches the person
            self.refused.append({"to": to, "code": 21617})
            return web.json_response(
                {
                    "code": 21617,
                    "message": "The concatenated message body exceeds the 1600 character limit.",
                    "status": 400,
                },
                status=400,
            )
        last = self.inbound_at.get(to)
        if content_sid is None and (last is None or self.clock.now() - last >= WINDOW):
            self.refused.append({"to": to, "code": 63016})
            return web.json_response(
                {
                    "code": 63016,
                    "status": 400,
                    "message": "Failed to send freeform message because you are outside the allowed window.",
                },
                status=400,
            )
        message = self._record(params)
        return web.json_response(self._resource(message), status=201)

    def _record(self, params: dict[str, list[str]]) -> SentMessage:
        message = SentMessage(
            sid=f"SM{next(self._sids):032x}",
            to=params["To"][0],
            from_=params["From"][0],
            body=(params.get("Body") or [None])[0],
            media_urls=params.get("MediaUrl") or [],
            content_sid=(params.get("ContentSid") or [None])[0],
            content_variables=(params.get("ContentVariables") or [None])[0],
            status_callback=(params.get("StatusCallback") or [None])[0],
            at=self.clock.now(),
        )
        self.messages.append(message)
        return message

    def _resource(self, message: SentMessage) -> dict[str, Any]:
        return {
            "sid": message.sid,
            "account_sid": self.account_sid,
            "to": message.to,
            "from": message.from_,
            "body": message.body,
            "status": "queued",
            "num_media": str(len(message.media_urls)),
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "price": None,
            "price_unit": "USD",
            "error_code": None,
            "error_message": None,
            "messaging_service_sid": None,
            "date_created": message.at.strftime("%a, %d %b %Y %H:%M:%S +0000"),
            "date_sent": None,
            "date_updated": message.at.strftime("%a, %d %b %Y %H:%M:%S +0000"),
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message.sid}.json",
            "subresource_uris": {},
        }

    async def _media(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.Response(status=401)
        content, content_type = self.media[request.match_info["media_id"]]
        return web.Response(body=content, content_type=content_type)

    # --- what people and Twilio do ---------------------------------------------------------------------
    def signed(self, url: str, params: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        return params, {"X-Twilio-Signature": signature}

    def inbound(
        self,
        number: str,
        body: str = "",
        profile_name: str = "Guest",
        media: list[tuple[bytes, str]] | None = None,
    ) -> dict[str, str]:
        """The form Twilio posts for a WhatsApp message from `number` (E.164)."""
        sender = f"whatsapp:{number}"
        self.inbound_at[sender] = self.clock.now()
        sid = f"SM{next(self._sids):032x}"
        params = {
            "MessageSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": self.account_sid,
            "From": sender,
            "To": "whatsapp:+14155238886",
            "Body": body,
            "ProfileName": profile_name,
            "WaId": number.lstrip("+"),
            "NumMedia": str(len(media or [])),
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
        }
        self.received.append(
            {"sid": sid, "from": sender, "body": body, "at": self.clock.now(), "media": len(media or [])}
        )
        for i, (content, content_type) in enumerate(media or []):
            media_id = f"ME{sid[2:]}{i}"
            self.media[media_id] = (content, content_type)
            params[f"MediaUrl{i}"] = f"{self.base_url}/media/{media_id}"
            params[f"MediaContentType{i}"] = content_type
        return params

    def status(self, sid: str, status: str, error_code: int | None = None) -> dict[str, str]:
        message = next(m for m in self.messages if m.sid == sid)
        params = {
            "MessageSid": sid,
            "MessageStatus": status,
            "AccountSid": self.account_sid,
            "To": message.to,
            "From": message.from_,
            "ApiVersion": "2010-04-01",
        }
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        return params

    def to(self, number: str) -> list[SentMessage]:
        return [m for m in self.messages if m.to == f"whatsapp:{number}"]
