"""The embedded store's process: nx-27017, with glibc handing its free heap pages back now and then.

Run by storage/embedded.py as `python engine_process.py --trim-every SECONDS <nx-27017's arguments>` (a
script, not a module of the package: the store's process imports none of our code). nx-27017 answers every
command on a thread of asyncio's pool and builds each result whole in its memory; what Python frees of it
goes back to glibc's heap (objects over 512 bytes: documents' JSON, batches, large dicts), and glibc gives
a heap back only from its top, so the free space between live chunks stayed in the store's RSS and grew
with the history it had read (the soak: README, *Soak*, the sixth round). `malloc_trim(0)` hands the free
pages inside every arena back to the kernel (their addresses stay mapped; nothing is moved).
"""

from __future__ import annotations

import ctypes
import importlib
import os
import sys
import threading
import time

TRIM_FLAG = "--trim-every"


def _trim(libc: ctypes.CDLL, seconds: float) -> None:
    while True:
        time.sleep(seconds)
        libc.malloc_trim(0)  # (ctypes lets go of the GIL for the call)


def start_trimming(seconds: float) -> bool:
    """A daemon thread that trims every `seconds`; False where there is no glibc (musl, macOS)."""
    if seconds <= 0:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        return False
    threading.Thread(target=_trim, args=(libc, seconds), name="malloc-trim", daemon=True).start()
    return True


def _split(argv: list[str]) -> tuple[float, list[str]]:
    if len(argv) >= 2 and argv[0] == TRIM_FLAG:
        return float(argv[1]), argv[2:]
    return 0.0, argv


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]  # storage/ shadows no module
    seconds, rest = _split(sys.argv[1:])
    start_trimming(seconds)
    nx_27017 = importlib.import_module("nx_27017.nx_27017")  # (no stubs: it is only run)
    sys.argv = ["nx-27017", *rest]
    return int(nx_27017.main() or 0)


if __name__ == "__main__":
    sys.exit(main())
