"""Typed keys of the console."""

from aiohttp import web

from bot.console.live import LiveLog
from engine.team.sign_in import Session

LIVE = web.AppKey("console_live", LiveLog)
SESSION = web.RequestKey("console_session", Session)
