"""Which staff forum a client's topic lives in: their assistant's own forum, or the service's."""

from __future__ import annotations

from domain.clients import Client
from engine import queries as q
from engine.deps import Deps


async def staff_chat_for(deps: Deps, client: Client) -> int | None:
    """Where the client's topic is; None when nowhere (no forum configured, or the client was erased: their
    topic is gone, and nothing about them is posted again — a refund's lines included)."""
    if client.erased:
        return None
    assistant = await q.assistant(deps.store, client.assistant_id)
    return (assistant.staff_chat_id if assistant and assistant.staff_chat_id else None) or deps.staff_chat_id
