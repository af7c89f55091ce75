"""The embedded MongoDB-compatible engine (nx-27017 over SQLite) as a child process we own.

It listens on 127.0.0.1 on a free port, keeps its pid file and data under the data directory, dies with
us (PR_SET_PDEATHSIG on Linux, re-checked after it is set) and is stopped on shutdown. `engine.json` tells
the CLI where a running one is.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import structlog
from pymongo import MongoClient
from pymongo.errors import PyMongoError

log = structlog.get_logger(__name__)

_PR_SET_PDEATHSIG = 1
STATE_FILE = "engine.json"


class EngineError(RuntimeError):
    pass


class ForeignEngine(EngineError):
    """MONGODB_URL leads to the embedded engine another concierge owns: it dies with that service and comes
    back on another port, so an instance sharing it breaks for good. Several instances need one MongoDB."""

    def __init__(self, pid: int) -> None:
        super().__init__(
            f"it leads to the embedded store of another concierge (engine pid {pid}), which dies with "
            "that service and returns on another port. Several instances need one MongoDB (a replica set)."
        )


def owned_by_a_service(pid: int) -> bool:
    """Is this engine process the child of a running concierge service (not one started on its own)?"""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        parent = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
        cmdline = Path(f"/proc/{parent}/cmdline").read_bytes().split(b"\0")
    except (OSError, StopIteration, ValueError):
        return False  # not on this machine's /proc: it cannot be a loopback engine of ours
    return any(part.endswith((b"concierge", b"bot.cli")) for part in cmdline) and b"run" in cmdline


def _orphaned(pid: int) -> bool:
    """Its owner is gone: reparented to init, or the parent it names is dead."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        parent = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
    except (OSError, StopIteration, ValueError):
        return False
    return parent == 1 or not _alive(parent)


class DataDirInUse(EngineError):
    def __init__(self, data_dir: Path, pid: int) -> None:
        super().__init__(f"{data_dir} is in use by another concierge (engine pid {pid})")
        self.pid = pid


class DataDirUnusable(EngineError):
    """The data directory cannot hold the store: not a directory, read-only, full."""

    def __init__(self, data_dir: Path, error: OSError) -> None:
        super().__init__(f"{data_dir} cannot hold the store ({error.strerror or type(error).__name__})")


PROBE_BYTES = 64 * 1024  # a disk with less room than this fails at the first writes anyway


def check_usable(data_dir: Path) -> None:
    """Create the directory and write a little in it: an unusable one is one clear error, not a traceback."""
    probe = data_dir / ".write-probe"
    try:
        (data_dir / "db").mkdir(parents=True, exist_ok=True)
        with probe.open("wb") as file:
            file.write(bytes(PROBE_BYTES))
            file.flush()
            os.fsync(file.fileno())
        probe.unlink()
    except OSError as error:
        raise DataDirUnusable(data_dir, error) from None


