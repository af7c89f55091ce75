"""Managing Executive Assistants (the `concierge staff` commands, the console's team page, the sandbox's
team): written through `Deps.record`, so the timers and the console's live log hear of it."""

from __future__ import annotations

from collections.abc import Callable

from domain.clients import Assistant, Language
from domain.errors import ConcurrencyConflict, InvalidValue
from domain.events import Actor, ActorKind, EventType, NewEvent
from domain.phones import staff_phone
from engine import queries as q
from engine.deps import Deps
from engine.i18n import STAFF_LANGUAGES

OPERATOR = Actor(ActorKind.OPERATOR, "cli")


def parse_languages(text: str) -> list[str]:
    codes = [code.strip().lower() for code in text.split(",") if code.strip()]
    unknown = [code for code in codes if Language.parse(code) is None or len(code) != 2]
    if not codes or unknown:
        raise InvalidValue(
            f"languages are a comma-separated list of en, ar, ru (not {', '.join(unknown) or text!r})"
        )
    return sorted(set(codes), key=codes.index)


async def add(
    deps: Deps,
    telegram_id: int,
    name: str,
    languages: str,
    lead: bool = False,
    staff_chat_id: int | None = None,
    ui_language: str = "en",
    actor: Actor = OPERATOR,
    cause: str | None = None,
    phone: str | None = None,
) -> Assistant:
    """From the CLI (the operator) or the console (a lead, `cause` = the form's)."""
    if not name.strip():
        raise InvalidValue("an assistant needs a name")
    if staff_chat_id is not None and staff_chat_id >= 0:
        raise InvalidValue("--staff-chat-id is a supergroup id (negative, like -1001234567890)")
    if ui_language not in STAFF_LANGUAGES:
        raise InvalidValue(
            f"the interface language is one of {', '.join(STAFF_LANGUAGES)} (not {ui_language!r})"
        )
    existing = await q.assistant_by_telegram_id(deps.store, telegram_id)
    assistant_id = f"A-{telegram_id}"
    if existing:
        if existing.active:
            raise InvalidValue(f"{existing.name} (telegram id {telegram_id}) is already on the team")
        reactivated = NewEvent(
            f"assistant:{assistant_id}",
            EventType.ASSISTANT_REACTIVATED,
            {},
            actor,
            cause or f"cli:staff-reactivate:{telegram_id}:{existing.version}",
        )
        await _added(deps, reactivated, existing.version, telegram_id)
        if phone:
            await set_phone(deps, telegram_id, phone, actor)
    else:
        data = {
            "assistant_id": assistant_id,
            "telegram_id": telegram_id,
            "name": name.strip(),
            "languages": parse_languages(languages),
            "lead": lead,
            "staff_chat_id": staff_chat_id,
            "ui_language": ui_language,
            "phone": staff_phone(phone) if phone else None,
        }
        new = NewEvent(
            f"assistant:{assistant_id}",
            EventType.ASSISTANT_ADDED,
            data,
            actor,
            cause or f"cli:staff-add:{telegram_id}",
        )
        await _added(deps, new, 0, telegram_id)
    assistant = await q.assistant(deps.store, assistant_id)
    assert assistant is not None
    return assistant


async def _added(deps: Deps, new: NewEvent, version: int, telegram_id: int) -> None:
    try:
        await _record_once(deps, new, version)
    except ConcurrencyConflict:
        raise InvalidValue(f"telegram id {telegram_id} was added by someone else a moment ago") from None


async def _record_once(deps: Deps, new: NewEvent, version: int) -> None:
    """Written only on the version the decision read: a second add at the same moment is refused, not written
    behind the first (where no projection could apply it); a form id spent on something else is refused."""
    event = (await deps.record(new.stream, new.type, new.data, new.actor, new.cause, version)).event
    if event.stream != new.stream or event.type is not new.type:
        raise InvalidValue("this form was already used for something else: open the page again")


async def set_phone(
    deps: Deps, telegram_id: int, phone: str, actor: Actor = OPERATOR, cause: str | None = None
) -> Assistant:
    """Where the concierge number rings an assistant (E.164); an empty phone clears it."""
    number = staff_phone(phone) if phone.strip() else None

    def change(existing: Assistant) -> NewEvent | None:
        if number == existing.phone:
            return None
        cause_ = cause or f"cli:staff-phone:{telegram_id}:{existing.version}"
        return NewEvent(
            f"assistant:{existing.id}", EventType.ASSISTANT_PHONE_SET, {"phone": number}, actor, cause_
        )

    return await _change(deps, telegram_id, change)


async def deactivate(
    deps: Deps, telegram_id: int, actor: Actor = OPERATOR, cause: str | None = None
) -> Assistant:
    def change(existing: Assistant) -> NewEvent | None:
        if not existing.active:
            return None
        cause_ = cause or f"cli:staff-deactivate:{telegram_id}:{existing.version}"
        return NewEvent(f"assistant:{existing.id}", EventType.ASSISTANT_DEACTIVATED, {}, actor, cause_)

    return await _change(deps, telegram_id, change)


async def _change(deps: Deps, telegram_id: int, change: Callable[[Assistant], NewEvent | None]) -> Assistant:
    """Decide on the assistant as read and write on that version; when someone changed them meanwhile (two
    leads at once), decide again on what they did: nothing is written twice."""
    for _ in range(3):
        existing = await q.assistant_by_telegram_id(deps.store, telegram_id)
        if existing is None:
            raise InvalidValue(f"no assistant has telegram id {telegram_id}")
        new = change(existing)
        if new is None:
            return existing
        try:
            await _record_once(deps, new, existing.version)
        except ConcurrencyConflict:
            if head := await deps.store.events.head(new.stream):
                await deps.store.projector.project(
                    head
                )  # what the other wrote, projected before deciding again
            continue
        assistant = await q.assistant(deps.store, existing.id)
        assert assistant is not None
        return assistant
    raise InvalidValue(f"telegram id {telegram_id} is being changed by someone else: try again")
