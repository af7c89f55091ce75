"""`/`, the address the README's first line points at, leads somewhere useful."""

from pathlib import Path

from bot.app import create_app
from bot.settings import AppSettings, Settings, StoreSettings


def _settings(tmp_path: Path, sandbox: bool) -> Settings:
    return Settings(
        store=StoreSettings(concierge_data_dir=tmp_path), app=AppSettings(concierge_sandbox=sandbox)
    )


async def test_the_root_names_the_console_and_the_health_endpoints(aiohttp_client, tmp_path: Path) -> None:
    client = await aiohttp_client(create_app(_settings(tmp_path, sandbox=False)))
    response = await client.get("/")
    assert response.status == 200 and response.content_type == "text/html"
    page = await response.text()
    assert all(f'href="{path}"' in page for path in ("/console/", "/healthz", "/readyz"))


async def test_the_root_opens_the_sandbox_in_sandbox_mode(aiohttp_client, tmp_path: Path) -> None:
    client = await aiohttp_client(create_app(_settings(tmp_path, sandbox=True)))
    response = await client.get("/", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/sandbox"
