"""Orphans: start a real `concierge run` on its embedded store and kill -9 it at a random moment of its life
(starting, serving), N times; after each kill, count the engines still running on its data. A script, not a
test (tests/integration/test_engine_orphans.py runs a few kills of the same loop).

    .venv/bin/python bench/orphans.py --kills 50 [--longest 6]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.integration.test_engine_orphans import kill_at_random_moments


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--longest", type=float, default=6.0, help="the latest moment of a kill, seconds")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="orphans-") as data_dir:
        try:
            moments = kill_at_random_moments(Path(data_dir), args.kills, time.time_ns(), args.longest)
        except AssertionError as survivor:
            print(f"FAILED: {survivor}")
            return 1
    print(
        f"{len(moments)} kills at random moments ({min(moments):.2f}–{max(moments):.2f} s after start), "
        f"engines that outlived their service: 0; {time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
