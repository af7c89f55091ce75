"""The console's event lines: every event type reads as a sentence in English and Russian, and the pages
that show them (activity, a request's timeline) hold up whatever a client did."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape

from tests import reads
from tests.console_client import signed_in
from tests.harness import Harness
from tests.telegram.test_console import _events_from, client_with_request


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "en,ar")
    return tg


async def test_a_client_who_changed_language_does_not_break_the_activity_or_their_request(
    team: Harness,
) -> None:
    tg = team
    client, _thread, _client_id = await client_with_request(tg)
    await tg.send(tg.fake.user_message(client, text="/language"))
    await tg.settle()
    question = tg.to_user(client)[-1]
    await tg.send(tg.fake.callback(client, question["message_id"], "lang:ru"))
    await tg.settle()
    anna = await signed_in(tg, 9001)
    activity = await anna.get("/console/activity")
    assert activity.status == 200
    assert "language: Russian" in await activity.text()
    request = await anna.get("/console/requests/R-1001")
    assert request.status == 200


async def test_a_live_line_reads_as_the_same_line_after_a_reload(team: Harness) -> None:
    tg = team
    anna = await signed_in(tg, 9001)
    tab = await anna.get("/console/live")
    await client_with_request(tg)
    live = await _events_from(tab, 4)
    tab.close()
    page = await (await anna.get("/console/activity")).text()
    for item in live:
        moscow = datetime.fromisoformat(item["at"]).astimezone(ZoneInfo("Europe/Moscow"))
        assert item["time"] == moscow.strftime("%d %b %H:%M:%S")  # the business time zone, with the date
        shown = f'{item["time"]}</time> <span class="who">{escape(item["actor"])}</span>'
        assert shown in page, item
        assert f'<span class="what" dir="auto">{escape(item["line"])}</span>' in page


async def test_the_audit_badge_says_what_its_numbers_are(team: Harness) -> None:
    tg = team
    await client_with_request(tg)
    anna = await signed_in(tg, 9001)
    audit = await (await anna.get("/console/audit.json")).json()
    events, streams = audit["events"], audit["streams"]
    assert audit["summary"] == f"✅ Audit chain intact: {events} events in {streams} streams checked"
    await anna.post("/console/language", {"ui_language": "ru", "back": "/console/activity"})
    audit = await (await anna.get("/console/audit.json")).json()
    events, streams = audit["events"], audit["streams"]
    assert audit["summary"] == f"✅ Цепочка аудита цела: проверено событий — {events}, потоков — {streams}"


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize("body", [b"t=\xff", b"t=%FF"])
async def test_a_sign_in_form_that_is_not_utf8_is_refused_plainly(team: Harness, body: bytes) -> None:
    response = await team.http.post("/console/sign-in", data=body, headers=FORM, allow_redirects=False)
    assert response.status == 400
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("field", [b"q=\xff", b"q=%FF", b"tags=%C3%28"])
async def test_a_console_form_that_is_not_utf8_is_refused_and_changes_nothing(
    team: Harness, field: bytes
) -> None:
    tg = team
    _client, _thread, client_id = await client_with_request(tg)
    anna = await signed_in(tg, 9001)
    token, action = await anna.form(f"/console/clients/{client_id}")
    before = await reads.event_count(tg.store)
    body = field + f"&csrf={token}&action={action}".encode()
    for path in ("/console/clients", f"/console/clients/{client_id}/profile"):
        response = await tg.http.post(path, data=body, headers=FORM | anna.headers, allow_redirects=False)
        assert response.status == 400, path
    assert await reads.event_count(tg.store) == before
