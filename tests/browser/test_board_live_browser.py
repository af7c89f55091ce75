"""The board in a real browser as events arrive: one event changes exactly one card (the other cards are the
same elements, the whole board is not fetched), a card moves column when its request is quoted and leaves when
it is cancelled, with the counts following; an assistant's board is never sent another assistant's card; a
dropped connection is made good by drawing the whole board again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.test_sandbox_browser import PHONE, WAIT, client_writes, pytestmark  # noqa: F401
from tests.integration.test_sandbox_restart import running_sandbox
from tests.integration.test_service_process import free_port

# every card message the page's stream delivers, kept for the test (the page's own listener runs as usual)
CARDS_SEEN = """
window.__cards = [];
const add = EventSource.prototype.addEventListener;
EventSource.prototype.addEventListener = function (type, listener, options) {
  const kept = (message) => {
    if (type === "card") window.__cards.push(message.data);
    listener(message);
  };
  return add.call(this, type, kept, options);
};
"""
# the page's stream, which the test can drop and bring back (a network that went away and came back: the page
# is told it is open again, as a browser's own reconnection tells it; its listeners are the page's own)
DROPPABLE = """
const Real = window.EventSource;
window.__cards = [];
window.__streams = [];
class Droppable extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.connect();
    window.__streams.push(this);
  }
  connect() {
    this.real = new Real(this.url);
    this.real.addEventListener("open", () => this.dispatchEvent(new Event("open")));
    for (const type of ["log", "card", "board"]) {
      this.real.addEventListener(type, (m) => {
        if (type === "card") window.__cards.push(m.data);
        this.dispatchEvent(new MessageEvent(type, { data: m.data, lastEventId: m.lastEventId }));
      });
    }
  }
}
window.EventSource = Droppable;
window.__drop = () => window.__streams.forEach((s) => s.real.close());
window.__reconnect = () => window.__streams.forEach((s) => s.connect());
"""
BOARD_FETCHES = "performance.getEntriesByType('resource').filter((e) => e.name.includes('board.part')).length"
MARK = "document.querySelectorAll('#board a.req').forEach((card) => { card.__kept = true; })"
KEPT = (
    "Array.from(document.querySelectorAll('#board a.req'))"
    ".filter((c) => c.__kept).map((c) => c.dataset.request)"
)


def card(board: Page, request_id: str, state: str | None = None):
    column = f'section.column[data-state="{state}"] ' if state else ""
    return board.locator(f'#board {column}a.req[data-request="{request_id}"]')


async def count(board: Page, state: str) -> str:
    return await board.locator(f'section.column[data-state="{state}"] .count').inner_text()


async def staff_writes(forum: Page, client: str, text: str) -> None:
    await forum.locator("#topics .topic-link", has_text=client).click(timeout=WAIT)
    await forum.fill("#forum-input", text)
    await forum.click("#forum-send")


async def test_one_event_changes_one_card_and_a_dropped_connection_draws_the_board_again(
    sandbox: str, browser
) -> None:
    people = await browser.new_context(viewport={"width": 1400, "height": 900})
    forum = await people.new_page()
    await forum.goto(f"{sandbox}/sandbox")
    lead = await browser.new_context(viewport={"width": 1400, "height": 900})
    await lead.add_init_script(DROPPABLE)
    board = await lead.new_page()
    await board.goto(f"{sandbox}/sandbox/console/7001")  # Amira, a lead: every card
    await board.wait_for_url(f"{sandbox}/console/", timeout=WAIT)
    phone = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    await phone.add_init_script(CARDS_SEEN)
    dmitri = await phone.new_page()
    await dmitri.goto(f"{sandbox}/sandbox/console/7002")  # an assistant: his own clients' cards only
    await dmitri.wait_for_url(f"{sandbox}/console/", timeout=WAIT)

    await client_writes(forum, "james", "whatsapp", "Book a car to Sheremetyevo tomorrow at 7am")  # Dmitri's
    await client_writes(forum, "layla", "telegram", "احجز لي طاولة في مطعم الليلة الساعة 9")  # Amira's
    await card(board, "R-1001", "new").wait_for(timeout=WAIT)
    await card(board, "R-1002", "new").wait_for(timeout=WAIT)
    await card(dmitri, "R-1001", "new").wait_for(timeout=WAIT)
    assert await board.evaluate(BOARD_FETCHES) == 0  # the cards came in the stream, one at a time
    assert await count(board, "new") == "2"

    # Layla's request is quoted: her one card moves to Quoted; James's card is the same element as before
    await board.evaluate(MARK)
    await staff_writes(forum, "Layla", "/quote 30000 RUB A table for two")
    await card(board, "R-1002", "quoted").wait_for(timeout=WAIT)
    await expect(card(board, "R-1002")).to_have_count(1)
    assert await board.evaluate(KEPT) == ["R-1001"]
    assert await board.evaluate(BOARD_FETCHES) == 0
    assert (await count(board, "new"), await count(board, "quoted")) == ("1", "1")
    await expect(board.locator('section.column[data-state="quoted"] .empty')).to_be_hidden()

    # cancelled: it leaves the board, the column says it is empty
    await staff_writes(forum, "Layla", "/cancel the client changed plans")
    await expect(card(board, "R-1002")).to_have_count(0, timeout=WAIT)
    assert await count(board, "quoted") == "0"
    await expect(board.locator('section.column[data-state="quoted"] .empty')).to_be_visible()
    assert await board.evaluate(KEPT) == ["R-1001"]
    assert await board.evaluate(BOARD_FETCHES) == 0

    # Dmitri's board was never sent Layla's card (nor told it exists), only James's
    sent = "\n".join(await dmitri.evaluate("window.__cards"))
    assert "R-1001" in sent and "R-1002" not in sent and "Layla" not in sent
    await expect(dmitri.locator("#board")).not_to_contain_text("R-1002")

    # the connection drops; what happens meanwhile reaches the board when it reconnects, drawn whole again
    await board.evaluate("window.__drop()")
    await client_writes(forum, "irina", "telegram", "Забронируйте столик на двоих сегодня в 20:00")
    await card(dmitri, "R-1003", "new").wait_for(timeout=WAIT)  # (written, and seen by a connected board)
    await expect(card(board, "R-1003")).to_have_count(0)
    await board.evaluate("window.__reconnect()")
    await card(board, "R-1003", "new").wait_for(timeout=WAIT)
    assert await board.evaluate(BOARD_FETCHES) >= 1
    assert (await count(board, "new"), await count(board, "quoted")) == ("2", "0")
    await phone.close()
    await lead.close()
    await people.close()


@pytest.fixture
def one_card_sandbox(tmp_path: Path) -> Iterator[str]:
    """A service whose board columns draw one card at first (CONSOLE_BOARD_CARDS)."""
    log = tmp_path / "service.log"
    try:
        with running_sandbox(tmp_path, free_port(), log, CONSOLE_BOARD_CARDS="1") as base:
            yield base
    finally:
        print("the service's log (shown when a test fails):\n" + log.read_text()[-4000:])


async def test_a_column_draws_its_first_cards_shows_more_when_asked_and_keeps_its_count(
    one_card_sandbox: str, browser
) -> None:
    sandbox = one_card_sandbox
    people = await browser.new_context(viewport={"width": 1400, "height": 900})
    forum = await people.new_page()
    await forum.goto(f"{sandbox}/sandbox")
    lead = await browser.new_context(viewport={"width": 1400, "height": 900})
    board = await lead.new_page()
    await board.goto(f"{sandbox}/sandbox/console/7001")
    await board.wait_for_url(f"{sandbox}/console/", timeout=WAIT)
    # each request numbered before the next client writes (two channels are processed side by side: under
    # load James's could be numbered after Layla's, and the quote below would go to the other request)
    await client_writes(forum, "james", "whatsapp", "Book a car to Sheremetyevo tomorrow at 7am")
    await card(board, "R-1001", "new").wait_for(timeout=WAIT)
    await client_writes(forum, "layla", "telegram", "احجز لي طاولة في مطعم الليلة الساعة 9")
    await card(board, "R-1002", "new").wait_for(timeout=WAIT)
    await client_writes(forum, "irina", "telegram", "Забронируйте столик на двоих сегодня в 20:00")
    await card(board, "R-1003", "new").wait_for(timeout=WAIT)

    # drawn afresh: the most urgent card of the column, the others counted and kept for "show more"
    await board.reload()
    new = board.locator('section.column[data-state="new"]')
    await expect(new.locator("a.req:visible")).to_have_count(1)
    assert await count(board, "new") == "3"
    more = new.locator("button.more")
    await expect(more).to_be_visible()
    await expect(board.locator('section.column[data-state="quoted"] button.more')).to_be_hidden()
    hidden = await new.locator("a.req.stub").evaluate_all("(cards) => cards.map((c) => c.dataset.request)")
    assert len(hidden) == 2

    # a card not drawn yet is quoted: it moves to its column, drawn there; the counts follow
    await staff_writes(forum, "Layla" if "R-1002" in hidden else "James", "/quote 30000 RUB A table for two")
    moved = "R-1002" if "R-1002" in hidden else "R-1001"
    await expect(card(board, moved, "quoted")).to_be_visible(timeout=WAIT)
    assert (await count(board, "new"), await count(board, "quoted")) == ("2", "1")

    # asked for, the rest of the column is drawn, every card once; nothing is left to show
    await more.click()
    await expect(new.locator("a.req:visible")).to_have_count(2, timeout=WAIT)
    await expect(new.locator("a.req.stub")).to_have_count(0)
    await expect(more).to_be_hidden()
    await expect(new.locator("a.req .line1")).to_have_count(2)
    assert await count(board, "new") == "2"
    await lead.close()
    await people.close()
