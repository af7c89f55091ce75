"""Tests about behaviour read through the read port (engine/queries.py, or tests/reads.py over it and the
store's public methods), never a raw collection: a change of storage then breaks only storage's own tests."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# storage's own tests (and the conformance suite): they are about the documents themselves
STORAGE_TESTS = {
    f"tests/integration/{name}.py"
    for name in (
        "test_board_cards",
        "test_board_clocks_in_step",  # the card's clock fields as the step wrote them
        "test_budgets",
        "test_embedded_engine",
        "test_event_store",
        "test_heartbeats",
        "test_inbox_and_deliveries",
        "test_kpi_keep",
        "test_projections",
        "test_query_plans",
        "test_record_together",  # the documents recording together writes, against one by one
        "test_retention",
        "test_rolling_upgrade",
        "test_store_conformance",
        "test_tallies",
        "test_together",
        "test_vault",
    )
}
# one function each, where the raw documents are the point
RAW_ON_PURPOSE = {
    (
        "tests/telegram/test_new_caller.py",
        "test_new_callers_tied_between_assistants_take_turns_by_their_own_numbers",
    ): "the rotation's counter was never drawn (no document: no write made it)",
    ("tests/stateful_world.py", "projection_drift"): "compares every projection document with a rebuild",
    ("tests/stateful_world.py", "card_clocks_drift"): "compares each open card's clocks with its deadlines",
    (
        "tests/integration/test_service_process.py",
        "write_and_tamper",
    ): "edits an event behind the service's back so that `audit verify` has something to find",
    (
        "tests/integration/test_migrate.py",
        "_as_an_older_version_left_it",
    ): "leaves the indexes and documents an older version would have, for `migrate` to find",
    ("tests/telegram/test_erasure.py", "snapshot"): "compares every projection document with a rebuild",
    (
        "tests/telegram/test_search.py",
        "test_the_index_is_made_good_after_a_crash_and_at_its_first_start",
    ): "takes search rows away as a crash or an older version would leave them, for the next start to mend",
    (
        "tests/telegram/test_search.py",
        "test_the_first_start_of_a_new_row_format_completes_the_rows_in_place",
    ): "leaves search rows as an older row format wrote them, for the next start to complete",
    (
        "tests/telegram/test_erasure.py",
        "test_a_first_contact_racing_the_erase_starts_a_new_client",
    ): "leaves the claim a message racing the erase would have left",
}
# what only a pymongo collection (or database) answers: none of the store's parts has a method of these names
COLLECTION_METHODS = {
    "aggregate",
    "bulk_write",
    "count_documents",
    "delete_many",
    "delete_one",
    "distinct",
    "estimated_document_count",
    "find_one",
    "find_one_and_delete",
    "find_one_and_replace",
    "find_one_and_update",
    "get_collection",
    "insert_many",
    "insert_one",
    "list_collection_names",
    "replace_one",
    "update_many",
    "update_one",
}


def _is_db(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "db") or (
        isinstance(node, ast.Name) and node.id == "db"
    )


@cache  # (read when a test asks, not at import: every xdist worker imports this file to collect it)
def _private_collections() -> set[str]:
    """The attributes under which storage's classes keep their collections (`self._items = db["inbox"]`)."""
    names = set()
    for path in (ROOT / "storage").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Assign) and (
                _is_db(node.value) or (isinstance(node.value, ast.Subscript) and _is_db(node.value.value))
            ):
                targets = [t for t in node.targets if isinstance(t, ast.Attribute)]
                names |= {t.attr for t in targets if t.attr.startswith("_")}
    return names


def raw_reads(source: str) -> list[tuple[int, str, str]]:
    """(line, enclosing function, what) for each line touching a raw collection: `db[...]`/`x.db[...]` (a
    collection by name), `db.anything`/`x.db.anything` (one by attribute, or a database method), a store
    part's private collection (`store.inbox._items`), or a method only a collection has (`find_one`,
    `count_documents`, ...). Passing `store.db` whole to a storage function (`verify(store.db, store.events)`,
    `Heartbeats(store.db)`) is not a raw read: the function is storage's public door."""
    found: dict[int, tuple[str, str]] = {}  # one per line: the outermost touch

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        what = None
        if isinstance(node, ast.Subscript) and _is_db(node.value):
            what = "a collection by name"
        elif isinstance(node, ast.Attribute) and _is_db(node.value):
            what = f"db.{node.attr}"
        elif isinstance(node, ast.Attribute) and node.attr in _private_collections():
            what = f"a private collection ({node.attr})"
        elif isinstance(node, ast.Attribute) and node.attr in COLLECTION_METHODS:
            what = f".{node.attr}()"
        if what and node.lineno not in found:
            found[node.lineno] = (function, what)
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), "<module>")
    return [(line, function, what) for line, (function, what) in sorted(found.items())]


def test_tests_about_behaviour_read_no_raw_collection() -> None:
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in STORAGE_TESTS:
            continue
        offenders += [
            f"{name}:{line} in {function}: {what}"
            for line, function, what in raw_reads(path.read_text())
            if (name, function) not in RAW_ON_PURPOSE
        ]
    advice = "read through engine/queries.py or tests/reads.py instead:\n"
    assert offenders == [], advice + "\n".join(offenders)


def test_the_guard_sees_each_kind_of_raw_read() -> None:
    source = """
async def t(tg, store, db):
    await tg.store.db["clients"].find_one({})
    store.db.events
    db["requests"]
    await store.inbox._items.count_documents({})
    await something.aggregate([])
    await verify(tg.store.db, tg.store.events)  # whole: fine
    await store.events.read("client:C-1")  # a public read: fine
    "text".find("x")  # not a collection: fine
"""
    assert [what for _line, _function, what in raw_reads(source)] == [
        ".find_one()",
        "db.events",
        "a collection by name",
        ".count_documents()",
        ".aggregate()",
    ]
    assert raw_reads("store.inbox._items")[0][2] == "a private collection (_items)"


def test_the_exceptions_still_name_something_that_exists() -> None:
    for name in STORAGE_TESTS:
        assert (ROOT / name).is_file(), name
    for name, function in RAW_ON_PURPOSE:
        found = raw_reads((ROOT / name).read_text())
        assert any(f == function for _line, f, _what in found), (name, function)
