"""The sandbox in a browser: a client's phone (Telegram or WhatsApp) and the staff forum, side by side.
Everything a person does here reaches the service as the real providers would deliver it: Telegram updates
with the secret token, Twilio forms signed with RequestValidator, CloudPayments notices with Content-HMAC."""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from domain.miniapp import sign
from sandbox.world import ASSISTANTS, PERSONAS, STAFF_CHAT, Persona, SandboxWorld

SANDBOX_WORLD = web.AppKey("sandbox_world", SandboxWorld)
# moves the service's clock ahead and wakes its timers; returns the new time (set by the service's wiring)
FAST_FORWARD = web.AppKey("sandbox_fast_forward", Callable[[timedelta], Awaitable[datetime]])
# a one-time sign-in link to the staff console for a sandbox assistant (set by the service's wiring)
CONSOLE_LINK = web.AppKey("sandbox_console_link", Callable[[int], Awaitable[str]])
MAX_FORWARD = timedelta(days=2)
STATIC = Path(__file__).resolve().parent / "static"


def _world(request: web.Request) -> SandboxWorld:
    world = request.app.get(SANDBOX_WORLD)
    if world is None:
        raise web.HTTPNotFound(text="the sandbox is not running")
    return world


async def _body(request: web.Request) -> dict[str, Any]:
    """A POST's JSON object; anything else is a 400 that says so."""
    try:
        body = await request.json()
    except ValueError:  # (not JSON, not UTF-8, a number too long to read)
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body is a JSON object")
    return body


def _persona(world: SandboxWorld, key: object) -> Persona:
    try:
        return world.persona(key) if isinstance(key, str) else next(iter(()))
    except StopIteration:
        names = ", ".join(p.key for p in PERSONAS)
        raise web.HTTPBadRequest(text=f"persona is one of {names}") from None


def _whole(value: object, name: str) -> int:
    """A whole number given as a number or as digits (a thread, an assistant)."""
    try:
        if isinstance(value, int | str) and not isinstance(value, bool):
            return int(value)
    except ValueError:  # (not digits, or more than int() reads)
        pass
    raise web.HTTPBadRequest(text=f"{name}: a whole number")


async def _deliver(url: str, **options: Any) -> int:
    """Post to the service's own webhook, as the provider would."""
    async with aiohttp.ClientSession() as session, session.post(url, **options) as response:
        return response.status


async def _to_telegram_webhook(world: SandboxWorld, update: dict[str, Any]) -> int:
    return await _deliver(
        f"{world.public_base_url}/webhooks/telegram",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": world.webhook_secret},
    )


async def page(request: web.Request) -> web.FileResponse:
    _world(request)
    return web.FileResponse(STATIC / "index.html")


async def personas(request: web.Request) -> web.Response:
    _world(request)
    return web.json_response(
        {
            "personas": [
                {"key": p.key, "name": p.name, "language": p.language, "phone": p.phone} for p in PERSONAS
            ],
            "assistants": [{"id": a["telegram_id"], "name": a["name"]} for a in ASSISTANTS],
        }
    )


SHARE_CONTACT = "contact:own"  # a request_contact button: pressing it shares the persona's own number


def _buttons(message: dict[str, Any]) -> list[list[dict[str, str]]]:
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    inline = [[{"text": b["text"], **_action(b)} for b in row] for row in keyboard]
    shares = [
        [{"text": b["text"], "data": SHARE_CONTACT} for b in row if b.get("request_contact")]
        for row in message.get("reply_keyboard") or []
    ]
    return inline + [row for row in shares if row]


def _action(button: dict[str, Any]) -> dict[str, str]:
    """What a button does: opens a link, opens the Mini App in place, or answers with its data."""
    if "web_app" in button:
        return {"app": button["web_app"]["url"]}
    if "url" in button:
        return {"url": button["url"]}
    return {"data": button.get("callback_data", "")}


