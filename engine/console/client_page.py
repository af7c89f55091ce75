"""The client's own page (the Telegram Mini App, or a signed link on WhatsApp): what it reads of the client's
affairs, and what the client does there. Every action is an event with the client as actor, made idempotent
by the form's own id (a second submit of one form records nothing new), and the topic is told what matters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.clients import Channel, ChannelIdentity, Client, Language
from domain.events import ClientAction, Event, EventType
from domain.lifecycle import OPEN_STATES, RequestState
from domain.messages import Inbound, Kind
from domain.miniapp import Asked, notes_of, with_notes
from domain.requests import ServiceRequest
from domain.signin import APP_SESSION_HOURS, digest, session_token
from engine import queries as q
from engine.clients.outbox import last_channel, to_client
from engine.clients.page import CLIENT, set_menu
from engine.clients.registry import as_before, client_actor, language_data, refresh_card
from engine.conversation.messages import from_app
from engine.deps import Deps
from engine.forum.topics import retitle, tell_topic
from engine.requests import quote_buttons
from engine.staff_texts import StaffText
from engine.team.sign_in import count_forged

SOON = timedelta(hours=6)  # a booking this close is "now"; later ones are "upcoming"
PAST_GRACE = timedelta(hours=3)  # a booking stays on "now" this long after its time


def cause_of(action_id: str) -> str:
    return f"app:{action_id}"


async def client_of_telegram(deps: Deps, user_id: int) -> Client | None:
    """The client a Telegram user is, if they are one (and not erased)."""
    client = await q.client_by_identity(deps.store, ChannelIdentity(Channel.TELEGRAM, str(user_id)))
    return client if client is not None and not client.erased and not client.merged_into else None


async def living(deps: Deps, client_id: str) -> Client | None:
    """The client, or the one a duplicate was merged into (their page goes on there); None once erased."""
    client = await q.client(deps.store, client_id)
    if client is not None and client.merged_into:
        client = await q.client(deps.store, client.merged_into)
    return client if client is not None and not client.erased and not client.merged_into else None


@dataclass(frozen=True)
class Affairs:
    """Everything the page shows of one client."""

    client: Client
    assistant: str | None
    channel: Channel
    coming: list[ServiceRequest]  # paid (or in progress) with a time still ahead, soonest first
    open: list[ServiceRequest]  # every open request, newest first
    closed: list[ServiceRequest]  # done, cancelled or refunded, newest first
    places: list[str]  # places the client named lately, most recent first

    def needs_rating(self, request: ServiceRequest) -> bool:
        return request.state is RequestState.FULFILLED and request.rating is None


async def affairs(deps: Deps, client: Client) -> Affairs:
    requests = await q.requests_of(deps.store, client.id)
    now = deps.clock.now()
    coming = sorted(
        (
            r
            for r in requests
            if r.state in (RequestState.PAID, RequestState.IN_PROGRESS)
            and r.details.when is not None
            and r.details.when > now - PAST_GRACE
        ),
        key=lambda r: r.details.when or now,
    )
    newest = requests[::-1]  # (read oldest first)
    places: list[str] = []
    for r in newest:
        for place in r.details.places:
            if place and place not in places:
                places.append(place)
    assistant = await q.assistant(deps.store, client.assistant_id)
    return Affairs(
        client,
        assistant.name if assistant else None,
        await last_channel(deps, client),
        coming,
        [r for r in newest if r.state in OPEN_STATES],
        [r for r in newest if r.state not in OPEN_STATES],
        places[:8],
    )


async def ask(deps: Deps, client: Client, asked: Asked, words: str, action_id: str) -> str:
    """A request from the form: the client's words (`words`, in their language) reach the topic as theirs, and
    a request opens with exactly what the form said. Returns its number (the same for a second submit)."""
    cause = cause_of(action_id)
    channel = await last_channel(deps, client)
    identity = client.identity(channel)
    message = Inbound(
        Kind.TEXT,
        words,
        identity.external_id if identity else client.id,
        cause,
        channel=channel,
        extra={"via": "app"},
    )
    await from_app(deps, client, message, asked.understanding(), cause)
    opened = await deps.store.events.by_cause(f"{cause}/request")
    return opened.stream_id if opened else ""


async def _client_event(
    deps: Deps, client: Client, kind: EventType, data: dict[str, Any], cause: str
) -> Event:
    stream = f"client:{client.id}"
    return (await deps.record(stream, kind, data, client_actor(client.id), cause)).event


async def set_preferences(
    deps: Deps,
    client: Client,
    language: Language | None,
    contact: str,
    quiet: tuple[int, int] | None,
    email: str | None,
    notes: dict[str, str],
    action_id: str,
    translated: bool | None = None,
) -> list[str]:
    """Records what changed (nothing when nothing did), tells the topic and refreshes the pinned card; returns
    what changed. Every value is checked before anything is recorded (a refusal changes nothing).
    `translated`: machine translation with their assistant, as the client chose it (None: not offered) —
    recorded as the staff's /translate records it, the client its actor."""
    preferences = with_notes(client.preferences, notes)  # (Unusable here: nothing recorded yet)
    cause, changed, last = cause_of(action_id), [], None
    if language is not None and language is not client.language:
        last = await _client_event(
            deps,
            client,
            EventType.CLIENT_LANGUAGE_CHANGED,
            language_data(client, language),
            f"{cause}/language",
        )
        await to_client(deps, client, last, 0, deps.t(language, "language-set"))
        now = await q.known_client(deps.store, client.id)
        await set_menu(deps, now, last, 3)  # named in it
        await retitle(deps, last, 4, as_before(client, last), now)  # (the topic's name says their language)
        changed.append("language")
    if contact != (client.contact or "") or quiet != client.quiet:
        data = {"contact": contact or None, "quiet": list(quiet) if quiet else None}
        last = await _client_event(deps, client, EventType.CLIENT_CONTACT_SET, data, f"{cause}/contact")
        changed.append("contact")
    if email != client.email:
        last = await _client_event(
            deps, client, EventType.CLIENT_EMAIL_SET, {"email": email}, f"{cause}/email"
        )
        changed.append("email")
    if notes_of(preferences) != notes_of(
        client.preferences
    ):  # (the notes said, not how the text is laid out)
        data = {"preferences": preferences}
        last = await _client_event(deps, client, EventType.CLIENT_PREFERENCES_SET, data, f"{cause}/notes")
        changed.append("notes")
    if translated is not None and translated != client.translated:
        last = await _client_event(
            deps, client, EventType.TRANSLATION_SET, {"on": translated}, f"{cause}/translation"
        )
        changed.append("translation-on" if translated else "translation-off")
    if last is not None:
        client = await q.known_client(deps.store, client.id)

        def what(t: StaffText) -> str:
            return t("app-preferences-changed", what=", ".join(t(f"app-what-{c}") for c in changed))

        await tell_topic(deps, client, last, what, 1)
        await refresh_card(deps, last, 2, client)
    return changed


