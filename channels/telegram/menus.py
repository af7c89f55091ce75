"""The command menus Telegram shows (setMyCommands): clients' private chats in each of their languages,
and each staff forum with every staff command."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat

from domain.clients import Language

CLIENT_COMMANDS = ("start", "app", "language", "help")
Translate = Callable[..., str]


def all_menus(
    t: Translate, staff_chats: list[int], staff_commands: dict[str | None, list[tuple[str, str]]]
) -> Iterator[tuple[object, str | None, list[BotCommand]]]:
    """(scope, language code or None for the default, commands); `staff_commands`: per language code (None:
    the default), (name, one line) — a staff member sees the menu of their Telegram app's language."""
    private = BotCommandScopeAllPrivateChats()
    for language in (None, *Language):
        commands = [BotCommand(command=c, description=t(language, f"command-{c}")) for c in CLIENT_COMMANDS]
        yield private, language.value if language else None, commands
    for chat in staff_chats:
        for language, named in staff_commands.items():
            staff = [BotCommand(command=name, description=text[:256]) for name, text in named]
            yield BotCommandScopeChat(chat_id=chat), language, staff
