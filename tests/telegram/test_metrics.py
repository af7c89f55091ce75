"""/metrics after a client's journey: the names Prometheus, the alerts and the dashboard rely on, with values
that moved; the endpoint answers only with the token (or, without one, only to this machine)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from bot.keys import SETTINGS
from bot.metrics import LANE_KINDS
from domain.deadlines import Deadline
from tests.console_client import signed_in
from tests.harness import STAFF_CHAT, Harness, user
from tests.telegram.test_clock import at, new_client, staff_says, writes
from tests.telegram.test_lifecycle import ANNA, order_of, pay, quote_message

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


def moved(before: dict, after: dict, name: str, **labels: str) -> float:
    """What a counter gained between two scrapes (the registry is the process's: other tests count too)."""
    return value(after, name, **labels) - value(before, name, **labels)


def read_by_deploy() -> set[str]:
    """Every metric name the alerts and the dashboard read."""
    exprs = [
        rule["expr"] for rule in yaml.safe_load((DEPLOY / "alerts.yml").read_text())["groups"][0]["rules"]
    ]
    for panel in json.loads((DEPLOY / "grafana.json").read_text())["panels"]:
        exprs += [target["expr"] for target in panel["targets"]]
    return {name for expr in exprs for name in re.findall(r"\b((?:concierge|process)_[a-z_]+)\b", expr)}


@pytest.fixture
async def team(tg: Harness) -> Harness:
    tg.app[SETTINGS].app.metrics_token = SecretStr(TOKEN)
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "en,ar")
    return tg


def lanes(samples: dict, channel: str = "telegram") -> dict[str, float]:
    return {k: value(samples, "concierge_deliveries_waiting", channel=channel, lane=k) for k in LANE_KINDS}


RUB_45000 = 4_500_000  # in kopecks


async def test_a_journey_moves_every_figure_the_alerts_and_the_dashboard_read(team: Harness) -> None:
    tg = team
    before = await scrape(tg, **BEARER)
    layla, thread, layla_id = await new_client(tg, "Layla", "A car to Sheremetyevo tomorrow at 7")
    # processed, not yet sent: her words into the topic and the card's edit wait in the staff group's lanes
    await tg.send(tg.fake.user_message(layla, text="And a child seat, please"))
    assert await tg.engine.inbox_worker.run_once()
    assert lanes(await scrape(tg, **BEARER)) == {"chat": 0, "group": 2, "template": 0}
    await tg.settle()
    await staff_says(tg, thread, "/quote 45000 Car to SVO")
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    await staff_says(tg, thread, "/cancel the flight was cancelled")
    await staff_says(tg, thread, "/refund")
    sent = len(tg.to_user(layla))
    # two replies at once to her private chat: the second waits for the chat's budget, counted once however
    # often the worker looks
    replying = await scrape(tg, **BEARER)
    await tg.send(
        tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="The refund is on its way"),
        tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="It takes 3 to 5 days"),
    )
    while await tg.engine.inbox_worker.run_once():
        pass
    assert lanes(await scrape(tg, **BEARER)) == {"chat": 2, "group": 0, "template": 0}
    for _ in range(3):
        await tg.rt.delivery_worker.run_once()
    await tg.settle()
    replied = await scrape(tg, **BEARER)
    assert moved(replying, replied, "concierge_telegram_budget_waits_total") == 1
    assert len(tg.to_user(layla)) == sent + 2
    # she writes again and nobody answers: reminded at 15 min (the promise broken), the leads told at 30
    asked = tg.clock.now()
    await writes(tg, layla, "Thank you. And a car next week?")
    await at(tg, asked, 15.5)
    await at(tg, asked, 30.5)
    # the next step cannot fire (its timer lost its start): set aside at once
    await tg.store.deadlines.set(
        Deadline(f"first-response:{layla_id}", tg.clock.now() + timedelta(minutes=1), layla_id, "t1", 1, {})
    )
    await at(tg, asked, 32)
    tg.fake.fail_429(retry_after=2, method="sendMessage", chat_id=layla["id"])  # Telegram answers 429 once
    await staff_says(tg, thread, "Of course, Layla")
    await signed_in(tg, 9001)
    after = await scrape(tg, **BEARER)

    def gained(name: str, **labels: str) -> float:
        return moved(before, after, name, **labels)

    telegram = {"endpoint": "/webhooks/telegram"}
    cloudpayments = {"endpoint": "/webhooks/cloudpayments/{kind}"}
    for endpoint, answered in ((telegram, 13), (cloudpayments, 2)):  # the updates posted; check and pay
        assert gained("concierge_webhook_requests_total", **endpoint, status="2xx") == answered
        assert gained("concierge_webhook_requests_total", **endpoint, status="5xx") == 0
        assert gained("concierge_webhook_seconds_count", **endpoint) == answered  # each one timed
        assert gained("concierge_webhook_seconds_bucket", **endpoint, le="+Inf") == answered
    assert gained("concierge_payments_total", currency="RUB") == 1
    assert gained("concierge_paid_minor_units_total", currency="RUB") == RUB_45000
    assert gained("concierge_refunds_total", currency="RUB") == 1
    assert gained("concierge_refunded_minor_units_total", currency="RUB") == RUB_45000
    assert gained("concierge_sla_breaches_total", promise="first-response") == 1
    assert gained("concierge_sla_breaches_total", promise="first-quote") == 0  # quoted in time
    assert gained("concierge_escalations_total", promise="first-response", action="escalated") == 1
    assert gained("concierge_escalations_total", promise="first-response", action="reassigned") == 0
    assert gained("concierge_events_total", type="ResponseOverdue") == 2  # the reminder and the escalation
    assert gained("concierge_events_total", type="ConsoleSignedIn") == 1
    assert gained("concierge_deadline_firings_total") == 2
    assert gained("concierge_deadline_failures_total", outcome="set_aside") == 1
    assert gained("concierge_deadline_failures_total", outcome="retried") == 0
    assert gained("concierge_telegram_throttled_total") == 1
    assert gained("concierge_telegram_budget_waits_total") >= 1  # (every burst to one chat waits)
    assert gained("concierge_telegram_budget_refusals_total") == 0  # one instance: nobody took its budget
    for command in ("insert", "find", "update", "findAndModify"):
        assert gained("concierge_store_commands_total", command=command) > 0
    # what every instance shares, read from the store: all done by now, one console session open
    for name in ("inbox_waiting", "inbox_oldest_seconds", "inbox_overdue_seconds", "inbox_failed"):
        assert value(after, f"concierge_{name}") == 0, name
    for name in ("deliveries_oldest_seconds", "deliveries_overdue_seconds", "deadlines_late"):
        assert value(after, f"concierge_{name}") == 0, name
    assert lanes(after) == lanes(after, "whatsapp") == {"chat": 0, "group": 0, "template": 0}
    assert value(after, "concierge_console_sessions") == 1
    assert value(after, "concierge_store_up") == 1
    names = {name for name, _ in after}
    assert {"concierge_telegram_webhook_pending_updates", "concierge_preflight_failures"} <= names
    used = read_by_deploy()
    assert used and used <= names, (
        used - names
    )  # nothing in the alerts or the dashboard that is never exported


