"""Typed application keys for the resources create_app wires."""

from aiohttp import web

from bot.settings import Settings
from domain.clock import Clock
from storage.store import Store

SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", Clock)
STORE = web.AppKey("store", Store)
