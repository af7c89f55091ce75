"""The client reminded of a paid booking (the clock fires each reminder: engine/clock/deadlines.py), and their
answer: "All good", or "I need a change", which opens a line in the topic and starts the response clock
(domain/awaiting.py). On WhatsApp outside its 24 hours only the approved reminder template in the client's
language may go (TWILIO_TEMPLATE_REMINDER_SID), or nothing: never a paid message by accident."""

from __future__ import annotations

from domain.clients import Channel, Client
from domain.deadlines import Deadline
from domain.events import SYSTEM, Actor, ActorKind, ClientAction, Event, EventType
from domain.lifecycle import RequestState
from domain.outbound import OUTSIDE_WINDOW, Button, Message, Template, to_doc
from domain.reminders import EVENING_STEP
from domain.requests import ServiceRequest
from engine import queries as q
from engine.client_texts import when
from engine.clients.outbox import free_to_write, proactive_channel, quiet_now, send, template, to_client
from engine.deps import Deps
from engine.forum.topics import CHANNEL_NAMES, tell_topic
from engine.i18n import DEFAULT
from engine.staff_texts import StaffText, moment_for

ANSWERS = {"ok": "all-good", "change": "change"}  # the button's word → the action recorded


async def remind(deps: Deps, request: ServiceRequest, client: Client, d: Deadline) -> Event:
    """Record the reminder and send it: a message with the two buttons, the template, or (said in the topic)
    nothing. A retry after a crash records nothing twice and sends nothing twice (deterministic ids); a
    message on WhatsApp whose turn comes after the 24 hours goes as the template or not at all
    (OUTSIDE_WINDOW: bot/workers/whatsapp_deliveries.py), never as a paid re-open."""
    assert request.details.when is not None  # (the clock sets a reminder only for a known time)
    channel = await proactive_channel(deps, client)
    at = when(deps, client, request.details.when)
    place = ", ".join(request.details.places)
    approved = _template(deps, client, request, at, place)
    if quiet_now(deps, client):
        how = "quiet"  # their quiet hours (set in their page): nothing proactive
    elif await free_to_write(deps, client, channel):
        how = "message"
    elif approved is not None:
        how = "template"
    else:
        how = "none"
    data = {"deadline": d.id, "step": d.step, "when": d.data["when"], "action": how}
    event = (
        await deps.record(f"request:{request.id}", EventType.CLIENT_REMINDED, data, SYSTEM, d.cause)
    ).event
    how = event.data["action"]  # (retried after a crash: what was decided then, not what would be now)
    lang = client.language
    if how == "message":
        said = {"number": request.id, "at": at, "place": place or "—"}
        evening = d.step == EVENING_STEP
        text = deps.t(lang, "reminder-evening", **said) if evening else deps.t(lang, "reminder-soon", **said)
        buttons = (
            (
                Button(deps.t(lang, "button-all-good"), data=f"remind:{request.id}:{d.step}:ok"),
                Button(deps.t(lang, "button-need-change"), data=f"remind:{request.id}:{d.step}:change"),
            ),
        )
        late = {OUTSIDE_WINDOW: to_doc(approved) if approved else None}
        meta = late if channel is Channel.WHATSAPP else None
        await send(deps, client, event, 0, Message(text, buttons), channel=channel, meta=meta)
    elif how == "template":
        identity = client.identity(Channel.WHATSAPP)
        spec = deps.channels.get(Channel.WHATSAPP)
        # (a retry after the template was unset, or the number unlinked: nothing goes — never a paid message)
        if spec is not None and identity is not None and approved is not None:
            number = identity.external_id
            await deps.deliver(
                template(event, 0, Channel.WHATSAPP, number, spec.template_lane(number), approved)
            )
    on = CHANNEL_NAMES.get(channel.value, channel.value)  # (as the card names it: Telegram, WhatsApp)
    call = client.contact == "phone" and how != "quiet"  # they prefer a call: the assistant is asked to call
    await tell_topic(
        deps,
        client,
        event,
        lambda t: (
            t("clock-client-reminded", request=request.id, how=how, channel=on)
            + ("\n" + t("clock-client-prefers-call", request=request.id) if call else "")
        ),
        1,
    )
    return event


def _template(deps: Deps, client: Client, request: ServiceRequest, at: str, place: str) -> Template | None:
    """The approved reminder template in the client's language (Twilio approves each language apart), for
    their WhatsApp; None: no WhatsApp, or no template in their language (then nothing goes, rather than one in
    a language they may not read)."""
    sid = deps.policy.reminder_templates.sid(client.language or DEFAULT)
    if sid is None or client.identity(Channel.WHATSAPP) is None:
        return None
    first = client.name.split()[0] if client.name else ""
    return Template(sid, {"1": first, "2": request.id, "3": at, "4": place or "—"})


async def answered(deps: Deps, client: Client, rest: str) -> str | None:
    """A tap on a reminder's button (`<request>:<step>:ok|change`); a short answer when there is nothing to
    do. Each reminder's answer is recorded once: tapped again, or the tap processed again after a crash, it is
    the same event, so the same deliveries (their ids come from it) — nothing is said twice."""
    request_id, step, word = [*rest.split(":"), "", ""][:3]
    request = await q.request(deps.store, request_id)
    if request is None or request.client_id != client.id or word not in ANSWERS or not step.isdigit():
        return None
    lang = client.language
    if request.state not in (RequestState.PAID, RequestState.IN_PROGRESS):
        return deps.t(lang, "reminder-over", number=request.id)
    noted = (
        await deps.record(
            f"conversation:{client.id}",
            EventType.CLIENT_ACTION_TAKEN,
            ClientAction(ANSWERS[word], request.id).to_data(),
            Actor(ActorKind.CLIENT, client.id),
            f"remind:{request.id}:{int(step)}:{word}",  # (this reminder's answer, whichever tap brought it)
        )
    ).event
    assistant = await q.assistant(deps.store, client.assistant_id)
    name = assistant.name if assistant else "—"
    moment = request.details.when

    def at(t: StaffText) -> str:
        return moment_for(t, moment, deps.policy.tz) if moment else "—"

    if word == "ok":
        await to_client(deps, client, noted, 0, deps.t(lang, "reminder-thanks", assistant=name))
        await tell_topic(
            deps, client, noted, lambda t: t("reminder-all-good", request=request.id, at=at(t)), 1
        )
    else:
        await to_client(deps, client, noted, 0, deps.t(lang, "reminder-change", assistant=name))
        await tell_topic(
            deps, client, noted, lambda t: t("reminder-change-asked", request=request.id, at=at(t)), 1
        )
    return None
