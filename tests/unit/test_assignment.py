"""Who takes a new client: the speakers of their language, the least loaded of them; a tie, and only a tie,
is broken by turns (the engine draws a turn — a write — only when `candidates` names more than one)."""

from domain.assignment import candidates, choose_assistant
from domain.clients import Assistant, Language

ANNA = Assistant("A-1", 1, "Anna", (Language.EN, Language.AR))
OMAR = Assistant("A-2", 2, "Omar", (Language.AR,))
IVAN = Assistant("A-3", 3, "Ivan", (Language.RU,), active=False)


def test_the_plainly_least_loaded_speaker_is_the_only_candidate() -> None:
    assert candidates([ANNA, OMAR, IVAN], Language.AR, {"A-1": 2, "A-2": 1}) == [OMAR]
    assert candidates([ANNA, OMAR], Language.EN, {"A-1": 5}) == [ANNA]  # the only speaker, however loaded


def test_tied_speakers_are_candidates_by_id_and_take_turns() -> None:
    tied = candidates([OMAR, ANNA], Language.AR, {})
    assert tied == [ANNA, OMAR]
    assert [choose_assistant([OMAR, ANNA], Language.AR, {}, turn) for turn in (0, 1, 2)] == [ANNA, OMAR, ANNA]


def test_nobody_active_is_no_candidate() -> None:
    assert candidates([IVAN], Language.RU, {}) == []
    assert choose_assistant([IVAN], Language.RU, {}, 7) is None


def test_a_busy_forum_gives_way_to_one_with_room() -> None:
    assert candidates([ANNA, OMAR], Language.AR, {}, {"A-1": 0.9, "A-2": 0.1}) == [OMAR]


def test_the_loads_only_narrow_the_candidates_so_one_without_them_is_the_one() -> None:
    """engine/clients/registry.py `choose` reads no load when the candidates without loads are one or none."""
    team = [ANNA, OMAR, IVAN]
    loads = [{}, {"A-1": 3}, {"A-2": 3}, {"A-1": 1, "A-2": 1}]
    forums = [{}, {"A-1": 0.9}, {"A-1": 1.0, "A-2": 1.0}, {"A-2": 0.95}]
    for language in (*Language, None):
        for size in range(len(team) + 1):
            pool = team[:size]
            unloaded = candidates(pool, language, {})
            for load in loads:
                for forum in forums:
                    loaded = candidates(pool, language, load, forum)
                    assert set(loaded) <= set(unloaded)
                    assert bool(loaded) == bool(unloaded)