# Telegram's light and dark themes, as it hands them to a Mini App (tgWebAppThemeParams)
THEMES = {
    "light": {
        "bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#707579", "link_color": "#3390ec",
        "button_color": "#3390ec", "button_text_color": "#ffffff", "secondary_bg_color": "#f4f4f5",
    },
    "dark": {
        "bg_color": "#212121", "text_color": "#ffffff", "hint_color": "#aaaaaa", "link_color": "#8774e1",
        "button_color": "#8774e1", "button_text_color": "#ffffff", "secondary_bg_color": "#181818",
    },
}  # fmt: skip


async def webapp(request: web.Request) -> web.Response:
    """Where the persona's Telegram opens a Mini App: its address with the launch parameters in the fragment,
    initData signed with the bot's token exactly as Telegram signs it (the service checks it each request)."""
    world = _world(request)
    persona = _persona(world, request.query.get("persona"))
    url = request.query.get("url") or f"{world.public_base_url}/app/"
    if not url.startswith(world.public_base_url + "/app/"):
        raise web.HTTPBadRequest(text="the sandbox opens only the service's own Mini App")
    theme = "dark" if request.query.get("theme") == "dark" else "light"
    person = persona.telegram_user()
    user = {k: person[k] for k in ("id", "first_name", "last_name", "language_code") if k in person}
    fields = {
        "auth_date": str(int(world.telegram.clock.now().timestamp())),
        "query_id": "AAH" + str(persona.telegram_id),
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
    }
    launch = urlencode(
        {
            "tgWebAppData": sign(fields, world.bot_token),
            "tgWebAppVersion": "8.0",
            "tgWebAppPlatform": "weba",
            "tgWebAppThemeParams": json.dumps(THEMES[theme], separators=(",", ":")),
        }
    )
    menu = world.telegram.menu_buttons.get(persona.telegram_id) or {}
    return web.json_response({"url": f"{url.split('#')[0]}#{launch}", "title": menu.get("text")})


def _media(message: dict[str, Any]) -> str | None:
    for kind in ("photo", "document", "video", "voice", "audio", "sticker", "location", "contact"):
        if kind in message:
            return kind
    return None


async def phone(request: web.Request) -> web.Response:
    world = _world(request)
    persona = _persona(world, request.query.get("persona"))
    if request.query.get("channel") == "whatsapp":
        sender = f"whatsapp:{persona.phone}"
        said = [
            {"id": m["sid"], "from": "client", "text": m["body"], "at": m["at"].isoformat()}
            for m in world.twilio.received
            if m["from"] == sender
        ]
        got = [
            {
                "id": m.sid,
                "from": "concierge",
                "text": m.body or "",
                "at": m.at.isoformat(),
                "media": bool(m.media_urls),
            }
            for m in world.twilio.messages
            if m.to == sender
        ]
        return web.json_response({"messages": sorted(said + got, key=lambda m: m["at"])})
    chat = world.telegram.chats.get(persona.telegram_id)
    messages = [
        {
            "id": m["message_id"],
            "from": "concierge" if m.get("from", {}).get("is_bot") else "client",
            "text": m.get("text") or m.get("caption") or "",
            "media": _media(m),
            "buttons": _buttons(m),
        }
        for m in (chat.messages.values() if chat else [])
    ]
    menu = world.telegram.menu_buttons.get(persona.telegram_id) or {}  # the chat's menu button: a Mini App
    return web.json_response({"messages": messages, "menu": menu.get("text")})


