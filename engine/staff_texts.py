"""A staff text in the assistant's interface language (`--ui-language`, or chosen in the console)."""

from __future__ import annotations

from typing import Any

from domain.clients import Assistant
from engine.i18n import staff_translator


def st(assistant: Assistant | None, message_id: str, **args: Any) -> str:
    return staff_translator()(assistant.ui_language if assistant else "en", message_id, **args)
