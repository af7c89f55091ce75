"""Events a step records together (engine/deps.py `Deps.record_all`: a registration with its assignment and
first message; a message with the conversation it opens and the topic it asks for) through a whole first
contact: the process dies after the log took them and before their projections were written; the message,
handled again, finishes what it decided — greeted once, one topic, its words once, one request — and the
log and the documents are what handling it once makes."""

from __future__ import annotations

from typing import Any

import pytest

from domain.events import EventType
from engine import queries as q
from storage.audit import verify
from storage.projector import Projector
from tests import reads
from tests.harness import Harness, user


def dies_before_projecting(tg: Harness, monkeypatch: pytest.MonkeyPatch, at: int) -> dict[str, int]:
    """The process "dies" once, after the `at`-th batch of events recorded together was inserted and before
    it was projected. Returns the live count of batches."""
    project_all, calls, ours = Projector.project_all, {"n": 0}, tg.store.projector

    async def dies_once(self_: Projector, events: list[Any]) -> None:
        if self_ is ours and len(events) > 1:
            calls["n"] += 1
            if calls["n"] == at:
                raise ConnectionError("killed between the events and their projections")
        await project_all(self_, events)

    monkeypatch.setattr(Projector, "project_all", dies_once)
    return calls


@pytest.mark.parametrize("at", [1, 2])
async def test_a_first_message_handled_again_after_dying_before_its_projections_finishes(
    tg: Harness, monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    """Its batches: the registration, assignment and message (1); the conversation opened and its topic
    asked for (2)."""
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    calls = dies_before_projecting(tg, monkeypatch, at)
    await tg.send(tg.fake.user_message(layla, text="Book a car tonight at 8 from the Ritz"))
    await tg.settle()
    assert calls["n"] >= at  # it did die there
    texts = [m["text"] for m in tg.to_user(layla)]
    assert len([t for t in texts if t.startswith("Welcome")]) == 1, texts
    assert len([t for t in texts if "R-1001" in t]) == 1, texts
    thread = await tg.thread_of(layla)
    assert await tg.topic_words(thread) == ["Book a car tonight at 8 from the Ritz"]
    assert len(tg.request_cards(thread)) == 1
    assert len(tg.fake.sent("createForumTopic")) == 1
    assert len(await reads.requests(tg.store)) == 1
    client = await tg.client_of(layla)
    assert client.assistant_id and client.conversation_open and client.topic is not None
    log = await tg.store.events.read(f"client:{client.id}")
    assert [e.type for e in log][:4] == [
        EventType.CLIENT_REGISTERED,
        EventType.CLIENT_ASSIGNED,
        EventType.CONVERSATION_OPENED,
        EventType.CLIENT_TOPIC_REQUESTED,
    ]
    assert client.version == len(log)  # (caught up: nothing lost, nothing twice)
    conversation = await tg.store.events.read(f"conversation:{client.id}")
    assert [e.type for e in conversation].count(EventType.MESSAGE_RECEIVED) == 1
    assert (await verify(tg.store.db, tg.store.events)).intact


async def test_a_message_that_opens_the_conversation_dying_before_its_projections_finishes(
    tg: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After /start: the message, the conversation opened and the topic asked for are one batch."""
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    await tg.send(tg.fake.user_message(layla, text="/start"))
    await tg.settle()
    calls = dies_before_projecting(tg, monkeypatch, 1)
    await tg.send(tg.fake.user_message(layla, text="Book a car tonight at 8 from the Ritz"))
    await tg.settle()
    assert calls["n"] >= 1
    thread = await tg.thread_of(layla)
    assert await tg.topic_words(thread) == ["Book a car tonight at 8 from the Ritz"]
    assert len(tg.fake.sent("createForumTopic")) == 1
    assert len(await reads.requests(tg.store)) == 1
    client = await q.known_client(tg.store, (await tg.client_of(layla)).id)
    assert client.version == len(await tg.store.events.read(f"client:{client.id}"))
    conversation = await tg.store.events.read(f"conversation:{client.id}")
    assert [e.type for e in conversation].count(EventType.MESSAGE_RECEIVED) == 2  # /start, and the message
    assert (await verify(tg.store.db, tg.store.events)).intact
