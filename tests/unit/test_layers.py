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
OURS = {"bot", "channels", "engine", "payments", "storage", "webhooks", "sandbox"}
# what each of our packages may import of ours (besides itself): the dependency rule of DESIGN.md
MAY_IMPORT = {
    "domain": set(),
    "storage": {"domain"},
    "payments": {"domain"},
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
