"""Telegram: aiogram routers for the client chat and the staff forum, and the rate-limited sender."""
