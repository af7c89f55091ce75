"""The client's page (the Mini App) on a phone: how soon it paints, and the server's time per page.

A sandbox service runs as a process (as `make run` starts it) with Layla, who has written /start and opened a
few requests. For `--runs` cold starts (a fresh browser context each: no cache), Debian's Chromium opens the
Mini App as Telegram does (launch parameters in the fragment, initData signed with the bot's token) on a
390×844 screen, with the CPU slowed `--cpu` times (Chrome's own throttling; a mid-range phone ≈ 4), and
measures:
first contentful paint (the shell, before the script has asked Telegram who is there), and the moment the
client's own page is in place (`concierge-page`: initData sent, checked, the page rendered and swapped in).
Then the server's time for each page with the client's initData, `--reads` times.

    .venv/bin/python bench/miniapp.py --runs 10 --cpu 4 --reads 200
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.integration.test_sandbox_restart import running_sandbox
from tests.integration.test_service_process import free_port

PAGES = ("/app/", "/app/requests", "/app/new", "/app/preferences", "/app/history")
ASKS = (
    "A car tonight at 8 from the Ritz",
    "A table for four at White Rabbit tomorrow at 9pm",
    "Bolshoi tickets",
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def seed(base: str) -> str:
    async with aiohttp.ClientSession() as http:
        for text in ("/start", *ASKS):
            await http.post(
                f"{base}/sandbox/api/phone", json={"persona": "layla", "channel": "telegram", "text": text}
            )
            await asyncio.sleep(1.5)  # (the sandbox keeps Telegram's pace: one message a second into a chat)
        async with http.get(f"{base}/sandbox/api/webapp?persona=layla") as response:
            return (await response.json())["url"]


async def paints(url: str, runs: int, cpu: float) -> tuple[list[float], list[float]]:
    from playwright.async_api import async_playwright

    first, ready = [], []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for _ in range(runs):
            context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
            page = await context.new_page()
            cdp = await context.new_cdp_session(page)
            await cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
            await page.goto(url)
            await page.locator("h2").wait_for()
            fcp = await page.evaluate(
                "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1"
            )
            mark = await page.evaluate("performance.getEntriesByName('concierge-page')[0]?.startTime ?? -1")
            first.append(fcp)
            ready.append(mark)
            await context.close()
        await browser.close()
    return first, ready


async def server_times(base: str, url: str, reads: int) -> dict[str, list[float]]:
    init_data = parse_qs(urlsplit(url).fragment)["tgWebAppData"][0]
    headers = {"Authorization": f"tma {init_data}", "X-Concierge-App": "1"}
    times: dict[str, list[float]] = {p: [] for p in PAGES}
    async with aiohttp.ClientSession(headers=headers) as http:
        for _ in range(reads):
            for path in PAGES:
                start = time.perf_counter()
                async with http.get(f"{base}{path}") as response:
                    await response.read()
                    assert response.status == 200, (path, response.status)
                times[path].append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--cpu", type=float, default=4.0)
    parser.add_argument("--reads", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        with running_sandbox(data, free_port(), data / "service.log") as base:
            url = asyncio.run(seed(base))
            first, ready = asyncio.run(paints(url, args.runs, args.cpu))
            times = asyncio.run(server_times(base, url, args.reads))
    print(f"Mini App cold start, 390x844, CPU slowed {args.cpu:g}x, {args.runs} runs:")
    for name, values in (
        ("first contentful paint (the shell)", first),
        ("the client's page in place", ready),
    ):
        p50, p95 = statistics.median(values), pct(values, 0.95)
        print(f"  {name:<36} p50 {p50:6.0f} ms   p95 {p95:6.0f} ms")
    print(f"Server time per page (loopback, {args.reads} reads each):")
    for path, values in times.items():
        print(f"  {path:<18} p50 {statistics.median(values):5.1f} ms   p99 {pct(values, 0.99):5.1f} ms")


if __name__ == "__main__":
    main()
