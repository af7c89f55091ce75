"""The intake scored on labelled client messages, per language: the table in its own style
(tests/intake_table.py), the cases written per class of failure before the rules that serve them
(tests/intake_cases.py), and the held-out cases written after the rules and never tuned on
(tests/intake_held_out.py). The aims in every language: category ≥ 95 %, time ≥ 90 %, no false openings."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from tests.intake_cases import CASES, CLASSES
from tests.intake_table import ROWS, misses, score, sets


def test_the_table_is_large_and_balanced() -> None:
    by_language: dict[str, int] = defaultdict(int)
    for language, *_ in ROWS:
        by_language[language] += 1
    assert len(ROWS) >= 200 and all(count >= 60 for count in by_language.values())
    assert sum(1 for row in ROWS if not row[4] and row[3] is None) >= 40  # small talk and questions


def test_every_class_of_failure_has_its_cases_in_every_language_it_occurs_in() -> None:
    assert len(CASES) >= 150
    per_class = Counter(kind for _, kind, *_ in CASES)
    assert set(per_class) == set(CLASSES) and min(per_class.values()) >= 12
    per_language = Counter(language for language, *_ in CASES)
    assert all(abs(count - len(CASES) / 3) <= 10 for count in per_language.values()), per_language


TUNED = [name for name in sets() if name != "held-out"]  # the held-out set is held to its own floors


@pytest.mark.parametrize("name", TUNED)
def test_the_intake_meets_its_aims_on_every_set_it_was_tuned_on(name: str) -> None:
    rows = sets()[name]
    for language, t in score(rows).items():
        assert t["category"] / t["rows"] >= 0.95, (language, misses(rows))
        assert t["time"] / t["rows"] >= 0.90, (language, misses(rows))
        assert t["false_openings"] == 0, (language, misses(rows))


# the held-out set of the final rules (300 rows, two writers), as first scored (never tuned on): the aims of
# category ≥ 95 % and time ≥ 90 % are met in every language; a few false openings remain. These floors keep it
# from falling back; raising them needs a new held-out set, not tuning on this one.
HELD_OUT_FLOORS = {
    "en": {"category": 0.95, "time": 0.94, "false_openings": 3},
    "ru": {"category": 0.96, "time": 0.98, "false_openings": 1},
    "ar": {"category": 0.96, "time": 0.93, "false_openings": 2},
}


def test_the_held_out_set_stays_at_least_where_it_was_first_scored() -> None:
    for language, t in score(sets()["held-out"]).items():
        floor = HELD_OUT_FLOORS[language]
        assert t["category"] / t["rows"] >= floor["category"] - 1e-9, language
        assert t["time"] / t["rows"] >= floor["time"] - 1e-9, language
        assert t["false_openings"] <= floor["false_openings"], language
