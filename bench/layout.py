"""The shape of the code, as figures: each package's share of the house, the engine's largest room, the
imports between the engine's modules (and how many cross a room's wall), and the files of ours a client's
message passes through from the webhook to its topic (traced: the second message of a known client, and a
new client's first).

    .venv/bin/python bench/layout.py
"""

from __future__ import annotations

import ast
import asyncio
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from domain.clock import FrozenClock  # noqa: E402 (after the path)
from storage.embedded import EmbeddedEngine  # noqa: E402
from tests.harness import Harness, loopback_service, user  # noqa: E402

PACKAGES = ["domain", "engine", "bot", "channels", "payments", "storage", "webhooks", "sandbox"]


def lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def room(module: str) -> str:
    """'engine/forum/topics.py' → 'forum'; a module at the engine's top → '(ground)'."""
    parts = Path(module).relative_to("engine").parts
    return parts[0] if len(parts) > 1 else "(ground)"


def engine_imports() -> list[tuple[str, str]]:
    """(importer, imported) for every import of one engine module by another."""
    modules = {str(p.relative_to(ROOT))[:-3].replace("/", "."): p for p in (ROOT / "engine").rglob("*.py")}
    edges = []
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
            found = {t for t in targets if t in modules and not t.endswith("__init__")}
            # 'from engine.forum.topics import Topics' names the module once, not the module and a name
            edges += [(name, t) for t in sorted(found) if not any(o.startswith(t + ".") for o in found)]
    return [(a, b) for a, b in edges if a != b]


def static() -> None:
    sizes = {p: sum(lines(f) for f in (ROOT / p).rglob("*.py")) for p in PACKAGES}
    house = sum(sizes.values())
    print(f"house: {house} lines in {', '.join(PACKAGES)}")
    for package, n in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"  {package:<10} {n:>6} lines  {n / house:6.1%}")
    rooms: dict[str, int] = {}
    files: dict[str, int] = {}
    for f in (ROOT / "engine").rglob("*.py"):
        r = room(str(f.relative_to(ROOT)))
        rooms[r] = rooms.get(r, 0) + lines(f)
        files[r] = files.get(r, 0) + 1
    engine = sizes["engine"]
    print(f"engine: {sum(files.values())} files in {len(rooms)} folder(s)")
    for r, n in sorted(rooms.items(), key=lambda kv: -kv[1]):
        share = f"{n / engine:6.1%} of the engine  {n / house:6.1%} of the house"
        print(f"  {r:<14} {files[r]:>3} files {n:>6} lines  {share}")
    edges = engine_imports()

    def of(module: str) -> str:
        return room(module.replace(".", "/") + ".py")

    ground = [e for e in edges if of(e[1]) == "(ground)"]
    within = [e for e in edges if of(e[1]) != "(ground)" and of(e[0]) == of(e[1])]
    across = [e for e in edges if of(e[1]) != "(ground)" and of(e[0]) != of(e[1])]
    print(
        f"engine imports: {len(edges)} between modules: {len(ground)} of the shared ground, "
        f"{len(within)} within a room, {len(across)} from one room to another"
    )


def trace(action: Callable[[], Any]) -> Callable[[], Any]:
    """Runs `action` (a coroutine function) with a profiler that notes every file of ours that ran."""

    async def traced() -> set[str]:
        seen: set[str] = set()

        def profile(frame: FrameType, event: str, _arg: object) -> None:
            if event == "call":
                name = frame.f_code.co_filename
                if name.startswith(str(ROOT)) and "/tests/" not in name and "/sandbox/" not in name:
                    seen.add(str(Path(name).relative_to(ROOT)))

        sys.setprofile(profile)
        try:
            await action()
        finally:
            sys.setprofile(None)
        return seen

    return traced


async def journey() -> None:
    data = Path(tempfile.mkdtemp(prefix="concierge-layout-"))
    engine = EmbeddedEngine(data / "engine")
    engine.start()
    clock = FrozenClock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    try:
        async with loopback_service(engine.url, "layout", data, clock) as tg:
            await trace_journey(tg)
    finally:
        engine.stop()


async def trace_journey(tg: Harness) -> None:
    fake = tg.fake
    await tg.add_staff(9001, "Anna", "en,ar,ru")
    guest, second = user("Guest", "en"), user("Other", "en")

    def say(person: dict[str, Any], text: str) -> Callable[[], Any]:
        async def go() -> None:
            await tg.post(fake.user_message(person, text=text))
            await tg.settle()

        return go

    await say(guest, "Hello")()
    known = await trace(say(guest, "A car tonight at 8 from the Ritz"))()
    new = await trace(say(second, "A table for two at Pushkin tomorrow at 8"))()
    assert "A car tonight at 8 from the Ritz" in tg.topic_texts(await tg.thread_of(guest))
    for name, seen in (("a known client's message", known), ("a new client's first message", new)):
        ours = sorted(f for f in seen if f.split("/")[0] in PACKAGES)
        print(f"{name}: {len(ours)} files of ours from the webhook to the topic")
        for package in PACKAGES:
            count = sum(f.startswith(package + "/") for f in ours)
            if count:
                print(f"  {package:<10} {count}")


if __name__ == "__main__":
    static()
    asyncio.run(journey())
