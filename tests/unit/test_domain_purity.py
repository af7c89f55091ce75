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
OURS = {"bot", "channels", "payments", "storage", "webhooks", "sandbox"}


def _imports(path: Path) -> set[str]:
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
