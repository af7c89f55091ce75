"""The intake scored on a labelled table of client messages (tests/intake_table.py): category, day, time and
whether a message opens a request, per language. The aims: category ≥ 95 %, time ≥ 90 %, no false openings."""

from __future__ import annotations

from collections import defaultdict

from tests.intake_table import ROWS, misses, score


def test_the_table_is_large_and_balanced() -> None:
    by_language = defaultdict(int)
    for language, *_ in ROWS:
        by_language[language] += 1
    assert len(ROWS) >= 200 and all(count >= 60 for count in by_language.values())
    assert sum(1 for row in ROWS if not row[4] and row[3] is None) >= 40  # small talk and questions


def test_the_intake_meets_its_aims_in_every_language() -> None:
    for language, t in score().items():
        assert t["category"] / t["rows"] >= 0.95, (language, misses())
        assert t["time"] / t["rows"] >= 0.90, (language, misses())
        assert t["false_openings"] == 0, (language, misses())
