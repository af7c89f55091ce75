"""The stateful test's long run: the same state machine as tests/integration/test_stateful.py (what clients,
assistants, payments, the clock and a restart do, invariants after every step), with more and longer random
interleavings, on its own embedded store. Stops by itself; prints the seed, the figures and each failing
sequence as hypothesis shrank it (paste it into a test to replay it).

    .venv/bin/python bench/stateful.py --examples 200 --steps 40 [--seed 1234]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.stateful import get_state_machine_test

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test driver lives in tests/
from storage.embedded import EmbeddedEngine
from tests.stateful_machine import ConciergeMachine
from tests.stateful_world import WARNINGS


class Counting(ConciergeMachine):
    examples = steps = 0

    def __init__(self) -> None:
        super().__init__()
        Counting.examples += 1

    def check_invariants(self, *args, **kwargs):  # called after every step (hypothesis's own hook)
        Counting.steps += 1
        return super().check_invariants(*args, **kwargs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--no-shrink", action="store_true", help="report the first failure as found")
    args = parser.parse_args()
    chosen = args.seed if args.seed is not None else random.randrange(2**32)
    phases = [Phase.generate] if args.no_shrink else [Phase.generate, Phase.shrink, Phase.explain]
    run = settings(
        max_examples=args.examples,
        stateful_step_count=args.steps,
        deadline=None,
        phases=phases,
        database=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )
    print(f"seed {chosen}: {args.examples} examples of up to {args.steps} steps", flush=True)
    with tempfile.TemporaryDirectory(prefix="stateful-bench-") as data:
        engine = EmbeddedEngine(Path(data))
        engine.start()
        Counting.mongo_url = engine.url
        started, failures = time.monotonic(), 0
        try:
            seed(chosen)(get_state_machine_test(Counting, settings=run))()
        except Exception as error:  # the failing sequence was printed above by hypothesis
            failures = len(getattr(error, "exceptions", [error]))
            print(f"failed: {type(error).__name__}: {str(error)[:2000]}", flush=True)
        finally:
            engine.stop()
    elapsed = time.monotonic() - started
    print(
        f"seed {chosen}: examples {Counting.examples}, steps {Counting.steps}, failures {failures}, "
        f"time {elapsed:.0f} s"
    )
    print("warning lines:", ", ".join(f"{event} {n}" for event, n in WARNINGS.most_common()) or "none")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
