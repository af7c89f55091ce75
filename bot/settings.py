"""Configuration from the environment, one class per concern; names as in DESIGN.md."""

from __future__ import annotations

import ipaddress
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.calls import VoiceLine
from domain.outbound import TemplateSids
from domain.promises import Promises
from domain.sun import Place

_CONFIG = SettingsConfigDict(case_sensitive=False, extra="ignore", env_ignore_empty=True)
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_BOT_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]{20,}")
_E164 = re.compile(r"\+[1-9]\d{6,14}")


class ConfigError(Exception):
    """Bad configuration: `problems` are (variable, what is wrong)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{var}: {what}" for var, what in problems))


def _http_url(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"must be an http(s) URL without query, like https://example.com, not {value!r}")
    return value.rstrip("/")


def default_data_dir() -> Path:
    """One fixed place whatever the shell's directory: $XDG_DATA_HOME/concierge (~/.local/share/concierge)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "concierge"


class StoreSettings(BaseSettings):
    model_config = _CONFIG
    mongodb_url: SecretStr | None = Field(
        None,
        description="MongoDB connection string (mongodb:// or mongodb+srv://, may carry a password); "
        "unset: the embedded store in CONCIERGE_DATA_DIR",
    )
    mongodb_db: str = Field("concierge", pattern=r"^[A-Za-z0-9_-]{1,63}$", description="database name")
    concierge_data_dir: Path = Field(
        default_factory=lambda: default_data_dir(),
        description="where the embedded store keeps its data (~/.local/share/concierge by default)",
    )

    @field_validator("concierge_data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("mongodb_url")
    @classmethod
    def _mongo_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("mongodb://", "mongodb+srv://")):
            raise ValueError("must start with mongodb:// or mongodb+srv://")
        return value


