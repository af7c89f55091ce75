import asyncio
import importlib
import json
import os
import signal
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import BulkWriteError, OperationFailure

from domain.clock import SystemClock
from domain.events import Actor, ActorKind, EventType, NewEvent
from storage import embedded, engine_process
from storage.embedded import STATE_FILE, DataDirInUse, EmbeddedEngine, find_running
from storage.store import open_store


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purposes
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


async def test_the_engine_starts_serves_and_is_gone_after_stop(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path)
    engine.start()
    pid = engine.pid
    assert pid and alive(pid)
    assert find_running(tmp_path).pid == pid
    client = AsyncMongoClient(engine.url, serverSelectionTimeoutMS=3000)
    try:
        assert (await client.admin.command("ping"))["ok"] == 1
        await client.probe.things.insert_one({"_id": 1})
        assert await client.probe.things.count_documents({}) == 1
    finally:
        await client.close()
        engine.stop()
    assert not alive(pid)
    assert not (tmp_path / STATE_FILE).exists() and not engine.pid_file.exists()


async def test_data_persists_across_a_restart(tmp_path: Path) -> None:
    event = NewEvent(
        "client:C-1",
        EventType.CLIENT_REGISTERED,
        {"client_id": "C-1", "name": "Omar"},
        Actor(ActorKind.CLIENT, "C-1"),
        "tg:1/0",
    )
    async with open_store(None, "concierge", tmp_path, SystemClock()) as store:
        first_pid = store.engine.pid
        await store.record(event)
    assert not alive(first_pid)
    async with open_store(None, "concierge", tmp_path, SystemClock()) as store:
        assert store.engine.pid != first_pid
        (stored,) = await store.events.read("client:C-1")
        assert stored.data["name"] == "Omar"
        assert (await store.db["clients"].find_one({"_id": "C-1"}))["name"] == "Omar"
        assert (await store.events.append(event)).duplicate


def test_a_second_service_on_the_same_data_dir_is_refused(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path)
    engine.start()
    try:
        with pytest.raises(DataDirInUse):
            EmbeddedEngine(tmp_path).start()
    finally:
        engine.stop()


def test_a_stale_pid_file_after_a_crash_does_not_block_the_start(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path)
    engine.start()
    pid = engine.pid
    os.kill(pid, signal.SIGKILL)  # the engine dies hard; its pid and state files stay behind
    engine._process.wait()
    assert json.loads((tmp_path / STATE_FILE).read_text())["pid"] == pid
    assert find_running(tmp_path) is None
    again = EmbeddedEngine(tmp_path)
    again.start()
    try:
        assert alive(again.pid)
    finally:
        again.stop()


ARENA_HEAP = 64 << 20  # glibc maps a thread's malloc arena as a heap of this size (reserved), aligned to it


def malloc_arenas(pid: int) -> int:
    """glibc's thread arenas in a process: each heap a read-write start at a 64 MiB boundary and the rest of
    its 64 MiB reserved (---p) right after it (the main arena, the brk heap, is not counted)."""
    spans = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        start, end = (int(x, 16) for x in line.split()[0].split("-"))
        spans.append((start, end, line.split()[1]))
    heaps = 0
    for (start, end, perms), (_, after_end, after_perms) in zip(spans, [*spans[1:], (0, 0, "")], strict=True):
        whole = after_end - start if after_perms.startswith("---") else end - start
        heaps += perms.startswith("rw") and start % ARENA_HEAP == 0 and whole == ARENA_HEAP
    return heaps


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the engine's memory map in /proc")
async def test_the_engine_keeps_to_two_malloc_arenas_however_many_threads_answer(tmp_path: Path) -> None:
    """nx-27017 answers each command on a thread of a pool; with an arena a thread, memory freed after a
    burst stays in each of them and the store's RSS grew with the data it had handled (the soak)."""
    engine = EmbeddedEngine(tmp_path)
    engine.start()
    client = AsyncMongoClient(engine.url, serverSelectionTimeoutMS=3000, maxPoolSize=16)
    try:
        things = client.probe.things
        await things.insert_many([{"_id": i, "words": "x" * 2000} for i in range(200)])
        for _ in range(5):  # bursts of concurrent reads: the pool's threads all come to work
            await asyncio.gather(*(things.find({"_id": {"$gte": i}}).to_list() for i in range(16)))
        threads = len(os.listdir(f"/proc/{engine.pid}/task"))
        assert threads > 3, "the burst did not bring several threads to work: the test shows nothing"
        assert 0 < malloc_arenas(engine.pid) <= 1  # (the main arena besides: two)
    finally:
        await client.close()
        engine.stop()


