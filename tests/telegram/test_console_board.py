"""The board draws each column's most urgent cards and keeps the others in the page, in the column's order and
counted, drawn when asked for (`/console/board.cards`), only those the viewer may see."""

from __future__ import annotations

import re

import pytest

from bot.keys import SETTINGS
from engine import queries as q
from engine.console import reads
from tests import reads as test_reads
from tests.console_client import signed_in
from tests.harness import Harness
from tests.telegram.test_console import client_with_request, staff_says


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "en,ar")
    await tg.add_staff(9003, "Irina", "en,ru")
    return tg


def drawn_and_kept(html: str, state: str) -> tuple[list[str], list[str], str]:
    """A column's drawn cards, the cards kept undrawn (in order), and its count."""
    column = html.split(f'data-state="{state}"', 1)[1].split("</section>", 1)[0]
    drawn = re.findall(r'<a class="req(?! stub)[^"]*"[^>]*data-request="([^"]+)"', column)
    kept = re.findall(r'<a class="req stub[^"]*"[^>]*data-request="([^"]+)"[^>]*hidden></a>', column)
    return drawn, kept, re.search(r'class="count">(\d+)<', column).group(1)


async def test_a_column_draws_its_most_urgent_cards_and_keeps_the_others_counted_in_order(
    team: Harness,
) -> None:
    tg = team
    tg.app[SETTINGS].app.console_board_cards = 2
    for name in ("Layla", "James", "Sara", "Noor", "Ivan"):
        await client_with_request(tg, name, "Book a car tomorrow at 8 pm")
    omar_thread = test_reads.thread(await q.client(tg.store, "C-1004"))
    await staff_says(tg, omar_thread, "/assign Omar")
    anna, omar = await signed_in(tg, 9001), await signed_in(tg, 9002)
    lead = await q.assistant(tg.store, "A-9001")
    assert lead is not None
    order = [c.face.id for c in (await reads.board(tg.engine.deps, lead))["new"]]
    assert len(order) == 5

    html = await (await anna.get("/console/")).text()
    drawn, kept, count = drawn_and_kept(html, "new")
    assert (drawn, kept, count) == (order[:2], order[2:], "5")  # every card counted, the first two drawn
    assert 'class="more"' in html.split('data-state="new"')[1].split("</section>")[0]
    assert '<button type="button" class="more" hidden>' in html.split('data-state="quoted"')[1]
    part = await (await anna.get("/console/board.part")).text()
    assert drawn_and_kept(part, "new") == (order[:2], order[2:], "5")

    # asked for, the next cards come drawn as the board draws them; another assistant's never
    more = await (await anna.get(f"/console/board.cards?ids={','.join(kept)}")).text()
    assert sorted(re.findall(r'data-request="(R-\d+)"', more)) == sorted(kept)
    assert 'class="line2"' in more and "stub" not in more
    omars = await q.assistant(tg.store, "A-9002")
    assert omars is not None
    own = [c.face.id for c in (await reads.board(tg.engine.deps, omars))["new"]]
    assert "R-1004" in own and len(own) < 5
    theirs = await (await omar.get(f"/console/board.cards?ids={','.join(order)}")).text()
    assert sorted(re.findall(r'data-request="(R-\d+)"', theirs)) == sorted(own)
    mine = await (await omar.get("/console/")).text()
    assert drawn_and_kept(mine, "new") == (own[:2], own[2:], str(len(own)))
