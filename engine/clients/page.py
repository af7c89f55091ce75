"""The way into a client's own page from their chat: on Telegram the chat's menu button and a button that
opens the Mini App; on WhatsApp (no Mini Apps) a one-time link, made from a nonce only as it is sent (the
stored message never holds a usable link; the store keeps only its digest)."""

from __future__ import annotations

from datetime import timedelta

from domain.clients import Channel, Client
from domain.events import Event
from domain.outbound import MenuButton, Message, to_doc
from domain.signin import APP_LINK_MINUTES, digest
from engine.client_texts import open_button
from engine.clients.outbox import last_channel, send
from engine.deps import Deps
from storage.deliveries import Delivery

CLIENT = "client:"  # a link's or a session's owner, when a client's: never an assistant's id (the console's)


def page_url(deps: Deps, nonce: str) -> str:
    """The one-time link a nonce stands for (the WhatsApp sender writes it in as it sends)."""
    if deps.signer is None:
        return ""
    return f"{deps.console_url.removesuffix('/console')}/app/link?t={deps.signer.app_token(nonce)}"


async def issue(deps: Deps, client: Client) -> str:
    """A new one-time link for `client`: its nonce. It opens once, within APP_LINK_MINUTES."""
    if deps.signer is None:
        raise LookupError("the client's page needs the Telegram bot's token (its links are signed with it)")
    nonce = deps.signer.nonce()
    expires = deps.clock.now() + timedelta(minutes=APP_LINK_MINUTES)
    await deps.store.console.add_link(digest(deps.signer.app_token(nonce)), CLIENT + client.id, 0, expires)
    return nonce


async def set_menu(deps: Deps, client: Client, event: Event, n: int) -> None:
    """The menu button of their Telegram chat opens their page, named in their language."""
    identity = client.identity(Channel.TELEGRAM)
    spec = deps.channels.get(Channel.TELEGRAM)
    if identity is None or deps.app_url is None or spec is None:
        return
    menu = MenuButton(deps.t(client.language, "app-open-button"), deps.app_url)
    chat = identity.external_id
    await deps.deliver(
        Delivery(f"{event.id}:{n}", "telegram", chat, to_doc(menu), event.id, lane=spec.menu_lane(chat))
    )


async def offer(deps: Deps, client: Client, event: Event, n: int) -> None:
    """/app (or "app" on WhatsApp): the page, on the channel they asked from."""
    channel = await last_channel(deps, client)
    if channel is Channel.TELEGRAM and (button := open_button(deps, client.language)) is not None:
        text = deps.t(client.language, "app-page")
        await send(deps, client, event, n, Message(text, buttons=((button,),)), channel=channel)
    elif deps.signer is not None:
        nonce = await issue(deps, client)
        text = deps.t(client.language, "app-link", link="{link}")
        await send(deps, client, event, n, Message(text, page_link=nonce), channel=channel)
