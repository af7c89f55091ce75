"""The product as it ships: the wheel, installed into a fresh virtual environment outside the checkout, speaks
real texts (not message ids) to clients, staff and on a console page."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import urllib.request
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version

from tests.integration.test_service_process import OUR_VARS, STARTUP, free_port, status, wait_until

CHECKOUT = Path(__file__).resolve().parents[2]
# every package pyproject.toml ships (read from it: a new one is never left out)
PACKAGES = tuple(
    name.rstrip("*")
    for name in tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"][
        "find"
    ]["include"]
)
# what the wheel is built from: exactly what the Dockerfile copies into the image before `pip install .`, so
# the wheel tested here is the one the container runs
DOCKERFILE = (CHECKOUT / "Dockerfile").read_text()
SOURCES = tuple(
    source
    for line in DOCKERFILE.splitlines()
    if line.startswith("COPY ") and "--from" not in line
    for source in line.split()[1:-1]
)


def test_the_image_copies_every_package_pyproject_ships() -> None:
    """The image installs from what it copied: a package left out of the Dockerfile (once `interpreters/`)
    makes `concierge run` fail in the container with a ModuleNotFoundError."""
    missing = [name for name in PACKAGES if name not in SOURCES]
    assert not missing, f"the Dockerfile does not COPY {missing}"
    assert "pyproject.toml" in SOURCES


RENDER = """
import json, engine
from domain.clients import Language
from engine.i18n import staff_translator, translator
t = translator()
print(json.dumps({
    "engine": engine.__file__,
    "client": {lang.value: t(lang, "welcome", name="Layla", assistant="Amira") for lang in Language},
    "staff": staff_translator()("ru", "signin-title"),
}))
"""


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the wheel; the dependencies come from ours, never the editable checkout."""
    if Version(version("setuptools")) < Version("70.1"):
        pytest.fail("building the wheel needs setuptools>=70.1 (the dev extras): run `make` to update .venv")
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"  # a copy: building in the checkout would leave build/ and egg-info there
    source.mkdir()
    for name in SOURCES:  # the image's build context, as its COPY lines lay it out
        if (CHECKOUT / name).is_dir():
            shutil.copytree(CHECKOUT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(CHECKOUT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", root / "dist", source, cwd=root)
    (wheel,) = (root / "dist").glob("concierge-*.whl")
    venv = root / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
    _run(
        *pip, "--python", venv / "bin" / "python", "install", "-q", "--no-deps", "--no-index", wheel, cwd=root
    )
    site = Path(
        _run(
            venv / "bin" / "python",
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            cwd=root,
        ).strip()
    )
    # plain path lines: our dependencies, without processing the __editable__ .pth that points at the checkout
    ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (site / "deps.pth").write_text("".join(f"{p}\n" for p in ours))
    return venv


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith((*OUR_VARS, "PYTHON", "VIRTUAL_ENV"))}
    return env | extra


def test_the_installed_wheel_renders_client_and_staff_texts(installed: Path, tmp_path: Path) -> None:
    out = json.loads(_run(installed / "bin" / "python", "-c", RENDER, cwd=tmp_path, env=_clean_env()))
    assert Path(out["engine"]).is_relative_to(installed)  # the installed copy, not the checkout
    assert out["client"]["en"].startswith("Welcome, Layla. I'm Amira")
    assert out["client"]["ru"].startswith("Добро пожаловать, Layla")
    assert out["client"]["ar"].startswith("أهلاً وسهلاً Layla")
    assert out["staff"] == "Вход в консоль"


def test_the_installed_service_serves_a_console_page(installed: Path, tmp_path: Path) -> None:
    port = free_port()
    env = _clean_env(CONCIERGE_DATA_DIR=str(tmp_path / "data"), HTTP_PORT=str(port), LOG_FORMAT="json")
    process = subprocess.Popen(
        [installed / "bin" / "concierge", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: status(f"{base}/readyz") == 200, STARTUP), process.stdout.read1().decode()
        with urllib.request.urlopen(f"{base}/console/sign-in", timeout=5) as response:  # noqa: S310 — loopback
            page = response.read().decode()
        assert "Sign in to the console" in page and "signin-title" not in page
    finally:
        process.terminate()
        process.wait(15)
        process.stdout.close()
