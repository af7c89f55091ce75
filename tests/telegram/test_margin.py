"""Cost and margin: a quote may say the supplier's cost (`/quote 45000 RUB … cost 31000`); the client never
sees it, the /quote that said it leaves the topic the whole team reads, the console shows it and the margin to
leads and whoever quoted, and the margin is in the team's figures: the console, /stats and every format of
`concierge report`."""

import json
from datetime import timedelta

import pytest

from bot.cli_report import render
from domain.events import EventType
from domain.money import Money
from engine import queries as q
from engine.clock import kpis
from tests import reads
from tests.console_client import signed_in
from tests.harness import STAFF_CHAT, Harness
from tests.telegram.test_lifecycle import (
    ANNA,
    client_asks,
    order_of,
    pay,
    quote_message,
    request_of,
    staff_says,
)

IRINA = {"id": 9002, "is_bot": False, "first_name": "Irina"}
OMAR = {"id": 9003, "is_bot": False, "first_name": "Omar"}


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "ru", lead=True)
    await tg.add_staff(9002, "Irina", "en")
    await tg.add_staff(9003, "Omar", "en")
    return tg


async def test_a_cost_stays_with_leads_and_the_quoter_and_the_margin_is_counted(team: Harness) -> None:
    tg = team
    layla, thread = await client_asks(tg, "A Mercedes to Sheremetyevo tomorrow at 7")
    owner = (await tg.client_of(layla)).assistant_id
    quoter, other = (IRINA, OMAR) if owner == "A-9002" else (OMAR, IRINA)  # the client's assistant quotes

    typed = "/quote 45000 RUB Mercedes S-Class cost 31000"
    await tg.send(tg.fake.user_message(quoter, chat_id=STAFF_CHAT, thread_id=thread, text=typed))
    await tg.settle()
    sent = quote_message(tg, layla)["text"]
    assert "45,000" in sent and "31" not in sent  # the client sees the price only
    assert not [m for m in tg.fake.chats[STAFF_CHAT].messages.values() if m.get("text") == typed]
    assert any(
        t.startswith("🔒 The supplier's cost is kept") and "taken out of this topic" in t
        for t in tg.topic_texts(thread)
    )
    assert not any("31" in t for t in tg.topic_texts(thread) + tg.request_cards(thread))
    (quoted,) = await reads.events(tg.store, EventType.REQUEST_QUOTED)
    assert quoted.data["cost"] == {"minor": 3_100_000, "currency": "RUB"}
    assert (await request_of(tg)).margin is None  # not paid yet

    await pay(tg, order_of(tg, quote_message(tg, layla)))
    assert (await request_of(tg)).margin == Money.of("14000", "RUB")
    await staff_says(tg, thread, "/refund 4000", who=ANNA)
    assert (await request_of(tg)).margin == Money.of("10000", "RUB")  # what goes back is margin lost

    page = "/console/requests/R-1001"
    for who in (9001, quoter["id"]):  # a lead, and whoever quoted
        shown = await (await (await signed_in(tg, who)).get(page)).text()
        assert 'id="cost"' in shown and "31,000" in shown and "10,000" in shown, who
    lead = await signed_in(tg, 9001)  # the client handed over: their new assistant sees the request, no cost
    handed = await lead.post(f"{page}/command", {"name": "assign", "args": other["first_name"]}, page)
    assert handed.status == 303
    theirs = await (await signed_in(tg, other["id"])).get(page)
    assert theirs.status == 200 and 'id="cost"' not in await theirs.text()
    timeline = await (await (await signed_in(tg, 9001)).get(page)).text()
    assert "Mercedes S-Class · cost •••" in timeline and "31000" not in timeline

    stats = await (await signed_in(tg, 9001)).get("/console/team?period=7d")
    team_page = await stats.text()
    assert "<th>margin</th>" in team_page and "RUB\u00a010,000</td><td>24%</td><td>1/1" in team_page
    await staff_says(tg, None, "/stats 7d", who=ANNA)
    said = tg.fake.chats[STAFF_CHAT].messages
    (reply,) = [m["text"] for m in said.values() if m.get("text", "").startswith("📊")][-1:]
    assert f"👤 {quoter['first_name']}" in reply and "margin" not in reply.replace("Margins:", "")
    assert reply.endswith("(Margins: /stats in your private chat with the bot, or the console's Team page.)")
    await tg.send(tg.fake.user_message(ANNA, text="/stats 7d"))  # her private chat: hers alone to read
    await tg.settle()
    private = tg.to_user(ANNA)[-1]["text"]
    assert "  margin: RUB\u00a010,000\n  margin %: 24%\n  paid with a cost: 1/1" in private

    now = tg.clock.now()
    rows = await kpis.report(
        tg.store,
        now - timedelta(days=1),
        now + timedelta(seconds=1),
        tg.engine.deps.policy.promises,
        tg.engine.deps.policy.tz,
    )
    (row,) = [r for r in rows if r.name == quoter["first_name"]]
    assert row.figures["margin"] == {"RUB": 1_000_000} and row.figures["margin_pct"] == 24
    assert (row.figures["costed"], row.figures["payments"]) == (1, 1)
    start, end = now - timedelta(days=1), now
    table = render(rows, "table", start, end)
    assert "MARGIN %" in table and "RUB\u00a010,000  24%       1/1" in table
    (line,) = [
        x for x in render(rows, "csv", start, end).splitlines()[1:] if x.startswith(quoter["first_name"])
    ]
    assert line.endswith(",10000.00") or ",10000.00," in line
    (entry,) = [
        a
        for a in json.loads(render(rows, "json", start, end))["assistants"]
        if a["name"] == quoter["first_name"]
    ]
    assert entry["margin"] == {"RUB": 1_000_000}


