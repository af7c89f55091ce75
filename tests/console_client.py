"""A person at the staff console, through the service's real HTTP routes: signs in by a one-time link and
keeps their own session cookie (so a lead and an assistant can act side by side in one test)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from engine import queries as q
from engine.team import sign_in
from tests.harness import Harness

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
ACTION = re.compile(r'name="action" value="([^"]+)"')


async def link_for(h: Harness, telegram_id: int) -> str:
    """The path of a fresh one-time link, as `concierge console-link` makes it."""
    assistant = await q.staff_member(h.store, telegram_id)
    _nonce, url = await sign_in.issue(h.engine.deps, assistant)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@dataclass
class Console:
    http: TestClient
    cookie: str = ""
    set_cookie: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"concierge_session={self.cookie}"} if self.cookie else {}

    async def open_link(self, path: str) -> ClientResponse:
        """What a browser does with the link: the page, then its (auto-submitted) form."""
        page = await self.http.get(path, allow_redirects=False)
        if page.status != 200:
            return page
        token = re.search(r'name="t" value="([^"]+)"', await page.text())
        response = await self.http.post(
            "/console/sign-in", data={"t": token[1] if token else ""}, allow_redirects=False
        )
        self.http.session.cookie_jar.clear()  # each Console keeps its own cookie
        if response.status == 303 and "Set-Cookie" in response.headers:
            self.set_cookie = response.headers["Set-Cookie"]
            self.cookie = SimpleCookie(self.set_cookie)["concierge_session"].value
        return response

    async def get(self, path: str, **headers: str) -> ClientResponse:
        return await self.http.get(path, headers=self.headers | headers, allow_redirects=False)

    async def form(self, page: str) -> tuple[str, str]:
        """The CSRF token and a form id from a page (as the browser would send them)."""
        text = await (await self.get(page)).text()
        return CSRF.search(text)[1], ACTION.search(text)[1]

    async def post(self, path: str, data: dict, page: str | None = None, csrf: bool = True) -> ClientResponse:
        data = dict(data)
        if csrf:
            token, action = await self.form(page or "/console/")
            data.setdefault("csrf", token)
            data.setdefault("action", action)
        return await self.http.post(path, data=data, headers=self.headers, allow_redirects=False)


async def signed_in(h: Harness, telegram_id: int) -> Console:
    console = Console(h.http)
    response = await console.open_link(await link_for(h, telegram_id))
    assert response.status == 303, await response.text()
    return console
