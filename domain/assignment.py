"""Which Executive Assistant takes a new client."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.clients import Assistant, Language


def choose_assistant(
    assistants: Sequence[Assistant], language: Language | None, open_load: Mapping[str, int], rotation: int
) -> Assistant | None:
    """Active ones only; those who speak the client's language if anyone does; then the fewest open
    conversations; a tie is broken by `rotation` (a counter) so equal assistants take turns."""
    active = [a for a in assistants if a.active]
    speakers = [a for a in active if a.speaks(language)]
    pool = speakers or active
    if not pool:
        return None
    least = min(open_load.get(a.id, 0) for a in pool)
    tied = sorted((a for a in pool if open_load.get(a.id, 0) == least), key=lambda a: a.id)
    return tied[rotation % len(tied)]
