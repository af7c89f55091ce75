"""Store round trips per step of a client's journey (tests/round_trips.py): the service in-process against the
fake Bot API and an embedded store, every command counted by a command listener, with the commands behind
each step's count.

    .venv/bin/python bench/roundtrips.py [--detail]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from pymongo import monitoring

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.logging import configure
from domain.clock import FrozenClock
from storage.embedded import EmbeddedEngine
from tests.harness import loopback_service
from tests.round_trips import BUDGETS, GOALS, NEW_CLIENT, Commands, Step, journey


async def measure() -> list[Step]:
    data = Path(tempfile.mkdtemp(prefix="concierge-roundtrips-"))
    engine = EmbeddedEngine(data / "engine")
    engine.start()
    commands = Commands()
    monitoring.register(commands)
    try:
        async with loopback_service(
            engine.url, "roundtrips", data, FrozenClock(datetime(2026, 12, 5, 12, tzinfo=UTC))
        ) as tg:
            return await journey(tg, commands)
    finally:
        commands.stop()
        engine.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--detail", action="store_true", help="the commands behind each step")
    args = parser.parse_args()
    configure("WARNING", "console")
    steps = asyncio.run(measure())
    print("| step | round trips | budget (make test) | goal (issue 26) |")
    print("|---|---|---|---|")
    for step in steps:
        print(f"| {step.name} | {step.total} | {BUDGETS[step.name]} | {GOALS.get(step.name, '')} |")
    new = "a new client (/start and a request)"
    print(f"| {new} | {steps[0].total + steps[1].total} | {NEW_CLIENT} | {GOALS[new]} |")
    if args.detail:
        for step in steps:
            print(f"\n{step.name}: {step.total}")
            for (command, collection), n in step.sent.most_common():
                print(f"  {n:4d}  {command}:{collection}")


if __name__ == "__main__":
    main()