async def test_a_cost_in_another_currency_or_of_nothing_is_refused_and_changes_nothing(team: Harness) -> None:
    tg = team
    _layla, thread = await client_asks(tg, "A Mercedes to Sheremetyevo tomorrow at 7")
    typed = "/quote 45000 RUB Mercedes cost 310 USD"
    await staff_says(tg, thread, typed, who=IRINA)
    assert "The cost is in the quote's currency, RUB" in tg.topic_texts(thread)[-1]
    assert not [m for m in tg.fake.chats[STAFF_CHAT].messages.values() if m.get("text") == typed]  # taken out
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes cost 0", who=IRINA)
    assert "A cost is more than nothing" in tg.topic_texts(thread)[-1]
    assert await reads.events(tg.store, EventType.REQUEST_QUOTED) == []
    assert tg.cp.orders == {}
    # a quote without a cost is as before, and a later version may add one
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes, fuel cost included", who=IRINA)
    request = await q.request(tg.store, "R-1001")  # the word alone is no cost: it stays what the client reads
    assert request.cost is None and request.quote.items[0].description == "Mercedes, fuel cost included"
    itemised = "/quote RUB\nMercedes — 35000\nFuel cost — 5000\nFlowers — 5000\ncost — 33000"
    await staff_says(tg, thread, itemised, who=IRINA)
    request = await q.request(tg.store, "R-1001")
    assert request.quote.version == 2 and request.cost == Money.of("33000", "RUB")
    assert [i.description for i in request.quote.items] == ["Mercedes", "Fuel cost", "Flowers"]


async def test_a_bot_that_may_not_delete_leaves_the_quote_and_says_so_once(team: Harness) -> None:
    tg = team
    layla, thread = await client_asks(tg, "A Mercedes to Sheremetyevo tomorrow at 7")
    tg.fake.chats[STAFF_CHAT].bot_rights = {"can_delete_messages": False}
    typed = "/quote 45000 RUB Mercedes cost 31000"
    await staff_says(tg, thread, typed, who=IRINA)
    assert "45,000" in quote_message(tg, layla)["text"]  # the quote went all the same
    assert [m for m in tg.fake.chats[STAFF_CHAT].messages.values() if m.get("text") == typed]
    told = [t for t in tg.topic_texts(thread) if t.startswith("⚠️ Telegram would not let the bot delete")]
    assert len(told) == 1  # the topic knows it is still there


async def test_the_console_quotes_with_the_same_parser_and_checks(team: Harness) -> None:
    tg = team
    layla, _thread = await client_asks(tg, "A Mercedes to Sheremetyevo tomorrow at 7")
    owner = (await tg.client_of(layla)).assistant_id
    console = await signed_in(tg, int(owner.split("-")[1]))
    page = "/console/requests/R-1001"
    assert 'id="quote-form"' in await (await console.get(page)).text()
    form = {"items": "Mercedes S-Class", "currency": "RUB", "cost": ""}
    wrong = await console.post(f"{page}/quote", form, page)
    assert wrong.status == 400 and "needs the form: description — amount" in await wrong.text()
    wrong = await console.post(f"{page}/quote", form | {"items": "45000 Mercedes", "cost": "abc"}, page)
    assert wrong.status == 400 and "is an amount, like 31000" in await wrong.text()
    too_long = await console.post(f"{page}/quote", form | {"items": "Car — 1\n" * 400}, page)
    assert too_long.status == 400  # refused, never cut
    assert await reads.events(tg.store, EventType.REQUEST_QUOTED) == []  # refused: nothing quoted
    sent = await console.post(
        f"{page}/quote", form | {"items": "45000 Mercedes S-Class", "cost": "31000"}, page
    )
    assert sent.status == 303
    await tg.settle()
    request = await q.request(tg.store, "R-1001")
    assert request.quote.total == Money.of("45000", "RUB") and request.cost == Money.of("31000", "RUB")
    assert "45,000" in quote_message(tg, layla)["text"]
    lines = {"items": "Mercedes — 40000\nFlowers — 5000", "currency": "EUR", "cost": ""}
    assert (await console.post(f"{page}/quote", lines, page)).status == 303
    await tg.settle()
    request = await q.request(tg.store, "R-1001")
    assert (
        request.quote.version == 2
        and request.quote.total == Money.of("45000", "EUR")
        and request.cost is None
    )


async def test_the_consoles_one_line_with_its_price_last_is_quoted_at_that_price(team: Harness) -> None:
    """A line with its price last in the console's box (the currency a list beside it) was sent to the
    client as a quote of RUB 2: the form put the currency first, "RUB 2 tickets …": 2 read as the price."""
    tg = team
    layla, _thread = await client_asks(tg, "Two tickets to Swan Lake at the Bolshoi on Friday")
    owner = (await tg.client_of(layla)).assistant_id
    console = await signed_in(tg, int(owner.split("-")[1]))
    page = "/console/requests/R-1001"
    form = {"items": "2 tickets Swan Lake, stalls — 96000", "currency": "RUB", "cost": ""}
    assert (await console.post(f"{page}/quote", form, page)).status == 303
    await tg.settle()
    (item,) = (await q.request(tg.store, "R-1001")).quote.items
    assert item.amount == Money.of("96000", "RUB") and item.description == "2 tickets Swan Lake, stalls"
    assert "96,000" in quote_message(tg, layla)["text"]
