"""The client's topic in the staff forum: requested once per generation, created by the sender, recreated when
deleted. Implements the sender's TopicDirectory."""

from __future__ import annotations

from domain.clients import Client, Topic, mask_email, mask_phone
from domain.events import SYSTEM, Event, EventType
from engine import queries as q
from engine.deps import Deps, Entry
from engine.forum.cards import request_card
from engine.forum.escalations import ForumTopics, parse_forum_topic_id
from engine.forum.staff_chat import staff_chat_for
from engine.outbox import Mentions, card_update, delete_topic, rename_topic, to_topic, topic_setup
from engine.staff_texts import Text, for_client, of
from engine.translations import bridges
from storage.step_reads import first_attempt, note

__all__ = [
    "Topics",
    "ensure_topic",
    "staff_chat_for",
    "tell_topic",
    "topic_request",
    "topic_requested",
    "topic_seen",
]

FIRST_TOPIC = "a first topic asked for"  # (noted in a step, by client: storage/step_reads.py)
CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "voice": "Phone"}


def topic_name(client: Client) -> str:
    parts = [client.name[:100], client.language.value.upper() if client.language else "?"]
    if client.vip:
        parts.append("VIP")
    return " · ".join(parts)


async def retitle(deps: Deps, event: Event, n: int, before: Client, client: Client) -> None:
    """The topic's name says who the client is (their name, their language, VIP): an event that changed it
    renames their topic, in its lane after what waits there. A topic not made yet is named when it is."""
    name = topic_name(client)
    if name == topic_name(before) or client.topic is None:
        return
    staff_chat = await staff_chat_for(deps, client)
    if staff_chat is not None:
        await deps.deliver(rename_topic(event, n, staff_chat, client.id, name))


async def say(
    deps: Deps,
    client: Client,
    event: Event,
    message_id: str,
    n: int = 0,
    mentions: Mentions | None = None,
    **args: object,
) -> None:
    """A line in the client's topic in the language of the assistant the client is with."""
    await tell_topic(deps, client, event, lambda t: t(message_id, **args), n, mentions)


async def tell_topic(
    deps: Deps, client: Client, event: Event, text: Text, n: int = 0, mentions: Mentions | None = None
) -> None:
    """A line for the assistant in the client's topic, derived from `event` (delivery `<event id>:<n>`);
    `mentions` ([[telegram id, name]]) ring the named people's phones."""
    staff_chat = await staff_chat_for(deps, client)
    if staff_chat is not None:
        if callable(text):
            text = text(await for_client(deps, client))
        await deps.deliver(to_topic(event, n, staff_chat, client.id, text, mentions=mentions))


async def request_topic(deps: Deps, client: Client) -> None:
    """Ask for the next generation of the client's topic. The cause is the generation itself, so any number
    of racing messages or instances yield exactly one request, and so one topic."""
    staff_chat = await staff_chat_for(deps, client)
    if staff_chat is None:
        return
    recorded = (await deps.record_all(topic_request(client, staff_chat)))[0]
    await topic_requested(deps, client, recorded.event, fresh=not recorded.duplicate)


def topic_request(client: Client, staff_chat: int) -> Entry:
    """The event asking for the next generation of the client's topic in `staff_chat`."""
    generation = client.topic_generation + 1
    data = {"generation": generation, "chat_id": staff_chat}
    return Entry(f"client:{client.id}", EventType.CLIENT_TOPIC_REQUESTED, data, SYSTEM, topic_cause(client))


def topic_cause(client: Client) -> str:
    return f"topic:{client.id}/{client.topic_generation + 1}"


async def topic_requested(deps: Deps, client: Client, event: Event, fresh: bool = False) -> None:
    """The requested topic's setup stored (its creation, its pinned card). `fresh`: this step recorded the
    request — a first one (generation 1) is noted: nothing of the client's was relayed towards a topic."""
    if fresh and event.data["generation"] == 1 and first_attempt():
        note(FIRST_TOPIC, client.id)
    name = topic_name(client)
    await deps.deliver(*topic_setup(event, event.data["chat_id"], client.id, event.data["generation"], name))