async def phone_send(request: web.Request) -> web.Response:
    world = _world(request)
    body = await _body(request)
    persona = _persona(world, body.get("persona"))
    text = str(body.get("text", "")).strip()
    if not text:
        raise web.HTTPBadRequest(text="write something first")
    if body.get("channel", "telegram") not in ("telegram", "whatsapp"):
        raise web.HTTPBadRequest(text="channel is telegram or whatsapp")
    if body.get("channel") == "whatsapp":
        url = f"{world.public_base_url}/webhooks/twilio/whatsapp"
        params, headers = world.twilio.signed(url, world.twilio.inbound(persona.phone, text, persona.name))
        status = await _deliver(url, data=params, headers=headers)
    else:
        status = await _to_telegram_webhook(
            world, world.telegram.user_message(persona.telegram_user(), text=text)
        )
    return web.json_response({"delivered": status == 200})


async def phone_button(request: web.Request) -> web.Response:
    world = _world(request)
    body = await _body(request)
    persona = _persona(world, body.get("persona"))
    if not isinstance(body.get("data"), str):
        raise web.HTTPBadRequest(text="data: the button's data")
    data = body["data"]
    message_id = 0 if data == SHARE_CONTACT else _whole(body.get("message_id"), "message_id")
    person = persona.telegram_user()
    if data == SHARE_CONTACT:  # as Telegram sends it: the sender's own contact
        contact = {
            "phone_number": persona.phone.lstrip("+"),
            "first_name": persona.name,
            "user_id": person["id"],
        }
        update = world.telegram.user_message(person, contact=contact)
    else:
        try:
            update = world.telegram.callback(person, message_id, data)
        except KeyError:
            raise web.HTTPNotFound(text="no such message in the persona's chat") from None
    return web.json_response({"delivered": await _to_telegram_webhook(world, update) == 200})


def _unfolded(message: dict[str, Any]) -> tuple[str, str | None]:
    """A message's text, and what Telegram would show folded beneath it (an expandable quote: an original)."""
    text = message.get("text") or message.get("caption") or ""
    entities = message.get("entities") or []
    entities = json.loads(entities) if isinstance(entities, str) else entities
    quote = next((e for e in entities if e.get("type") == "expandable_blockquote"), None)
    if quote is None:
        return text, None
    units = text.encode("utf-16-le")
    start, end = 2 * quote["offset"], 2 * (quote["offset"] + quote["length"])
    return (units[:start].decode("utf-16-le").rstrip(), units[start:end].decode("utf-16-le"))


async def forum(request: web.Request) -> web.Response:
    world = _world(request)
    chat = world.telegram.chats[STAFF_CHAT]
    topics = [
        {"thread": thread, "name": name, "deleted": thread in chat.deleted_topics}
        for thread, name in chat.topics.items()
    ]
    thread = _whole(request.query["thread"], "thread") if request.query.get("thread") else None
    messages = []
    if thread is not None:
        for m in chat.messages.values():
            if m.get("message_thread_id") != thread or m.get("forum_topic_created"):
                continue
            author = m.get("from", {})
            text, folded = _unfolded(m)
            messages.append(
                {
                    "id": m["message_id"],
                    "bot": bool(author.get("is_bot")),
                    "author": author.get("first_name", ""),
                    "text": text,
                    "folded": folded,
                    "media": _media(m),
                    "pinned": m["message_id"] in chat.pinned,
                }
            )
    return web.json_response({"topics": topics, "messages": messages})


async def forum_send(request: web.Request) -> web.Response:
    world = _world(request)
    body = await _body(request)
    wanted = _whole(body.get("assistant", 7001), "assistant")
    assistant = next((a for a in ASSISTANTS if a["telegram_id"] == wanted), None)
    if assistant is None:
        names = ", ".join(f"{a['telegram_id']} ({a['name']})" for a in ASSISTANTS)
        raise web.HTTPBadRequest(text=f"assistant is one of {names}")
    staff = {"id": assistant["telegram_id"], "is_bot": False, "first_name": assistant["name"]}
    thread = _whole(body.get("thread"), "thread")
    text = str(body.get("text", "")).strip()
    if not text:
        raise web.HTTPBadRequest(text="write something first")
    # a reply to a message of the topic (a request's card: the command acts on that request)
    reply_to = _whole(body["reply_to"], "reply_to") if body.get("reply_to") is not None else None
    try:
        update = world.telegram.user_message(
            staff, chat_id=STAFF_CHAT, thread_id=thread, reply_to=reply_to, text=text
        )
    except KeyError:
        raise web.HTTPNotFound(text="no such message in the forum") from None
    return web.json_response({"delivered": await _to_telegram_webhook(world, update) == 200})


