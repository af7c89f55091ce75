"""Intake accuracy, per language and per class of message, on eleven sets of labelled client messages:
- table (tests/intake_table.py): messages in the table's own style;
- cases (tests/intake_cases.py): written per class of failure (Gulf dialect, Arabizi, Russian in Latin
  letters, relative times, night hours, context words, negation, thanks, prayer times, English gaps) before
  the rules that serve them; the rules were tuned on them;
- first to eighth held-out (tests/intake_{first,...,eighth}_held_out.py): each written after a round of rules
  by someone who had not read them, scored once untouched, then tuned on;
- held-out (tests/intake_held_out.py): 300 rows by two writers, written while the final round of rules was
  made, by people who had read neither them nor any case; never tuned on.
For each: category, day and time accuracy, small talk or questions that would open a request (false
openings), asks that would not (missed openings), and the time per message. 'Now' is Saturday 28 November
2026, 15:00 in Moscow.

    .venv/bin/python bench/intake.py [--misses SET]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from domain.intake import understand
from tests.intake_table import AT, MSK, Row, misses, score, sets

HEADER = "             rows  category    day    time  false openings  missed openings"


def table(title: str, rows: list[Row], by: int) -> None:
    print(f"{title}\n{HEADER}")
    for key, t in sorted(score(rows, by).items()):
        n = t["rows"]
        print(
            f"  {key:10} {int(n):4}  {t['category'] / n:7.1%} {t['day'] / n:6.1%} {t['time'] / n:6.1%}"
            f"  {int(t['false_openings']):14}  {int(t['missed_openings']):15}"
        )


def main(show_misses: str | None) -> None:
    every = sets()
    everything = [row for rows in every.values() for row in rows]
    started = time.perf_counter()
    score(everything)  # (the first pass compiles the patterns)
    first_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    score(everything)
    per_message_ms = (time.perf_counter() - started) * 1000 / len(everything)
    print(
        f"{len(everything)} messages, {per_message_ms:.2f} ms each"
        f" (the first pass, compiling: {first_ms:.0f} ms)"
    )
    longest = " ".join(text for _, _, text, *_ in everything)[:4096]  # Telegram's longest message
    started = time.perf_counter()
    understand(longest, AT, MSK)
    longest_ms = (time.perf_counter() - started) * 1000
    print(f"the longest message a client can send (4,096 characters): {longest_ms:.1f} ms")
    for name, rows in every.items():
        print()
        table(f"{name} ({len(rows)}), per language", rows, 0)
        if name != "table":
            table(f"{name}, per class", rows, 1)
    if show_misses:
        print("\n".join(misses(every[show_misses])) or "no misses")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--misses",
        choices=tuple(sets()),
        help="print every row read differently",
    )
    main(parser.parse_args().misses)