async def ensure_topic(deps: Deps, client: Client) -> None:
    """The client's topic is open or on its way: the next generation is requested when none is, and the setup
    of a requested one is stored again (idempotent: deterministic delivery ids) — a crash may have come
    between the request and its deliveries, and nothing else would ever make the topic then."""
    if client.needs_topic:
        await request_topic(deps, client)
        return
    if client.topic is not None:
        return
    event = await deps.store.events.by_cause(f"topic:{client.id}/{client.topic_generation}")
    if event is not None:
        name = topic_name(client)
        await deps.deliver(
            *topic_setup(event, event.data["chat_id"], client.id, event.data["generation"], name)
        )


async def topic_seen(deps: Deps, chat_id: int, thread_id: int, name: str, ours: bool, cause: str) -> None:
    """Telegram says a topic was created. Ours, unknown, and a client awaits a topic of that name: a creation
    whose answer was lost (a crash between Telegram and our record) — adopt it, so the retry creates none.
    Ours and nobody's: the twin of one adopted or recorded already — delete it. A person's: leave it."""
    if await q.client_by_topic(deps.store, chat_id, thread_id) is not None or not ours:
        return
    forum = ForumTopics(deps)
    if await forum.purpose_of(chat_id, thread_id) is not None:
        return
    if awaited := await forum.awaiting(chat_id, name):
        await forum.created(chat_id, awaited[0], awaited[1], thread_id)
        return
    for client in await q.clients_awaiting_topic(deps.store):
        if topic_name(client) == name and await staff_chat_for(deps, client) == chat_id:
            await Topics(deps).topic_created(client.id, client.topic_generation, chat_id, thread_id)
            return
    event = (
        await deps.record(
            f"forum:{chat_id}",
            EventType.FORUM_TOPIC_ORPHANED,
            {"thread_id": thread_id},
            SYSTEM,
            f"orphan:{chat_id}:{thread_id}",
        )
    ).event
    await deps.deliver(delete_topic(event, chat_id, thread_id))


async def card_text(deps: Deps, client: Client) -> str:
    assistant = await q.assistant(deps.store, client.assistant_id)
    t = of(assistant)
    requests = await q.open_requests(deps.store, client.id)
    language = t(f"language-{client.language.value}") if client.language else t("card-language-unknown")
    channels = ", ".join(CHANNEL_NAMES.get(i.channel.value, i.channel.value) for i in client.identities) or (
        t("card-calls-only") if client.phone else "—"
    )
    unreachable = ", ".join(c.value for c in client.unreachable)
    into = ""
    if client.translated and bridges(deps, client, assistant):
        assert assistant is not None
        into = t("card-translated", tongue=t(f"language-{assistant.languages[0].value}"))
    lines = [
        f"👤 {client.name}" + (f" (@{client.username})" if client.username else "") + f" · {client.id}",
        f"🌐 {language}" + into + (" · VIP" if client.vip else ""),
        f"📞 {mask_phone(client.phone) or '—'}",
        *([f"📧 {mask_email(client.email)}"] if client.email else []),
        f"💬 {channels}" + (t("card-unreachable", channels=unreachable) if client.unreachable else ""),
        f"🏷 {', '.join(client.tags) or '—'}",
        *([f"⭐ {client.preferences}"] if client.preferences else []),
        *([t("card-contact", contact=client.contact)] if client.contact else []),
        *(
            [t("card-quiet", **{"from": f"{client.quiet[0]:02d}", "to": f"{client.quiet[1]:02d}"})]
            if client.quiet
            else []
        ),
        t("card-assistant", name=assistant.name if assistant else t("card-unassigned")),
        t(
            "card-open-requests",
            requests=", ".join(f"{r.id} ({t(f'card-open-state-{r.state.value}')})" for r in requests)
            or t("card-none"),
        ),
    ]
    return "\n".join(lines)


