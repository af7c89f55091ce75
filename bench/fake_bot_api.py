"""The fake Bot API (sandbox/telegram.py, enforcing Telegram's limits in real time) as a process of its own,
for the benchmarks that run the service, the fake and the load generator apart. `GET /_calls?since=N` lists
what the bot called from the N-th call on (method, time, chat, thread, text, ok).

    .venv/bin/python bench/fake_bot_api.py --port 8081
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from domain.clock import SystemClock
from sandbox.telegram import FakeTelegram
from tests.harness import STAFF_CHAT, TOKEN


def app() -> web.Application:
    telegram = FakeTelegram(TOKEN, SystemClock())
    telegram.forum(STAFF_CHAT)
    served = telegram.app()

    async def calls(request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        return web.json_response(
            [
                {
                    "method": c.method,
                    "at": c.at.timestamp(),
                    "chat_id": c.params.get("chat_id"),
                    "thread": c.params.get("message_thread_id"),
                    "text": c.params.get("text"),
                    "ok": c.ok,
                }
                for c in telegram.calls[since:]
            ]
        )

    served.router.add_get("/_calls", calls)
    return served


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    web.run_app(app(), host="127.0.0.1", port=parser.parse_args().port, print=None)