async def fast_forward(request: web.Request) -> web.Response:
    """Sandbox only: the service's clock jumps ahead (its timers fall due as they would in real time)."""
    _world(request)
    minutes = _whole((await _body(request)).get("minutes", 0), "minutes")
    if not 0 < minutes <= MAX_FORWARD.total_seconds() // 60:
        raise web.HTTPBadRequest(text=f"minutes: 1 to {int(MAX_FORWARD.total_seconds() // 60)}")
    now = await request.app[FAST_FORWARD](timedelta(minutes=minutes))
    return web.json_response({"now": now.isoformat()})


async def open_console(request: web.Request) -> web.Response:
    """Sandbox only: "Open the console as Amira" (or as anyone added to the team, which is what
    `concierge console-link` points to) — the link the bot would send them, followed at once."""
    _world(request)
    wanted = request.match_info["telegram_id"]
    if not wanted.isdigit() or len(wanted) > 15:
        raise web.HTTPNotFound(text="not a sandbox assistant")
    raise web.HTTPSeeOther(await request.app[CONSOLE_LINK](int(wanted)))


def _phone(world: SandboxWorld):
    if world.phone is None:
        raise web.HTTPNotFound(text="calls are off")
    return world.phone


PHONES = {a["phone"]: a["name"] for a in ASSISTANTS}


async def call_state(request: web.Request) -> web.Response:
    return web.json_response(_phone(_world(request)).state(PHONES))


async def call_place(request: web.Request) -> web.Response:
    """A persona calls the concierge number."""
    world = _world(request)
    persona = _persona(world, (await _body(request)).get("persona"))
    await _phone(world).place(persona.key, persona.phone)
    return web.json_response(_phone(world).state(PHONES))


async def call_act(request: web.Request) -> web.Response:
    """Answer / Decline (the assistant's phone), Hang up, or a typed voicemail (the caller)."""
    world = _world(request)
    phone = _phone(world)
    body = await _body(request)
    call = phone.calls.get(str(body.get("sid", "")))
    if call is None:
        raise web.HTTPNotFound(text="no such call")
    act = request.match_info["act"]
    if act == "answer":
        await phone.answer(call)
    elif act == "decline":
        await phone.decline(call)
    elif act == "hangup":
        await phone.hang_up(call)
    elif act == "voicemail":
        await phone.leave_voicemail(call, str(body.get("text", "")).strip()[:500] or "…")
    else:
        raise web.HTTPNotFound(text="no such action")
    return web.json_response(phone.state(PHONES))


DECLINED_CARD = "4012888888881881"  # CloudPayments' test card for "insufficient funds"


def _checkout_page(
    order: dict[str, Any], paid: bool = False, refused: int | None = None, declined: bool = False
) -> str:
    amount = html.escape(f"{float(order['Amount']):,.2f} {order['Currency']}")
    if declined:
        body = "<h1>Payment declined</h1><p>Insufficient funds on the card. Go back to try another card.</p>"
    elif paid:
        body = (
            '<div class="done">✓</div><h1>Payment complete</h1>'
            "<p>The receipt is on its way to the chat. You can close this tab.</p>"
        )
    elif refused is not None:
        body = f"<h1>Payment not accepted</h1><p>CloudPayments' check answered code {refused}.</p>"
    else:
        body = "".join(
            [
                '<p class="merchant">Concierge · Moscow</p>',
                f"<h1>{amount}</h1>",
                f'<p class="what">{html.escape(str(order["Description"]))}</p>',
                '<form method="post">',
                '<label>Card number<input name="card" value="4242 4242 4242 4242"></label>',
                '<div class="row"><label>Expiry<input name="exp" value="12/29"></label>',
                '<label>CVC<input name="cvc" value="123"></label></div>',
                f'<button type="submit" id="pay">Pay {amount}</button></form>',
                '<p class="note">Sandbox: no real money moves. This page posts signed <code>check</code> ',
                "and <code>pay</code> notifications to the service, as CloudPayments does; the card ",
                "<code>4012 8888 8888 1881</code> is declined (a <code>fail</code> notification).</p>",
            ]
        )
    return Template((STATIC / "checkout.html").read_text()).substitute(body=body)


