"""Staff-facing texts in the reader's interface language (`--ui-language`, or chosen in the console): a
client's topic speaks the language of the assistant the client is with, ⚠️ Escalations the leads' (English
unless they all chose another), a command's answer the language of whoever typed it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from babel.dates import format_datetime

from domain import formats
from domain.clients import Assistant, Client
from domain.lifecycle import RequestState
from domain.money import Money
from engine import queries as q
from engine.deps import Deps
from engine.i18n import staff_translator

StaffText = Callable[..., str]
Text = str | Callable[[StaffText], str]  # a line as it is, or made in its reader's language


# the reasons for a cancellation the service writes itself (kept in the log as written): each shown in the
# reader's language, where a reason someone typed is shown as typed
DECLINED_BY_CLIENT = "declined by the client"
CANCELLED_BY_ASSISTANT = "cancelled by the assistant"


def reason_text(t: StaffText, reason: str) -> str:
    if reason == DECLINED_BY_CLIENT:
        return t("reason-declined-by-client")
    if reason == CANCELLED_BY_ASSISTANT:
        return t("reason-by-assistant")
    return reason


def waited(t: StaffText, since: datetime, now: datetime) -> str:
    """'47 min', '2 h 05 min' in the reader's language."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes == 0:  # (the client has just written: "waiting 0 min" read as a fault)
        return t("duration-under-a-minute")
    if minutes < 60:
        return t("duration-minutes", minutes=str(minutes))
    return t("duration-hours", hours=str(minutes // 60), minutes=f"{minutes % 60:02d}")


# a refusal's params that name a request's states ("paid / in_progress"), shown in the reader's words
STATE_PARAMS = ("state", "wanted", "current", "target")
_STATES = frozenset(RequestState)


def states_named(t: StaffText, said: str) -> str:
    """'paid / in_progress' → '«оплачена» / «в работе»' (a word that is no state, as it is)."""
    return " / ".join(
        t("state-named", state=t(f"card-open-state-{s}")) if s in _STATES else s for s in said.split(" / ")
    )


def refusal(t: StaffText, error: Exception) -> str:
    """A refusal in the reader's language: its text `err-<key>` when it has a key, else as it was worded."""
    key = getattr(error, "key", None)
    if not key:
        return str(error)
    params = error.params  # type: ignore[attr-defined]
    return t(f"err-{key}", **{k: _param(t, k, v) for k, v in params.items()})


def _param(t: StaffText, name: str, value: object) -> object:
    """A refusal's param in the reader's words: an amount in their locale, a request's states named."""
    if isinstance(value, Money):
        return formats.money(value, language_of(t))
    return states_named(t, value) if name in STATE_PARAMS and isinstance(value, str) else value


def st(reader: Assistant | None, message_id: str, /, **args: Any) -> str:
    return staff_translator()(reader.ui_language if reader else "en", message_id, **args)


def bound(language: str) -> StaffText:
    def t(message_id: str, /, **args: Any) -> str:
        return staff_translator()(language, message_id, **args)

    t.language = language  # type: ignore[attr-defined]
    return t


def language_of(t: StaffText) -> str:
    """The reader's language of a bound text (for numbers, durations and money made with babel)."""
    return getattr(t, "language", "en")


def moment_for(t: StaffText, moment: datetime, tz: tzinfo) -> str:
    """A date and time for staff: in the reader's language, business time ("5 December, 23:00")."""
    return format_datetime(moment, "d MMMM, HH:mm", tzinfo=tz, locale=language_of(t))


def of(assistant: Assistant | None) -> StaffText:
    return bound(assistant.ui_language if assistant else "en")


async def for_client(deps: Deps, client: Client) -> StaffText:
    """The language of the client's topic: their assistant's."""
    return of(await q.assistant(deps.store, client.assistant_id))


async def for_leads(deps: Deps) -> StaffText:
    languages = {a.ui_language for a in await q.assistants(deps.store) if a.lead and a.active}
    return bound(languages.pop() if len(languages) == 1 else "en")
