"""How did we do? After /done the client is asked once to rate the service 1–5 (buttons on Telegram,
numbered choices on WhatsApp, only inside its 24-hour window); the next message may add a comment. The
rating goes to the topic, and a low one to the leads too."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.clients import Channel, Client
from domain.deadlines import RATING, Deadline, stamp
from domain.events import Actor, ActorKind, Event, EventType
from domain.lifecycle import RequestState
from domain.outbound import Button
from domain.reminders import nice_moment
from domain.requests import ServiceRequest
from engine import queries as q
from engine.clients.outbox import free_to_write, proactive_channel, to_client
from engine.deps import Deps
from engine.forum.escalations import tell_leads
from engine.forum.topics import tell_topic

LOW = 3  # and below: the leads hear of it
COMMENT_WITHIN = timedelta(hours=1)  # the next message this soon after a rating is its comment
SCORES = range(1, 6)


async def ask(
    deps: Deps, client: Client, request: ServiceRequest, actor: Actor, fulfilled_at: datetime
) -> None:
    """The question, once: asked now when now is a nice hour for the client, else left to the clock (`later`):
    never at night, never in their quiet hours. Recorded before a crash: told again (the same delivery, so
    never twice)."""
    if request.rating is not None:
        return
    if request.rating_asked:
        asked = await deps.store.events.by_cause(f"rating-asked:{request.id}")
        if asked is not None:
            await _tell(deps, client, request, asked)
        return
    now = deps.clock.now()
    if nice_moment(now, deps.policy.tz, client.quiet) != now:
        await later(deps, client, request, fulfilled_at, now)  # (a /done retried at night, say)
        return
    channel = await proactive_channel(deps, client)
    if not await free_to_write(deps, client, channel):
        return  # a rating is not worth a paid template
    asked = (
        await deps.record(
            f"request:{request.id}",
            EventType.RATING_ASKED,
            {"channel": channel.value},
            actor,
            f"rating-asked:{request.id}",
        )
    ).event
    await _tell(deps, client, request, asked)


async def later(
    deps: Deps, client: Client, request: ServiceRequest, fulfilled_at: datetime, since: datetime
) -> None:
    """The question left to the clock: at the first nice hour from `since` (none: never asked). One per
    fulfilment (its round), however many steps set it."""
    if (due := nice_moment(since, deps.policy.tz, client.quiet)) is not None:
        data = {"fulfilled": fulfilled_at.isoformat()}
        deadline = Deadline(f"{RATING}:{request.id}", due, request.id, stamp(fulfilled_at), 1, data)
        await deps.store.deadlines.set(deadline)


async def _tell(deps: Deps, client: Client, request: ServiceRequest, asked: Event) -> None:
    buttons = (tuple(Button(f"{score} ⭐", data=f"rate:{request.id}:{score}") for score in SCORES),)
    text = deps.t(client.language, "rating-ask", number=request.id)
    await to_client(deps, client, asked, 0, text, buttons=buttons, channel=Channel(asked.data["channel"]))


async def rated(deps: Deps, client: Client, data: str, cause: str) -> None:
    """A tap (or a number on WhatsApp): the first answer counts, a second one is ignored."""
    _, request_id, score = [*data.split(":"), "", ""][:3]
    request = await q.request(deps.store, request_id)
    if request is None or request.client_id != client.id or not score.isdigit() or int(score) not in SCORES:
        return
    if request.state is not RequestState.FULFILLED:
        return
    event = (
        await deps.record(
            f"request:{request.id}",
            EventType.REQUEST_RATED,
            {"score": int(score), "tap": cause},
            Actor(ActorKind.CLIENT, client.id),
            f"rating:{request.id}",  # once per request, however many taps race
        )
    ).event
    if event.data["tap"] != cause:
        return  # another tap was first (this one, processed again after a crash, finishes its telling)
    await to_client(deps, client, event, 0, deps.t(client.language, "rating-thanks"))
    stars = "★" * int(score) + "☆" * (5 - int(score))
    rated = {"client": client.name, "request": request.id, "score": str(score)}
    await tell_topic(deps, client, event, lambda t: f"{stars} " + t("rated", **rated), 1)
    if int(score) <= LOW:
        assistant = await q.assistant(deps.store, client.assistant_id)
        who = f" ({assistant.name})" if assistant else ""
        await tell_leads(deps, client, event, 2, lambda t: "⭐ " + t("rated-low", **rated, who=who))


async def comment(deps: Deps, client: Client, text: str, cause: str) -> bool:
    """The message right after a rating is its comment (True): kept with the rating, not a new request."""
    if not text.strip():
        return False
    if await deps.store.events.replayed(f"{cause}/rating-comment") is not None:
        return True  # kept before a crash
    now = deps.clock.now()
    for request in reversed(await q.requests_of(deps.store, client.id)):
        if request.rating is not None and request.rating_comment is None and request.rated_at:
            if now - request.rated_at > COMMENT_WITHIN:
                return False
            await deps.record(
                f"request:{request.id}",
                EventType.RATING_COMMENTED,
                {"text": text.strip()[:2000]},
                Actor(ActorKind.CLIENT, client.id),
                f"{cause}/rating-comment",
            )
            return True
        if request.state is RequestState.FULFILLED:
            return False
    return False