def heap_pages_handed_back(pid: int) -> int:
    """Bytes of glibc's heaps (the brk heap and each thread arena's heap) mapped but not resident: pages it
    gave back to the kernel inside them (a heap's pages, once touched, stay resident until then)."""
    held = 0
    span: tuple[int, int, str, str] | None = None
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5 and fields[1][:1] in "r-":
            start, end = (int(x, 16) for x in fields[0].split("-"))
            span = (start, end, fields[1], fields[5] if len(fields) > 5 else "")
        elif fields[0] == "Rss:" and span is not None:
            start, end, perms, path = span
            if path == "[heap]" or (not path and perms.startswith("rw") and start % ARENA_HEAP == 0):
                held += (end - start) - int(fields[1]) * 1024
    return held


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="reads the engine's memory map in /proc")
async def test_the_engine_hands_back_the_free_pages_of_its_heaps_after_a_burst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """nx-27017 builds each result whole; what Python frees of it (the documents' JSON, the batches) goes
    back to glibc's heaps, which give back only from their top: the free space between live chunks stayed
    in the store's RSS (the soak: 1.8 → 3.7 MB in an hour). The store's process trims its heaps."""
    from tests.integration.test_service_process import wait_until  # (it imports this module)

    monkeypatch.setattr(embedded, "TRIM_SECONDS", 0.2)  # (30 s in service: the test would wait that long)
    engine = EmbeddedEngine(tmp_path)
    engine.start()
    client = AsyncMongoClient(engine.url, serverSelectionTimeoutMS=3000, maxPoolSize=16)
    try:
        things = client.probe.things
        await things.insert_many([{"_id": i, "words": "x" * 2000} for i in range(400)])
        for _ in range(5):  # bursts of concurrent reads of 400 kB to 800 kB each
            await asyncio.gather(*(things.find({"_id": {"$gte": i}}).to_list() for i in range(16)))
        await things.insert_many([{"_id": 1000 + i, "words": "y" * 300} for i in range(200)])  # lives on
        assert wait_until(lambda: heap_pages_handed_back(engine.pid) > 2 << 20, 10), (
            f"{heap_pages_handed_back(engine.pid) >> 10} kB of the engine's heaps handed back after the burst"
        )
    finally:
        await client.close()
        engine.stop()


def test_the_trim_is_switched_off_by_a_zero_interval() -> None:
    assert not engine_process.start_trimming(0)
    assert engine_process._split(["--trim-every", "30", "--port", "1"]) == (30.0, ["--port", "1"])
    assert engine_process._split(["--port", "1"]) == (0.0, ["--port", "1"])


def test_an_operators_own_allocator_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert embedded._environment()["MALLOC_ARENA_MAX"] == "4"
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    assert embedded._environment()["MALLOC_ARENA_MAX"] == "2"


def grouped_handler(data_dir: Path) -> Any:
    """nx-27017's own handler in this process, its inserts grouped as in the store's process (a subclass:
    the class itself is left as it is)."""
    handler = importlib.import_module("nx_27017.handler").NeoSQLiteHandler
    grouped = type("Grouped", (handler,), {})
    engine_process.group_inserts(grouped)
    return grouped(data_dir=str(data_dir))


def test_another_nx_27017_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    handler = importlib.import_module("nx_27017.handler").NeoSQLiteHandler
    known = type("Known", (handler,), {})
    engine_process.group_inserts(known)
    assert getattr(known.handle_insert, "grouped", False)  # (this version: grouped)
    monkeypatch.setattr(engine_process.importlib.metadata, "version", lambda _name: "0.9.0")
    other = type("Other", (handler,), {})
    engine_process.group_inserts(other)
    assert other.handle_insert is handler.handle_insert  # its internals are not patched unchecked


def insert_command(ids: list[str], ordered: bool = False) -> dict[str, Any]:
    """An insert as nx-27017 parses it off the wire (pymongo sends the documents in a kind-1 section)."""
    body = {"insert": "inbox", "ordered": ordered, "$db": "probe"}
    return {
        "request_id": 7,
        "sections": [("body", body), ("payload", {"documents": [{"_id": i} for i in ids]})],
    }


