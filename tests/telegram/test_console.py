"""The staff console through its real routes on the whole service: sign-in links, sessions, roles, CSRF, every
action as an event by the signed-in assistant with its effect in the topic, and the live stream."""

import asyncio
import json
import re
from dataclasses import asdict
from datetime import timedelta

import pytest

from bot.console.keys import LIVE
from domain.events import Actor, ActorKind, EventType
from engine import queries as q
from engine.clock import kpis
from engine.team import admin as staff_admin
from tests import reads
from tests.console_client import Console, link_for, signed_in
from tests.harness import STAFF_CHAT, Harness, user
from tests.telegram.test_lifecycle import order_of, pay, quote_message

ANNA = {"id": 9001, "is_bot": False, "first_name": "Anna"}  # a lead
OMAR = {"id": 9002, "is_bot": False, "first_name": "Omar"}

PAGES = [
    "/console/",
    "/console/board.part",
    "/console/requests/R-1001",
    "/console/requests/R-1001/timeline.part",
    "/console/requests/R-1001/refund",
    "/console/clients",
    "/console/clients/C-1001",
    "/console/team",
    "/console/payments",
    "/console/payments.csv",
    "/console/activity",
    "/console/audit.json",
    "/console/live",
]
ACTIONS = [
    "/console/clients",  # a search: a POST, so that a name never goes into a URL
    "/console/requests/R-1001/reply",
    "/console/requests/R-1001/command",
    "/console/requests/R-1001/refund",
    "/console/clients/C-1001/profile",
    "/console/clients/C-1001/export",
    "/console/team/add",
    "/console/team/A-9002/deactivate",
    "/console/language",
    "/console/sign-out",
]


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "en,ar")
    return tg


async def staff_says(tg: Harness, thread: int | None, text: str, who: dict = ANNA) -> None:
    await tg.send(tg.fake.user_message(who, chat_id=STAFF_CHAT, thread_id=thread, text=text))
    await tg.settle()


async def client_with_request(
    tg: Harness, name: str = "Layla", text: str = "Book a car tonight at 8"
) -> tuple:
    client = user(name, "en")
    await tg.send(tg.fake.user_message(client, text="/start"), tg.fake.user_message(client, text=text))
    await tg.settle()
    found = await tg.client_of(client)
    return client, reads.thread(found), found.id


async def paid_request(tg: Harness) -> tuple:
    client, thread, client_id = await client_with_request(tg)
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")
    await pay(tg, order_of(tg, quote_message(tg, client)))
    return client, thread, client_id


async def event_count(tg: Harness) -> int:
    return await reads.event_count(tg.store)


async def test_anonymous_is_sent_to_sign_in_and_acts_on_nothing(team: Harness) -> None:
    await client_with_request(team)
    anonymous = Console(team.http)
    for path in PAGES:
        response = await anonymous.get(path)
        if path.endswith((".part", "/live", ".csv")):
            assert response.status == 401, path
        else:
            assert response.status == 303 and response.headers["Location"] == "/console/sign-in", path
    before = await event_count(team)
    for path in ACTIONS:
        response = await anonymous.post(path, {"text": "hi", "csrf": "x", "action": "a" * 24}, csrf=False)
        assert response.status == 401, path
    assert await event_count(team) == before
    page = await anonymous.get("/console/sign-in")
    assert page.status == 200 and "/console" in await page.text()
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]


