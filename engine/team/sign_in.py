"""Signing in to the staff console: a one-time link sent to the assistant's private chat with the bot, then a
session. Links and sessions are kept as digests; every sign-in is an event in the assistant's staff stream."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.clients import Assistant
from domain.errors import InvalidValue
from domain.events import Actor, ActorKind, Event, EventType
from domain.outbound import Message, SignIn, from_doc
from domain.signin import LINK_MINUTES, SESSION_HOURS, Signer, digest, session_token
from engine import queries as q
from engine.deps import Deps
from engine.outbox import private_chat, to_forum
from engine.staff_texts import st
from storage.deliveries import Delivery

ATTEMPTS_PER_MINUTE = 10  # forged links from one address
FORGED_PER_MINUTE = 200  # forged links from everyone (behind a proxy every address is the proxy's)
EVERYONE = "*"


def _signer(deps: Deps) -> Signer:
    if deps.signer is None:
        raise InvalidValue("The console needs the Telegram bot (TELEGRAM_BOT_TOKEN) to send sign-in links.")
    return deps.signer


async def issue(deps: Deps, assistant: Assistant) -> tuple[str, str]:
    """A new link for `assistant`: (nonce, url). Only its digest is stored."""
    signer = _signer(deps)
    nonce = signer.nonce()
    token = signer.link_token(nonce)
    expires = deps.clock.now() + timedelta(minutes=LINK_MINUTES)
    await deps.store.console.add_link(digest(token), assistant.id, assistant.telegram_id, expires)
    return nonce, link_url(deps, token)


def link_url(deps: Deps, token: str) -> str:
    return f"{deps.console_url}/sign-in?t={token}"


async def send_link(deps: Deps, assistant: Assistant, event: Event, answer_chat: int | None) -> None:
    """/console: the link goes to the assistant's private chat (the sender writes the URL in at send time,
    so the stored message holds only the nonce). `answer_chat`: the forum to tell if that chat is closed."""
    nonce, _url = await issue(deps, assistant)
    text = st(assistant, "signin-link", minutes=LINK_MINUTES)
    link = SignIn(nonce, st(assistant, "signin-button"), assistant.id, answer_chat)
    await deps.deliver(private_chat(event, 1, assistant.telegram_id, Message(text, sign_in=link)))
    await deps.record(
        f"staff:{assistant.id}",
        EventType.CONSOLE_SIGN_IN_SENT,
        {"expires_minutes": LINK_MINUTES},
        Actor(ActorKind.ASSISTANT, assistant.id),
        f"{event.cause}/sign-in-sent",
    )


async def undeliverable(deps: Deps, delivery: Delivery) -> None:
    """The bot may not write to them privately (they never pressed Start): say so where they asked."""
    message = from_doc(delivery.payload)
    link = message.sign_in if isinstance(message, Message) else None
    assistant = await q.assistant(deps.store, link.staff) if link else None
    chat = link.answer_chat if link else None
    if assistant is None or chat is None:
        return
    stream, _, seq = delivery.id.rsplit(":", 1)[0].rpartition("#")
    source = next(iter(await deps.store.events.read(stream, after=int(seq) - 1)), None)
    if source is None:
        return
    await deps.deliver(to_forum(source, 7, chat, st(assistant, "signin-open-private-chat")))


@dataclass(frozen=True)
class Session:
    assistant: Assistant
    digest: str
    csrf: str


async def open_link(deps: Deps, token: str, who: str) -> tuple[str, Assistant]:
    """A session token for a good link; InvalidValue (one text for every reason) otherwise."""
    signer = _signer(deps)
    now = deps.clock.now()
    refused = InvalidValue(
        "This sign-in link is not valid any more. Write /console to the bot for a new one."
    )
    if not signer.authentic(token):
        await count_forged(deps, who)
        raise refused
    link = await deps.store.console.use_link(digest(token), now)
    if link is None:
        raise refused
    assistant = await q.assistant(deps.store, link["assistant_id"])
    if assistant is None or not assistant.active or assistant.telegram_id != link["telegram_id"]:
        raise refused
    session = session_token()
    await deps.store.console.open_session(digest(session), assistant.id, now, SESSION_HOURS)
    await deps.record(
        f"staff:{assistant.id}",
        EventType.CONSOLE_SIGNED_IN,
        {},
        Actor(ActorKind.ASSISTANT, assistant.id),
        f"console:sign-in:{digest(token)[:32]}",
    )
    return session, assistant


class TooManyAttempts(InvalidValue):
    pass


async def count_forged(deps: Deps, who: str) -> None:
    """Only forged links are counted and limited: a validly signed one is never turned away by the limit,
    so junk from one address (or from everyone) cannot lock the team out."""
    now, minute = deps.clock.now(), timedelta(minutes=1)
    mine = await deps.store.console.attempt(who, now, minute)
    everyone = await deps.store.console.attempt(EVERYONE, now, minute)
    if mine > ATTEMPTS_PER_MINUTE or everyone > FORGED_PER_MINUTE:
        raise TooManyAttempts("Too many sign-in attempts; wait a minute.")


async def session_of(deps: Deps, token: str | None) -> Session | None:
    """The signed-in assistant, if the session is live and they are still on the team (a deactivated
    assistant's session ends at their next request)."""
    if not token or len(token) > 100 or deps.signer is None:
        return None
    key = digest(token)
    doc = await deps.store.console.session(key, deps.clock.now())
    if doc is None:
        return None
    assistant = await q.assistant(deps.store, doc["assistant_id"])
    if assistant is None or not assistant.active:
        await deps.store.console.end_session(key, deps.clock.now())
        return None
    return Session(assistant, key, deps.signer.csrf(key))


async def sign_out(deps: Deps, session: Session) -> None:
    await deps.store.console.end_session(session.digest, deps.clock.now())