async def checkout(request: web.Request) -> web.Response:
    world = _world(request)
    order = world.payments.orders.get(request.match_info["order"])
    if order is None:
        raise web.HTTPNotFound(text="no such order")
    if request.method == "GET":
        return web.Response(
            text=_checkout_page(order, paid=order.get("Status") == "Paid"), content_type="text/html"
        )
    card = "".join(ch for ch in str((await request.post()).get("card", "")) if ch.isdigit())
    transaction = world.payments.pay_order(order["Id"], last_four=card[-4:] if len(card) > 12 else "4242")
    base = f"{world.public_base_url}/webhooks/cloudpayments"
    body, headers = world.payments.notification("check", transaction)
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/check", data=body, headers=headers) as response:
            code = (await response.json())["code"]
        if code != 0:
            return web.Response(text=_checkout_page(order, refused=code), content_type="text/html")
        if card == DECLINED_CARD:  # the bank said no after the check: CloudPayments posts `fail`
            transaction["Status"] = "Declined"
            body, headers = world.payments.notification("fail", transaction)
            async with session.post(f"{base}/fail", data=body, headers=headers) as response:
                await response.read()
            return web.Response(text=_checkout_page(order, declined=True), content_type="text/html")
        body, headers = world.payments.notification("pay", transaction)
        async with session.post(f"{base}/pay", data=body, headers=headers) as response:
            await response.read()
        if transaction["TransactionId"] in world.payments.receipts:  # CloudKassir printed its receipt
            body, headers = world.payments.receipt_notification(transaction["TransactionId"])
            async with session.post(f"{base}/receipt", data=body, headers=headers) as response:
                await response.read()
    world.payments.tokens[transaction["Token"]] = "ok"  # the saved card works for one tap next time
    order["Status"] = "Paid"
    return web.Response(text=_checkout_page(order, paid=True), content_type="text/html")


async def receipt_page(request: web.Request) -> web.Response:
    """The link a client's fiscal receipt message carries: the receipt service's page for it."""
    return await _world(request).payments.receipt_page(request)


def setup(app: web.Application) -> None:
    app.router.add_get("/sandbox", page)
    app.router.add_static("/sandbox/static", STATIC)
    app.router.add_get("/sandbox/api/personas", personas)
    app.router.add_get("/sandbox/api/phone", phone)
    app.router.add_post("/sandbox/api/phone", phone_send)
    app.router.add_post("/sandbox/api/phone/button", phone_button)
    app.router.add_get("/sandbox/api/webapp", webapp)
    app.router.add_get("/sandbox/api/forum", forum)
    app.router.add_post("/sandbox/api/forum", forum_send)
    app.router.add_post("/sandbox/api/clock", fast_forward)
    app.router.add_get("/sandbox/console/{telegram_id}", open_console)
    app.router.add_get("/sandbox/api/call", call_state)
    app.router.add_post("/sandbox/api/call", call_place)
    app.router.add_post("/sandbox/api/call/{act}", call_act)
    app.router.add_route("*", "/sandbox/pay/{order}", checkout)
    app.router.add_get("/sandbox/receipts/{transaction}", receipt_page)
