import asyncio
from datetime import timedelta

from domain.events import Actor, ActorKind, EventType, NewEvent
from domain.money import Money
from domain.quotes import LineItem, Quote
from domain.requests import ServiceRequest
from storage.store import Store

EA = Actor(ActorKind.ASSISTANT, "A-1")
CLIENT = Actor(ActorKind.CLIENT, "C-1")


async def decide(store: Store, request_id: str, decision, cause: str) -> None:
    doc = await store.db["requests"].find_one({"_id": request_id})
    request = ServiceRequest.from_doc(doc)
    kind, data = decision(request)
    await store.record(NewEvent(f"request:{request_id}", kind, data, EA, cause), expected_seq=request.version)


async def build_history(store: Store, clock) -> None:
    await store.record(
        NewEvent(
            "assistant:A-1",
            EventType.ASSISTANT_ADDED,
            {
                "assistant_id": "A-1",
                "telegram_id": 1001,
                "name": "Anna",
                "languages": ["ar", "en"],
                "lead": True,
            },
            EA,
            "cli:add/A-1",
        )
    )
    await store.record(
        NewEvent(
            "client:C-1",
            EventType.CLIENT_REGISTERED,
            {
                "client_id": "C-1",
                "name": "Layla",
                "language": "ar",
                "identities": [{"channel": "telegram", "external_id": "42"}],
            },
            CLIENT,
            "tg:1/0",
        )
    )
    await store.record(
        NewEvent("client:C-1", EventType.CLIENT_ASSIGNED, {"assistant_id": "A-1"}, EA, "tg:1/1")
    )
    await store.record(
        NewEvent("client:C-1", EventType.CLIENT_PHONE_SHARED, {"phone": "+971501234567"}, CLIENT, "tg:2/0")
    )
    for n in (1, 2):
        kind, data = ServiceRequest.open(f"R-{n}", "C-1", "A car tonight at 8 from the Ritz")
        await store.record(NewEvent(f"request:R-{n}", kind, data, CLIENT, f"tg:{10 + n}/0"))
    quote = Quote(
        1, (LineItem("Mercedes S-Class", Money.of("45000", "RUB")),), "RUB", clock.now() + timedelta(hours=4)
    )
    await decide(
        store, "R-1", lambda r: r.quote_with(quote, {"order_id": "o1", "url": "u", "number": 1}), "cmd:q1"
    )
    await decide(
        store, "R-1", lambda r: r.pay(quote.total, 77, "Visa •••• 1234", clock.now(), "RC-1"), "cp:pay:77"
    )
    await decide(store, "R-1", lambda r: r.start(), "cmd:progress")
    await decide(store, "R-2", lambda r: r.cancel("plans changed"), "cmd:cancel")
    await store.record(NewEvent("assistant:A-1", EventType.ASSISTANT_DEACTIVATED, {}, EA, "cli:off/A-1"))


async def snapshot(store: Store) -> dict[str, list[dict]]:
    return {
        name: await store.db[name].find().sort("_id", 1).to_list()
        for name in ("clients", "assistants", "requests")
    }


async def test_the_live_projection_follows_the_log(store: Store, clock) -> None:
    await build_history(store, clock)
    request = await store.db["requests"].find_one({"_id": "R-1"})
    assert request["state"] == "in_progress"
    assert request["payment"]["amount"] == {"minor": 4_500_000, "currency": "RUB"}
    assert request["_v"] == 4
    client = await store.db["clients"].find_one({"_id": "C-1"})
    assert client["assistant_id"] == "A-1" and client["phone"] == "+971501234567"
    assert client["identity_keys"] == ["telegram:42"]
    assert (await store.db["assistants"].find_one({"_id": "A-1"}))["active"] is False


async def test_a_projection_rebuilt_from_the_log_equals_the_live_one(store: Store, clock) -> None:
    await build_history(store, clock)
    live = await snapshot(store)
    assert await store.projector.rebuild() == 11
    assert await snapshot(store) == live


async def test_applying_an_event_twice_is_a_no_op(store: Store, clock) -> None:
    await build_history(store, clock)
    before = await snapshot(store)
    for event in await store.events.read("request:R-1"):
        await store.projector.project(event)
    assert await snapshot(store) == before


async def test_start_up_catches_up_events_written_before_a_crash(store: Store, clock) -> None:
    await build_history(store, clock)
    live = await snapshot(store)
    # the process died after appending but before projecting: the document lags behind the log
    await store.db["requests"].delete_one({"_id": "R-1"})
    await store.db["clients"].update_one(
        {"_id": "C-1"}, {"$set": {"_v": 1, "assistant_id": None, "phone": None}}
    )
    assert await store.projector.catch_up() == 2
    assert await snapshot(store) == live
    assert await store.projector.catch_up() == 0


async def test_a_start_looks_only_at_streams_written_since_the_last_check(store: Store, clock) -> None:
    """The store was opened (checked) at the fixture's start: a later start looks at recent streams only,
    through the `at_ms` index; a stream older than the margin is repaired by its next write instead."""
    await build_history(store, clock)
    live = await snapshot(store)
    await store.db["requests"].delete_one({"_id": "R-1"})  # died before projecting, just now
    assert await store.projector.start_up(clock.now()) == 1
    assert await snapshot(store) == live

    clock.advance(days=3)
    await store.projector.checked(clock.now())
    await store.db["requests"].delete_one({"_id": "R-1"})  # a lag older than the margin: not looked at
    assert await store.projector.start_up(clock.now()) == 0
    for event in await store.events.read("request:R-1"):  # its stream's next write repairs it
        await store.projector.project(event)
    assert await snapshot(store) == live

    await store.db["jobs"].update_one({"_id": "projections"}, {"$set": {"format": 1}})  # an older version
    await store.db["requests"].delete_one({"_id": "R-1"})
    assert await store.projector.start_up(clock.now()) == 1  # looks at everything
    assert await snapshot(store) == live


async def test_concurrent_projection_of_one_stream_converges(store: Store, clock) -> None:
    await build_history(store, clock)
    live = await snapshot(store)
    await store.db["requests"].delete_many({})
    events = await store.events.read("request:R-1")
    await asyncio.gather(*(store.projector.project(e) for e in reversed(events * 3)))
    assert await store.db["requests"].find_one({"_id": "R-1"}) == live["requests"][0]
