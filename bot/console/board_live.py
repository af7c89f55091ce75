"""The board's live cards: an event that changes what a client's cards show is sent to the open boards as
those cards, each rendered once per language and shared by every tab allowed to see it (a lead, or the
client's own assistant); the page swaps them in by request id. A tab that stops seeing a client (reassigned
away) is told only which of its cards to take off."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from domain import awaiting
from domain.clients import Assistant
from domain.events import Event, EventType
from engine.console.reads import Card, ClientCards

E = EventType
# what a card shows: the request's state, details and money; the client's name, tag and assistant; the clocks
CARD_TYPES = frozenset(
    {
        E.REQUEST_OPENED,
        E.REQUEST_QUOTED,
        E.REQUEST_PAID,
        E.REQUEST_STARTED,
        E.REQUEST_FULFILLED,
        E.REQUEST_CANCELLED,
        E.REQUEST_REFUNDED,
        E.REQUEST_MESSAGE_ADDED,
        E.REQUEST_DETAILS_CHANGED,
        E.QUOTE_EXPIRED,
        E.CLIENT_ASSIGNED,
        E.CLIENT_TAGGED,
        E.CLIENT_ERASED,
        E.RESPONSE_OVERDUE,
        *awaiting.TYPES,
    }
)
# a request that changes client: its old and new owners' boards are drawn again whole (rare: a merge)
REDRAW_TYPES = frozenset({E.REQUEST_MOVED, E.CLIENT_MERGED})
REDRAW = "event: board\ndata: {}\n\n"


def allowed(viewer: Assistant, owner: str | None) -> bool:
    return viewer.lead or (owner is not None and owner == viewer.id)


@dataclass
class CardUpdate:
    """One event's cards, made into a tab's message on demand, shared by the tabs that would get the same."""

    found: ClientCards
    gone: list[str]  # the event's own request, when it has left the board
    before: str | None  # for a reassignment: the assistant whose board had these cards
    render: Callable[[Assistant, Card], str]
    _made: dict[object, str | None] = field(default_factory=dict)

    def message(self, viewer: Assistant) -> str | None:
        if allowed(viewer, self.found.owner):
            key: object = viewer.ui_language
        elif self.before is not None and self.before == viewer.id:
            key = "taken off"  # theirs until now: only which cards to take off
        else:
            return None  # (never another assistant's card, nor that it exists)
        if key not in self._made:
            self._made[key] = self._make(viewer, key == "taken off")
        return self._made[key]

    def _make(self, viewer: Assistant, taken_off: bool) -> str | None:
        ids = [c.face.id for c in self.found.cards]
        if taken_off:
            data: dict = {"cards": [], "gone": ids + self.gone}
        else:
            cards = [
                {
                    "id": c.face.id,
                    "state": c.face.state.value,
                    "assistant": c.face.assistant_id or "",
                    "html": self.render(viewer, c),
                }
                for c in self.found.cards
            ]
            data = {"cards": cards, "gone": self.gone}
        if not data["cards"] and not data["gone"]:
            return None
        return f"event: card\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def touches_cards(event: Event) -> bool:
    return event.type in CARD_TYPES


def previous_owner(stream: list[Event], event: Event) -> str | None:
    """Whose the client was before this assignment (its stream read up to the event)."""
    before = [
        e for e in stream if e.type is EventType.CLIENT_ASSIGNED and e.seq < event.seq and e.id != event.id
    ]
    return before[-1].data.get("assistant_id") if before else None
