"""Events the projections could not apply are set apart (storage's quarantine) and the service goes on;
the leads hear of each once, in ⚠️ Escalations, whichever instance starts first."""

from __future__ import annotations

from domain.events import SYSTEM, EventType
from engine.deps import Deps
from engine.forum.escalations import tell_leads
from engine.staff_texts import Text


def _quarantined(data: dict[str, str]) -> Text:
    return lambda t: t("quarantined", **data)


async def tell_leads_of_quarantine(deps: Deps) -> int:
    """Tell what was quarantined and not told yet; returns how many were told now."""
    told = 0
    for doc in await deps.store.projector.quarantined():
        cause = f"quarantine:{doc['_id']}"
        if await deps.store.events.by_cause(cause):
            continue
        data = {"item": doc["_id"], "type": doc["type"], "reason": doc["reason"]}
        event = (
            await deps.record("system:projector", EventType.PROJECTION_QUARANTINED, data, SYSTEM, cause)
        ).event
        await tell_leads(deps, None, event, 0, _quarantined(data))
        told += 1
    return told