def test_an_insert_of_several_documents_is_one_transaction_with_each_duplicate_its_own_error(
    tmp_path: Path,
) -> None:
    """nx-27017 inserts a command's documents one by one, each its own commit (the inbox's group of
    payloads paid one commit a payload); the store's process puts them in one. A duplicate still fails
    alone: unordered, the others are kept; ordered, the insert stops there."""
    handler = grouped_handler(tmp_path)
    handler.handle_insert(insert_command(["a"]))  # (one document: as nx-27017 does it)
    conn = handler.get_database("probe").db
    said: list[str] = []
    conn.set_trace_callback(said.append)
    _, answer = handler.handle_insert(insert_command(["b", "a", "c"]))
    assert [s.split()[0] for s in said if s.split()[0] in ("BEGIN", "COMMIT", "INSERT")] == [
        "BEGIN",
        "INSERT",
        "INSERT",
        "INSERT",
        "COMMIT",
    ]
    assert answer["n"] == 2 and [(e["index"], e["code"]) for e in answer["writeErrors"]] == [(1, 11000)]
    _, answer = handler.handle_insert(insert_command(["d", "b", "e"], ordered=True))
    assert answer["n"] == 1 and [e["index"] for e in answer["writeErrors"]] == [1]
    kept = {row[0] for row in conn.execute("SELECT _id FROM inbox")}
    assert kept == {"a", "b", "c", "d"}
    handler.close_all()


def test_an_insert_sqlite_undid_partway_fails_as_a_whole(tmp_path: Path) -> None:
    """Should SQLite undo the whole transaction partway (a full disk, an I/O error; here a trigger's
    RAISE(ROLLBACK)), the documents before are gone though nx-27017 counts them as inserted: the command
    fails, so none of it is acknowledged and the provider sends it again."""
    handler = grouped_handler(tmp_path)
    handler.handle_insert(insert_command(["a"]))
    conn = handler.get_database("probe").db
    conn.execute(
        "CREATE TRIGGER undo BEFORE INSERT ON inbox WHEN NEW._id = 'boom' "
        "BEGIN SELECT RAISE(ROLLBACK, 'x'); END"
    )
    with pytest.raises(engine_process.GroupRolledBack):
        handler.handle_insert(insert_command(["b", "boom", "c"]))
    assert not conn.in_transaction
    assert "b" not in {row[0] for row in conn.execute("SELECT _id FROM inbox")}
    handler.close_all()


async def test_a_grouped_insert_acknowledged_survives_a_kill_9_of_the_store(tmp_path: Path) -> None:
    """Acknowledged after its one COMMIT: the WAL holds it when the store's process dies at once."""
    engine = EmbeddedEngine(tmp_path)
    engine.start()
    client = AsyncMongoClient(engine.url, serverSelectionTimeoutMS=3000)
    try:
        result = await client.probe.inbox.insert_many([{"_id": f"u{i}", "n": i} for i in range(30)])
        assert len(result.inserted_ids) == 30
        os.kill(engine.pid or 0, signal.SIGKILL)
    finally:
        await client.close()
    engine.stop()
    again = EmbeddedEngine(tmp_path)
    again.start()
    client = AsyncMongoClient(again.url, serverSelectionTimeoutMS=3000)
    try:
        assert await client.probe.inbox.count_documents({}) == 30
    finally:
        await client.close()
        again.stop()


async def test_the_store_started_by_the_service_groups_its_inserts(tmp_path: Path) -> None:
    """The launcher does it in the store's own process: a group SQLite undoes partway (a trigger's
    RAISE(ROLLBACK), put in the store's file from here) fails as a whole; nx-27017 run plainly would keep
    `b` and `c` and report only `boom`."""
    engine = EmbeddedEngine(tmp_path)
    engine.start()
    client = AsyncMongoClient(engine.url, serverSelectionTimeoutMS=3000)
    try:
        inbox = client.probe.inbox
        await inbox.insert_one({"_id": "a"})
        with sqlite3.connect(tmp_path / "db" / "probe.db") as file:
            file.execute(
                "CREATE TRIGGER undo BEFORE INSERT ON inbox WHEN NEW._id = 'boom' "
                "BEGIN SELECT RAISE(ROLLBACK, 'x'); END"
            )
        with pytest.raises(OperationFailure) as failed:
            await inbox.insert_many([{"_id": "b"}, {"_id": "boom"}, {"_id": "c"}], ordered=False)
        assert not isinstance(failed.value, BulkWriteError), failed.value.details
        assert await inbox.find_one({"_id": "b"}) is None
    finally:
        await client.close()
        engine.stop()
