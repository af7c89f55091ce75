"""The leads' topic in the staff forum (⚠️ Escalations): created when first needed, found again after a
restart (the `forums` projection), created anew when someone deletes it. Its deliveries name it
`forum:<chat>/escalations` where a client's name their client id; the sender asks `Topics` for either."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

from domain.clients import Client, Topic
from domain.events import SYSTEM, Event, EventType
from engine.deps import Deps
from engine.forum.staff_chat import staff_chat_for
from engine.outbox import Mentions, create_topic, forum_topic_id, to_forum_topic
from engine.staff_texts import StaffText, for_leads

ESCALATIONS = "escalations"
TOPIC_NAMES = {ESCALATIONS: "⚠️ Escalations"}


class ForumTopicState(TypedDict):
    """One of a forum's own topics in the `forums` projection (domain.projections.apply_forum)."""

    generation: int
    thread_id: int | None  # None: requested, not created yet
    lost: bool


async def forum_topic(deps: Deps, chat_id: int, purpose: str) -> ForumTopicState | None:
    doc = await deps.store.db["forums"].find_one({"_id": str(chat_id)})
    topic: ForumTopicState | None = (doc or {}).get("topics", {}).get(purpose)
    return topic


def topic_link(chat_id: int, thread_id: int) -> str:
    """https://t.me/c/<internal id>/<thread>: opens the topic for a member of the forum."""
    internal = str(chat_id).removeprefix("-100") if str(chat_id).startswith("-100") else str(abs(chat_id))
    return f"https://t.me/c/{internal}/{thread_id}"


async def request_forum_topic(deps: Deps, chat_id: int, purpose: str, generation: int) -> None:
    """The next generation of a forum topic (the cause is the generation: one topic, whoever asks)."""
    event = (
        await deps.record(
            f"forum:{chat_id}",
            EventType.FORUM_TOPIC_REQUESTED,
            {"purpose": purpose, "generation": generation},
            SYSTEM,
            f"forum-topic:{chat_id}/{purpose}/{generation}",
        )
    ).event
    lane = f"tg:{chat_id}:{purpose}"
    owner = forum_topic_id(chat_id, purpose)
    await deps.deliver(create_topic(event, chat_id, lane, owner, generation, TOPIC_NAMES[purpose]))


async def ensure_forum_topic(deps: Deps, chat_id: int, purpose: str) -> None:
    current = await forum_topic(deps, chat_id, purpose)
    if current is None or current["lost"]:
        await request_forum_topic(deps, chat_id, purpose, (current["generation"] if current else 0) + 1)
    elif current["thread_id"] is None:  # requested, maybe before a crash: its creation is stored again
        await request_forum_topic(deps, chat_id, purpose, current["generation"])


async def tell_leads(
    deps: Deps,
    client: Client | None,
    event: Event,
    n: int,
    text: str | Callable[[StaffText], str],
    mentions: Mentions | None = None,
) -> None:
    """A line for the leads in ⚠️ Escalations (`text`: made in their language), with a link to the client's
    topic; `/take` answers it."""
    chat = (await staff_chat_for(deps, client)) if client else deps.staff_chat_id
    if chat is None:
        return
    if callable(text):
        text = text(await for_leads(deps))
    await ensure_forum_topic(deps, chat, ESCALATIONS)
    if client is not None:  # its id, which /take and /merge accept, then its topic
        topic = client.topic
        link = topic_link(topic.chat_id, topic.thread_id) if topic is not None and not topic.lost else None
        text += "\n" + " · ".join(part for part in (client.id, link) if part)
    extra: dict[str, Any] = {"about": client.id} if client else {}
    if mentions:
        extra["mentions"] = mentions
    await deps.deliver(to_forum_topic(event, n, chat, ESCALATIONS, text, **extra))


def parse_forum_topic_id(owner: str) -> tuple[int, str] | None:
    if not owner.startswith("forum:"):
        return None
    chat, _, purpose = owner.removeprefix("forum:").partition("/")
    return int(chat), purpose


class ForumTopics:
    """The sender's view of the forum's own topics (the part of TopicDirectory that is not a client's)."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def topic_for(self, chat_id: int, purpose: str) -> Topic | None:
        current = await forum_topic(self._deps, chat_id, purpose)
        if current is None or current["lost"] or current["thread_id"] is None:
            return None
        return Topic(chat_id, current["thread_id"], current["generation"])

    async def created(self, chat_id: int, purpose: str, generation: int, thread_id: int) -> None:
        await self._deps.record(
            f"forum:{chat_id}",
            EventType.FORUM_TOPIC_OPENED,
            {"purpose": purpose, "generation": generation, "thread_id": thread_id},
            SYSTEM,
            f"forum-topic-opened:{chat_id}/{purpose}/{generation}",
        )

    async def gone(self, chat_id: int, purpose: str, generation: int) -> None:
        await self._deps.record(
            f"forum:{chat_id}",
            EventType.FORUM_TOPIC_LOST,
            {"purpose": purpose, "generation": generation},
            SYSTEM,
            f"forum-topic-lost:{chat_id}/{purpose}/{generation}",
        )
        current = await forum_topic(self._deps, chat_id, purpose)
        if current and current["generation"] == generation:
            await request_forum_topic(self._deps, chat_id, purpose, generation + 1)

    async def awaiting(self, chat_id: int, name: str) -> tuple[str, int] | None:
        """A forum topic of this name requested and not open yet: (purpose, generation)."""
        for purpose, topic_name in TOPIC_NAMES.items():
            current = await forum_topic(self._deps, chat_id, purpose)
            if name == topic_name and current and current["thread_id"] is None and not current["lost"]:
                return purpose, current["generation"]
        return None

    async def purpose_of(self, chat_id: int, thread_id: int) -> str | None:
        doc = await self._deps.store.db["forums"].find_one({"_id": str(chat_id)})
        topics: dict[str, ForumTopicState] = (doc or {}).get("topics", {})
        for purpose, topic in topics.items():
            if topic["thread_id"] == thread_id and not topic["lost"]:
                return purpose
        return None
