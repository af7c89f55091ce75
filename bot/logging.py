"""structlog: JSON lines by default, console for people; secrets and phone numbers never leave in clear, and
an exception is logged as its type and its frames, never its text."""

from __future__ import annotations

import logging
import re
import sys
import traceback
from typing import Any

import structlog

from bot.metrics import count_log_line

_SECRET_KEYS = re.compile(
    r"token|secret|password|passwd|authorization|auth_token|api_key|card|pan|cvv|hmac", re.IGNORECASE
)
_PHONE_KEYS = re.compile(r"phone|msisdn|wa_?id|from_number", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w/])\+?\d[\d \-()]{7,17}\d(?!\w)")
_BOT_TOKEN = re.compile(r"\d{6,}:[A-Za-z0-9_-]{30,}")
_URL_AUTH = re.compile(r"(\w+://)[^/@\s:]+:[^/@\s]+@")


def mask_digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return f"…{digits[-4:]}" if len(digits) >= 4 else "…"


def _scrub_text(text: str) -> str:
    text = _BOT_TOKEN.sub("[token]", text)
    text = _URL_AUTH.sub(r"\1[credentials]@", text)
    return _PHONE.sub(lambda m: mask_digits(m.group()), text)


def _scrub(key: str, value: Any) -> Any:
    if _SECRET_KEYS.search(key) and value not in (None, "", False):
        return "[redacted]"
    if isinstance(value, dict):
        return {k: _scrub(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(key, v) for v in value]
    if isinstance(value, str):
        return mask_digits(value) if _PHONE_KEYS.search(key) else _scrub_text(value)
    return value


def exception_without_text(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """An exception as its type and where it was raised — frame by frame, through its causes — never its text:
    exception messages carry names, message fragments and numbers from the payload being processed."""
    exc_info = event_dict.pop("exc_info", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    error = exc_info if isinstance(exc_info, BaseException) else exc_info[1] if exc_info else None
    if error is not None:
        event_dict["exception"] = _locations(error)
    return event_dict


def _locations(error: BaseException) -> str:
    parts, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        where = "".join(f"\n  at {f.filename}:{f.lineno} in {f.name}" for f in frames)
        parts.append(f"{type(current).__module__}.{type(current).__qualname__}{where}")
        current = current.__cause__ or current.__context__
    return "\nwhile handling: ".join(parts)


WITHHELD = "[text withheld]"


def foreign_without_exception_text(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """A library's line (aiogram: "Cause exception … %s: %s", error) is rendered again with every exception
    among its arguments withheld: the same rule as our own lines, type and place only."""
    args = event_dict.pop("positional_args", None)  # (given by ProcessorFormatter(pass_foreign_args=True))
    record = event_dict.get("_record")
    if record is None or not isinstance(args, tuple):
        return event_dict
    if any(isinstance(arg, BaseException) for arg in args):
        shown = tuple(WITHHELD if isinstance(arg, BaseException) else arg for arg in args)
        try:
            event_dict["event"] = str(record.msg) % shown
        except (TypeError, ValueError):  # a format we cannot redo: keep only what was meant to be said
            event_dict["event"] = str(record.msg)
    return event_dict


def redact(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    return {key: _scrub(key, value) for key, value in event_dict.items()}


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is emitted (test capture swaps it)."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


# third-party request logs carry message bodies and numbers: warnings only, whatever LOG_LEVEL says
NOISY = ("pymongo", "aiohttp.access", "twilio", "aiogram.event")
# a line per job run (most of the log at INFO): warnings only unless LOG_LEVEL=DEBUG asks for it
CHATTY = ("apscheduler",)


def configure(level: str = "INFO", fmt: str = "json") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        exception_without_text,
        redact,
        count_log_line,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=[foreign_without_exception_text, *shared],
            pass_foreign_args=True,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    for chatty in CHATTY:
        debug = logging.getLevelName(level) <= logging.DEBUG
        logging.getLogger(chatty).setLevel(
            logging.DEBUG if debug else max(logging.WARNING, logging.getLevelName(level))
        )
