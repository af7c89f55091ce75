"""The client's own page (the Telegram Mini App) in a real browser, on a phone-sized screen, with the
sandbox's stand-in for Telegram's WebApp object (its telegram-web-app.js reads the launch parameters Telegram
puts in the page's fragment; initData is signed with the bot's token exactly as Telegram signs it). In Arabic:
a structured request reaches the topic and the console's board, the quote is paid from the app, and
preferences change the pinned card. In English: the same page opened from the chat's menu button, in place, as
Telegram shows it. Screenshots under artifacts/ (the README shows one in each language)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.async_api import expect

from tests.browser.test_sandbox_browser import (  # noqa: F401  (pytestmark: skipped without Chromium)
    ARTIFACTS,
    PHONE,
    WAIT,
    client_writes,
    pays_at_checkout,
    pytestmark,
)

expect.set_options(timeout=WAIT)


async def opened_in_telegram(browser, base: str, persona: str, context_options: dict | None = None):
    context = await browser.new_context(viewport=PHONE, is_mobile=True, **(context_options or {}))
    page = await context.new_page()
    launch = await (await page.request.get(f"{base}/sandbox/api/webapp?persona={persona}")).json()
    await page.goto(launch["url"])
    return context, page


async def test_an_arabic_client_asks_pays_and_sets_preferences_in_the_mini_app(
    shared_sandbox: str, browser
) -> None:
    sandbox = shared_sandbox  # (the file's first test: its request is R-1001)
    ARTIFACTS.mkdir(exist_ok=True)
    desk = await browser.new_context(viewport={"width": 1400, "height": 900})
    forum = await desk.new_page()
    await forum.goto(f"{sandbox}/sandbox")
    await client_writes(forum, "layla", "telegram", "/start")
    await forum.locator("#open-app:not([hidden])").wait_for(timeout=WAIT)  # the chat's menu button is set

    phone, app = await opened_in_telegram(browser, sandbox, "layla")
    await expect(app.locator("html")).to_have_attribute("dir", "rtl")
    await expect(app.locator("h2")).to_contain_text("أهلاً Layla")
    await app.screenshot(path=ARTIFACTS / "miniapp-ar-now.png")

    # a structured request: category, date, time, guests, place, budget, notes
    await app.locator("a.tab[data-tab=new]").click()
    await app.locator("label.chip-choice", has_text="سيارة مع سائق").click()
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    await app.fill("input[name=date]", tomorrow)
    await app.fill("input[name=time]", "19:30")
    await app.fill("input[name=guests]", "4")
    await app.fill("input[name=place]", "Ritz-Carlton")
    await app.fill("input[name=budget]", "50000")
    await app.fill("textarea[name=notes]", "مايباخ من فضلكم")
    await app.screenshot(path=ARTIFACTS / "miniapp-ar-new.png", full_page=True)
    await app.click("#send")
    await expect(app.locator("#opened")).to_contain_text("R-1001")

    # the topic shows the client's words and the card; the console's board the request
    await forum.locator("#topics .topic-link", has_text="Layla Al Mansouri").click(timeout=WAIT)
    words = forum.locator("#topic-messages .msg", has_text="📱")
    await expect(words).to_contain_text("Ritz-Carlton")
    await forum.locator("#topic-messages .msg", has_text="📋 R-1001").wait_for(timeout=WAIT)
    console = await desk.new_page()
    await console.goto(f"{sandbox}/sandbox/console/7001")
    await console.locator("#board a.req", has_text="R-1001").wait_for(timeout=WAIT)

    # the assistant quotes; the client pays from the app
    await forum.fill("#forum-input", "/quote 45000 RUB Mercedes Maybach with chauffeur")
    await forum.click("#forum-send")
    await app.locator("a.tab[data-tab=requests]").click()  # (it keeps itself current while a quote is due)
    await app.locator("a.pay-link").wait_for()
    await app.screenshot(path=ARTIFACTS / "miniapp-ar-quote.png", full_page=True)
    await pays_at_checkout(phone, app.locator("a.pay-link"))
    await app.locator(".receipt").wait_for()  # the page waits for the payment to go through
    await expect(app.locator(".receipt")).to_contain_text("إيصال رقم")
    await forum.locator("#topic-messages .msg", has_text=re.compile("✅ (Paid|Оплачено): R-1001")).wait_for()

    # preferences: the pinned card says them
    await app.locator("a.tab[data-tab=preferences]").click()
    await app.select_option("select[name=contact]", "whatsapp")
    await app.select_option("select[name=quiet_from]", "23:00")
    await app.select_option("select[name=quiet_to]", "08:00")
    await app.fill("input[name=dietary]", "حلال فقط")
    await app.fill("input[name=car]", "Maybach")
    await app.fill("input[name=email]", "layla@example.com")  # where the fiscal receipts go
    await app.click("#save")
    await expect(app.locator("#saved")).to_be_visible()
    await app.screenshot(path=ARTIFACTS / "miniapp-ar-preferences.png", full_page=True)
    pinned = forum.locator("#topic-messages .msg.pinned")
    await expect(pinned).to_contain_text("🍽 حلال فقط")
    await expect(pinned).to_contain_text("🚗 Maybach")
    await expect(pinned).to_contain_text("23–08")
    await expect(pinned).to_contain_text("📧 l•••@example.com")
    await forum.locator(".forum").screenshot(path=ARTIFACTS / "miniapp-ar-forum.png")
    await phone.close()
    await desk.close()


async def test_an_english_client_opens_the_mini_app_from_the_menu_button_in_place(
    sandbox: str, browser
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = await browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme="dark")
    page = await context.new_page()
    await page.goto(f"{sandbox}/sandbox")
    await client_writes(page, "james", "telegram", "/start")
    await page.click("#open-app", timeout=WAIT)
    app = page.frame_locator("#webapp-frame")
    await expect(app.locator("h2")).to_contain_text("Hello, James")
    await expect(app.locator("html")).to_have_attribute("data-scheme", "dark")  # Telegram's theme
    await app.locator("a.tab[data-tab=new]").click()
    await app.locator("label.chip-choice", has_text="Something else").click()
    await app.locator("#send").click()  # (the browser itself refuses a guest count of 0: min="1")
    await expect(app.locator(".error")).to_contain_text("Please say in “Anything else” what you would like.")
    await app.locator("label.chip-choice", has_text="Restaurant").click()
    await app.locator("input[name=guests]").fill("2")
    await app.locator("input[name=time]").fill("21:00")
    await app.locator("input[name=place]").fill("White Rabbit")
    await app.locator("#send").click()
    await expect(app.locator("#opened")).to_contain_text(
        re.compile(r"R-\d{4}")
    )  # (after Layla's, if she ran)
    await page.locator(".phone").screenshot(path=ARTIFACTS / "miniapp-en-phone.png")
    await app.locator("a.tab[data-tab=now]").click()
    await app.locator("#call-me").click()
    await expect(app.locator("#called")).to_contain_text("We will call you shortly.")
    await page.locator("#topics .topic-link", has_text="James Whitmore").click(timeout=WAIT)
    await page.locator("#topic-messages .msg", has_text=re.compile("📞 (The client|Клиент)")).wait_for()
    await page.click("#webapp-close")
    await expect(page.locator("#webapp")).to_be_hidden()
    await context.close()


async def test_on_a_narrow_phone_the_pages_own_tab_is_in_sight(shared_sandbox: str, browser) -> None:
    """Found by hand at 360 px in Arabic: the tabs scroll sideways and on “السجل” (History) its own tab was
    cut to “الس” at the edge, the page never brought it into sight (“История” in Russian hidden whole)."""
    sandbox = shared_sandbox
    desk = await browser.new_context(viewport={"width": 1400, "height": 900})
    forum = await desk.new_page()
    await forum.goto(f"{sandbox}/sandbox")
    for persona in ("layla", "irina"):
        await client_writes(forum, persona, "telegram", "/start")
        await forum.locator("#open-app:not([hidden])").wait_for(timeout=WAIT)
        phone = await browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
        app = await phone.new_page()
        await app.goto(
            (await (await app.request.get(f"{sandbox}/sandbox/api/webapp?persona={persona}")).json())["url"]
        )
        await app.locator("a.tab[data-tab=history]").click()
        mine = app.locator("a.tab.on[data-tab=history]")
        await mine.wait_for()
        bar, tab = await app.locator("nav.tabs").bounding_box(), await mine.bounding_box()
        assert bar is not None and tab is not None
        assert bar["x"] - 1 <= tab["x"] and tab["x"] + tab["width"] <= bar["x"] + bar["width"] + 1, (
            persona,
            tab,
        )
        await app.screenshot(path=ARTIFACTS / f"miniapp-{persona}-history-360.png")
        await phone.close()
    await desk.close()
