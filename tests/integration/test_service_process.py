"""The real `concierge` command as a process: configuration errors, readiness, SIGTERM, kill -9."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from storage.embedded import STATE_FILE
from tests.integration.test_embedded_engine import alive

OUR_VARS = (
    "MONGODB",
    "CONCIERGE",
    "HTTP_",
    "PUBLIC_",
    "TELEGRAM",
    "TWILIO",
    "CLOUDPAYMENTS",
    "BUSINESS",
    "LOG_",
)


LAUNCH = Path(__file__).parent.parent / "bin" / "concierge"  # (named so: a service is known by its command)
METRICS_TOKEN = "t" * 24  # (the `service` fixture's /metrics asks for it)
STARTUP = 60  # s: a hang guard for a service's start, not a timing (coverage and a busy CI slow it)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(OUR_VARS)}
    if "COVERAGE_PROCESS_CONFIG" in env:  # tests/launch.py starts coverage itself, a little later
        env["LATE_COVERAGE_PROCESS_CONFIG"] = env.pop("COVERAGE_PROCESS_CONFIG")
    return env | {"CONCIERGE_DATA_DIR": str(data_dir), "LOG_FORMAT": "json"} | extra


def concierge(*args: str) -> list[str]:
    return [sys.executable, str(LAUNCH), *args]  # python -m bot.cli (tests/bin/concierge says why)


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(concierge(*args), env=env, capture_output=True, text=True, timeout=60, check=False)


SESSION = LAUNCH.with_name("concierge-session")


class CliSession:
    """`cli`, for a test that gives many commands: one process runs them one after another (tests/bin/
    concierge-session: each as `python -m bot.cli` would, with its own environment, arguments and output)."""

    def __init__(self, env: dict[str, str]) -> None:
        self._process = subprocess.Popen(
            [sys.executable, str(SESSION)], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def __call__(
        self, env: dict[str, str], *args: str, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps({"argv": list(args), "env": env}) + "\n")
        self._process.stdin.flush()
        # an answer is one line, read whole: nothing is left buffered between commands, so a look at the pipe
        # tells whether it came (a command that does not end — a `run` that starts serving — fails the test)
        if not select.select([self._process.stdout], [], [], timeout)[0]:
            self._process.kill()
            raise AssertionError(f"concierge {' '.join(args)} did not answer in {timeout} s")
        line = self._process.stdout.readline()
        assert line, f"the session ended (exit {self._process.wait(10)})"
        done = json.loads(line)
        return subprocess.CompletedProcess(["concierge", *args], done["code"], done["stdout"], done["stderr"])

    def close(self) -> None:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.close()
        self._process.wait(60)  # (coverage writes its data as the process ends)
        self._process.stdout.close()


def wait_until(condition, timeout: float) -> bool:
    """Poll an outside process for a condition, with a deadline: often at first, then every half second
    (each look is work for the process, under coverage: a sandbox's restart test used 10 % less CPU)."""
    deadline, pause = time.monotonic() + timeout, 0.05
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 1.5, 0.5)
    return condition()


