from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer


def make_bot(token: str, api_base: str, timeout: float = 30.0) -> Bot:
    """A Bot on the given Bot API server (Telegram's, a self-hosted one, or a local fake in tests)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base), timeout=timeout)
    return Bot(token, session=session)
