"""/metrics after a client's journey: the names Prometheus, the alerts and the dashboard rely on, with values
that moved; the endpoint answers only with the token (or, without one, only to this machine)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from bot.keys import SETTINGS
from tests.harness import Harness, user

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


async def scrape(tg: Harness, **headers: str) -> dict[tuple[str, tuple], float]:
    response = await tg.http.get("/metrics", headers=headers)
    assert response.status == 200, await response.text()
    samples = {}
    for family in text_string_to_metric_families(await response.text()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


TOKEN = "a-long-metrics-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


async def test_a_journey_moves_the_figures_the_alerts_and_the_dashboard_read(tg: Harness) -> None:
    tg.app[SETTINGS].app.metrics_token = SecretStr(TOKEN)
    before = await scrape(tg, **BEARER)
    layla = user("Layla", "en")
    await tg.send(
        tg.fake.user_message(layla, text="/start"), tg.fake.user_message(layla, text="A car at 8 tonight")
    )
    await tg.settle()
    after = await scrape(tg, **BEARER)
    ok = {"endpoint": "/webhooks/telegram", "status": "2xx"}
    answered = value(after, "concierge_webhook_requests_total", **ok)
    assert answered - value(before, "concierge_webhook_requests_total", **ok) >= 2  # (and the harness's own)
    assert value(after, "concierge_webhook_seconds_count", endpoint="/webhooks/telegram") >= 2
    assert value(after, "concierge_events_total", type="RequestOpened") > value(
        before, "concierge_events_total", type="RequestOpened"
    )
    assert value(after, "concierge_store_commands_total", command="insert") > value(
        before, "concierge_store_commands_total", command="insert"
    )
    assert (
        value(after, "concierge_inbox_waiting") == 0 and value(after, "concierge_inbox_overdue_seconds") == 0
    )
    assert ("concierge_deliveries_waiting", (("channel", "whatsapp"),)) in after  # every channel, even at 0
    names = {name for name, _ in after}
    used = set()
    for rule in yaml.safe_load((DEPLOY / "alerts.yml").read_text())["groups"][0]["rules"]:
        used |= set(re.findall(r"\b(concierge_[a-z_]+|process_[a-z_]+)\b", rule["expr"]))
    for panel in json.loads((DEPLOY / "grafana.json").read_text())["panels"]:
        for target in panel["targets"]:
            used |= set(re.findall(r"\b(concierge_[a-z_]+|process_[a-z_]+)\b", target["expr"]))
    assert used and used <= names, (
        used - names
    )  # nothing in the alerts or the dashboard that is never exported


async def test_metrics_need_the_token_and_without_one_answer_only_a_local_unpublished_service(
    tg: Harness,
) -> None:
    assert (await tg.http.get("/metrics")).status == 401  # PUBLIC_BASE_URL set: a token or nothing
    tg.app[SETTINGS].app.metrics_token = SecretStr(TOKEN)
    assert (await tg.http.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 401
    assert (await tg.http.get("/metrics", headers=BEARER)).status == 200
    tg.app[SETTINGS].app.metrics_token = None
    tg.app[SETTINGS].http.public_base_url = None  # a service nobody outside reaches: this machine may look
    assert (await tg.http.get("/metrics")).status == 200
    assert (await tg.http.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})).status == 401


async def test_with_the_store_down_the_figures_of_the_process_are_still_served(tg: Harness) -> None:
    tg.app[SETTINGS].app.metrics_token = SecretStr(TOKEN)
    store, answering = tg.store, tg.store.db
    unreachable = AsyncMongoClient("mongodb://127.0.0.1:9", serverSelectionTimeoutMS=200)
    store.db = unreachable["concierge"]  # the store stops answering
    try:
        samples = await scrape(tg, **BEARER)
    finally:
        store.db = answering
        await unreachable.close()
    assert value(samples, "concierge_store_up") == 0
    assert (
        "concierge_webhook_requests_total",
        (("endpoint", "/webhooks/telegram"), ("status", "2xx")),
    ) in samples
