"""The sandbox in a real browser (Debian's Chromium driven by Playwright): the whole journey, both channels.
Screenshots of both panes are saved under artifacts/ as test artefacts."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.integration.test_service_process import concierge, environment, free_port, status, wait_until

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT = 30_000  # ms: the sandbox keeps Telegram's real limits (1 message a second into a chat)

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is installed by .ci/run (apt)")


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        concierge("run"),
        env=environment(tmp_path, HTTP_PORT=str(port), LOG_LEVEL="WARNING"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: status(f"{base}/sandbox/api/personas") == 200, 20), (
            process.stdout.read1().decode()
        )
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
        process.stdout.close()


@pytest.fixture
async def browser() -> AsyncIterator:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield chromium
        finally:
            await chromium.close()


async def journey(browser, base: str, persona: str, channel: str, text: str, name: str) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    await page.goto(f"{base}/sandbox")
    await page.select_option("#persona", persona)
    await page.click(f"#channel-{channel}")
    await page.fill("#phone-input", text)
    await page.click("#phone-send")
    # the request appears in a new topic with its card
    await page.locator("#topics .topic-link", has_text=name).click(timeout=WAIT)
    await page.locator("#topic-messages .msg", has_text="📋 R-1001").wait_for(timeout=WAIT)
    await page.locator("#topic-messages .msg.pinned", has_text=name).wait_for(timeout=WAIT)
    # the assistant quotes
    await page.fill("#forum-input", "/quote 45000 RUB Mercedes S-Class with chauffeur")
    await page.click("#forum-send")
    if channel == "telegram":
        pay = page.locator("#chat .bubble a.button").first
    else:
        pay = page.locator("#chat .bubble a", has_text="/sandbox/pay/").first
    await pay.wait_for(timeout=WAIT)
    async with context.expect_page() as opened:
        await pay.click()
    checkout = await opened.value
    await checkout.click("#pay", timeout=WAIT)
    await checkout.locator("text=Payment complete").wait_for(timeout=WAIT)
    await checkout.screenshot(path=ARTIFACTS / f"{persona}-{channel}-checkout.png")
    await checkout.close()
    receipt_word = {"ar": "إيصال رقم", "en": "Receipt RC-"}["ar" if persona == "layla" else "en"]
    await page.locator("#chat .bubble", has_text=receipt_word).wait_for(timeout=WAIT)
    # (the topic speaks its assistant's language: Dmitri chose Russian)
    paid = re.compile("✅ (Paid|Оплачено): R-1001")
    await page.locator("#topic-messages .msg", has_text=paid).wait_for(timeout=WAIT)
    await page.locator(".phone").screenshot(path=ARTIFACTS / f"{persona}-{channel}-phone.png")
    await page.locator(".forum").screenshot(path=ARTIFACTS / f"{persona}-{channel}-forum.png")
    await context.close()


async def test_an_arabic_client_on_telegram_asks_pays_and_gets_a_receipt(sandbox: str, browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await journey(
        browser,
        sandbox,
        "layla",
        "telegram",
        "احجز لي سيارة مرسيدس الليلة الساعة 8 من فندق ريتز",
        "Layla Al Mansouri",
    )
    assert (ARTIFACTS / "layla-telegram-phone.png").stat().st_size > 10_000


async def test_an_english_client_on_whatsapp_asks_pays_and_gets_a_receipt(sandbox: str, browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await journey(
        browser, sandbox, "james", "whatsapp", "Book a car to Sheremetyevo tomorrow at 7am", "James Whitmore"
    )
    assert (ARTIFACTS / "james-whatsapp-forum.png").stat().st_size > 10_000


async def test_left_alone_a_client_is_reminded_then_escalated(sandbox: str, browser) -> None:
    """The sandbox's clock can be fast-forwarded: the reminder and the escalation appear as they would."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    await page.goto(f"{sandbox}/sandbox")
    await page.select_option("#persona", "james")
    await page.fill("#phone-input", "Could you book a table for four tonight?")
    await page.click("#phone-send")
    await page.locator("#topics .topic-link", has_text="James Whitmore").click(timeout=WAIT)
    await page.locator("#topic-messages .msg", has_text="📋 R-1001").wait_for(timeout=WAIT)
    await page.click("#fast-forward")  # 15 minutes later
    reminded = re.compile("has been waiting|ждёт ответа")  # in the language of James's assistant
    await page.locator("#topic-messages .msg", has_text=reminded).wait_for(timeout=WAIT)
    await page.click("#fast-forward")  # 30
    await page.locator("#topics .topic-link", has_text="Escalations").click(timeout=WAIT)
    escalation = page.locator("#topic-messages .msg", has_text="James Whitmore has been waiting")
    await escalation.wait_for(timeout=WAIT)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.locator(".forum").screenshot(path=ARTIFACTS / "escalations-forum.png")
    await context.close()