async def remove_card(deps: Deps, client: Client, action_id: str) -> bool:
    if client.saved_card is None:
        return False
    event = await _client_event(deps, client, EventType.CLIENT_CARD_REMOVED, {}, cause_of(action_id))
    await tell_topic(deps, client, event, lambda t: t("app-card-removed"), 0)
    return True


async def call_me(deps: Deps, client: Client, action_id: str) -> None:
    """ "Call me": the topic is asked to call them (/call, when their number is known), and the response
    clock runs until someone answers (a call, or a message)."""
    event = (
        await deps.record(
            f"conversation:{client.id}",
            EventType.CLIENT_ACTION_TAKEN,
            ClientAction("call-me", "").to_data(),
            client_actor(client.id),
            cause_of(action_id),
        )
    ).event
    if client.phone:
        await tell_topic(deps, client, event, lambda t: t("app-call-me"), 0)
    else:
        await tell_topic(deps, client, event, lambda t: t("app-call-me-no-number"), 0)


async def pay_by_card(
    deps: Deps, client: Client, request: ServiceRequest, version: int, action_id: str
) -> None:
    """The one-tap payment of the quote the client saw (`version`), as the button under it in the chat does
    it: a quote revised since is not charged, the client is told it is no longer valid."""
    await quote_buttons.quote_button(deps, client, f"tap:{request.id}:{version}", cause_of(action_id))


async def rate(deps: Deps, client: Client, request: ServiceRequest, score: int, action_id: str) -> None:
    await quote_buttons.quote_button(deps, client, f"rate:{request.id}:{score}", cause_of(action_id))


async def exported(deps: Deps, client: Client, action_id: str) -> None:
    """The client's own data request, on record (the file itself is read at its signed address)."""
    await _client_event(
        deps, client, EventType.CLIENT_DATA_EXPORTED, {"client_id": client.id}, cause_of(action_id)
    )


# what the team keeps for itself: the supplier's cost, internal notes, staff commands (a /quote's cost), tags
INTERNAL_EVENTS = frozenset(
    {
        EventType.NOTE_ADDED.value,
        EventType.STAFF_COMMAND_ISSUED.value,
        EventType.RESPONSE_OVERDUE.value,  # (the team's reminders and escalations about them)
        EventType.CLIENT_TAGGED.value,
    }
)
INTERNAL_FIELDS = ("cost", "quoted_by", "margin", "tags", "search", "assistant_id", "open_with")


def for_the_client(kept: dict[str, Any]) -> dict[str, Any]:
    """The console's full history, less what is the team's own: what a client's own export gives."""

    def plain(doc: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in doc.items() if k not in INTERNAL_FIELDS}

    events = []
    for event in kept["events"]:
        if event.get("type") in INTERNAL_EVENTS:
            continue
        actor = event.get("actor") or {}
        events.append(event | {"data": plain(event.get("data") or {}), "actor": {"kind": actor.get("kind")}})
    return {
        "client": plain(kept["client"]),
        "merged": [plain(m) for m in kept["merged"]],
        "requests": [plain(r) for r in kept["requests"]],
        "events": events,
    }


def within(request: ServiceRequest, now: datetime) -> bool:
    """Whether a booking is close enough to be "now" rather than "upcoming"."""
    return request.details.when is not None and request.details.when - now <= SOON


async def open_link(deps: Deps, token: str, who: str) -> tuple[str, Client] | None:
    """A session for a good link (used up by this); None for a forged, used or old one."""
    if deps.signer is None:
        return None
    if not deps.signer.app_authentic(token):
        await count_forged(deps, who)
        return None
    used = await deps.store.console.use_link(digest(token), deps.clock.now())
    if used is None or not str(used["assistant_id"]).startswith(CLIENT):
        return None
    client = await living(deps, used["assistant_id"].removeprefix(CLIENT))
    if client is None:
        return None
    session = session_token()
    await deps.store.console.open_session(
        digest(session), CLIENT + client.id, deps.clock.now(), APP_SESSION_HOURS
    )
    return session, client


async def session_client(deps: Deps, token: str | None) -> Client | None:
    if not token or len(token) > 100:
        return None
    doc = await deps.store.console.session(digest(token), deps.clock.now())
    if doc is None or not str(doc["assistant_id"]).startswith(CLIENT):
        return None
    return await living(deps, doc["assistant_id"].removeprefix(CLIENT))
