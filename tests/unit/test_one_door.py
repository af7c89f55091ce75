"""Every event is written through `Deps.record` (which tells the timers and the console's live log): nothing
outside `storage/` but that door calls the store's own `record`. An offender is a call `<x>.record(...)`
whose receiver is named `store` (or `_store`): `store.record(...)`, `deps.store.record(...)`,
`self._store.record(...)`. The tests are not walked: the storage suite writes to the store directly, by
design, and a test may forge a stray event on purpose."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WALKED = ("domain", "engine", "bot", "channels", "payments", "webhooks", "sandbox", "bench")
STORE_NAMES = {"store", "_store"}
DOOR = Path("engine/deps.py")  # Deps.record itself: the one place that calls it


def _receiver_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def offenders(root: Path, packages: tuple[str, ...] = WALKED) -> list[str]:
    """`path:line` of every call of the store's `record` outside `storage/` and the door."""
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if relative.parts[0] == "storage" or relative == DOOR:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if node.func.attr == "record" and _receiver_name(node.func.value) in STORE_NAMES:
                    found.append(f"{relative}:{node.lineno}")
    return found


def test_nothing_outside_storage_calls_the_stores_record() -> None:
    assert offenders(ROOT) == [], "write through Deps.record: it also tells the timers and the live log"


def test_the_guard_notices_an_offender_and_only_an_offender(tmp_path: Path) -> None:
    (tmp_path / "engine" / "room").mkdir(parents=True)
    (tmp_path / "storage").mkdir()
    (tmp_path / "engine" / "room" / "bad.py").write_text(
        "async def f(deps, store, new):\n"
        "    await deps.store.record(new)\n"
        "    await store.record(new, expected_seq=3)\n"
        "    return (await self._store.record(new)).event\n"
    )
    (tmp_path / "engine" / "good.py").write_text(
        "async def g(deps, response, recorder):\n"
        "    await deps.record('s', 'T', {}, None, 'c')\n"  # the one door
        "    response.record(action='/x')\n"  # TwiML's <Record>
        "    recorder.record()\n"
        "    deps.store.events.head('s')\n"
    )
    (tmp_path / "storage" / "store.py").write_text("async def r(store, new):\n    await store.record(new)\n")
    assert offenders(tmp_path, ("engine", "storage")) == [
        "engine/room/bad.py:2",
        "engine/room/bad.py:3",
        "engine/room/bad.py:4",
    ]