class Topics:
    """The sender's view of topics (channels.telegram.sender.TopicDirectory)."""

    def __init__(self, deps: Deps, card_hint: str = "") -> None:
        self._deps = deps
        self._card_hint = card_hint  # the last line of an open request's card
        self._forum = ForumTopics(deps)

    async def topic_for(self, client_id: str) -> Topic | None:
        if forum := parse_forum_topic_id(client_id):
            return await self._forum.topic_for(*forum)
        client = await q.client(self._deps.store, client_id)
        if client is None or client.topic is None or client.topic.lost:
            return None
        return client.topic

    async def card_text(self, client_id: str, card: str) -> str:
        if card.startswith("request:"):
            return await request_card(self._deps, card.split(":", 1)[1], self._card_hint)
        client = await q.client(self._deps.store, client_id)
        assert client is not None
        return await card_text(self._deps, client)

    async def card_message(self, client_id: str, card: str) -> int | None:
        if card.startswith("request:"):
            current = await q.request(self._deps.store, card.split(":", 1)[1])
            return current.card_message_id if current else None
        client = await q.client(self._deps.store, client_id)
        return client.topic.card_message_id if client and client.topic else None

    async def topic_created(self, client_id: str, generation: int, chat_id: int, thread_id: int) -> None:
        if forum := parse_forum_topic_id(client_id):
            await self._forum.created(forum[0], forum[1], generation, thread_id)
            return
        await self._deps.record(
            f"client:{client_id}",
            EventType.CLIENT_TOPIC_OPENED,
            {"generation": generation, "chat_id": chat_id, "thread_id": thread_id},
            SYSTEM,
            f"topic-opened:{client_id}/{generation}",
        )

    async def card_posted(self, client_id: str, card: str, generation: int, message_id: int) -> None:
        await self._card_at(client_id, card, generation, message_id, f"card:{{}}/{generation}/{message_id}")

    async def card_lost(self, client_id: str, card: str, generation: int, message_id: int) -> None:
        """The card's message is gone from the topic (someone deleted it): it has none now, and it is posted
        again — as a new delivery, behind what the topic is sent and within the forum's budget."""
        if parse_forum_topic_id(client_id) or (topic := await self.topic_for(client_id)) is None:
            return
        cause = f"card-lost:{{}}/{generation}/{message_id}"
        lost = await self._card_at(client_id, card, generation, None, cause, {"lost": message_id})
        await self._deps.deliver(card_update(lost, 0, topic.chat_id, client_id, repost=True, card=card))

    async def _card_at(
        self,
        client_id: str,
        card: str,
        generation: int,
        message_id: int | None,
        cause: str,
        more: dict[str, int] | None = None,
    ) -> Event:
        """Which message shows the card now (None: none); `cause` names its stream's id at `{}`."""
        data = {"message_id": message_id, "generation": generation, **(more or {})}
        if card.startswith("request:"):
            request_id = card.split(":", 1)[1]
            kind, stream = EventType.REQUEST_CARD_POSTED, f"request:{request_id}"
            return (await self._deps.record(stream, kind, data, SYSTEM, cause.format(request_id))).event
        kind, stream = EventType.CLIENT_CARD_POSTED, f"client:{client_id}"
        return (await self._deps.record(stream, kind, data, SYSTEM, cause.format(client_id))).event

    async def topic_gone(self, client_id: str, generation: int) -> None:
        """Deleted in Telegram: record it and set up the next generation (card included); nothing queued is
        lost, it goes to the new topic."""
        if forum := parse_forum_topic_id(client_id):
            await self._forum.gone(forum[0], forum[1], generation)
            return
        await self._deps.record(
            f"client:{client_id}",
            EventType.CLIENT_TOPIC_LOST,
            {"generation": generation},
            SYSTEM,
            f"topic-lost:{client_id}/{generation}",
        )
        client = await q.client(self._deps.store, client_id)
        if client is not None and client.topic_generation == generation:
            await request_topic(self._deps, client)
