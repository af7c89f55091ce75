"""A clock step that failed for good (a bug, data it cannot read) is set aside at once and the leads are
told in ⚠️ Escalations, like a poison message: retried, it would act later on whatever was true by then."""

from __future__ import annotations

from domain.clients import Client
from domain.deadlines import BACK, FIRST_RESPONSE, Deadline
from domain.events import SYSTEM, EventType
from engine import queries as q
from engine.deps import Deps
from engine.forum.escalations import tell_leads
from engine.staff_texts import StaffText


async def set_aside(deps: Deps, deadline: Deadline, reason: str) -> None:
    """`reason`: the error's type and place, never its text."""
    client = await _client_of(deps, deadline)
    event = (
        await deps.record(
            f"conversation:{client.id}" if client else "system:clock",
            EventType.DEADLINE_SET_ASIDE,
            {"deadline": deadline.id, "step": deadline.step, "reason": reason},
            SYSTEM,
            f"{deadline.cause}/set-aside",
        )
    ).event

    def text(t: StaffText) -> str:
        return t("clock-set-aside", item=deadline.id, step=str(deadline.step), reason=reason)

    await tell_leads(deps, client, event, 0, text)


async def _client_of(deps: Deps, deadline: Deadline) -> Client | None:
    """Whose it is: a client's wait, a request's (its quote, expiry, time); an assistant's is nobody's."""
    if deadline.kind == FIRST_RESPONSE:
        return await q.client(deps.store, deadline.subject)
    if deadline.kind == BACK:
        return None
    request = await q.request(deps.store, deadline.subject)
    return await q.client(deps.store, request.client_id) if request else None