class HttpSettings(BaseSettings):
    model_config = _CONFIG
    http_host: str = Field("127.0.0.1", description="address to listen on (0.0.0.0 in a container)")
    http_port: int = Field(8080, ge=0, le=65535, description="port to listen on")
    public_base_url: str | None = Field(
        None,
        description="the https:// address the world reaches us at (webhooks, signatures, console links); "
        "unset: polling and no webhooks",
    )
    trusted_proxies: str = Field(
        "",
        description="comma-separated addresses or networks of the reverse proxy whose X-Forwarded-For "
        "is believed (e.g. 172.16.0.0/12 for compose); empty: none",
    )

    @field_validator("public_base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return _http_url(value, "PUBLIC_BASE_URL")

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        for item in filter(None, (part.strip() for part in value.split(","))):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an address or a network like 172.28.0.10 or 10.0.0.0/8"
                ) from None
        return value

    @property
    def proxies(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """The reverse proxies whose X-Forwarded-For is believed."""
        parts = (part.strip() for part in self.trusted_proxies.split(","))
        return tuple(ipaddress.ip_network(part, strict=False) for part in parts if part)

    @property
    def base_url(self) -> str:
        """Where people reach us: PUBLIC_BASE_URL, else this server's own address."""
        return (self.public_base_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")


class TelegramSettings(BaseSettings):
    model_config = _CONFIG
    telegram_bot_token: SecretStr | None = Field(None, description="the bot's token from @BotFather")
    telegram_staff_chat_id: int | None = Field(
        None, description="the staff forum's id (a supergroup with topics: -100...)"
    )
    telegram_webhook_secret: SecretStr | None = Field(
        None, description="1-256 characters of A-Z a-z 0-9 _ -: Telegram signs each webhook with it"
    )
    telegram_mode: Literal["webhook", "polling"] | None = Field(
        None, description="webhook or polling; unset: webhook when PUBLIC_BASE_URL is set"
    )
    telegram_api_base: str = Field(
        "https://api.telegram.org", description="Bot API server (a self-hosted one, or a local fake)"
    )

    @field_validator("telegram_bot_token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _BOT_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("does not look like a bot token (digits, a colon, then the secret)")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("telegram_api_base")
    @classmethod
    def _base(cls, value: str) -> str:
        return _http_url(value, "TELEGRAM_API_BASE") or value


class TwilioSettings(BaseSettings):
    model_config = _CONFIG
    twilio_account_sid: str | None = Field(
        None, pattern=r"^AC[0-9a-fA-F]{32}$", description="Twilio account SID (AC...), for WhatsApp and calls"
    )
    twilio_auth_token: SecretStr | None = Field(
        None, description="Twilio auth token (signs Twilio's webhooks)"
    )
    twilio_auth_token_previous: SecretStr | None = Field(
        None,
        description="while rotating TWILIO_AUTH_TOKEN: the previous one, still accepted on Twilio's webhooks "
        "(remove it once the new one is primary in Twilio)",
    )
    twilio_whatsapp_from: str | None = Field(
        None, description="the WhatsApp sender, like whatsapp:+74951234567"
    )
    twilio_api_base: str | None = Field(
        None, description="Twilio API base (a local fake in tests); unset: Twilio"
    )
    twilio_template_reopen_sid: str | None = Field(
        None,
        description="approved WhatsApp template that re-opens a conversation after 24 h of silence: one "
        "Content SID per language (ar=HX...,en=HX...,ru=HX...) and/or a bare HX... for any language; a "
        "client with none in their language is not sent one",
    )
    twilio_template_reminder_sid: str | None = Field(
        None,
        description="approved WhatsApp template reminding a client of a paid booking after 24 h of silence "
        "({{1}} first name, {{2}} request, {{3}} time, {{4}} place), written like "
        "TWILIO_TEMPLATE_REOPEN_SID; none in the client's language: no reminder then",
    )
    twilio_voice_number: str | None = Field(
        None, description="the concierge number clients call, in E.164 (may be the WhatsApp sender's)"
    )
    call_recording: Literal["off", "on"] = Field(
        "off", description="on: calls are recorded (the caller hears a notice first) and posted in the topic"
    )

    @field_validator("twilio_template_reopen_sid", "twilio_template_reminder_sid")
    @classmethod
    def _templates(cls, value: str | None) -> str | None:
        TemplateSids.parse(value)
        return value

    @field_validator("twilio_voice_number")
    @classmethod
    def _voice(cls, value: str | None) -> str | None:
        if value is not None and not _E164.fullmatch(value.strip()):
            raise ValueError("must be a number in E.164, like +74951234567")
        return value.strip() if value else None

    @field_validator("twilio_whatsapp_from")
    @classmethod
    def _from(cls, value: str | None) -> str | None:
        if value is None:
            return None
        number = value.removeprefix("whatsapp:")
        if not _E164.fullmatch(number):
            raise ValueError("must be a number in E.164, like whatsapp:+14155238886")
        return f"whatsapp:{number}"

    @field_validator("twilio_api_base")
    @classmethod
    def _base(cls, value: str | None) -> str | None:
        return _http_url(value, "TWILIO_API_BASE")

    @property
    def enabled(self) -> bool:
        return self.twilio_account_sid is not None

    @property
    def previous_token(self) -> str | None:
        previous = self.twilio_auth_token_previous
        return previous.get_secret_value() if previous else None

    @property
    def reopen_templates(self) -> TemplateSids:
        return TemplateSids.parse(self.twilio_template_reopen_sid)

    @property
    def reminder_templates(self) -> TemplateSids:
        return TemplateSids.parse(self.twilio_template_reminder_sid)


class CloudPaymentsSettings(BaseSettings):
    model_config = _CONFIG
    cloudpayments_public_id: str | None = Field(None, description="CloudPayments Public ID (pk_...)")
    cloudpayments_api_secret: SecretStr | None = Field(
        None, description="CloudPayments API secret (signs its notifications)"
    )
    cloudpayments_api_secret_previous: SecretStr | None = Field(
        None,
        description="while rotating CLOUDPAYMENTS_API_SECRET: the previous one, still accepted on its "
        "notifications",
    )
    cloudpayments_api_base: str = Field(
        "https://api.cloudpayments.ru", description="CloudPayments API base (a local fake in tests)"
    )
    # a test-mode payment (TestMode=1) marks a request paid only when this is on: a test account, the sandbox
    cloudpayments_test_mode: bool = Field(
        False, description="true: test-mode payments (TestMode=1) count as paid (a test account only)"
    )
    cloudpayments_receipts: bool = Field(
        False,
        description="true: every payment and refund carries its 54-FZ fiscal receipt (CloudKassir); quotes "
        "are then in RUB",
    )
    cloudpayments_taxation_system: int | None = Field(
        None,
        ge=0,
        le=5,
        description="the company's taxation system on its receipts: 0 OSN, 1 USN income, 2 USN income minus "
        "expenses, 4 ESHN, 5 patent",
    )
    cloudpayments_receipt_settlement: Literal["full", "prepayment"] = Field(
        "full",
        description="full: one receipt, paid in full, at payment; prepayment: a 100% prepayment receipt at "
        "payment and the full-settlement receipt when the request is done (a service rendered later)",
    )
    cloudpayments_inn: str | None = Field(
        None,
        pattern=r"^\d{10}(\d{2})?$",
        description="the company's INN (10 or 12 digits): the settlement receipt of a prepayment names it",
    )
    cloudpayments_vat: (
        Literal["none", "0", "5", "7", "10", "20", "22", "105", "107", "110", "120", "122"] | None
    ) = Field(
        None, description="the VAT rate on receipts (none, 0, 5, 7, 10, 20, 22; 1xx: the 10/110-style rates)"
    )

    @field_validator("cloudpayments_api_base")
    @classmethod
    def _base(cls, value: str) -> str:
        return _http_url(value, "CLOUDPAYMENTS_API_BASE") or value

    @property
    def enabled(self) -> bool:
        return self.cloudpayments_public_id is not None


class TranslationSettings(BaseSettings):
    model_config = _CONFIG
    translation_provider: Literal["off", "deepl", "yandex"] = Field(
        "off",
        description="machine translation between a client and an assistant who do not share a language: "
        "off, deepl or yandex (the sandbox plays a translator of its own)",
    )
    deepl_auth_key: SecretStr | None = Field(None, description="DeepL API key (a Free key ends in :fx)")
    deepl_api_base: str | None = Field(
        None, description="DeepL API base (default: api-free.deepl.com for a Free key, else api.deepl.com)"
    )
    yandex_translate_api_key: SecretStr | None = Field(
        None, description="Yandex Cloud API key of a service account with the ai.translate.user role"
    )
    yandex_folder_id: str | None = Field(None, description="the Yandex Cloud folder the API key works in")
    yandex_translate_api_base: str = Field(
        "https://translate.api.cloud.yandex.net", description="Yandex Translate API base"
    )
    speech_provider: Literal["off", "yandex"] = Field(
        "off",
        description="voicemails and recorded calls in writing: off or yandex (SpeechKit; or the sandbox's)",
    )
    yandex_speechkit_api_key: SecretStr | None = Field(
        None,
        description="Yandex Cloud API key of a service account with the ai.speechkit-stt.user role "
        "(in YANDEX_FOLDER_ID)",
    )
    yandex_speechkit_api_base: str = Field(
        "https://stt.api.cloud.yandex.net", description="Yandex SpeechKit API base"
    )

    @field_validator("deepl_api_base", "yandex_translate_api_base", "yandex_speechkit_api_base")
    @classmethod
    def _bases(cls, value: str | None) -> str | None:
        return _http_url(value, "a translation API base") if value else value


class AppSettings(BaseSettings):
    model_config = _CONFIG
    business_timezone: str = Field("Europe/Moscow", description="IANA time zone times are read and shown in")
    # where the business is, for the sun's times that clients name ("after Maghrib"): Moscow's centre
    business_latitude: float = Field(
        55.7558, ge=-90, le=90, description="latitude of the business, for prayer and sun times"
    )
    business_longitude: float = Field(37.6173, ge=-180, le=180, description="longitude of the business")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="DEBUG, INFO, WARNING or ERROR"
    )
    log_format: Literal["json", "console"] = Field("json", description="json (one object a line) or console")
    concierge_sandbox: bool | None = Field(
        None,
        description="true/false: local stand-ins for Telegram, Twilio and CloudPayments; unset: on when no "
        "channel or payment credential is set",
    )
    concierge_sandbox_exposed: bool = Field(
        False, description="serve the sandbox beyond loopback (anyone could act as a lead): demos only"
    )
    metrics_token: SecretStr | None = Field(
        None,
        min_length=16,
        description="bearer token Prometheus sends for /metrics (unset: /metrics answers loopback only)",
    )
    console_board_cards: int = Field(
        50,
        ge=1,
        le=1000,
        description="cards each column of the console's board draws at first, the most urgent (the others "
        "are in the page, counted and in order, drawn when asked for)",
    )
    console_secret: SecretStr | None = Field(
        None,
        min_length=32,
        description="at least 32 random characters that sign console links (unset: a random key made once "
        "and kept in the store, shared by every instance; never derived from the bot token)",
    )

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _case(cls, value: str, info) -> str:
        return value.upper() if info.field_name == "log_level" else value.lower()

    @field_validator("business_timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA timezone like Europe/Moscow") from None
        return value

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.business_timezone)

    @property
    def place(self) -> Place:
        return Place(self.business_latitude, self.business_longitude)


class ClockSettings(BaseSettings):
    """What the service promises about time (minutes)."""

    model_config = _CONFIG
    sla_first_response_minutes: int = Field(
        15, ge=1, le=1440, description="minutes to a first answer to a new request"
    )
    sla_first_response_vip_minutes: int = Field(
        5, ge=1, le=1440, description="minutes to a first answer for a VIP client"
    )
    sla_quote_minutes: int = Field(60, ge=1, le=10080, description="minutes from a request to its quote")

    @property
    def promises(self) -> Promises:
        return Promises(
            timedelta(minutes=self.sla_first_response_minutes),
            timedelta(minutes=self.sla_first_response_vip_minutes),
            timedelta(minutes=self.sla_quote_minutes),
        )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _all_or_none(names: dict[str, object], why: str) -> list[tuple[str, str]]:
    given = [name for name, value in names.items() if value is not None]
    if given and len(given) != len(names):
        return [
            (name, f"is missing: {why} ({', '.join(given)} set)") for name, v in names.items() if v is None
        ]
    return []


class Settings(BaseSettings):
    """Everything, composed; `load()` turns every problem into one ConfigError naming the variables."""

    model_config = _CONFIG
    store: StoreSettings = Field(default_factory=StoreSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    twilio: TwilioSettings = Field(default_factory=TwilioSettings)
    cloudpayments: CloudPaymentsSettings = Field(default_factory=CloudPaymentsSettings)
    translation: TranslationSettings = Field(default_factory=TranslationSettings)
    app: AppSettings = Field(default_factory=AppSettings)
    clock: ClockSettings = Field(default_factory=ClockSettings)

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        problems = self.contradictions()
        if problems:
            raise ConfigError(problems)
        return self

    @property
    def credentials(self) -> list[str]:
        """The real channel and payment credentials that are set."""
        given = {
            "TELEGRAM_BOT_TOKEN": self.telegram.telegram_bot_token,
            "TWILIO_ACCOUNT_SID": self.twilio.twilio_account_sid,
            "TWILIO_AUTH_TOKEN": self.twilio.twilio_auth_token,
            "CLOUDPAYMENTS_PUBLIC_ID": self.cloudpayments.cloudpayments_public_id,
            "CLOUDPAYMENTS_API_SECRET": self.cloudpayments.cloudpayments_api_secret,
        }
        return [name for name, value in given.items() if value is not None]

    @property
    def voice_line(self) -> VoiceLine | None:
        """The concierge number and its callbacks; None: calls are off (they need Twilio, TWILIO_VOICE_NUMBER
        and a public URL Twilio can call back)."""
        tw, base = self.twilio, self.http.public_base_url
        if not (tw.enabled and tw.twilio_voice_number and base):
            return None
        return VoiceLine(tw.twilio_voice_number, f"{base}/webhooks/twilio/voice", tw.call_recording == "on")

    @property
    def sandbox(self) -> bool:
        """Sandbox mode: local stand-ins for Telegram, Twilio and CloudPayments, wired like the real ones."""
        wanted = self.app.concierge_sandbox
        return not self.credentials if wanted is None else wanted

    def contradictions(self) -> list[tuple[str, str]]:
        tg, problems = self.telegram, []
        if self.app.concierge_sandbox and self.credentials:
            problems.append(
                (
                    "CONCIERGE_SANDBOX",
                    "the sandbox refuses to start with real credentials set ("
                    + ", ".join(self.credentials)
                    + "); unset them or CONCIERGE_SANDBOX",
                )
            )
        if self.sandbox and not _loopback(self.http.http_host) and not self.app.concierge_sandbox_exposed:
            problems.append(
                (
                    "HTTP_HOST",
                    "the sandbox lets anyone quote, pay and refund as a lead, so it serves on loopback "
                    f"only (127.0.0.1, ::1), not {self.http.http_host}; set the real credentials, or force "
                    "it with CONCIERGE_SANDBOX_EXPOSED=true",
                )
            )
        if tg.telegram_mode == "webhook" and self.http.public_base_url is None:
            problems.append(("PUBLIC_BASE_URL", "is required when TELEGRAM_MODE=webhook"))
        if self.telegram_mode == "webhook" and tg.telegram_bot_token and tg.telegram_webhook_secret is None:
            problems.append(
                ("TELEGRAM_WEBHOOK_SECRET", "is required in webhook mode (unsigned webhooks are refused)")
            )
        if tg.telegram_mode is not None and tg.telegram_bot_token is None:
            problems.append(("TELEGRAM_BOT_TOKEN", f"is required when TELEGRAM_MODE={tg.telegram_mode}"))
        if tg.telegram_staff_chat_id is not None and tg.telegram_staff_chat_id >= 0:
            problems.append(
                ("TELEGRAM_STAFF_CHAT_ID", "must be a supergroup id (negative, like -1001234567890)")
            )
        tw = self.twilio
        problems += _all_or_none(
            {
                "TWILIO_ACCOUNT_SID": tw.twilio_account_sid,
                "TWILIO_AUTH_TOKEN": tw.twilio_auth_token,
                "TWILIO_WHATSAPP_FROM": tw.twilio_whatsapp_from,
            },
            "WhatsApp needs all three",
        )
        tr = self.translation
        if tr.translation_provider == "deepl" and tr.deepl_auth_key is None:
            problems.append(("DEEPL_AUTH_KEY", "is required when TRANSLATION_PROVIDER=deepl"))
        if tr.translation_provider == "yandex":
            for name, value in (
                ("YANDEX_TRANSLATE_API_KEY", tr.yandex_translate_api_key),
                ("YANDEX_FOLDER_ID", tr.yandex_folder_id),
            ):
                if value is None:
                    problems.append((name, "is required when TRANSLATION_PROVIDER=yandex"))
        rotating = "is only for rotating the current one, which is not set"
        if tw.twilio_auth_token_previous and tw.twilio_auth_token is None:
            problems.append(("TWILIO_AUTH_TOKEN_PREVIOUS", rotating))
        if (
            self.cloudpayments.cloudpayments_api_secret_previous
            and self.cloudpayments.cloudpayments_api_secret is None
        ):
            problems.append(("CLOUDPAYMENTS_API_SECRET_PREVIOUS", rotating))
        if tw.twilio_voice_number and not (tw.twilio_account_sid and tw.twilio_auth_token):
            problems.append(("TWILIO_ACCOUNT_SID", "and TWILIO_AUTH_TOKEN are required for phone calls"))
        cp = self.cloudpayments
        problems += _all_or_none(
            {
                "CLOUDPAYMENTS_PUBLIC_ID": cp.cloudpayments_public_id,
                "CLOUDPAYMENTS_API_SECRET": cp.cloudpayments_api_secret,
            },
            "payments need both",
        )
        if (tw.enabled or cp.enabled) and tg.telegram_bot_token is None:
            problems.append(
                (
                    "TELEGRAM_BOT_TOKEN",
                    "is required for WhatsApp and payments: assistants work in the Telegram staff forum",
                )
            )
        sla = self.clock
        if sla.sla_first_response_vip_minutes > sla.sla_first_response_minutes:
            problems.append(
                ("SLA_FIRST_RESPONSE_VIP_MINUTES", "cannot be longer than SLA_FIRST_RESPONSE_MINUTES")
            )
        if cp.cloudpayments_receipts and (
            cp.cloudpayments_taxation_system is None or cp.cloudpayments_vat is None
        ):
            problems.append(
                (
                    "CLOUDPAYMENTS_RECEIPTS",
                    "needs CLOUDPAYMENTS_TAXATION_SYSTEM and CLOUDPAYMENTS_VAT (set by law: none assumed)",
                )
            )
        if cp.cloudpayments_receipt_settlement == "prepayment" and cp.cloudpayments_inn is None:
            problems.append(
                ("CLOUDPAYMENTS_INN", "is required for prepayment receipts (the settlement names it)")
            )
        if (tw.enabled or cp.enabled) and self.http.public_base_url is None:
            problems.append(("PUBLIC_BASE_URL", "is required to receive Twilio or CloudPayments webhooks"))
        return problems

    @property
    def telegram_mode(self) -> Literal["webhook", "polling"]:
        if self.telegram.telegram_mode:
            return self.telegram.telegram_mode
        return "webhook" if self.http.public_base_url else "polling"

    @classmethod
    def load(cls) -> Settings:
        problems: list[tuple[str, str]] = []
        concerns = {}
        for name, concern in (
            ("store", StoreSettings),
            ("http", HttpSettings),
            ("telegram", TelegramSettings),
            ("twilio", TwilioSettings),
            ("cloudpayments", CloudPaymentsSettings),
            ("translation", TranslationSettings),
            ("app", AppSettings),
            ("clock", ClockSettings),
        ):
            try:
                concerns[name] = concern()
            except ValidationError as error:
                problems += [
                    (
                        str(e["loc"][0]).upper() if e["loc"] else name.upper(),
                        e["msg"].removeprefix("Value error, "),
                    )
                    for e in error.errors()
                ]
        if problems:
            raise ConfigError(problems)
        try:
            return cls(**concerns)
        except ValidationError as error:
            # pydantic wraps our ConfigError raised inside the model validator
            raise ConfigError(_unwrap(error)) from None


def _unwrap(error: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for e in error.errors():
        cause = (e.get("ctx") or {}).get("error")
        if isinstance(cause, ConfigError):
            problems += cause.problems
        else:
            problems.append(("CONFIGURATION", e["msg"]))
    return problems


_CONCERNS = (
    ("Storage", StoreSettings),
    ("Web server", HttpSettings),
    ("Telegram", TelegramSettings),
    ("WhatsApp and phone (Twilio)", TwilioSettings),
    ("Payments (CloudPayments)", CloudPaymentsSettings),
    ("Translation (DeepL or Yandex Cloud)", TranslationSettings),
    ("The service", AppSettings),
    ("Promises (minutes)", ClockSettings),
)


# read by docker-compose.yml only (the service never sees them): the stack's own secrets and its address
COMPOSE_VARIABLES = {
    "DOMAIN": "the domain this service answers at (its DNS A record points here); PUBLIC_BASE_URL becomes "
    "https://DOMAIN",
    "ACME_EMAIL": "where Let's Encrypt writes about the certificate Caddy obtains",
    "MONGO_APP_PASSWORD": "the service's MongoDB password: 32+ random letters and digits (it goes into a "
    "URL); it may read and write its own database only (root's password is the Docker secret "
    "secrets/mongo_root_password)",
}


def setting_names() -> list[str]:
    """Every environment variable the service reads."""
    return [name.upper() for _, concern in _CONCERNS for name in concern.model_fields]


def _shown(default: object) -> str:
    if default is None or default == "" or default is PydanticUndefined:
        return ""
    return f" (default: {str(default).lower() if isinstance(default, bool) else default})"


def env_example() -> str:
    """.env.example, from the settings model: every variable, what it means and its default."""
    lines = [
        "# Concierge settings: copy to .env and fill in what you use. An empty or absent variable takes",
        "# the default shown. Generated from the settings model by `concierge env-example`; a test keeps",
        "# this file and the model equal.",
    ]
    for title, concern in _CONCERNS:
        lines += ["", f"# --- {title} " + "-" * (100 - len(title))]
        for name, field in concern.model_fields.items():
            lines += [f"# {field.description}{_shown(field.default)}", f"{name.upper()}="]
    title = "docker compose (docker-compose.yml reads these; under it MONGODB_URL, HTTP_*, PUBLIC_BASE_URL"
    lines += ["", f"# --- {title}", "# and TRUSTED_PROXIES are set by the stack)"]
    for name, meaning in COMPOSE_VARIABLES.items():
        lines += [f"# {meaning}", f"{name}="]
    return "\n".join(lines) + "\n"