async def test_console_in_the_forum_sends_a_one_time_link_privately(team: Harness) -> None:
    tg = team
    await tg.send(tg.fake.user_message(ANNA, text="/start"))  # she opened her private chat with the bot
    await tg.settle()
    (welcome,) = tg.fake.bot_messages(9001)
    assert welcome["text"].startswith("Hello Anna") and "/console" in welcome["text"]
    assert await reads.clients(tg.store) == []  # an assistant is not a client
    await staff_says(tg, None, "/console")
    general = [m["text"] for m in tg.fake.chats[STAFF_CHAT].messages.values() if "text" in m]
    assert any("private chat" in text for text in general)
    message = tg.fake.bot_messages(9001)[-1]
    url = message["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert url.startswith("https://concierge.example/console/sign-in?t=") and url in message["text"]
    (stored,) = [d for d in await reads.deliveries(tg.store) if "sign_in" in d.payload]
    token = url.split("t=", 1)[1]
    assert token not in json.dumps(asdict(stored), default=str)  # the stored message holds only the nonce
    assert await tg.store.console.use_link(token, tg.clock.now()) is None  # only its digest is kept

    console = Console(tg.http)
    response = await console.open_link(url.removeprefix("https://concierge.example"))
    assert response.status == 303 and response.headers["Location"] == "/console/"
    cookie = console.set_cookie.lower()
    assert (
        "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie and "path=/console" in cookie
    )
    assert "max-age=43200" in cookie
    board = await console.get("/console/")
    assert board.status == 200 and "Anna" in await board.text()
    signed = [e async for e in tg.store.events.all() if e.type is EventType.CONSOLE_SIGNED_IN]
    assert [(e.actor.kind, e.actor.id) for e in signed] == [(ActorKind.ASSISTANT, "A-9001")]

    again = await Console(tg.http).open_link(url.removeprefix("https://concierge.example"))
    assert again.status == 403  # used once


async def test_expired_and_forged_links_are_refused(team: Harness) -> None:
    tg = team
    late = await link_for(tg, 9002)
    tg.clock.advance(minutes=10, seconds=1)
    assert (await Console(tg.http).open_link(late)).status == 403
    good = await link_for(tg, 9002)
    _nonce, mac = good.split("t=", 1)[1].split(".")
    forged = good.replace(mac, ("A" if mac[0] != "A" else "B") + mac[1:])
    response = await Console(tg.http).open_link(forged)
    assert response.status == 403 and "not valid" in await response.text()
    assert (await Console(tg.http).open_link(good)).status == 303


async def test_a_private_chat_the_bot_cannot_open_is_explained_in_the_forum(team: Harness) -> None:
    tg = team  # Omar never pressed Start in a private chat with the bot
    await staff_says(tg, None, "/console", OMAR)
    general = [m["text"] for m in tg.fake.chats[STAFF_CHAT].messages.values() if "text" in m]
    assert any("open a private chat with the bot, press Start" in text for text in general)


async def test_sign_in_attempts_are_rate_limited(team: Harness) -> None:
    tg = team
    console = Console(tg.http)
    for _ in range(10):
        response = await tg.http.post("/console/sign-in", data={"t": "x.y"}, allow_redirects=False)
        assert response.status == 403
    response = await tg.http.post("/console/sign-in", data={"t": "x.y"}, allow_redirects=False)
    assert response.status == 429
    assert (await console.open_link(await link_for(tg, 9001))).status == 303  # a good one is never refused
    tg.clock.advance(minutes=1)
    response = await tg.http.post("/console/sign-in", data={"t": "x.y"}, allow_redirects=False)
    assert response.status == 403


async def test_an_assistant_sees_only_their_own(team: Harness) -> None:
    tg = team
    _c, thread, client_id = await client_with_request(tg)  # Layla, assigned to the lead (Anna)? see below
    client = await q.client(tg.store, client_id)
    if client.assistant_id != "A-9001":
        await staff_says(tg, thread, "/assign Anna")
    omar = await signed_in(tg, 9002)
    assert (await omar.get(f"/console/clients/{client_id}")).status == 404
    assert (await omar.get("/console/requests/R-1001")).status == 404
    assert (await omar.get("/console/requests/R-1001/timeline.part")).status == 404
    board = await (await omar.get("/console/")).text()
    assert "R-1001" not in board
    found = await (await omar.post("/console/clients", {"q": "layla"})).text()
    assert "Layla" not in found
    before = await event_count(tg)
    reply = await omar.post("/console/requests/R-1001/reply", {"text": "hello"})
    assert reply.status == 404 and await event_count(tg) == before

    anna = await signed_in(tg, 9001)
    assert "R-1001" in await (await anna.get("/console/")).text()
    await staff_says(tg, thread, "/assign Omar")
    assert "R-1001" in await (await omar.get("/console/")).text()
    assert (await omar.get("/console/requests/R-1001")).status == 200


async def test_lead_actions_are_refused_to_an_assistant_and_change_nothing(team: Harness) -> None:
    tg = team
    _c, thread, client_id = await paid_request(tg)
    await staff_says(tg, thread, "/assign Omar")
    omar = await signed_in(tg, 9002)
    page = "/console/requests/R-1001"
    before = await event_count(tg)
    refunds = len(tg.cp.api_calls("payments/refund"))
    for path, data in [
        ("/console/requests/R-1001/refund", {"confirm": "yes"}),
        ("/console/requests/R-1001/command", {"name": "assign", "args": "Anna"}),
        (f"/console/clients/{client_id}/export", {}),
        ("/console/team/add", {"telegram_id": "9003", "name": "Eve", "languages": "en"}),
        ("/console/team/A-9001/deactivate", {}),
    ]:
        response = await omar.post(path, data, page)
        assert response.status == 403, path
    assert (await omar.get("/console/requests/R-1001/refund")).status == 403
    assert (await omar.get("/console/audit.json")).status == 403
    assert await event_count(tg) == before and len(tg.cp.api_calls("payments/refund")) == refunds


async def test_a_post_without_the_csrf_token_changes_nothing(team: Harness) -> None:
    tg = team
    await client_with_request(tg)
    anna = await signed_in(tg, 9001)
    other = await signed_in(tg, 9002)  # another session's token is no good either
    before = await event_count(tg)
    for data in ({"text": "hi", "action": "a" * 24}, {"text": "hi", "action": "a" * 24, "csrf": "forged"}):
        response = await anna.post("/console/requests/R-1001/reply", data, csrf=False)
        assert response.status == 403
    token, _ = await other.form("/console/")
    response = await anna.post("/console/requests/R-1001/reply", {"text": "hi", "csrf": token}, csrf=True)
    assert response.status == 403
    assert await event_count(tg) == before


async def test_deactivation_ends_a_live_session(team: Harness) -> None:
    tg = team
    omar = await signed_in(tg, 9002)
    assert (await omar.get("/console/")).status == 200
    await staff_admin.deactivate(tg.engine.deps, 9002)
    response = await omar.get("/console/")
    assert response.status == 303 and response.headers["Location"] == "/console/sign-in"
    assert (await omar.get("/console/board.part")).status == 401


async def test_sign_out_ends_the_session(team: Harness) -> None:
    anna = await signed_in(team, 9001)
    response = await anna.post("/console/sign-out", {})
    assert response.status == 303
    assert (await anna.get("/console/")).status == 303


async def test_reply_and_note_reach_the_client_and_the_topic_as_the_assistant(team: Harness) -> None:
    tg = team
    layla, thread, client_id = await client_with_request(tg)
    anna = await signed_in(tg, 9001)
    page = "/console/requests/R-1001"
    token, action = await anna.form(page)
    reply = {"text": "Your car is confirmed for 20:00.", "csrf": token, "action": action}
    assert (await anna.post(f"{page}/reply", reply)).status == 303
    assert (await anna.post(f"{page}/reply", reply)).status == 303  # the same form twice: once
    await tg.settle()
    assert [m["text"] for m in tg.to_user(layla)].count("Your car is confirmed for 20:00.") == 1
    assert any("(console) → client" in t and "confirmed for 20:00" in t for t in tg.topic_texts(thread))
    note = await anna.post(f"{page}/command", {"name": "note", "args": "prefers the Maybach"}, page)
    assert note.status == 303
    await tg.settle()
    assert any("📝 Anna (console): prefers the Maybach" in t for t in tg.topic_texts(thread))
    conversation = await tg.store.events.read(f"conversation:{client_id}")
    sent = [e for e in conversation if e.type in (EventType.STAFF_MESSAGE_SENT, EventType.NOTE_ADDED)]
    assert [(e.type, e.actor.id) for e in sent] == [
        (EventType.STAFF_MESSAGE_SENT, "A-9001"),
        (EventType.NOTE_ADDED, "A-9001"),
    ]
    assert all(e.cause.startswith("console:") for e in sent)
    timeline = await (await anna.get(f"{page}/timeline.part")).text()
    assert "Your car is confirmed" in timeline and "prefers the Maybach" in timeline
    assert 'dir="auto"' in timeline


async def test_progress_done_reassign_and_a_confirmed_refund(team: Harness) -> None:
    tg = team
    _layla, thread, client_id = await paid_request(tg)
    anna = await signed_in(tg, 9001)
    page = "/console/requests/R-1001"
    assert (await anna.post(f"{page}/command", {"name": "progress"}, page)).status == 303
    await tg.settle()
    assert any(t.startswith("▶️ R-1001 is in progress") for t in tg.topic_texts(thread))
    assert (await anna.post(f"{page}/command", {"name": "assign", "args": "Omar"}, page)).status == 303
    await tg.settle()
    assert any("is now with Omar" in t for t in tg.topic_texts(thread))
    assigned = [
        e for e in await tg.store.events.read(f"client:{client_id}") if e.type is EventType.CLIENT_ASSIGNED
    ]
    assert (assigned[-1].data["assistant_id"], assigned[-1].actor.id) == ("A-9002", "A-9001")

    assert (await anna.post(f"{page}/command", {"name": "done"}, page)).status == 303
    await tg.settle()
    assert any(t.startswith("🏁 R-1001 fulfilled") for t in tg.topic_texts(thread))
    confirm = await anna.get(f"{page}/refund")
    assert confirm.status == 200 and "45,000" in await confirm.text()
    unconfirmed = await anna.post(f"{page}/refund", {}, f"{page}/refund")
    assert unconfirmed.status == 400 and not tg.cp.api_calls("payments/refund")
    token, action = await anna.form(f"{page}/refund")
    form = {"confirm": "yes", "csrf": token, "action": action}
    refunded = await anna.post(f"{page}/refund", form)
    assert refunded.status == 303, re.findall(r'<p dir="auto">(.*?)</p>', await refunded.text())
    assert (await anna.post(f"{page}/refund", form)).status in (303, 400)  # sent twice: refunded once
    await tg.settle()
    assert len(tg.cp.api_calls("payments/refund")) == 1
    request = await q.request(tg.store, "R-1001")
    assert request.state == "refunded"
    refunded = [
        e for e in await tg.store.events.read("request:R-1001") if e.type is EventType.REQUEST_REFUNDED
    ]
    assert len(refunded) == 1
    commands = [
        e
        for e in await tg.store.events.read(f"conversation:{client_id}")
        if e.type is EventType.STAFF_COMMAND_ISSUED and e.data.get("via") == "console"
    ]
    assert {(e.data["command"], e.actor.id, e.data["request_id"]) for e in commands} >= {
        ("progress", "A-9001", "R-1001"),
        ("assign", "A-9001", "R-1001"),
        ("refund", "A-9001", "R-1001"),
    }


async def test_a_refund_is_recorded_when_the_request_moved_on_while_the_bank_answered(
    team: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in the browser journey: the request's card was posted again (an event of the request) right
    after the refund was read back, and the lead got 400 "moved past" for money that had moved. Now the
    refund is decided again on the request as it is, and recorded."""
    tg = team
    _layla, thread, _client_id = await paid_request(tg)
    anna = await signed_in(tg, 9001)
    page = "/console/requests/R-1001"
    payments = tg.engine.deps.payments
    bank_refund, read = type(payments).refund, q.request
    refunded_by_the_bank: list[bool] = []

    async def refund(self, **asked):
        refunded_by_the_bank.append(True)
        return await bank_refund(self, **asked)

    async def read_then_the_card_is_posted(store, request_id):
        found = await read(store, request_id)
        if refunded_by_the_bank and len(refunded_by_the_bank) == 1:
            refunded_by_the_bank.append(True)  # once: the next read sees the log as it is
            await tg.engine.deps.record(
                "request:R-1001",
                EventType.REQUEST_CARD_POSTED,
                {"message_id": 777, "generation": 1},
                Actor(ActorKind.SYSTEM, "concierge"),
                "card:R-1001/1/777",
            )
        return found

    monkeypatch.setattr(type(payments), "refund", refund)
    monkeypatch.setattr(q, "request", read_then_the_card_is_posted)
    token, action = await anna.form(f"{page}/refund")
    refunded = await anna.post(f"{page}/refund", {"confirm": "yes", "csrf": token, "action": action})
    assert refunded.status == 303, re.findall(r'<p dir="auto">(.*?)</p>', await refunded.text())
    await tg.settle()
    assert (await q.request(tg.store, "R-1001")).state == "refunded"
    events = await tg.store.events.read("request:R-1001")
    refunded = next(i for i, e in enumerate(events) if e.type is EventType.REQUEST_REFUNDED)
    # behind the card posted meanwhile (777 is not in the forum, so that card is posted again after)
    assert events[refunded - 1].type is EventType.REQUEST_CARD_POSTED
    assert events[refunded - 1].data["message_id"] == 777
    assert any("refunded" in t.lower() for t in tg.topic_texts(thread))


async def test_money_is_credited_to_whoever_sent_the_quote_on_every_page_after_a_reassignment(
    team: Harness,
) -> None:
    tg = team
    start = tg.clock.now()
    layla, thread, _ = await client_with_request(tg)
    await staff_says(tg, thread, "/quote 33000 RUB Dinner at Twins Garden")  # Anna quotes
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    await staff_says(tg, thread, "/assign Omar")  # then the client is Omar's
    anna, omar = await signed_in(tg, 9001), await signed_in(tg, 9002)
    for who, shown in (("A-9001", True), ("A-9002", False)):
        page = await (await anna.get(f"/console/payments?days=7&assistant={who}")).text()
        assert ("R-1001" in page) is shown and ("33,000" in page) is shown
    rows = (await (await anna.get("/console/payments.csv?days=7")).text()).strip().splitlines()
    assert ",payment,R-1001,Layla,Anna," in rows[1]
    assert "R-1001" not in await (await omar.get("/console/payments?days=7")).text()
    figures = await kpis.report(
        tg.store,
        start,
        tg.clock.now() + timedelta(seconds=1),
        tg.engine.deps.policy.promises,
        tg.engine.deps.policy.tz,
    )
    revenue = {row.name: row.figures["revenue"] for row in figures}
    assert revenue["Anna"] == {"RUB": 3_300_000} and not revenue.get("Omar")


async def test_a_refusal_is_shown_and_told_in_the_topic(team: Harness) -> None:
    tg = team
    _layla, thread, _ = await client_with_request(tg)
    anna = await signed_in(tg, 9001)
    response = await anna.post(
        "/console/requests/R-1001/command", {"name": "done"}, "/console/requests/R-1001"
    )
    assert response.status == 400 and "R-1001 is new" in await response.text()
    await tg.settle()
    assert any("⚠️ R-1001 is new" in t for t in tg.topic_texts(thread))


async def test_tags_and_preferences_are_kept_and_shown_on_the_pinned_card(team: Harness) -> None:
    tg = team
    _layla, _thread, client_id = await client_with_request(tg)
    anna = await signed_in(tg, 9001)
    page = f"/console/clients/{client_id}"
    data = {"tags": "VIP, gold", "preferences": "halal only;  Maybach; no calls after 22:00"}
    assert (await anna.post(f"{page}/profile", data, page)).status == 303
    await tg.settle()
    client = await q.client(tg.store, client_id)
    assert client.tags == ("gold", "vip")
    assert client.preferences == "halal only; Maybach; no calls after 22:00"
    chat = tg.fake.chats[STAFF_CHAT]
    card = chat.messages[max(chat.pinned)]["text"]
    assert "VIP" in card and "⭐ halal only; Maybach; no calls after 22:00" in card
    bad = await anna.post(f"{page}/profile", {"tags": "<script>", "preferences": ""}, page)
    assert bad.status == 400
    found = await (await anna.post("/console/clients", {"q": "gold"})).text()
    assert client_id in found
    found = await (await anna.post("/console/clients", {"q": "@nobody"})).text()
    assert client_id not in found


async def test_a_clients_channels_and_language_read_as_on_the_pinned_card(team: Harness) -> None:
    """The clients list, a client's and a request's page showed 'telegram' and 'en' to a Russian lead."""
    tg = team
    await staff_admin.add(tg.engine.deps, 9003, "Irina", "ru,en", lead=True, ui_language="ru")
    _layla, _thread, client_id = await client_with_request(tg)
    irina = await signed_in(tg, 9003)
    for page in ("/console/clients", f"/console/clients/{client_id}", "/console/requests/R-1001"):
        text = await (await irina.get(page)).text()
        assert "английский" in text and ">en<" not in text, page
        assert page.endswith("R-1001") or ("Telegram" in text and ">telegram<" not in text), page


async def test_export_of_a_clients_history_is_recorded(team: Harness) -> None:
    tg = team
    _layla, _thread, client_id = await paid_request(tg)
    anna = await signed_in(tg, 9001)
    page = f"/console/clients/{client_id}"
    response = await anna.post(f"{page}/export", {}, page)
    assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
    history = json.loads(await response.text())
    types = [e["type"] for e in history["events"]]
    assert "MessageReceived" in types and "RequestPaid" in types and history["client"]["_id"] == client_id
    assert "tk_70000001" not in json.dumps(history)  # a saved card's charge token is not exported
    exported = [e async for e in tg.store.events.all() if e.type is EventType.CLIENT_DATA_EXPORTED]
    assert [(e.actor.id, e.data["client_id"]) for e in exported] == [("A-9001", client_id)]


async def test_team_payments_and_activity_pages(team: Harness) -> None:
    tg = team
    await paid_request(tg)
    anna = await signed_in(tg, 9001)
    team_page = await (await anna.get("/console/team?period=7d")).text()
    assert "<svg" in team_page and "Omar" in team_page and "on duty" in team_page
    # remembered, to be made ready again when a day is kept (engine/clock/kpis.py `warm`)
    assert tg.store.kpi_days.runs.asked_since(tg.clock.now() - timedelta(minutes=1)) == [("team", "7d")]
    payments = await (await anna.get("/console/payments?days=7")).text()
    assert "R-1001" in payments and "45,000" in payments
    csv_text = await (await anna.get("/console/payments.csv?days=7")).text()
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("time_utc,kind,request") and ",payment,R-1001," in lines[1]
    assert ",45000.00,RUB," in lines[1]
    activity = await (await anna.get("/console/activity")).text()
    assert "paid RUB" in activity
    audit = await (await anna.get("/console/audit.json")).json()
    assert audit["intact"] is True and audit["events"] > 10
    added = await anna.post(
        "/console/team/add",
        {"telegram_id": "9003", "name": "Irina", "languages": "ru,en", "ui_language": "ru"},
        "/console/team",
    )
    assert added.status == 303
    irina = await q.assistant_by_telegram_id(tg.store, 9003)
    assert irina.ui_language == "ru"
    ru = await signed_in(tg, 9003)
    assert "Доска" in await (await ru.get("/console/")).text()
    to_english = await ru.post("/console/language", {"ui_language": "en", "back": "/console/team"})
    assert to_english.status == 303 and to_english.headers["Location"] == "/console/team"
    assert "Board" in await (await ru.get("/console/")).text()


async def _events_from(response, wanted: int, within: float = 5.0) -> list[dict]:
    """Read SSE `log` events from a live response until `wanted` arrived."""
    found, buffer = [], ""
    async with asyncio.timeout(within):
        while len(found) < wanted:
            chunk = await response.content.readany()
            if not chunk:
                break
            buffer += chunk.decode()
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
                if fields.get("event") == "log":
                    found.append({**json.loads(fields["data"]), "sse_id": fields["id"]})
    return found


async def test_live_events_reach_an_open_tab_and_a_reconnecting_one_resumes(team: Harness) -> None:
    tg = team
    anna = await signed_in(tg, 9001)
    tab = await anna.get("/console/live")
    assert tab.status == 200 and tab.headers["Content-Type"].startswith("text/event-stream")
    layla = user("Layla", "en")
    await tg.send(
        tg.fake.user_message(layla, text="/start"), tg.fake.user_message(layla, text="A car at 8 please")
    )
    await tg.settle()
    seen = await _events_from(tab, 4)
    assert any(e["type"] == "MessageReceived" and e["line"].endswith("A car at 8 please") for e in seen)
    tab.close()
    resumed = await anna.get("/console/live", **{"Last-Event-ID": seen[0]["sse_id"]})
    replayed = await _events_from(resumed, len(seen) - 1)
    # everything it had after that one again (a window: the page drops ids it has), never that one itself
    assert {e["id"] for e in seen[1:]} <= {e["id"] for e in replayed}
    assert seen[0]["id"] not in {e["id"] for e in replayed}
    resumed.close()


async def test_what_a_tab_was_sent_meanwhile_goes_out_in_order_and_a_close_after_it(team: Harness) -> None:
    """The stream writes what is queued for its tab by the time it writes (a burst of events in one write):
    all of it, in order, and a close queued behind ends the stream only after it."""
    tg = team
    anna = await signed_in(tg, 9001)
    stream = await anna.get("/console/live")
    assert await stream.content.readuntil(b"\n\n") == b"retry: 2000\n\n"
    (tab,) = tg.app[LIVE]._tabs
    for n in range(3):
        tab.queue.put_nowait(f"event: log\ndata: {n}\n\n")
    tab.queue.put_nowait(None)  # (the service stopping, or the viewer deactivated)
    body = await asyncio.wait_for(stream.content.read(), 10)
    assert body == b"event: log\ndata: 0\n\nevent: log\ndata: 1\n\nevent: log\ndata: 2\n\n"
    assert not tg.app[LIVE]._tabs


async def test_open_tabs_are_kept_alive_by_the_reader_and_a_signed_out_ones_stream_ends(
    team: Harness, monkeypatch
) -> None:
    """Every open tab is sent a keep-alive by the live reader (one timer for all tabs, none a message): it is
    written, and the stream of a session that ended meanwhile (signed out) ends at it."""
    from bot.console import live
    from engine.team.sign_in import digest

    tg = team
    anna, omar = await signed_in(tg, 9001), await signed_in(tg, 9002)
    kept, ended = await anna.get("/console/live"), await omar.get("/console/live")
    for stream in (kept, ended):
        assert await stream.content.readuntil(b"\n\n") == b"retry: 2000\n\n"
    await tg.store.console.end_session(digest(omar.cookie), tg.clock.now())  # (ended meanwhile: signed out)
    monkeypatch.setattr(live, "KEEPALIVE", 0.0)  # (due at the reader's next look)
    tg.app[LIVE].wake()

    async def keep_alive() -> None:
        while await kept.content.readuntil(b"\n\n") != b": keep-alive\n\n":
            pass  # (lines of events before it)

    await asyncio.wait_for(keep_alive(), 10)
    ended_with = await asyncio.wait_for(ended.content.read(), 10)  # (to its end: the stream closed)
    assert b"keep-alive" not in ended_with  # (ended at it, not written)
    assert [tab.viewer.id for tab in tg.app[LIVE]._tabs] == ["A-9001"]
    kept.close()


async def test_a_tabs_events_never_wait_for_the_keep_alives_look_at_its_session(
    team: Harness, monkeypatch
) -> None:
    """The keep-alive's look at the sessions is the live reader's, beside its fan-out, once a session
    however many tabs it has open: an event reaches the tabs while that look is held, and the keep-alive
    follows it. (Each stream looked at its own session at the keep-alive: 200 tabs, 400 reads at once, and
    every tab's next event waited behind its own — README, goal 4.)"""
    from bot.console import live

    tg = team
    anna = await signed_in(tg, 9001)
    streams = [await anna.get("/console/live") for _ in range(3)]  # (three tabs of one session)
    for stream in streams:
        assert await stream.content.readuntil(b"\n\n") == b"retry: 2000\n\n"
    console, looked, asked, held = tg.store.console, [], asyncio.Event(), asyncio.Event()
    session = console.session

    async def held_session(key, now):  # (the store's answer, held until the test lets it go)
        looked.append(key)
        asked.set()
        await held.wait()
        return await session(key, now)

    monkeypatch.setattr(console, "session", held_session)
    monkeypatch.setattr(live, "KEEPALIVE", 0.0)  # (due at the reader's next look)
    tg.app[LIVE].wake()
    await asyncio.wait_for(asked.wait(), 10)
    monkeypatch.setattr(live, "KEEPALIVE", 3600.0)  # (that one keep-alive only)
    layla = user("Layla", "en")
    await tg.send(tg.fake.user_message(layla, text="/start"), tg.fake.user_message(layla, text="A car at 8"))
    await tg.settle()

    async def until(stream, block: bytes) -> None:
        while block not in await stream.content.readuntil(b"\n\n"):
            pass  # (lines of other events before it)

    for stream in streams:  # while the look at their session is still held
        await asyncio.wait_for(until(stream, b"A car at 8"), 10)
    held.set()
    for stream in streams:
        await asyncio.wait_for(until(stream, b": keep-alive\n\n"), 10)
        stream.close()
    assert len(looked) == 1  # the session looked at once for its three tabs


async def test_the_hub_fans_out_only_what_each_viewer_may_see(team: Harness) -> None:
    tg = team
    hub = tg.app[LIVE]
    anna, omar = await q.assistant(tg.store, "A-9001"), await q.assistant(tg.store, "A-9002")
    lead_tab, omar_tab = hub.subscribe(anna), hub.subscribe(omar)

    def drain(tab) -> list[str]:
        return [tab.queue.get_nowait() for _ in range(tab.queue.qsize())]

    layla, thread, client_id = await client_with_request(tg)
    await staff_says(tg, thread, "/assign Anna")
    await hub.read_once()
    drain(lead_tab), drain(omar_tab)
    await tg.send(tg.fake.user_message(layla, text="one more thing"))
    await tg.settle()
    await hub.read_once()
    assert any("one more thing" in m for m in drain(lead_tab))
    assert not any(client_id in m for m in drain(omar_tab))  # the lead's client: not Omar's to see
    await staff_says(tg, thread, "/assign Omar")
    await tg.send(tg.fake.user_message(layla, text="and water in the car"))
    await tg.settle()
    await hub.read_once()
    assert any("water in the car" in m for m in drain(omar_tab))
    await staff_admin.deactivate(tg.engine.deps, 9002)
    await hub.read_once()
    assert None in drain(omar_tab)  # his tab is closed at once


async def test_a_tab_is_told_what_to_notify_its_viewer_of(team: Harness) -> None:
    """A client of theirs wrote (never a command); for leads, an escalation: the stream marks those events
    with a notification in the viewer's language; every other event has none."""
    tg = team
    hub = tg.app[LIVE]
    anna, omar = await q.assistant(tg.store, "A-9001"), await q.assistant(tg.store, "A-9002")
    lead_tab, omar_tab = hub.subscribe(anna), hub.subscribe(omar)

    def notices(tab) -> list[dict]:
        items = [
            json.loads(m.split("data: ", 1)[1])
            for m in [tab.queue.get_nowait() for _ in range(tab.queue.qsize())]
        ]
        return [item["notify"] for item in items if "notify" in item]

    layla, thread, client_id = await client_with_request(tg)
    await staff_says(tg, thread, "/assign Omar")
    await hub.read_once()
    notices(lead_tab), notices(omar_tab)
    await tg.send(tg.fake.user_message(layla, text="and water in the car"))
    await tg.send(tg.fake.user_message(layla, text="/start"))
    await tg.settle()
    await hub.read_once()
    assert notices(omar_tab) == [
        {"title": "💬 Layla", "body": "and water in the car", "url": f"/console/clients/{client_id}"}
    ]
    assert notices(lead_tab) == []  # a lead hears of their own clients' messages, and of escalations
    for _ in range(3):  # nobody answers: reminded, then escalated to the leads
        tg.clock.advance(minutes=15, seconds=30)
        await tg.engine.clock_runner.run_once()
        await tg.settle()
    await hub.read_once()
    escalated = notices(lead_tab)
    assert escalated and escalated[0]["title"] == "⚠️ Escalated: Layla is still waiting"
    assert not [n for n in notices(omar_tab) if n["title"].startswith("⚠️")]


async def test_stopping_the_service_ends_every_live_stream(team: Harness) -> None:
    tg = team
    hub = tg.app[LIVE]
    anna = await q.assistant(tg.store, "A-9001")
    tabs = [hub.subscribe(anna) for _ in range(3)]
    for callback in tg.app.on_shutdown:
        await callback(tg.app)
    assert all(tab.queue.get_nowait() is None for tab in tabs)
