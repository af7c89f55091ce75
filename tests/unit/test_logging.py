import json
import logging

import pytest
import structlog

from bot.logging import configure


@pytest.fixture
def logged(capsys: pytest.CaptureFixture[str]):
    configure("INFO", "json")
    yield lambda: [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    logging.getLogger().handlers.clear()


def test_secrets_and_phone_numbers_never_reach_the_log(logged) -> None:
    log = structlog.get_logger("t")
    log.info(
        "inbound",
        phone="+971501234567",
        token="123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef",
        payload={"From": "whatsapp:+79161234567", "CardLastFour": "1234", "api_secret": "s3cr3t"},
        text="call me on +44 20 7946 0958 please",
        url="mongodb://admin:hunter2@db:27017/x",
    )
    (line,) = logged()
    raw = json.dumps(line)
    for leaked in ("501234567", "ABCDEFGHIJ", "9161234567", "s3cr3t", "7946 0958", "hunter2"):
        assert leaked not in raw
    assert line["phone"] == "…4567"
    assert line["token"] == "[redacted]"
    assert line["payload"]["From"].endswith("4567")


def test_context_is_bound_to_every_line(logged) -> None:
    structlog.contextvars.bind_contextvars(client_id="C-7", channel="telegram")
    try:
        structlog.get_logger("t").info("hello")
    finally:
        structlog.contextvars.clear_contextvars()
    (line,) = logged()
    assert line["client_id"] == "C-7" and line["channel"] == "telegram" and line["level"] == "info"


def test_an_exception_is_logged_by_type_and_place_never_by_its_text(logged) -> None:
    def process() -> None:
        try:
            {"name": "Layla"}["username"]
        except KeyError as error:
            raise ValueError("Layla Al-Mansouri wrote: meet me at the Ritz at 8") from error

    try:
        process()
    except ValueError:
        structlog.get_logger("t").exception("inbox.failed", inbox_id="tg:1")
    (line,) = logged()
    assert "Layla" not in json.dumps(line) and "Ritz" not in json.dumps(line)
    assert line["exception"].startswith("builtins.ValueError\n  at ")
    assert "in process" in line["exception"] and "while handling: builtins.KeyError" in line["exception"]
    assert line["inbox_id"] == "tg:1" and line["level"] == "error"


def test_aiogram_logs_an_exception_by_type_and_place_never_by_its_text(logged) -> None:
    try:
        raise ValueError("Layla Al-Mansouri wrote: meet me at the Ritz at 8")
    except ValueError as error:
        logging.getLogger("aiogram.event").exception(
            "Cause exception while process update id=%d by bot id=%d\n%s: %s", 7, 42, "ValueError", error
        )
        logging.getLogger("aiogram.dispatcher").error("Failed to fetch updates - %s: %s", "ValueError", error)
    event, dispatcher = logged()
    assert "Layla" not in json.dumps([event, dispatcher]) and "Ritz" not in json.dumps([event, dispatcher])
    assert event["event"].startswith("Cause exception while process update id=7 by bot id=42\nValueError: ")
    assert event["exception"].startswith("builtins.ValueError\n  at ")
    assert dispatcher["event"] == "Failed to fetch updates - ValueError: [text withheld]"


def test_the_schedulers_chatter_stays_out_unless_debug_is_asked(capsys: pytest.CaptureFixture[str]) -> None:
    scheduler = logging.getLogger("apscheduler.executors.default")
    try:
        configure("INFO", "json")
        scheduler.info('Running job "wake" (scheduled at 2026-12-04 20:00:00+00:00)')
        scheduler.warning("Run time of job was missed")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
        assert [line["event"] for line in lines] == ["Run time of job was missed"]
        configure("DEBUG", "json")
        scheduler.info('Running job "wake"')
        assert 'Running job \\"wake\\"' in capsys.readouterr().err
    finally:
        logging.getLogger().handlers.clear()
        logging.getLogger().setLevel(logging.WARNING)
