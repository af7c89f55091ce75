"""A log the old first-contact race left behind (a ClientAssigned on a stream never registered): the command
line says so instead of failing — rebuild sets the event apart and names it, audit verify names it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from domain.clock import SystemClock
from domain.events import SYSTEM, Actor, ActorKind, EventType, NewEvent
from storage.store import open_store
from tests.integration.test_service_process import CliSession, environment


async def _write_the_old_race(data_dir: Path) -> None:
    async with open_store(None, "concierge", data_dir, SystemClock()) as store:
        data = {"client_id": "C-1001", "name": "Layla", "identities": [], "phone": None}
        actor = Actor(ActorKind.CLIENT, "C-1001")
        await store.record(
            NewEvent("client:C-1001", EventType.CLIENT_REGISTERED, data, actor, "voice:CA1/register")
        )
        # the loser of the race: its own id, assigned, never registered
        stray = NewEvent(
            "client:C-1002", EventType.CLIENT_ASSIGNED, {"assistant_id": "A-1"}, SYSTEM, "voice:CA1/assign"
        )
        await store.events.append(stray)


def test_rebuild_and_audit_verify_name_an_event_that_cannot_be_applied(
    tmp_path: Path, cli_session: CliSession
) -> None:
    asyncio.run(_write_the_old_race(tmp_path))
    env = environment(tmp_path)
    rebuilt = cli_session(env, "rebuild")
    assert rebuilt.returncode == 1, rebuilt.stderr
    assert "rebuild: 1 events applied" in rebuilt.stdout
    assert "client:C-1002  1    ClientAssigned  InvalidValue" in rebuilt.stdout
    audit = cli_session(env, "audit", "verify")
    assert audit.returncode == 1
    assert "audit: BROKEN — client:C-1002#1: ClientAssigned cannot be applied (InvalidValue)" in audit.stdout
    report = json.loads(cli_session(env, "audit", "verify", "--json").stdout)
    assert report["intact"] is False
    assert report["quarantined"] == [
        {"stream": "client:C-1002", "seq": 1, "type": "ClientAssigned", "reason": "InvalidValue"}
    ]
