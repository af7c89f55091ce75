"""Every query the service sends while it works is an index seek, on the embedded engine and on MongoDB.

The queries are not listed by hand: a command listener records every read and update the real service sends
during a whole journey (Telegram and WhatsApp clients, a staff reply, a quote, a payment, a status callback,
the workers), and each distinct shape is checked against the plan of the store it would run on:
- nx-27017 answers with SQLite through neosqlite's own query builders — the cursor's for a find, the update
  translator's for an update, a find-and-modify and a count — so the shape is compiled with those builders
  against the indexes of storage/indexes.py and SQLite's EXPLAIN QUERY PLAN must SEARCH an index;
- MongoDB's explain() (with MONGODB_URL) must show an index scan, never a COLLSCAN.
A shape that only start-up, the CLI or the test itself sends is named below with its reason."""

from __future__ import annotations

import json
import os
from typing import Any

import neosqlite
import pytest
from neosqlite.collection import json_helpers
from pydantic import SecretStr
from pymongo import monitoring

from bot.console.keys import LIVE
from bot.keys import SETTINGS
from bot.workers.kpi_days import KpiDaysLoop
from engine import queries as q
from engine.team import admin as staff_admin
from storage.indexes import INDEXES
from tests import reads
from tests.console_client import signed_in
from tests.harness import PUBLIC, STAFF_CHAT, TWILIO_SID, VOICE_NUMBER, Harness, start_harness, user
from tests.telegram.test_lifecycle import ANNA, order_of, pay, quote_message

READS = {"find", "findAndModify", "update", "delete", "aggregate", "count"}
OTHERS = 20  # documents an aggregate's $match does not select, beside the seed
# shapes that are not on a message's path, and why a scan is fine for them
STARTUP = "start-up catch-up: every projection's version and every stream's head, read once"
COLD = {
    ("clients", "{}"): STARTUP,
    ("conversations", "{}"): STARTUP,
    ("requests", "{}"): STARTUP,
    ("assistants", "{}"): "the team: a handful of documents",
    ("quarantine", "{}"): "events the projections set apart: none, or a few; read at start and hourly",
    ("events", '{"kind": 0}'): STARTUP,
    ("forums", "{}"): STARTUP,
    ("saved_replies", "{}"): STARTUP,
    (
        "saved_replies",
        '{"removed": 0}',
    ): "the team's saved replies: tens of documents, read for a request's page",
    ("clients_keys", "{}"): "the first start of a new document shape makes the search keys afresh",
    ("tallies", "{}"): "the first start of a new document shape counts the tallies afresh",
    ("board", "{}"): "the first start of a new document shape (and a rebuild) makes the board's cards afresh",
    ("message_keys", "{}"): "a rebuild makes the search index afresh from the log",
    ("events", "{}"): "the search index's first start reads the whole log once",
    ("budgets", "{}"): "never sent by the service (test clean-up)",
    ("heartbeats", '{"beat_ms": {"$lt": 0}}'): "a few documents, one per running instance",
    ("heartbeats", '{"beat_ms": {"$gte": 0}}'): "a few documents, one per running instance",
    ("heartbeats", '{"_id": 0}'): "by _id",
    ("clients", '{"$query": {}, "$orderby": {"_id": 0}}'): "the console's newest clients: the _id order",
}


