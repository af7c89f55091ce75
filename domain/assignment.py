"""Which Executive Assistant takes a new client."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.clients import Assistant, Language

BUSY = 0.75  # of a forum's minute of posts used: it takes no new client while another forum has room


def choose_assistant(
    assistants: Sequence[Assistant],
    language: Language | None,
    open_load: Mapping[str, int],
    rotation: int,
    forum_load: Mapping[str, float] | None = None,
) -> Assistant | None:
    """Active ones only; those who speak the client's language if anyone does; then those whose forum has
    room (`forum_load`: per assistant, how much of their forum's minute of posts the last minute used — a
    team that adds forums spreads its new clients over them; when none has room, the least used); then the
    fewest open conversations; a tie is broken by `rotation` (a counter) so equal assistants take turns."""
    tied = candidates(assistants, language, open_load, forum_load)
    return tied[rotation % len(tied)] if tied else None


def candidates(
    assistants: Sequence[Assistant],
    language: Language | None,
    open_load: Mapping[str, int],
    forum_load: Mapping[str, float] | None = None,
) -> list[Assistant]:
    """The assistants `choose_assistant` takes turns between, by id (one, or none: no turn to take)."""
    active = [a for a in assistants if a.active]
    speakers = [a for a in active if a.speaks(language)]
    pool = speakers or active
    if not pool:
        return []
    if forum_load:
        used = {a.id: forum_load.get(a.id, 0.0) for a in pool}
        roomy = [a for a in pool if used[a.id] < BUSY]
        pool = roomy or [a for a in pool if used[a.id] == min(used.values())]
    least = min(open_load.get(a.id, 0) for a in pool)
    return sorted((a for a in pool if open_load.get(a.id, 0) == least), key=lambda a: a.id)
