"""A deadline: an action due at a time, derived from events, kept in the store until it fires or is moot.

`id` names what it watches (`first-response:C-1001`, `quote-expiry:R-1001/2`); `round` names this instance
of it (the first unanswered message's time; a quote's expiry) and `step` its place on a ladder. The event a
firing writes has the cause `clock:<id>@<round>/<step>`, so a retry after a crash writes nothing twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FIRST_RESPONSE = "first-response"
FIRST_QUOTE = "first-quote"
QUOTE_REMINDER = "quote-reminder"
QUOTE_EXPIRY = "quote-expiry"
FULFILMENT = "fulfilment"
CLIENT_REMINDER = "client-reminder"
BACK = "back"
RATING = "rating"  # the rating question, held while the client's hour is not a nice one


def stamp(moment: datetime) -> str:
    """A round named by a moment: 't<epoch ms>' (not an ISO string: nx-27017 fails to match, by equality, a
    string that begins with an ISO datetime and goes on — tests/integration/test_store_conformance.py)."""
    return f"t{int(moment.timestamp() * 1000)}"


@dataclass(frozen=True, slots=True)
class Deadline:
    id: str
    due: datetime
    subject: str  # the client, request or assistant it is about
    round: str = ""
    step: int = 1
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.id.split(":", 1)[0]

    @property
    def cause(self) -> str:
        return f"clock:{self.id}@{self.round}/{self.step}"