def test_the_alerts_page_for_what_the_issue_names() -> None:
    """An inbound message over a minute old, a delivery over five, any firing failure (retried or set aside),
    a webhook 5xx, Telegram failing to reach the webhook."""
    rules = {
        r["alert"]: r["expr"]
        for r in yaml.safe_load((DEPLOY / "alerts.yml").read_text())["groups"][0]["rules"]
    }
    assert rules["InboxBehind"] == "max(concierge_inbox_oldest_seconds) > 60"
    assert rules["DeliveriesStuck"] == "max(concierge_deliveries_oldest_seconds) > 300"
    assert (
        rules["TimerFiringFailed"]
        == "sum by (outcome) (increase(concierge_deadline_failures_total[10m])) > 0"
    )
    assert 'concierge_webhook_requests_total{status="5xx"}' in rules["Webhook5xx"]
    assert "concierge_telegram_webhook_last_error_timestamp_seconds" in rules["TelegramWebhookErrors"]


async def test_an_item_waiting_for_its_retry_is_old_though_not_overdue(team: Harness) -> None:
    """The alerts read the age since an item was accepted: a message whose processing or sending is retried
    later is still a client kept waiting."""
    tg = team
    layla, thread, _ = await new_client(tg, "Layla", "A car to Sheremetyevo tomorrow at 7")
    await tg.send(tg.fake.user_message(layla, text="And a child seat, please"))
    (key,) = await tg.store.inbox.keys_with_work()
    item = await tg.store.inbox.claim_head(key, "w1", timedelta(seconds=60))
    assert item is not None
    await tg.store.inbox.failed(item.id, "w1", "ConnectionError", timedelta(minutes=2))  # a passing fault
    tg.clock.advance(seconds=90)
    samples = await scrape(tg, **BEARER)
    assert value(samples, "concierge_inbox_waiting") == 1
    assert value(samples, "concierge_inbox_oldest_seconds") == 90
    assert value(samples, "concierge_inbox_overdue_seconds") == 0  # its retry is not due yet
    tg.clock.advance(seconds=60)
    samples = await scrape(tg, **BEARER)
    assert value(samples, "concierge_inbox_oldest_seconds") == 150
    assert value(samples, "concierge_inbox_overdue_seconds") == 30
    await tg.settle()
    assert value(await scrape(tg, **BEARER), "concierge_inbox_oldest_seconds") == 0
    # Telegram asks the reply to her to wait two minutes: old, not overdue
    tg.fake.fail_429(retry_after=120, method="sendMessage", chat_id=layla["id"])
    await tg.send(tg.fake.user_message(ANNA, chat_id=STAFF_CHAT, thread_id=thread, text="Of course"))
    while await tg.engine.inbox_worker.run_once():
        pass
    await tg.rt.delivery_worker.run_once()
    tg.clock.advance(seconds=100)
    samples = await scrape(tg, **BEARER)
    assert lanes(samples) == {"chat": 1, "group": 0, "template": 0}
    assert value(samples, "concierge_deliveries_oldest_seconds") == 100
    assert value(samples, "concierge_deliveries_overdue_seconds") == 0
    tg.clock.advance(seconds=50)
    samples = await scrape(tg, **BEARER)
    assert value(samples, "concierge_deliveries_oldest_seconds") == 150
    assert value(samples, "concierge_deliveries_overdue_seconds") == 30
    await tg.settle()
    assert value(await scrape(tg, **BEARER), "concierge_deliveries_oldest_seconds") == 0


async def test_an_event_recorded_again_after_a_crash_is_counted_once(
    team: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = team
    before = await scrape(tg, **BEARER)
    calls = tg.dies_before_storing_deliveries(monkeypatch)  # the events are recorded; then it dies
    await tg.send(tg.fake.user_message(user("Layla"), text="/start"))
    await tg.settle()
    assert calls["n"] > 1  # processed twice: its events heard twice by the listeners
    after = await scrape(tg, **BEARER)
    assert moved(before, after, "concierge_events_total", type="MessageReceived") == 1


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
