"""Commands that work anywhere in the staff forum and in a private chat with the bot: presence, figures and
the console's sign-in link. Each answers with a line for whoever gave it (the dispatch places it)."""

from __future__ import annotations

from domain import formats
from domain.errors import InvalidValue
from domain.events import EventType
from domain.kpis import period, period_asked
from domain.promises import away_until
from engine import queries as q
from engine.clients.registry import refresh_card
from engine.clock import kpis
from engine.deps import Deps
from engine.invocation import Invocation, Place
from engine.staff_texts import language_of, moment_for, of, st
from engine.team import sign_in


async def away(deps: Deps, cmd: Invocation) -> str:
    assistant = cmd.assistant
    until = away_until(cmd.args, deps.clock.now(), deps.policy.tz)
    await deps.record(
        f"assistant:{assistant.id}",
        EventType.ASSISTANT_AWAY,
        {"until": until.isoformat() if until else None},
        cmd.actor,
        f"{cmd.recorded.cause}/away",
    )
    t = of(assistant)
    back = t("away-until", until=moment_for(t, until, deps.policy.tz)) if until else t("away-until-back")
    return t("away", assistant=assistant.name, back=back)


async def back(deps: Deps, cmd: Invocation) -> str:
    await deps.record(
        f"assistant:{cmd.assistant.id}",
        EventType.ASSISTANT_BACK,
        {"by": "assistant"},
        cmd.actor,
        f"{cmd.recorded.cause}/back",
    )
    return st(cmd.assistant, "welcome-back", assistant=cmd.assistant.name)


async def stats(deps: Deps, cmd: Invocation) -> str:
    assistant = cmd.assistant
    asked, now = period_asked(cmd.args or "7d"), deps.clock.now()
    start, end = period(asked, now, deps.policy.tz)  # (days: whole days, today so far the last)
    await deps.store.kpi_days.ask("report", asked.strip().lower(), now)  # (kept ready: `kpis.warm`)
    rows = await kpis.report(deps.store, start, end, deps.policy.promises, deps.policy.tz)
    if not assistant.lead:
        rows = [row for row in rows if row.assistant_id == assistant.id]
    t = of(assistant)
    nominal = period(asked, now)
    span = formats.period(nominal[1] - nominal[0], language_of(t))
    title = t("stats-title", period=span, end=moment_for(t, end, deps.policy.tz)) + (
        "" if assistant.lead else t("stats-yours")
    )
    # the margins only where the asker alone reads them (a costed payment's margin gives its cost away)
    private = cmd.place is Place.PRIVATE
    return "\n".join(
        [title, *kpis.lines(rows, t, margins=private), *([] if private else [t("stats-margins")])]
    )


async def console(deps: Deps, cmd: Invocation) -> str:
    private = cmd.place is Place.PRIVATE
    await sign_in.send_link(deps, cmd.assistant, cmd.recorded, None if private else cmd.chat_id)
    return "" if private else st(cmd.assistant, "signin-sent-privately")


# on or off, as assistants write it: in English or in Russian ("вкл", "выкл")
_SWITCH = {
    **dict.fromkeys(("on", "yes", "вкл", "включить", "включи", "да"), True),
    **dict.fromkeys(("off", "no", "выкл", "выключить", "выключи", "откл", "отключить", "нет"), False),
}


async def translate(deps: Deps, cmd: Invocation) -> str:
    """/translate on|off: in a client's topic (or their console page), machine translation for that client (a
    client who prefers the original); anywhere else, for every client of whoever gives it."""
    on = _SWITCH.get(cmd.args.strip().lower().rstrip("."))
    if on is None:
        raise InvalidValue("Write /translate on or /translate off.", key="translate-usage")
    t = of(cmd.assistant)
    stream = f"client:{cmd.about.id}" if cmd.about else f"assistant:{cmd.assistant.id}"
    cause = f"{cmd.recorded.cause}/translate"
    event = (await deps.record(stream, EventType.TRANSLATION_SET, {"on": on}, cmd.actor, cause)).event
    state = t("translate-on" if on else "translate-off")
    if cmd.about is not None:
        await refresh_card(deps, event, 1, await q.known_client(deps.store, cmd.about.id))  # (it says so)
        return t("translate-client", client=cmd.about.name or cmd.about.id, state=state)
    return t("translate-self", state=state)