def status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 — loopback
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"TELEGRAM_MODE": "webhook", "TELEGRAM_BOT_TOKEN": "123456:" + "A" * 35}, "PUBLIC_BASE_URL"),
        ({"HTTP_PORT": "http"}, "HTTP_PORT"),
        ({"TELEGRAM_WEBHOOK_SECRET": "no spaces allowed"}, "TELEGRAM_WEBHOOK_SECRET"),
        (
            {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "PUBLIC_BASE_URL": "https://c.example"},
            "TWILIO_AUTH_TOKEN",
        ),
        (
            {"CLOUDPAYMENTS_API_SECRET": "s", "PUBLIC_BASE_URL": "https://c.example"},
            "CLOUDPAYMENTS_PUBLIC_ID",
        ),
        ({"BUSINESS_TIMEZONE": "Moscow"}, "BUSINESS_TIMEZONE"),
        ({"BUSINESS_LATITUDE": "91"}, "BUSINESS_LATITUDE"),
        ({"MONGODB_URL": "localhost:27017"}, "MONGODB_URL"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"CONCIERGE_SANDBOX": "true", "TELEGRAM_BOT_TOKEN": "123456:" + "A" * 35}, "CONCIERGE_SANDBOX"),
        ({"HTTP_HOST": "0.0.0.0"}, "HTTP_HOST"),  # noqa: S104 — the sandbox serves on loopback only
        ({"SLA_FIRST_RESPONSE_MINUTES": "soon"}, "SLA_FIRST_RESPONSE_MINUTES"),
        ({"SLA_QUOTE_MINUTES": "0"}, "SLA_QUOTE_MINUTES"),
        ({"SLA_FIRST_RESPONSE_VIP_MINUTES": "30"}, "SLA_FIRST_RESPONSE_VIP_MINUTES"),  # longer than 15
        ({"TWILIO_VOICE_NUMBER": "8 800 555 35 35"}, "TWILIO_VOICE_NUMBER"),  # not E.164
        (
            {"TWILIO_VOICE_NUMBER": "+74951234567", "PUBLIC_BASE_URL": "https://c.example"},
            "TWILIO_ACCOUNT_SID",
        ),
        ({"CALL_RECORDING": "sometimes"}, "CALL_RECORDING"),
        ({"TWILIO_TEMPLATE_REMINDER_SID": "fr=HX" + "0" * 32}, "TWILIO_TEMPLATE_REMINDER_SID"),  # no French
        ({"TWILIO_TEMPLATE_REOPEN_SID": "ar=HX123"}, "TWILIO_TEMPLATE_REOPEN_SID"),  # not a Content SID
        ({"TRUSTED_PROXIES": "caddy"}, "TRUSTED_PROXIES"),  # an address or a network, not a name
        ({"CONSOLE_SECRET": "short"}, "CONSOLE_SECRET"),  # at least 32 characters
        ({"METRICS_TOKEN": "short"}, "METRICS_TOKEN"),  # at least 16 characters
        ({"TWILIO_AUTH_TOKEN_PREVIOUS": "old"}, "TWILIO_AUTH_TOKEN_PREVIOUS"),  # rotating nothing
        ({"CLOUDPAYMENTS_API_SECRET_PREVIOUS": "old"}, "CLOUDPAYMENTS_API_SECRET_PREVIOUS"),
        ({"CLOUDPAYMENTS_RECEIPTS": "true"}, "CLOUDPAYMENTS_RECEIPTS"),  # no taxation system, no VAT rate
        ({"CLOUDPAYMENTS_TAXATION_SYSTEM": "9"}, "CLOUDPAYMENTS_TAXATION_SYSTEM"),
        ({"CLOUDPAYMENTS_VAT": "18"}, "CLOUDPAYMENTS_VAT"),  # the 2018 rate: not one the law has now
        ({"CLOUDPAYMENTS_RECEIPT_SETTLEMENT": "later"}, "CLOUDPAYMENTS_RECEIPT_SETTLEMENT"),
        ({"CLOUDPAYMENTS_RECEIPT_SETTLEMENT": "prepayment"}, "CLOUDPAYMENTS_INN"),  # the settlement names it
        ({"CLOUDPAYMENTS_INN": "77-088"}, "CLOUDPAYMENTS_INN"),
    ],
)
def test_bad_configuration_exits_2_naming_the_variable(
    tmp_path: Path, env: dict, variable: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """`concierge run`'s own entry point with the environment a process would have (each case a process of
    its own cost 1.6 s of CPU under coverage; the process itself is below)."""
    from bot import cli

    data_dir = tmp_path / "data"
    wanted = environment(data_dir, **env)
    for name in [n for n in os.environ if n not in wanted]:
        monkeypatch.delenv(name)
    for name, value in wanted.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(cli, "_run", lambda settings: pytest.fail(f"{variable} was accepted: it would start"))
    with pytest.raises(SystemExit) as stopped:
        cli.main(["run"])
    said = capsys.readouterr().err
    assert stopped.value.code == 2
    assert f"  {variable}: " in said and said.startswith("concierge: invalid configuration")
    assert not data_dir.exists()  # nothing was started
    assert "AAAAAAAAAA" not in said  # secrets are not echoed back


def test_a_bad_setting_stops_the_process_with_exit_2_in_a_few_lines(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    done = subprocess.run(
        concierge("run"),
        env=environment(data_dir, TELEGRAM_MODE="webhook", TELEGRAM_BOT_TOKEN="123456:" + "A" * 35),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    first, *problems = done.stderr.splitlines()
    assert first == "concierge: invalid configuration, nothing was started:"
    assert all(line.startswith("  ") and ": " in line for line in problems)  # a line a variable, no traceback
    assert any(line.startswith("  PUBLIC_BASE_URL: ") for line in problems)
    assert not data_dir.exists() and done.stdout == ""  # nothing was started, no log line
    assert "AAAAAAAAAA" not in done.stderr


def test_audit_and_rebuild_from_the_command_line(tmp_path: Path, cli_session: CliSession) -> None:
    env = environment(tmp_path)
    rebuilt = cli_session(env, "--new-store", "rebuild")
    assert rebuilt.returncode == 0 and "rebuild: 0 events applied" in rebuilt.stdout
    audit = cli_session(env, "audit", "verify")
    assert audit.returncode == 0 and "audit: intact" in audit.stdout
    assert not (tmp_path / STATE_FILE).exists()  # the CLI's own engine was stopped


def test_audit_verify_names_the_first_broken_link_and_exits_non_zero(tmp_path: Path) -> None:
    import asyncio

    from domain.clock import SystemClock
    from domain.events import Actor, ActorKind, EventType, NewEvent
    from storage.store import open_store

    async def write_and_tamper() -> None:
        async with open_store(None, "concierge", tmp_path, SystemClock()) as store:
            actor = Actor(ActorKind.CLIENT, "C-1")
            await store.record(
                NewEvent(
                    "client:C-1",
                    EventType.CLIENT_REGISTERED,
                    {"client_id": "C-1", "name": "Omar"},
                    actor,
                    "tg:1/0",
                )
            )
            await store.record(
                NewEvent("client:C-1", EventType.CLIENT_TAGGED, {"tags": ["vip"]}, actor, "tg:2/0")
            )
            await store.db["events"].update_one(
                {"stream": "client:C-1", "seq": 1}, {"$set": {"data.name": "Someone else"}}
            )

    asyncio.run(write_and_tamper())
    audit = cli(environment(tmp_path), "audit", "verify")
    assert audit.returncode == 1
    assert "client:C-1#1: content does not match its hash (edited)" in audit.stdout


def test_the_staff_commands(tmp_path: Path, cli_session: CliSession) -> None:
    env = environment(tmp_path)
    nowhere = cli_session(env, "staff", "list")
    assert nowhere.returncode == 2 and f"no store in {tmp_path.resolve()}" in nowhere.stderr
    assert not (tmp_path / "db").exists()  # nothing was created behind the operator's back
    empty = cli_session(env, "--new-store", "staff", "list")
    assert empty.returncode == 0 and empty.stdout.startswith("staff: no assistants yet")
    assert empty.stderr.strip() == f"concierge: using a new embedded store in {tmp_path.resolve()}"
    added = cli_session(
        env, "staff", "add", "--telegram-id", "9001", "--name", "Anna", "--languages", "en,ru", "--lead"
    )
    assert added.returncode == 0 and "Anna (A-9001) is on the team" in added.stdout
    assert "using the embedded store in" in added.stderr and "{" not in added.stdout  # no log lines
    assert (
        cli_session(
            env,
            "staff",
            "add",
            "--telegram-id",
            "9002",
            "--name",
            "Omar",
            "--languages",
            "ar",
            "--staff-chat-id",
            "-1002000000002",
        ).returncode
        == 0
    )
    again = cli_session(env, "staff", "add", "--telegram-id", "9001", "--name", "Anna", "--languages", "en")
    assert again.returncode == 2 and "already on the team" in again.stderr
    bad = cli_session(env, "staff", "add", "--telegram-id", "9003", "--name", "Zed", "--languages", "en,fr")
    assert bad.returncode == 2 and "fr" in bad.stderr
    assert cli_session(env, "staff", "deactivate", "--telegram-id", "9002").returncode == 0
    phone = cli_session(env, "staff", "set-phone", "--telegram-id", "9001", "--phone", "+7 916 123-45-67")
    assert phone.returncode == 0 and "+791••••4567" in phone.stdout and "9161234567" not in phone.stdout
    nonsense = cli_session(env, "staff", "set-phone", "--telegram-id", "9001", "--phone", "call me")
    assert nonsense.returncode == 2 and "with its country code, like +79161234567" in nonsense.stderr
    table = cli_session(env, "staff", "list").stdout.splitlines()
    header = ["TELEGRAM", "ID", "NAME", "LANGUAGES", "OPEN", "PHONE", "STAFF", "FORUM", "ROLE", "PRESENCE"]
    assert table[0].split() == header
    assert table[1].split() == ["9001", "Anna", "en,ru", "0", "+791••••4567", "—", "lead", "on", "duty"]
    assert table[2].split() == ["9002", "Omar", "ar", "0", "—", "-1002000000002", "inactive", "—"]
    listed = json.loads(cli_session(env, "staff", "list", "--json").stdout)
    assert [(a["name"], a["lead"], a["active"], a["staff_chat_id"]) for a in listed] == [
        ("Anna", True, True, None),
        ("Omar", False, False, -1002000000002),
    ]
    report = json.loads(cli_session(env, "report", "--since", "30d", "--format", "json").stdout)
    assert report["assistants"] == [] and report["from"] < report["to"]
    assert "ASSISTANT" in cli_session(env, "report").stdout
    nonsense = cli_session(env, "report", "--since", "forever")
    assert nonsense.returncode == 2 and "not a period like 7d" in nonsense.stderr
    missing = cli_session(env, "staff", "deactivate", "--telegram-id", "1")
    assert missing.returncode == 2 and "no assistant has telegram id 1" in missing.stderr
    assert cli_session(env, "audit", "verify").returncode == 0
    assert json.loads(cli_session(env, "audit", "verify", "--json").stdout)["intact"] is True


def test_the_inbox_commands_list_and_retry_what_failed(tmp_path: Path, cli_session: CliSession) -> None:
    import asyncio
    from datetime import timedelta

    from domain.clock import SystemClock
    from storage.store import open_store

    env = environment(tmp_path)
    empty = cli_session(env, "--new-store", "inbox", "failed")
    assert empty.returncode == 0 and empty.stdout.strip() == "inbox: nothing failed"

    async def a_failure() -> None:
        async with open_store(None, "concierge", tmp_path, SystemClock()) as store:
            await store.inbox.put("wa:SM1", "whatsapp", "wa:whatsapp:+971500000001", {"Body": "secret words"})
            item = await store.inbox.claim_head("wa:whatsapp:+971500000001", "w", timedelta(seconds=30))
            await store.inbox.failed(item.id, "w", "InvalidValue at channels.whatsapp.inbound:38", None)

    asyncio.run(a_failure())
    table = cli_session(env, "inbox", "failed").stdout.splitlines()
    assert table[0].split() == ["ID", "SOURCE", "RECEIVED", "ATTEMPTS", "ERROR"] and len(table) == 2
    assert table[1].startswith("wa:SM1  whatsapp") and "secret words" not in table[1]
    (failed,) = json.loads(cli_session(env, "inbox", "failed", "--json").stdout)
    assert failed["_id"] == "wa:SM1" and failed["attempts"] == 1
    assert failed["error"] == "InvalidValue at channels.whatsapp.inbound:38"
    retried = cli_session(env, "inbox", "retry", "wa:SM1")
    assert retried.returncode == 0 and "queued again" in retried.stdout
    assert cli_session(env, "inbox", "failed").stdout.strip() == "inbox: nothing failed"
    unknown = cli_session(env, "inbox", "retry", "wa:SM1")
    assert unknown.returncode == 1 and "no failed item wa:SM1" in unknown.stderr


# (A service's start is many seconds of CPU under coverage: each test below is one service's life, and checks
# in turn what the life shows.)


def test_a_running_service_freezes_its_start_refuses_a_second_instance_and_stops_cleanly_on_sigterm(
    service, tmp_path: Path
) -> None:
    process, base, data_dir = service
    engine = json.loads((data_dir / STATE_FILE).read_text())
    assert status(f"{base}/healthz") == 200
    # bot/heap.py, as `concierge run` starts: once ready, its start is out of every later collection, and each
    # collection's pause is a metric
    bearer = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    scrape = urllib.request.Request(f"{base}/metrics", headers=bearer)  # noqa: S310 — loopback
    with urllib.request.urlopen(scrape, timeout=5) as response:  # noqa: S310 — loopback
        text = response.read().decode()
    frozen = re.search(r"^concierge_gc_frozen_objects (\S+)$", text, re.M)
    assert frozen is not None and float(frozen[1]) > 10_000  # (the modules alone are more)
    assert re.search(r'^concierge_gc_pause_seconds_count\{generation="0"\} [1-9]', text, re.M)
    # a second service pointed at this one's embedded store is refused
    second = subprocess.run(
        concierge("run"),
        env=environment(
            tmp_path / "second",
            HTTP_PORT=str(free_port()),
            MONGODB_URL=f"mongodb://127.0.0.1:{engine['port']}",
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert second.returncode == 2
    assert "MONGODB_URL: it leads to the embedded store of another concierge" in second.stderr
    # `concierge audit verify` joins the running service's engine
    audit = cli(environment(data_dir), "audit", "verify")
    assert audit.returncode == 0 and "intact" in audit.stdout
    # SIGTERM stops everything cleanly within ten seconds
    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == 0
    assert wait_until(lambda: not alive(engine["pid"]), 2)
    assert status(f"{base}/healthz") is None
    assert not (data_dir / STATE_FILE).exists()


def test_a_killed_service_takes_its_engine_down_and_a_restart_right_after_starts_on_its_data(service) -> None:
    """The killed service's engine is still shutting down when the new one starts: it waits for it instead of
    failing, and the old engine is not left orphaned."""
    process, _base, data_dir = service
    engine_pid = json.loads((data_dir / STATE_FILE).read_text())["pid"]
    process.kill()
    process.wait(10)
    port = free_port()
    said = data_dir.parent / "restarted.log"  # (what it said, should it not come up: named in the failure)
    with said.open("wb") as out:
        again = subprocess.Popen(
            concierge("run"), env=environment(data_dir, HTTP_PORT=str(port)), stdout=out, stderr=out
        )
    try:
        assert wait_until(lambda: not alive(engine_pid), 5), "the embedded engine was left orphaned"
        ready = wait_until(lambda: status(f"http://127.0.0.1:{port}/readyz") == 200, STARTUP)
        assert ready, f"not ready (exit {again.poll()}): {said.read_text(errors='replace')[-2000:]}"
    finally:
        again.terminate()
        again.wait(15)
