"""Review of issue 26's engine round (review/rt): a first contact by /start records the registration, the
assignment and the message together; the process dies after the insert and before the projections, and the
message is handled again (by this instance or another, without a start's catch-up in between). The client's
document must then show what the log holds — their assistant — not stay at the registration."""

from __future__ import annotations

import pytest

from domain.events import EventType
from engine import queries as q
from tests.harness import Harness, user
from tests.telegram.test_recorded_together import dies_before_projecting


async def test_a_start_handled_again_after_dying_before_its_projections_shows_the_assignment(
    tg: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await tg.add_staff(9001, "Anna", "en")
    layla = user("Layla")
    calls = dies_before_projecting(tg, monkeypatch, 1)
    await tg.send(tg.fake.user_message(layla, text="/start"))
    await tg.settle()
    assert calls["n"] >= 1  # it did die there
    client = await tg.client_of(layla)
    log = await tg.store.events.read(f"client:{client.id}")
    assert [e.type for e in log] == [EventType.CLIENT_REGISTERED, EventType.CLIENT_ASSIGNED]
    known = await q.known_client(tg.store, client.id)
    assert (known.version, known.assistant_id) == (len(log), log[1].data["assistant_id"])