class Recorder(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: list[tuple[str, dict[str, Any]]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in READS:
            self.commands.append((event.command_name, dict(event.command)))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...


def _shape(value: Any) -> Any:
    """A filter with its values blanked: what decides the plan."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value[:1]]
    return 0


def queries(commands: list[tuple[str, dict[str, Any]]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(collection, kind, shape) → one real example filter (kind: "find" or "update")."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for name, command in commands:
        collection = command[name]
        if name == "find":
            filters = [("find", command.get("filter") or {}, command.get("sort"))]
        elif name == "findAndModify":
            filters = [("update", command.get("query") or {}, command.get("sort"))]
        elif name in ("update", "delete"):
            filters = [
                ("update", s["q"], None) for s in command["updates" if name == "update" else "deletes"]
            ]
        elif name == "count":
            filters = [("update", command.get("query") or {}, None)]
        else:
            match = next((stage["$match"] for stage in command["pipeline"] if "$match" in stage), {})
            filters = [("aggregate", match, None)]
        for kind, where, sort in filters:
            key = (collection, kind, json.dumps(_shape(where), sort_keys=True))
            found.setdefault(
                key,
                {"filter": where, "sort": dict(sort) if sort else None, "pipeline": command.get("pipeline")},
            )
    return found


class _Decoded:
    """neosqlite's json module, counting the documents it decodes (what nx-27017 builds in its memory)."""

    def __init__(self) -> None:
        self.count = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(json, name)

    def loads(self, text: str, **kwargs: Any) -> Any:
        self.count += 1
        return json.loads(text, **kwargs)


def decoded_by(coll: Any, pipeline: list[dict[str, Any]]) -> int:
    """How many documents the store decodes to answer an aggregate (the pipeline run by neosqlite itself)."""
    decoded = _Decoded()
    json_helpers.json, real = decoded, json_helpers.json  # type: ignore[assignment]
    try:
        list(coll.aggregate(pipeline))
    finally:
        json_helpers.json = real
    return decoded.count


def embedded_plan(
    collection: str, kind: str, where: dict[str, Any], sort: dict | None, pipeline: list | None = None
) -> list[str]:
    """The plan nx-27017 would run, from neosqlite's own builders against our indexes. An aggregate is run
    by neosqlite itself beside documents its $match does not select: a stage it cannot put in SQL (a $group,
    as in pymongo's `count_documents`) makes it decode every document of the collection and match them in
    Python, at every call — a scan, however good the $match's index (README, *Soak*, *The fifth round*)."""
    conn = neosqlite.Connection(":memory:")
    coll = conn[collection]
    for model in INDEXES.get(collection, []):
        keys = list(model.document["key"].items())
        coll.create_index(keys if len(keys) > 1 else keys[0][0], unique=model.document.get("unique", False))
    coll.insert_one({"_id": "seed"})
    if kind == "aggregate":  # answered in SQL, or in Python after decoding every document of the collection
        coll.insert_many([{"_id": f"other-{n}"} for n in range(OTHERS)])
        if decoded_by(coll, pipeline or []) > OTHERS:
            return [f"SCAN (answered in Python: all {OTHERS + 1} documents decoded, none matching)"]
        kind = "update"  # (then its $match is what SQLite runs)
    if kind == "find":
        cursor = coll.find(where)
        if sort:
            cursor = cursor.sort(list(sort.items()))
        return [step["detail"] for step in cursor.explain()["queryPlanner"]["winningPlan"]]
    clause, params = coll.query_engine.sql_translator.translate_match(where)
    if clause is None:
        return ["SCAN (answered in Python: every row is read)"]
    sql = f'EXPLAIN QUERY PLAN SELECT id FROM "{collection}" {clause}'  # noqa: S608 (our own names)
    rows = conn.db.execute(sql, params).fetchall()
    return [row[3] for row in rows]


def seeks(collection: str, plan: list[str]) -> bool:
    return bool(plan) and plan[0].startswith(f"SEARCH {collection} USING")


@pytest.fixture
async def recorded(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock):
    recorder = Recorder()
    monitoring.register(recorder)  # clients created from now on report their commands
    tg = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock, voice=True)
    try:
        await journey(tg)
        yield tg, recorder.commands
    finally:
        recorder.started = lambda event: None  # type: ignore[method-assign]  # (listeners cannot be removed)
        await tg.store.client.drop_database(db_name)


async def journey(tg: Harness) -> None:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    layla = user("Layla")
    await tg.send(tg.fake.user_message(layla, text="/start"))
    await tg.send(tg.fake.user_message(layla, text="Book a Mercedes S-Class tonight at 8 from the Ritz"))
    await tg.settle()
    thread = await tg.thread_of(layla)
    await tg.send(tg.fake.user_message(layla, text="We will be 4 people"))
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="Certainly, Layla"))
    await tg.send(
        tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="/quote 45000 RUB Car")
    )
    await tg.settle()
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="/done"))
    await tg.settle()
    await tg.wa("+971500000001", "Hello, I need a table for two tonight", name="Omar")
    await tg.settle()
    (sent,) = [m for m in tg.tw.to("+971500000001")][-1:]
    await tg.wa_status(sent.sid, "delivered")
    await tg.wa_status(sent.sid, "read")
    await tg.settle()
    await clock_journey(tg, layla, thread)
    await metrics_scrape(tg)
    await calls_journey(tg)


