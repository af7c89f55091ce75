"""A service without its texts would speak in message ids: start-up refuses in one line, exit 2."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.integration.test_service_process import concierge, environment

CHECKOUT = Path(__file__).resolve().parents[2]


def _shadow_locales(root: Path) -> Path:
    """A copy of the locales package that comes first on the path (run outside the checkout), to break."""
    shutil.copytree(CHECKOUT / "locales", root / "locales", ignore=shutil.ignore_patterns("__pycache__"))
    return root / "locales"


@pytest.mark.parametrize(
    ("breakage", "named"),
    [
        (lambda loc: (loc / "ar" / "main.ftl").unlink(), "ar/main.ftl"),
        (lambda loc: (loc / "ru" / "staff.ftl").write_bytes(b"signin-title = \xff\xfe\n"), "ru/staff.ftl"),
        (lambda loc: shutil.rmtree(loc / "en"), "no client texts"),
        (lambda loc: (loc / "ru" / "main.ftl").write_text("welcome = {\n"), "ru/main.ftl"),
    ],
)
def test_a_missing_or_unreadable_locale_stops_start_up(tmp_path: Path, breakage, named: str) -> None:
    breakage(_shadow_locales(tmp_path / "shadow"))
    env = environment(tmp_path / "data")
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "shadow"), env.get("PYTHONPATH", str(CHECKOUT))])
    done = subprocess.run(
        concierge("run"), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and named in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data").exists()  # nothing was started