def _die_with_parent(parent: int) -> None:
    """Runs in the child between fork and exec: the kernel kills it when the service dies. SIGKILL, not
    SIGTERM: a terminated engine can hang in its own exit (WAL keeps every acknowledged write)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the service died before the signal was set: nobody would send it
        os.kill(os.getpid(), signal.SIGKILL)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_engine(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return _alive(pid)  # no /proc (macOS): trust the pid
    return any(name in cmdline for name in (b"nx_27017", b"nx-27017", LAUNCHER.name.encode()))


# what would start coverage measurement in a process (its subprocess patch): the store runs none of our code,
# and the tracer would only slow every command it answers (by about half, measured)
MEASURING = ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START")


# glibc gives each thread that allocates a malloc arena of its own (up to 8 a core) and keeps what is freed in
# it: a thread arena's heap shrinks only from its top. nx-27017 answers every command on a worker thread of
# asyncio's pool (six on two cores), so its RSS grew with the data it had handled while its live bytes stayed
# flat (the soak's store +40 % in an hour: the free space in seven arenas). Two arenas: README, *Soak*.
# An operator's own MALLOC_ARENA_MAX wins.
ALLOCATOR = {"MALLOC_ARENA_MAX": "2"}


def _environment() -> dict[str, str]:
    return ALLOCATOR | {k: v for k, v in os.environ.items() if k not in MEASURING}


# glibc keeps what Python frees of the store's results (objects over 512 bytes) in its heap and gives a heap
# back only from its top: the store's RSS crept up with the history it had read. The store's own process
# (engine_process.py) hands the free pages back every TRIM_SECONDS. README, *Soak*, the sixth round.
TRIM_SECONDS = 30.0
LAUNCHER = Path(__file__).with_name("engine_process.py")


def _executable() -> list[str]:
    if importlib.util.find_spec("nx_27017") is not None:  # (the launcher runs it with our interpreter)
        return [sys.executable, str(LAUNCHER), "--trim-every", f"{TRIM_SECONDS:g}"]
    beside = Path(sys.executable).with_name("nx-27017")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("nx-27017")
    if found:
        return [found]
    return [sys.executable, "-m", "nx_27017.nx_27017"]


@dataclass(frozen=True, slots=True)
class RunningEngine:
    pid: int
    port: int

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"


def find_running(data_dir: Path) -> RunningEngine | None:
    """The engine another concierge process started on this data directory, if it is still there."""
    try:
        state = json.loads((data_dir / STATE_FILE).read_text())
        engine = RunningEngine(int(state["pid"]), int(state["port"]))
    except (OSError, ValueError, KeyError):
        return None
    return engine if _alive(engine.pid) and _is_engine(engine.pid) else None


class EmbeddedEngine:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.pid_file = self.data_dir / "nx-27017.pid"
        self._process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self, timeout: float = 10.0) -> None:
        check_usable(self.data_dir)
        running = find_running(self.data_dir)
        if running is not None and _orphaned(running.pid):
            # the engine of a service that was killed (dying with it, or left by an older version): stopped
            # at once, so a restart right after a kill -9 starts on the data instead of failing as "in use"
            with contextlib.suppress(ProcessLookupError):
                os.kill(running.pid, signal.SIGKILL)
            self._wait_gone(running.pid, 2.0)
            running = find_running(self.data_dir)
        if running is not None:
            raise DataDirInUse(self.data_dir, running.pid)
        self._clear_stale_pid_file()
        for _attempt in range(3):  # the free port can be taken between probing and binding
            self.port = _free_port()
            err_fd = self._stderr_file()
            self._process = subprocess.Popen(  # noqa: S603 — our own executable and arguments
                [
                    *_executable(),
                    "--data-dir",
                    str(self.data_dir / "db"),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--pid-file",
                    str(self.pid_file),
                    # its INFO log echoes commands and their documents: keep client data out of log files
                    "--log-file",
                    os.devnull,
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err_fd,
                env=_environment(),
                preexec_fn=partial(_die_with_parent, os.getpid())
                if sys.platform.startswith("linux")
                else None,
                # not the terminal's process group: Ctrl-C reaches the service, which drains, then stops us
                process_group=0,
            )
            os.close(err_fd)
            if self._wait_listening(timeout) and self._wait_answering(timeout):
                (self.data_dir / STATE_FILE).write_text(
                    json.dumps({"pid": self._process.pid, "port": self.port})
                )
                log.info("embedded_store.started", pid=self._process.pid, port=self.port)
                return
            self.stop()
        raise EngineError("the embedded store did not start; see nx-27017's error above")

    def _stderr_file(self) -> int:
        return os.open(self.data_dir / "nx-27017.err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)

    def _wait_listening(self, timeout: float) -> bool:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                err = (self.data_dir / "nx-27017.err").read_text(errors="replace")
                log.warning("embedded_store.exited", code=self._process.returncode, error=err[-300:])
                return False
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.2):
                return True
            time.sleep(0.02)
        return False

    def _wait_answering(self, timeout: float) -> bool:
        """Listening is not yet answering: on a loaded machine the engine binds its port well before it
        answers a command, and the first command would give up after its 5 s of server selection."""
        client: MongoClient = MongoClient(
            f"mongodb://127.0.0.1:{self.port}",
            serverSelectionTimeoutMS=int(timeout * 1000),
            directConnection=True,
        )
        try:
            client.admin.command("ping")
            return True
        except PyMongoError as error:
            log.warning("embedded_store.silent", error=type(error).__name__)
            return False
        finally:
            client.close()

    def _clear_stale_pid_file(self) -> None:
        # nx-27017 refuses to start while its pid file names a live process; after a crash that pid may be
        # reused by something else, and an orphaned engine of ours is stopped here.
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return
        if _alive(pid) and _is_engine(pid):
            os.kill(pid, signal.SIGTERM)
            self._wait_gone(pid, 5.0)
        self.pid_file.unlink(missing_ok=True)

    @staticmethod
    def _wait_gone(pid: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self, timeout: float = 2.0) -> None:  # WAL keeps acknowledged writes even if killed
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        (self.data_dir / STATE_FILE).unlink(missing_ok=True)
        self.pid_file.unlink(missing_ok=True)
        log.info("embedded_store.stopped", pid=process.pid)
