"""Crypto-shredding in the event store: personal fields stored encrypted with the client's key, read back
readable, and read as erased once the key is destroyed, while the hash chain still verifies."""

import json
from pathlib import Path

from domain.clock import FrozenClock
from domain.events import Actor, ActorKind, EventType, NewEvent
from engine import queries as q
from storage.audit import verify
from storage.store import Store, open_store
from storage.vault import PREFIX, Vault
from tests.round_trips import Commands

LAYLA = Actor(ActorKind.CLIENT, "C-1")


def registered(client_id: str = "C-1", name: str = "Layla Haddad") -> NewEvent:
    data = {
        "client_id": client_id,
        "name": name,
        "username": "layla_h",
        "language": "ar",
        "phone": "+971501234567",
        "identities": [{"channel": "telegram", "external_id": "4242"}],
    }
    return NewEvent(f"client:{client_id}", EventType.CLIENT_REGISTERED, data, LAYLA, f"tg:1/{client_id}")


def opened(request_id: str = "R-1", client_id: str = "C-1") -> NewEvent:
    data = {"request_id": request_id, "client_id": client_id, "text": "A car to Barvikha at 8", "details": {}}
    return NewEvent(f"request:{request_id}", EventType.REQUEST_OPENED, data, LAYLA, f"tg:2/{request_id}")


async def stored(store: Store, stream: str) -> list[dict]:
    return await store.db["events"].find({"stream": stream}).sort("seq", 1).to_list()


async def test_personal_fields_are_stored_sealed_and_read_back_as_written(store: Store) -> None:
    appended = await store.record(registered())
    assert appended.event.data["name"] == "Layla Haddad"  # the caller and the projection see it
    (doc,) = await stored(store, "client:C-1")
    raw = json.dumps(doc["data"], ensure_ascii=False)
    assert "Layla" not in raw and "layla_h" not in raw and "501234567" not in raw and "4242" not in raw
    assert doc["data"]["name"].startswith(f"{PREFIX}C-1:") and doc["data"]["language"] == "ar"
    (event,) = await store.events.read("client:C-1")
    assert event.data == registered().data
    assert (await store.db["clients"].find_one({"_id": "C-1"}))["name"] == "Layla Haddad"


async def test_a_requests_later_events_use_the_key_of_the_client_its_first_event_names(store: Store) -> None:
    await store.record(registered())
    await store.record(opened())
    added = {"text": "and back at midnight", "details": {}}
    later = NewEvent("request:R-1", EventType.REQUEST_MESSAGE_ADDED, added, LAYLA, "tg:3")
    await store.record(later)
    docs = await stored(store, "request:R-1")
    assert [d["data"]["text"].split(":")[1] for d in docs] == ["C-1", "C-1"]
    fresh = Vault(store.db, store.events.vault._clock)  # another instance: nothing cached
    events = await fresh.open([e for e in await store.events.read("request:R-1")])
    assert [e.data["text"] for e in events] == ["A car to Barvikha at 8", "and back at midnight"]


async def test_after_the_key_is_destroyed_fields_read_as_erased_and_the_chain_verifies(store: Store) -> None:
    await store.record(registered())
    await store.record(opened())
    await store.events.vault.destroy(["C-1"])
    (client,) = await store.events.read("client:C-1")
    assert client.data | {} == {
        "client_id": "C-1",
        "name": "",
        "username": None,
        "language": "ar",
        "phone": None,
        "identities": [],
    }
    (request,) = await store.events.read("request:R-1")
    assert request.data["text"] == "" and request.data["client_id"] == "C-1"
    other = Vault(store.db, store.events.vault._clock)  # another instance reads the tombstone, not a key
    assert (await other.open([client]))[0].data["name"] == ""
    assert await other.erased("C-1")
    report = await verify(store.db, store.events)
    assert report.intact, report.broken


async def test_anything_written_about_an_erased_client_is_stored_already_erased(store: Store) -> None:
    await store.record(registered())
    await store.events.vault.destroy(["C-1"])
    late = NewEvent("client:C-1", EventType.CLIENT_PREFERENCES_SET, {"preferences": "no nuts"}, LAYLA, "late")
    appended = await store.record(late)
    assert appended.event.data == {"preferences": ""}  # what the projections are given too
    docs = await stored(store, "client:C-1")
    assert docs[-1]["data"] == {"preferences": ""}
    assert (await q.client(store, "C-1")).preferences == ""
    first = await store.db["personal_keys"].find_one({"_id": "C-1"})
    await store.events.vault.destroy(["C-1", "C-2"])  # again, and one that never had a key
    assert await store.db["personal_keys"].find_one({"_id": "C-1"}) == first  # the first erase's time kept
    assert await store.events.vault.erased("C-2")
    assert await store.db["personal_keys"].find_one({"_id": "C-1"}, {"key": 1}) == {"_id": "C-1", "key": None}


async def test_words_that_look_like_a_sealed_value_are_sealed_like_any_other(store: Store) -> None:
    await store.record(registered("C-1", "enc1:C-1:AAAA"))
    (doc,) = await stored(store, "client:C-1")
    assert doc["data"]["name"] != "enc1:C-1:AAAA"
    (event,) = await store.events.read("client:C-1")
    assert event.data["name"] == "enc1:C-1:AAAA"


async def test_a_sealed_value_moved_to_another_field_or_stream_does_not_open(store: Store) -> None:
    await store.record(registered())
    await store.record(registered("C-2", "Omar"))
    (one,) = await stored(store, "client:C-1")
    two = (await stored(store, "client:C-2"))[0]
    moved = dict(two, data=dict(two["data"], name=one["data"]["name"], username=one["data"]["name"]))
    (event,) = await store.events.opened([moved])
    assert event.data["name"] == "" and event.data["username"] is None  # read as gone, never as Layla
    assert event.data["phone"] == "+971501234567"


async def test_streams_of_nobody_are_stored_as_written(store: Store) -> None:
    staff = NewEvent(
        "staff:A-1", EventType.STAFF_COMMAND_ISSUED, {"command": "away", "args": "2h"}, LAYLA, "s"
    )
    await store.record(staff)
    (doc,) = await stored(store, "staff:A-1")
    assert doc["data"] == {"command": "away", "args": "2h"}
    assert await store.db["personal_keys"].count_documents({}) == 0


async def test_a_registration_makes_its_clients_key_in_one_write_and_a_tombstone_still_wins(
    mongo_url: str, db_name: str, clock: FrozenClock, tmp_path: Path
) -> None:
    commands = Commands()
    async with open_store(mongo_url, db_name, tmp_path, clock, listeners=[commands]) as store:
        try:
            await store.record(registered("C-1"))
            keys = {c: n for (c, coll), n in commands.sent.items() if coll == "personal_keys"}
            assert keys == {"insert": 1}  # (a new client has no key: nothing to look for first)
            await store.db["personal_keys"].insert_one({"_id": "C-2", "key": None})  # erased elsewhere
            appended = await store.record(registered("C-2"))  # (a claim that raced the erase)
            assert (
                appended.event.data["name"] == ""
                and (await stored(store, "client:C-2"))[0]["data"]["name"] == ""
            )
            assert await store.db["personal_keys"].find_one({"_id": "C-2"}, {"key": 1}) == {
                "_id": "C-2",
                "key": None,
            }
            assert [e.data["name"] for e in await store.events.read("client:C-1")] == ["Layla Haddad"]
        finally:
            commands.stop()
            await store.client.drop_database(db_name)