async def calls_journey(tg: Harness) -> None:
    """A call from a known client and one from a new number (answered before it is registered: the inbox, or
    the first callback, registers them), each rung through to voicemail and ended."""
    await staff_admin.set_phone(tg.engine.deps, 9001, "+79161111111")
    for sid, number in (("CA1", "+971500000001"), ("CA2", "+971500000002")):
        form = {"CallSid": sid, "AccountSid": TWILIO_SID, "From": number, "To": VOICE_NUMBER}
        for path, extra in (
            ("/webhooks/twilio/voice", {"CallStatus": "ringing"}),
            ("/webhooks/twilio/voice/dial?leg=0", {"DialCallStatus": "no-answer"}),
            ("/webhooks/twilio/voice/voicemail", {"RecordingDuration": "0"}),
            ("/webhooks/twilio/voice/status", {"CallStatus": "completed", "CallDuration": "30"}),
        ):
            params, headers = tg.tw.signed(f"{PUBLIC}{path}", form | extra)
            response = await tg.http.post(path, data=params, headers=headers)
            assert response.status in (200, 204), await response.text()
    await tg.settle()
    assert await q.client_by_phone(tg.store, "+971500000002") is not None


async def metrics_scrape(tg: Harness) -> None:
    """What /metrics reads of the store at each scrape: the inbox, the deliveries by lane kind, the timers."""
    tg.app[SETTINGS].app.metrics_token = SecretStr("a-long-metrics-token")
    response = await tg.http.get("/metrics", headers={"Authorization": "Bearer a-long-metrics-token"})
    assert response.status == 200 and "concierge_store_up 1.0" in await response.text()


async def clock_journey(tg: Harness, layla: dict, thread: int) -> None:
    """The clock's reads and writes: a client left waiting (reminded, escalated, reassigned), presence, a
    rating, the sweep of the log, /stats."""
    ask = tg.to_user(layla)[-1]
    await tg.send(tg.fake.callback(layla, ask["message_id"], "rate:R-1001:2"))
    await tg.add_staff(9002, "Omar", "en")
    await tg.send(tg.fake.user_message(layla, text="And flowers for the hotel room, please"))
    await tg.settle()
    for _ in range(3):
        tg.clock.advance(minutes=15, seconds=30)
        await tg.engine.clock_runner.run_once()
        await tg.settle()
    omar = {"id": 9002, "is_bot": False, "first_name": "Omar"}
    await tg.send(tg.fake.user_message(omar, chat_id=STAFF_CHAT, text="/away for 1h"))
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="/stats 7d"))
    await tg.settle()
    tg.clock.advance(hours=1, minutes=1)
    await tg.engine.clock_runner.run_once()
    await tg.engine.clock_runner.run_once()
    await tg.settle()
    await console_journey(tg)
    # the days just over are kept (the figures' reads of them: the Team page and /stats above, read again)
    policy = tg.engine.deps.policy
    days = KpiDaysLoop(tg.store, tg.clock, "journey", policy.promises, policy.tz)
    tg.clock.advance(days=2)
    await days.run_once()
    assert await tg.store.kpi_days.closed_through() is not None
    lead = await signed_in(tg, 9001)
    assert (await lead.get("/console/team?period=7d")).status == 200


