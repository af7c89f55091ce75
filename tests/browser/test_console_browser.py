"""The staff console in a real browser (Debian's Chromium driven by Playwright) against the sandbox service: a
lead signs in by a one-time link and works the board live; an assistant on a phone sees only their own."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.test_sandbox_browser import ARTIFACTS, WAIT, browser, pytestmark, sandbox  # noqa: F401

PHONE = {"width": 390, "height": 844}


async def client_writes(page: Page, persona: str, channel: str, text: str) -> None:
    await page.select_option("#persona", persona)
    await page.click(f"#channel-{channel}")
    await page.fill("#phone-input", text)
    await page.click("#phone-send")


async def test_a_lead_works_the_board_and_an_assistant_sees_only_their_own(sandbox: str, browser) -> None:  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    lead = await browser.new_context(viewport={"width": 1400, "height": 900})
    console = await lead.new_page()
    # the link the bot would send Amira: a page that signs her in (its form is sent by the console's script)
    await console.goto(f"{sandbox}/sandbox/console/7001")
    await console.wait_for_url(f"{sandbox}/console/", timeout=WAIT)
    await expect(console.locator("header .who")).to_contain_text("Amira")
    await expect(console.locator("#board")).not_to_contain_text("R-1001")

    forum = await lead.new_page()
    await forum.goto(f"{sandbox}/sandbox")
    await client_writes(forum, "james", "whatsapp", "Book a car to Sheremetyevo tomorrow at 7am")
    # the webhook arrives; the board shows it without a reload
    card = console.locator("#board a.req", has_text="R-1001")
    await card.wait_for(timeout=WAIT)
    await expect(card).to_contain_text("James Whitmore")
    await console.screenshot(path=ARTIFACTS / "console-board.png", full_page=True)

    await card.click()
    await console.wait_for_url("**/console/requests/R-1001", timeout=WAIT)
    await expect(console.locator("#timeline")).to_contain_text("Book a car to Sheremetyevo")
    await console.select_option("select[name=args]", label="Dmitri")
    await console.click("form:has(select[name=args]) button")
    await expect(console.locator("dl")).to_contain_text("Dmitri", timeout=WAIT)
    await forum.locator("#topics .topic-link", has_text="James Whitmore").click(timeout=WAIT)
    # the topic now speaks its assistant's language (Dmitri chose Russian)
    await forum.locator("#topic-messages .msg", has_text="теперь у Dmitri").wait_for(timeout=WAIT)

    # quoted and paid through the sandbox's checkout, then refunded from the console after confirming
    await forum.fill("#forum-input", "/quote 45000 RUB Mercedes S-Class to Sheremetyevo")
    await forum.click("#forum-send")
    pay = forum.locator("#chat .bubble a", has_text="/sandbox/pay/").first
    await pay.wait_for(timeout=WAIT)
    async with lead.expect_page() as opened:
        await pay.click()
    checkout = await opened.value
    await checkout.click("#pay", timeout=WAIT)
    await checkout.locator("text=Payment complete").wait_for(timeout=WAIT)
    await checkout.close()
    await expect(console.locator("#timeline")).to_contain_text("paid RUB", timeout=WAIT)  # live
    await console.reload()  # (the actions offered follow the state)
    await expect(console.locator(".state")).to_contain_text("Paid")
    await console.click("a.button.danger")  # Refund…
    await console.wait_for_url("**/console/requests/R-1001/refund", timeout=WAIT)
    await console.screenshot(path=ARTIFACTS / "console-refund-confirm.png")
    await console.click("#confirm-refund")
    await console.wait_for_url("**/console/requests/R-1001", timeout=WAIT)
    await expect(console.locator(".state")).to_contain_text("Refunded", timeout=WAIT)
    await expect(console.locator("#timeline")).to_contain_text("refunded RUB", timeout=WAIT)
    await console.screenshot(path=ARTIFACTS / "console-request.png", full_page=True)

    await console.click("header nav >> text=Team")
    await expect(console.locator("table.kpis")).to_contain_text("Amira")
    await expect(console.locator(".chart-grid svg.chart").first).to_be_visible()
    await console.screenshot(path=ARTIFACTS / "console-team.png", full_page=True)

    # two more clients: an Arabic one (only Amira speaks Arabic) and a Russian one (Dmitri's)
    await client_writes(forum, "layla", "telegram", "احجز لي طاولة في مطعم الليلة الساعة 9")
    await console.goto(f"{sandbox}/console/")
    await console.locator("#board a.req", has_text="Layla").wait_for(timeout=WAIT)
    await client_writes(
        forum, "irina", "telegram", "Забронируйте, пожалуйста, столик на двоих сегодня в 20:00"
    )
    await console.locator("#board a.req", has_text="Irina").wait_for(timeout=WAIT)

    # Dmitri, on his phone, in Russian: his clients only
    phone = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    dmitri = await phone.new_page()
    await dmitri.goto(f"{sandbox}/sandbox/console/7002")
    await dmitri.wait_for_url(f"{sandbox}/console/", timeout=WAIT)
    await expect(dmitri.locator("header nav")).to_contain_text("Доска")
    await expect(dmitri.locator("#board")).to_contain_text("Irina")
    await expect(dmitri.locator("#board")).not_to_contain_text("Layla")
    await dmitri.screenshot(path=ARTIFACTS / "console-phone-board.png", full_page=True)
    await dmitri.goto(f"{sandbox}/console/clients")
    await expect(dmitri.locator("table.list")).to_contain_text("Irina")
    await expect(dmitri.locator("table.list")).to_contain_text("James")
    await expect(dmitri.locator("table.list")).not_to_contain_text("Layla")
    response = await dmitri.goto(f"{sandbox}/console/clients/C-1002")  # Layla's page: not his
    assert response is not None and response.status == 404
    width = await dmitri.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1  # nothing wider than the phone
    await phone.close()
    await lead.close()
    assert (ARTIFACTS / "console-board.png").stat().st_size > 10_000
