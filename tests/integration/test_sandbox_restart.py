"""The sandbox as people use it: a conversation, ⏩, Ctrl-C, `make run` again — and it still talks."""

from __future__ import annotations

import json
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_service_process import (
    STARTUP,
    cli,
    concierge,
    environment,
    free_port,
    status,
    wait_until,
)

WAIT = 40  # s: the sandbox keeps Telegram's real limits (a message a second into a chat); CI is slow


def _call(url: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 — loopback
        return json.loads(response.read())


@contextmanager
def running_sandbox(data_dir: Path, port: int, log: Path, **settings: str) -> Iterator[str]:
    with log.open("ab") as output:
        process = subprocess.Popen(
            concierge("run"),
            env=environment(data_dir, HTTP_PORT=str(port), LOG_LEVEL="WARNING", **settings),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: status(f"{base}/sandbox/api/personas") == 200, STARTUP), log.read_text()
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(15) == 0, log.read_text()[-4000:]


def _forum_texts(base: str) -> list[str]:
    texts = []
    for topic in _call(f"{base}/sandbox/api/forum")["topics"]:
        texts += [m["text"] for m in _call(f"{base}/sandbox/api/forum?thread={topic['thread']}")["messages"]]
    return texts


def _reaches_the_forum(base: str, text: str) -> bool:
    return wait_until(lambda: any(text in t for t in _forum_texts(base)), WAIT)


def _now(base: str) -> datetime:
    # the clock's smallest step tells the time it moved to
    return datetime.fromisoformat(_call(f"{base}/sandbox/api/clock", {"minutes": 1})["now"])


def test_a_restarted_sandbox_still_hears_its_clients_and_keeps_its_time(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "service.log"
    with running_sandbox(tmp_path, port, log) as base:
        _call(
            f"{base}/sandbox/api/phone", {"persona": "james", "text": "A car to the Bolshoi tonight at 7 pm"}
        )
        assert _reaches_the_forum(base, "Bolshoi"), log.read_text()[-4000:]
        _call(f"{base}/sandbox/api/phone", {"persona": "irina", "channel": "whatsapp", "text": "Добрый день"})
        assert _reaches_the_forum(base, "Добрый день"), log.read_text()[-4000:]
        _call(f"{base}/sandbox/api/clock", {"minutes": 55})
        # `concierge console-link`, as the README offers it, works in the sandbox too
        link = cli(environment(tmp_path, HTTP_PORT=str(port)), "console-link", "--telegram-id", "7002")
        assert link.returncode == 0, link.stderr
        with urllib.request.urlopen(link.stdout.strip(), timeout=10) as response:  # noqa: S310 — loopback
            assert "/console/sign-in" in response.url and response.status == 200
        before = _now(base)

    with running_sandbox(tmp_path, port, log) as base:
        _call(f"{base}/sandbox/api/phone", {"persona": "james", "text": "And flowers in the car, please"})
        assert _reaches_the_forum(base, "flowers in the car"), log.read_text()[-4000:]
        _call(
            f"{base}/sandbox/api/phone",
            {"persona": "irina", "channel": "whatsapp", "text": "Спасибо заранее"},
        )
        assert _reaches_the_forum(base, "Спасибо заранее"), log.read_text()[-4000:]
        assert _now(base) >= before + timedelta(minutes=1)  # the sandbox's time never goes back
        # the assistant answers the client first after the restart: it reaches the client's phone
        thread = next(
            t["thread"] for t in _call(f"{base}/sandbox/api/forum")["topics"] if "James" in t["name"]
        )
        _call(
            f"{base}/sandbox/api/forum",
            {"thread": thread, "assistant": 7001, "text": "Of course, Mr Whitmore"},
        )
        assert wait_until(
            lambda: any(
                "Mr Whitmore" in m["text"]
                for m in _call(f"{base}/sandbox/api/phone?persona=james")["messages"]
                if m["from"] == "concierge"
            ),
            WAIT,
        ), log.read_text()[-4000:]
        # a wrong value in each of a button press's fields: a clear 400 or 404, never a 500
        for wrong, code in (
            ({"persona": "james"}, 400),
            ({"persona": "nobody", "data": "rate:R-1001:5", "message_id": 1}, 400),
            ({"persona": "james", "data": "remind:R-1001:1:ok", "message_id": "first"}, 400),
            ({"persona": "james", "data": "remind:R-1001:1:ok", "message_id": 999999}, 404),
        ):
            with pytest.raises(urllib.error.HTTPError) as refused:
                _call(f"{base}/sandbox/api/phone/button", wrong)
            assert refused.value.code == code, wrong
        # and in each of a message's: 400, never a 500
        for wrong in (
            {"text": "A car"},
            {"persona": "nobody", "text": "A car"},
            {"persona": "james", "text": "A car", "channel": "pigeon"},
            {"persona": "james", "text": "  "},
        ):
            with pytest.raises(urllib.error.HTTPError) as refused:
                _call(f"{base}/sandbox/api/phone", wrong)
            assert refused.value.code == 400, wrong
