"""Something a client or a provider sent failed for good and was set aside: it is kept, and a person is told —
in the client's topic when we know whose it was, in the staff forum's General topic otherwise."""

from __future__ import annotations

from domain.clients import Client
from domain.events import SYSTEM, EventType
from engine import queries as q
from engine.deps import Deps
from engine.forum.topics import tell_topic
from engine.outbox import to_forum
from engine.staff_texts import StaffText, for_leads


async def set_aside(deps: Deps, item_id: str, source: str, key: str, reason: str) -> None:
    client = await _client_of(deps, source, key)
    event = await deps.record(
        f"conversation:{client.id}" if client else "system:inbox",
        EventType.INBOX_ITEM_SET_ASIDE,
        {"item": item_id, "source": source, "reason": reason},
        SYSTEM,
        f"set-aside:{item_id}:{int(deps.clock.now().timestamp() * 1000)}",
    )

    def text(t: StaffText) -> str:
        if _in_topic(key):  # an assistant's message (a /quote…), not the client's
            return t("set-aside-topic", reason=reason, item=item_id)
        who = t("set-aside-the-client") if client else source
        return t("set-aside", who=who, reason=reason, item=item_id)

    if client is not None:
        await tell_topic(deps, client, event, text)
    elif deps.staff_chat_id is not None:
        await deps.deliver(to_forum(event, 0, deps.staff_chat_id, text(await for_leads(deps))))


def _in_topic(key: str) -> bool:
    """A forum topic's key (`tg:<chat>:<thread>`), as opposed to a client's private chat or number."""
    kind, _, rest = key.partition(":")
    return kind == "tg" and ":" in rest


async def _client_of(deps: Deps, source: str, key: str) -> Client | None:
    """Whose it was, from the inbox key: a private chat, a topic, a WhatsApp number, a request, a message,
    a call."""
    kind, _, rest = key.partition(":")
    if kind == "tg":
        chat, _, thread = rest.partition(":")
        if thread.lstrip("-").isdigit() and chat.lstrip("-").isdigit():
            return await q.client_by_topic(deps.store, int(chat), int(thread))
        return await q.client_by_identity_key(deps.store, f"telegram:{chat}")
    if kind == "wa":
        return await q.client_by_identity_key(deps.store, rest)  # "whatsapp:+971…"
    if kind == "cp":
        request = await q.request(deps.store, rest)
        return await q.client(deps.store, request.client_id) if request else None
    if kind == "call":  # a call's state or recording: whose call it was (a withheld number: nobody's)
        first = await deps.store.events.read(f"call:{rest}")
        client_id = first[0].data.get("client_id") if first else None
        return await q.client(deps.store, client_id) if client_id else None
    if kind == "wa-status":
        delivery = await deps.store.deliveries.by_provider_message("whatsapp", rest)
        return await q.client_by_identity_key(deps.store, f"whatsapp:{delivery.chat}") if delivery else None
    return None
