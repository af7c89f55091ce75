"""Intake accuracy on the labelled table (tests/intake_table.py): per language, category, day, time, and
small talk or questions that would open a request (false openings). 'Now' is Saturday 28 November 2026, 15:00
in Moscow.

    .venv/bin/python bench/intake.py [--misses]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.intake_table import ROWS, misses, score


def main(show_misses: bool) -> None:
    started = time.perf_counter()
    score()  # (the first pass compiles the patterns)
    first_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    tallies = score()
    per_message_ms = (time.perf_counter() - started) * 1000 / len(ROWS)
    print(
        f"{len(ROWS)} messages, {per_message_ms:.2f} ms each (the first pass, compiling: {first_ms:.0f} ms)"
    )
    print("language  rows  category   day   time   false openings  missed openings")
    for language, t in sorted(tallies.items()):
        n = t["rows"]
        print(
            f"{language:8}  {int(n):4}  {t['category'] / n:7.1%}  {t['day'] / n:6.1%}  {t['time'] / n:6.1%}"
            f"  {int(t['false_openings']):14}  {int(t['missed_openings']):15}"
        )
    if show_misses:
        print("\n".join(misses()) or "no misses")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--misses", action="store_true", help="print every row read differently")
    main(parser.parse_args().misses)