async def console_journey(tg: Harness) -> None:
    """A lead and an assistant at the staff console: every page, a search, a reply, the live log."""
    hub = tg.app[LIVE]
    lead = await signed_in(tg, 9001)
    tab = hub.subscribe(await lead.get("/console/") and await q.assistant(tg.store, "A-9001"), board=True)
    for path in (
        "/console/",
        "/console/?assistant=A-9002",
        "/console/board.part",
        "/console/board.cards?ids=R-1001,R-1002",  # (a column's next cards)
        "/console/requests/R-1001",
        "/console/requests/R-1001/timeline.part",
        "/console/clients",
        "/console/clients/C-1001",
        "/console/team?period=7d",
        "/console/payments?days=30",
        "/console/payments.csv?days=30",
        "/console/activity",
    ):
        assert (await lead.get(path)).status == 200, path
    for wanted in ("layl", "0001"):  # a word's start, a phone's last digits
        assert (await lead.post("/console/clients", {"q": wanted})).status == 200
    for wanted in ("R-1001", "layla", "mercedes ritz", "tonight"):  # a number, a name, words written
        assert (await lead.post("/console/search", {"q": wanted})).status == 200
    reply = await lead.post("/console/requests/R-1002/reply", {"text": "Flowers are on their way"})
    assert reply.status == 303
    await tg.settle()
    await hub.read_once()
    assert tab.queue.qsize() > 0
    hub.unsubscribe(tab)
    layla = reads.thread(await q.known_client(tg.store, "C-1001"))
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=layla, text="/assign Omar"))
    await tg.settle()
    omar = await signed_in(tg, 9002)
    assert (await omar.post("/console/clients", {"q": "omar"})).status == 200
    tg.store.words.scan = 1  # (a word with more rows than a seek reads: an assistant's, client by client)
    assert (await omar.post("/console/search", {"q": "table"})).status == 200
    assert (await omar.get("/console/")).status == 200


async def test_every_query_of_a_journey_seeks_an_index(recorded) -> None:
    _, commands = recorded
    shapes = queries(commands)
    assert len(shapes) > 20  # the journey exercised the service
    assert (
        "message_keys",
        "find",
        '{"client_key": {"$gte": 0, "$lt": 0}}',
    ) in shapes  # (an assistant's search)
    assert ("board", "find", '{"w_ms": {"$gte": 0}}') in shapes  # (a board: the cards written since the last)
    assert (
        "board",
        "find",
        '{"client_id": 0, "rk": {"$lt": 0}}',
    ) in shapes  # (a wait's clock onto the cards)
    assert ("board", "find", '{"client_id": 0}') in shapes  # (an open board sent a client's cards)
    scans = []
    for (collection, kind, shape), example in sorted(shapes.items()):
        if (collection, shape) in COLD or collection.startswith("system."):
            continue
        plan = embedded_plan(collection, kind, example["filter"], example["sort"], example["pipeline"])
        if not seeks(collection, plan):
            scans.append(f"{collection} {kind} {shape}: {plan}")
    assert not scans, "\n".join(scans)


@pytest.mark.skipif(not os.environ.get("MONGODB_URL"), reason="MongoDB's explain(): set MONGODB_URL")
async def test_every_query_of_a_journey_uses_an_index_on_mongodb(recorded) -> None:
    tg, commands = recorded
    scans = []
    for (collection, _kind, shape), example in sorted(queries(commands).items()):
        if (collection, shape) in COLD or collection.startswith("system."):
            continue
        cursor = tg.store.db[collection].find(example["filter"])
        if example["sort"]:
            cursor = cursor.sort(list(example["sort"].items()))
        plan = json.dumps((await cursor.explain())["queryPlanner"]["winningPlan"], default=str)
        if "COLLSCAN" in plan:
            scans.append(f"{collection} {shape}: {plan}")
    assert scans == []
