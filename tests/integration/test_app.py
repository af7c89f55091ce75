import json
import logging
import os
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.keys import STORE
from bot.logging import configure
from bot.settings import AppSettings, Settings, StoreSettings


def settings_for(tmp_path: Path, **store) -> Settings:
    return Settings(
        store=StoreSettings(concierge_data_dir=tmp_path, **store), app=AppSettings(concierge_sandbox=False)
    )


@pytest.fixture
async def client(aiohttp_client, tmp_path: Path) -> TestClient:
    app = create_app(settings_for(tmp_path))

    async def explode(_request: web.Request) -> web.Response:
        raise RuntimeError("mongodb://admin:hunter2@db internals")

    app.router.add_get("/explode", explode)
    return await aiohttp_client(app)


async def test_health_and_readiness(client: TestClient) -> None:
    assert (await client.get("/healthz")).status == 200
    response = await client.get("/readyz")
    assert response.status == 200
    checks = {"mongodb": "ok", "store-writes": "ok", "workers": "ok"}
    assert await response.json() == {"status": "ready", "checks": checks}


@pytest.mark.skipif("MONGODB_URL" in os.environ, reason="stops the embedded engine")
async def test_readyz_turns_503_when_the_store_stops(client: TestClient) -> None:
    client.app[STORE].engine.stop()
    response = await client.get("/readyz")
    assert response.status == 503
    body = await response.json()
    assert body["status"] == "unavailable" and body["checks"]["mongodb"] == "unavailable"
    assert body["checks"]["store-writes"].startswith("cannot write") and body["checks"]["workers"] == "ok"
    assert (await client.get("/healthz")).status == 200  # alive, just not ready


async def test_an_unexpected_error_is_a_json_envelope_logged_once(client: TestClient, capsys) -> None:
    configure("INFO", "json")
    try:
        capsys.readouterr()
        response = await client.get("/explode", headers={"X-Request-ID": "req-1"})
        logged = capsys.readouterr().err
    finally:
        logging.getLogger().handlers.clear()
    assert response.status == 500
    body = await response.json()
    assert body == {
        "error": {
            "code": "internal",
            "message": "Something went wrong on our side; it has been logged.",
            "request_id": "req-1",
        }
    }
    assert "hunter2" not in await response.text()
    (line,) = [json.loads(line) for line in logged.splitlines() if "http.unexpected_error" in line]
    assert line["request_id"] == "req-1" and line["level"] == "error"
    assert "RuntimeError" in line["exception"] and "hunter2" not in logged


async def test_unknown_routes_answer_in_the_same_envelope(client: TestClient) -> None:
    response = await client.get("/nowhere")
    assert response.status == 404
    assert (await response.json())["error"]["code"] == "not_found"
    response = await client.post("/healthz")
    assert response.status == 405
    assert (await response.json())["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/webhooks/telegram"),
        ("POST", "/webhooks/cloudpayments/pay"),
        ("POST", "/webhooks/twilio/whatsapp"),
        ("GET", "/media/forged.token"),
    ],
)
async def test_every_refusal_carries_the_request_id(client: TestClient, method: str, path: str) -> None:
    response = await client.request(method, path, headers={"X-Request-ID": "trace-7"})
    assert response.status == 404  # nothing is configured here
    assert (await response.json())["error"]["request_id"] == "trace-7"
    assert response.headers["X-Request-ID"] == "trace-7"
