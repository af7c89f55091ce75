"""Sign-in under attack: junk links from one address (or from everyone, behind a proxy) never turn a validly
signed link away; forged ones are limited per address and in all."""

import pytest

from bot.keys import SETTINGS
from domain.errors import InvalidValue
from engine.team import sign_in
from tests.console_client import Console, link_for
from tests.harness import Harness


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    return tg


async def junk(tg: Harness) -> int:
    response = await tg.http.post("/console/sign-in", data={"t": "x.y"}, allow_redirects=False)
    return response.status


async def test_junk_from_one_address_is_limited_but_a_good_link_from_it_still_signs_in(team: Harness) -> None:
    tg = team
    assert [await junk(tg) for _ in range(10)] == [403] * 10
    assert await junk(tg) == 429
    assert (await Console(tg.http).open_link(await link_for(tg, 9001))).status == 303
    assert await junk(tg) == 429  # the good link did not clear the address's count
    tg.clock.advance(minutes=1)
    assert await junk(tg) == 403


async def test_good_links_are_not_counted(team: Harness) -> None:
    tg = team
    for _ in range(12):
        assert (await Console(tg.http).open_link(await link_for(tg, 9001))).status == 303
    assert await junk(tg) == 403


async def test_forged_links_from_many_addresses_are_limited_in_all_but_never_a_good_one(
    team: Harness,
) -> None:
    tg = team
    deps = tg.engine.deps
    for n in range(sign_in.FORGED_PER_MINUTE):
        with pytest.raises(InvalidValue) as refused:
            await sign_in.open_link(deps, "x.y", f"address-{n}")
        assert not isinstance(refused.value, sign_in.TooManyAttempts)
    with pytest.raises(sign_in.TooManyAttempts):
        await sign_in.open_link(deps, "x.y", "a-new-address")
    path = await link_for(tg, 9001)
    session, assistant = await sign_in.open_link(deps, path.split("t=", 1)[1], "a-new-address")
    assert session and assistant.name == "Anna"


async def junk_from(tg: Harness, forwarded_for: str) -> int:
    response = await tg.http.post(
        "/console/sign-in",
        data={"t": "x.y"},
        headers={"X-Forwarded-For": forwarded_for},
        allow_redirects=False,
    )
    return response.status


async def test_behind_a_trusted_proxy_each_client_has_its_own_limit(team: Harness) -> None:
    tg = team
    tg.app[SETTINGS].http.trusted_proxies = "127.0.0.1, ::1"  # the proxy is the test client
    assert [await junk_from(tg, "203.0.113.5") for _ in range(10)] == [403] * 10
    assert await junk_from(tg, "203.0.113.5") == 429
    assert await junk_from(tg, "203.0.113.6") == 403  # another client behind the same proxy
    # what the client writes into the header itself stands to the left of what the proxy adds
    assert await junk_from(tg, "198.51.100.1, 203.0.113.5") == 429


async def test_without_a_trusted_proxy_x_forwarded_for_is_not_believed(team: Harness) -> None:
    tg = team
    assert [await junk_from(tg, f"203.0.113.{n}") for n in range(10)] == [403] * 10
    assert await junk_from(tg, "203.0.113.99") == 429  # all from one peer, whatever the header says


@pytest.mark.parametrize(
    ("accept", "title", "lang"),
    [
        ("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "Вход в консоль", "ru"),
        ("en-GB,en;q=0.9,ru;q=0.8", "Sign in to the console", "en"),
        ("ar-AE,ar;q=0.9,ru;q=0.5", "Вход в консоль", "ru"),  # (no Arabic console: their next choice)
        ("de-DE,ru;q=0,fr;q=0.5", "Sign in to the console", "en"),  # (q=0: not wanted)
        ("ru;q=abc, de, " * 200, "Sign in to the console", "en"),  # (junk, read only so far)
        ("", "Sign in to the console", "en"),
    ],
)
async def test_the_sign_in_page_speaks_the_browser_s_language_before_anyone_is_known(
    team: Harness, accept: str, title: str, lang: str
) -> None:
    """Nobody is signed in yet, so the page cannot know the assistant: it reads as their browser asks."""
    headers = {"Accept-Language": accept} if accept else {}
    response = await team.http.get("/console/sign-in", headers=headers)
    html = await response.text()
    assert response.status == 200 and f"<h1>{title}</h1>" in html and f'<html lang="{lang}">' in html
    refused = await team.http.post("/console/sign-in", data={"t": "x.y"}, headers=headers)
    assert title in await refused.text()  # (a refused link's page, too)
