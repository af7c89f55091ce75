import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "aiogram",
    "aiohttp",
    "pymongo",
    "bson",
    "motor",
    "twilio",
    "cloudpayments",
    "apscheduler",
    "structlog",
    "requests",
    "fluent",
}
OURS = {"bot", "channels", "engine", "interpreters", "payments", "storage", "webhooks", "sandbox"}
# what each of our packages may import of ours (besides itself): the dependency rule of DESIGN.md
MAY_IMPORT = {
    "domain": set(),
    "storage": {"domain"},
    "payments": {"domain"},
    "interpreters": {"domain"},
    "channels": {"domain"},
    "webhooks": {"domain"},
    "sandbox": {"domain"},  # wired by bot/, never the reverse
    "engine": {"domain", "storage"},
    "bot": OURS - {"bot"} | {"domain"},  # the composition root
}
VENDOR_SDKS = {"aiogram", "aiohttp", "pymongo", "bson", "motor", "twilio", "cloudpayments", "apscheduler"}


def _imports(path: Path) -> set[str]:
    """Top-level names of the absolute imports of one module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_imports_no_io_library_and_none_of_our_adapters() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & (FORBIDDEN | OURS))
        for path in (ROOT / "domain").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_purity_check_would_notice_an_offender(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("import pymongo\nfrom aiogram.types import Message\n")
    assert _imports(module) & FORBIDDEN == {"pymongo", "aiogram"}


def _package_imports(package: str) -> set[str]:
    names: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        names |= _imports(path)
    return names


def test_each_package_imports_only_the_layers_below_it() -> None:
    outward = {
        package: sorted((_package_imports(package) & (OURS | {"domain"})) - {package} - allowed)
        for package, allowed in MAY_IMPORT.items()
    }
    assert {k: v for k, v in outward.items() if v} == {}


def test_there_is_no_loop_between_packages() -> None:
    graph = {p: (_package_imports(p) & set(MAY_IMPORT)) - {p} for p in MAY_IMPORT}
    done: set[str] = set()

    def visit(package: str, path: tuple[str, ...]) -> None:
        assert package not in path, f"import loop: {' → '.join((*path, package))}"
        if package not in done:
            for imported in graph[package]:
                visit(imported, (*path, package))
            done.add(package)

    for package in graph:
        visit(package, ())


def test_the_engine_calls_no_vendor_sdk_and_no_http_server() -> None:
    assert _package_imports("engine") & VENDOR_SDKS == set()


# the engine's capability rooms, lowest first: a room imports the shared ground and the rooms before it, never
# one after it (so there is no loop between rooms); the ground (deps, queries, texts, outbox…) imports no room
ROOMS = ["forum", "clients", "requests", "conversation", "team", "clock", "commands", "console"]
ENGINE = ROOT / "engine"


def _room_of(module: str) -> str | None:
    """'engine.forum.topics' → 'forum'; 'engine.queries' → None (the ground)."""
    parts = module.split(".")
    return parts[1] if len(parts) >= 2 and parts[0] == "engine" and parts[1] in ROOMS else None


def _engine_imports(path: Path) -> set[str]:
    """The engine modules one module imports ('from engine.forum import topics' → 'engine.forum.topics')."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("engine.")}
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.startswith("engine")
        ):
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def _room_imports() -> dict[str, set[str]]:
    """Each room (or '' for the ground) → the rooms its modules import."""
    seen: dict[str, set[str]] = {}
    for path in ENGINE.rglob("*.py"):
        relative = path.relative_to(ENGINE).parts
        room = relative[0] if len(relative) > 1 else ""
        imported = {_room_of(m) for m in _engine_imports(path)} - {None, room}
        seen.setdefault(room, set()).update(r for r in imported if r)
    return seen


def test_the_engine_is_in_the_rooms_the_layout_names() -> None:
    folders = {p.name for p in ENGINE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(ROOMS)


def test_each_room_imports_only_the_ground_and_the_rooms_below_it() -> None:
    upward = {
        room or "(ground)": sorted(r for r in imported if not room or ROOMS.index(r) > ROOMS.index(room))
        for room, imported in _room_imports().items()
    }
    assert {k: v for k, v in upward.items() if v} == {}


def test_the_room_check_would_notice_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "up.py"
    module.write_text(
        "from engine.console import reads\nimport engine.clock.timers\nfrom engine import deps, team\n"
    )
    rooms = {_room_of(m) for m in _engine_imports(module)}
    assert rooms == {"console", "clock", "team", None}


def test_no_room_is_more_than_a_fifth_of_the_engine() -> None:
    lines = {room: 0 for room in [*ROOMS, ""]}
    for path in ENGINE.rglob("*.py"):
        relative = path.relative_to(ENGINE).parts
        lines[relative[0] if len(relative) > 1 else ""] += len(path.read_text().splitlines())
    total = sum(lines.values())
    assert {room: round(n / total, 2) for room, n in lines.items() if n / total > 0.22} == {}
