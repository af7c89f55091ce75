"""A new message channel is a folder, a webhook, a runtime, a worker and one `Channel` row — no edit to
engine/. The toy channel (tests/toy_channel) carries a client's journey: they write, their topic opens in the
staff forum with their words; the assistant answers by typing in the topic, and the toy's sender gets the
answer composed by the toy's own rules (buttons as bracketed words, 120 characters a message)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.clients import Language
from domain.events import EventType
from engine import queries as q
from storage.deliveries import DeliveryStatus
from tests import reads
from tests.harness import STAFF_CHAT, Harness, start_harness
from tests.toy_channel import runtime as toy
from tests.toy_channel.compose import LIMIT

ROOT = Path(__file__).resolve().parents[2]
ANNA = {"id": 9001, "is_bot": False, "first_name": "Anna"}


@pytest.fixture
async def tg(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock) -> AsyncIterator[Harness]:
    harness = await start_harness(
        aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, extend=toy.install
    )
    await harness.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    yield harness
    await harness.store.client.drop_database(db_name)


async def settle(tg: Harness) -> None:
    """The harness's workers and the toy's, until nothing is left."""
    for _ in range(20):
        await tg.settle()
        await tg.app[toy.TOY].run_once()
        if not await tg.store.deliveries.unfinished("toy"):
            await tg.settle()
            return
    raise AssertionError("the toy's deliveries did not settle")


async def toy_writes(tg: Harness, n: int, text: str) -> None:
    payload = {"id": n, "from": "ada", "name": "Ada Lovelace", "text": text}
    response = await tg.http.post("/webhooks/toy", json=payload)
    assert response.status == 200
    await settle(tg)


async def test_a_client_journey_through_a_channel_the_engine_never_heard_of(tg: Harness) -> None:
    await toy_writes(tg, 1, "Hello, a table for two at Pushkin tonight")
    client = await q.client_by_identity_key(tg.store, "toy:ada")
    thread = reads.thread(client)
    # marked with its channel, as WhatsApp is: the topic says where the client wrote
    assert await tg.topic_words(thread) == ["toy · Hello, a table for two at Pushkin tonight"]

    # no language known: the engine asks with buttons; the toy shows them as words, within its limit
    asked = tg.app[toy.TOY_SENDER].to("ada")
    assert all(len(part) <= LIMIT for part in asked)
    (last,) = [k for k, part in enumerate(asked) if part.endswith("[English] [العربية] [Русский]")]
    assert last > 0  # the question took more than one message: the words ride on its last part
    assert any("R-1001" in part for part in asked)  # and the request was taken
    offered = await reads.events(tg.store, EventType.CHOICES_OFFERED)
    assert offered and offered[0].data == {
        "channel": "toy",
        "choices": {"english": "lang:en", "العربية": "lang:ar", "русский": "lang:ru"},
    }

    # she answers with a word she was shown: it acts as the button would have (the engine's one use case for
    # every channel whose buttons are text)
    await toy_writes(tg, 2, "English")
    ada = await q.client_by_identity_key(tg.store, "toy:ada")
    assert ada is not None and ada.language is Language.EN

    # the assistant types in the topic: the toy's sender receives it, composed by the toy
    before = len(tg.app[toy.TOY_SENDER].sent)
    answer = "Good evening, Ada. " + "Pushkin has a table at eight by the window, and another at nine. " * 2
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text=answer))
    await settle(tg)
    parts = tg.app[toy.TOY_SENDER].to("ada")[before:]
    assert len(parts) == 2 and all(len(p) <= LIMIT for p in parts)
    assert " ".join(parts) == answer.strip()
    sent = [
        d for d in await reads.deliveries(tg.store) if d.channel == "toy" and d.status is DeliveryStatus.SENT
    ]
    assert {d.lane for d in sent} == {"toy:ada"}
    assert {d.provider_message_id for d in sent} >= {"toy-1"}

    # the client writes again: the same topic, in order
    await toy_writes(tg, 3, "Nine, please")
    assert tg.topic_texts(thread)[-1] == "toy · Nine, please"
    assert await tg.failed_deliveries() == 0


def test_the_engine_names_no_toy() -> None:
    """The proof holds only if engine/ was not taught about the toy."""
    assert [p for p in (ROOT / "engine").rglob("*.py") if "toy" in p.read_text().lower()] == []
