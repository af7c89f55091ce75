"""A local Bot API server: records every call, keeps chats, forum topics and messages, enforces Telegram's
limits (1 msg/s per chat, 20 msg/min per group, 30 msg/s overall; an edit counts as a message, as Telegram's
developers say it does) against an injected clock, and fails on demand (429, 5xx, 403, "message thread
not found"). The real aiogram session talks to it over HTTP."""

from __future__ import annotations

import json
import math
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from domain.clock import Clock, SystemClock

SENDING = {
    "sendMessage",
    "copyMessage",
    "sendPhoto",
    "sendDocument",
    "sendVoice",
    "sendVideo",
    "sendAudio",
    "sendLocation",
    "sendContact",
    "sendSticker",
    "createForumTopic",
}
EDITING = {"editMessageText"}
PER_CHAT = timedelta(seconds=1)
GROUP_WINDOW, GROUP_LIMIT = timedelta(minutes=1), 20
GLOBAL_WINDOW, GLOBAL_LIMIT = timedelta(seconds=1), 30


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _caption(p: dict) -> dict[str, Any]:
    """A caption as Telegram takes it: at most 1,024 characters, with its entities."""
    caption = p.get("caption")
    if not caption:
        return {}
    if len(caption) > 1024:
        raise ApiError(400, "Bad Request: message caption is too long")
    entities = {"caption_entities": p["caption_entities"]} if p.get("caption_entities") else {}
    return {"caption": caption} | entities


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: datetime
    ok: bool = True
    error: str | None = None


@dataclass
class Failure:
    method: str | None
    chat_id: int | None
    error: ApiError
    remaining: int


@dataclass
class Chat:
    id: int
    type: str  # private | supergroup
    title: str | None = None
    is_forum: bool = False
    first_name: str | None = None
    next_message_id: int = 1
    topics: dict[int, str] = field(default_factory=dict)
    deleted_topics: set[int] = field(default_factory=set)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)
    closed_topics: set[int] = field(default_factory=set)
    bot_rights: dict[str, Any] = field(default_factory=dict)  # over an administrator's (getChatMember)


# the bot as an administrator of a forum, as the service needs it (a chat's bot_rights change any of it)
ADMINISTRATOR: dict[str, Any] = {
    "status": "administrator",
    **dict.fromkeys(
        (
            "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
            "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
            "can_delete_stories", "can_manage_topics", "can_pin_messages",
        ),
        True,
    ),
    **dict.fromkeys(
        ("can_be_edited", "is_anonymous", "can_promote_members", "can_send_welcome_messages"), False
    ),
}  # fmt: skip


class FakeTelegram:
    def __init__(self, token: str, clock: Clock | None = None, id_base: int = 0) -> None:
        self.token = token
        self.id_base = id_base  # a restarted sandbox goes on past every id it handed out before
        self.clock = clock or SystemClock()
        bot_id = int(token.split(":", 1)[0])  # as in Telegram: the token starts with the bot's id
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "Concierge", "username": "concierge_bot"}
        self.calls: list[Call] = []
        self.chats: dict[int, Chat] = {}
        self.failures: list[Failure] = []
        self.lost_answers: list[Failure] = []  # done, and the connection dropped before the answer
        self.blocked: set[int] = set()
        self.limit_violations: list[Call] = []
        self.webhook: dict[str, Any] | None = None
        self.webhook_error: tuple[datetime, str] | None = None  # Telegram's last failed delivery
        self.service_updates: list[dict[str, Any]] = []
        self.commands: dict[tuple, list[tuple[str, str]]] = {}  # the menus: (scope type, chat, language)
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}  # chat (None: the default) → its menu button
        self.updates: list[dict[str, Any]] = []
        self._next_update_id = 100_000 + id_base
        self._sent_by_chat: dict[int, deque[datetime]] = defaultdict(deque)
        self._last_in_chat: dict[int, datetime] = {}
        self._sent_all: deque[datetime] = deque()
        self._next_thread = 1000 + id_base
        self.files: dict[str, bytes] = {}  # file_id → content, for getFile and downloads

    # --- the HTTP side -------------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        return app

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params, self.clock.now())
        self.calls.append(call)
        try:
            result = self._dispatch(method, params)
        except ApiError as error:
            call.ok, call.error = False, error.description
            return web.json_response(error.body(), status=error.code)
        chat_id = params.get("chat_id")
        if self._answer_lost(method, int(chat_id) if chat_id is not None else None) and request.transport:
            request.transport.abort()  # what was asked is done; the caller hears nothing back
        return web.json_response({"ok": True, "result": result})

    def _answer_lost(self, method: str, chat_id: int | None) -> bool:
        for lost in self.lost_answers:
            if lost.remaining > 0 and lost.method in (None, method) and lost.chat_id in (None, chat_id):
                lost.remaining -= 1
                return True
        return False

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, str):
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    params[key] = value
            else:
                params[key] = value.filename  # an uploaded file: keep its name
        for key, value in list(params.items()):  # `attach://<part>`: the part's file, as Telegram reads it
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = params.get(value.removeprefix("attach://"), value)
        return params

    def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        chat_id = params.get("chat_id")
        self._inject_failure(method, int(chat_id) if chat_id is not None else None)
        if method in SENDING or method in EDITING:
            self._enforce_limits(int(chat_id))
        return handler(params)

    def _inject_failure(self, method: str, chat_id: int | None) -> None:
        if chat_id is not None and chat_id in self.blocked and method != "answerCallbackQuery":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        for failure in self.failures:
            if (
                failure.remaining > 0
                and failure.method in (None, method)
                and failure.chat_id in (None, chat_id)
            ):
                failure.remaining -= 1
                raise failure.error

    def _enforce_limits(self, chat_id: int) -> None:
        now = self.clock.now()
        counted = self._sent_by_chat[chat_id]  # (an edit is charged like a message)
        while self._sent_all and now - self._sent_all[0] >= GLOBAL_WINDOW:
            self._sent_all.popleft()
        retry = 0.0
        last = self._last_in_chat.get(chat_id)
        if last is not None and now - last < PER_CHAT:
            retry = (last + PER_CHAT - now).total_seconds()
        if chat_id < 0:
            recent = [t for t in counted if now - t < GROUP_WINDOW]
            if len(recent) >= GROUP_LIMIT:
                retry = max(retry, (recent[-GROUP_LIMIT] + GROUP_WINDOW - now).total_seconds())
        if len(self._sent_all) >= GLOBAL_LIMIT:
            retry = max(retry, (self._sent_all[0] + GLOBAL_WINDOW - now).total_seconds())
        if retry > 0:
            self.limit_violations.append(self.calls[-1])
            raise ApiError(429, f"Too Many Requests: retry after {math.ceil(retry)}", math.ceil(retry))
        counted.append(now)
        while len(counted) > GROUP_LIMIT:
            counted.popleft()
        self._last_in_chat[chat_id] = now
        self._sent_all.append(now)

    # --- failure injection and inspection ------------------------------------------------------------
    def fail(
        self, error: ApiError, method: str | None = None, chat_id: int | None = None, times: int = 1
    ) -> None:
        self.failures.append(Failure(method, chat_id, error, times))

    def lose_answer(self, method: str | None = None, chat_id: int | None = None, times: int = 1) -> None:
        """The next matching call is done, and its connection drops before the answer (a timeout, a network
        that failed on the way back): the caller cannot know whether it went."""
        self.lost_answers.append(Failure(method, chat_id, ApiError(0, "answer lost"), times))

    def fail_429(self, retry_after: int, **where: Any) -> None:
        self.fail(ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after), **where)

    def fail_5xx(self, **where: Any) -> None:
        self.fail(ApiError(502, "Bad Gateway"), **where)

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        self.chats[chat_id].deleted_topics.add(thread_id)

    def sent(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.ok
            and (method is None or c.method == method)
            and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
        ]

    def topic_messages(self, chat_id: int, thread_id: int) -> list[dict[str, Any]]:
        return [
            m
            for m in self.chats[chat_id].messages.values()
            if m.get("message_thread_id") == thread_id
            and m.get("from", {}).get("is_bot")
            and not m.get("forum_topic_created")
        ]

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in self.chats[chat_id].messages.values() if m.get("from", {}).get("is_bot")]

    # --- chats and updates (what users do) -------------------------------------------------------------
    def forum(self, chat_id: int, title: str = "Concierge staff") -> Chat:
        return self.chats.setdefault(
            chat_id,
            Chat(chat_id, "supergroup", title=title, is_forum=True, next_message_id=self.id_base + 1),
        )

    def started(self, user: dict[str, Any]) -> Chat:
        """The person has pressed Start (in an earlier life of a restarted sandbox, say)."""
        return self._private(user)

    def _private(self, user: dict[str, Any]) -> Chat:
        return self.chats.setdefault(
            user["id"],
            Chat(user["id"], "private", first_name=user.get("first_name"), next_message_id=self.id_base + 1),
        )

    def _chat_json(self, chat: Chat) -> dict[str, Any]:
        if chat.type == "private":
            return {"id": chat.id, "type": "private", "first_name": chat.first_name or ""}
        return {"id": chat.id, "type": "supergroup", "title": chat.title, "is_forum": chat.is_forum}

    def _store(self, chat: Chat, message: dict[str, Any]) -> dict[str, Any]:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message = {
            "message_id": message_id,
            "date": int(self.clock.now().timestamp()),
            "chat": self._chat_json(chat),
        } | message
        chat.messages[message_id] = message
        return message

    def _update(self, **body: Any) -> dict[str, Any]:
        self._next_update_id += 1
        update = {"update_id": self._next_update_id, **body}
        self.updates.append(update)
        return update

    def user_message(
        self,
        user: dict[str, Any],
        chat_id: int | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """A message a person sends: into the private chat with the bot, or into a forum topic."""
        chat = self._private(user) if chat_id is None else self.chats[chat_id]
        body: dict[str, Any] = {"from": user | {"is_bot": False}, **content}
        if thread_id is not None:
            body |= {"message_thread_id": thread_id, "is_topic_message": thread_id in chat.topics}
        if reply_to is not None:
            body["reply_to_message"] = chat.messages[reply_to]
        return self._update(message=self._store(chat, body))

    def edit(self, user: dict[str, Any], message_id: int, text: str) -> dict[str, Any]:
        """The person changes the text of a message they sent in their private chat with the bot."""
        chat = self._private(user)
        edited = chat.messages[message_id] | {"text": text, "edit_date": int(self.clock.now().timestamp())}
        chat.messages[message_id] = edited
        return self._update(edited_message=edited)

    def callback(self, user: dict[str, Any], message_id: int, data: str) -> dict[str, Any]:
        chat = self._private(user)
        return self._update(
            callback_query={
                "id": f"cb{self._next_update_id}",
                "from": user | {"is_bot": False},
                "chat_instance": str(chat.id),
                "data": data,
                "message": chat.messages[message_id],
            }
        )

    # --- Bot API methods ------------------------------------------------------------------------------
    def _api_getMe(self, _p: dict) -> dict:
        return self.bot_user

    def _api_setWebhook(self, p: dict) -> bool:
        self.webhook = p
        return True

    def _api_deleteWebhook(self, _p: dict) -> bool:
        self.webhook = None
        return True

    def _api_getWebhookInfo(self, _p: dict) -> dict:
        info = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0 if self.webhook else len(self.updates),
        }
        if self.webhook_error is not None:
            at, message = self.webhook_error
            info |= {"last_error_date": int(at.timestamp()), "last_error_message": message}
        return info

    def _api_getChat(self, p: dict) -> dict:
        chat = self.chats.get(int(p["chat_id"]))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return self._chat_json(chat) | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    def _api_getChatMember(self, p: dict) -> dict:
        chat = self.chats.get(int(p["chat_id"]))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if int(p["user_id"]) != self.bot_user["id"]:
            return {"status": "member", "user": {"id": int(p["user_id"]), "is_bot": False, "first_name": "?"}}
        return {"user": self.bot_user, **ADMINISTRATOR, **chat.bot_rights}

    def _api_getUpdates(self, p: dict) -> list:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(p.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        return self.updates[: int(p.get("limit") or 100)]

    def _target(self, p: dict) -> tuple[Chat, int | None]:
        chat = self.chats.get(int(p["chat_id"]))
        if chat is None and int(p["chat_id"]) > 0:  # a person who never pressed Start
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        thread = p.get("message_thread_id")
        if thread is not None:
            thread = int(thread)
            if thread in chat.deleted_topics or thread not in chat.topics:
                raise ApiError(400, "Bad Request: message thread not found")
        return chat, thread

    def _bot_message(self, p: dict, content: dict) -> dict:
        chat, thread = self._target(p)
        body = {"from": self.bot_user} | content
        if thread is not None:
            body |= {"message_thread_id": thread, "is_topic_message": True}
        reply = (p.get("reply_parameters") or {}).get("message_id") or p.get("reply_to_message_id")
        if reply is not None:
            body["reply_to_message"] = {"message_id": int(reply), "date": 0, "chat": self._chat_json(chat)}
        markup = p.get("reply_markup") or {}
        if markup.get("inline_keyboard"):
            body["reply_markup"] = markup
        message = self._store(chat, body)
        if markup.get("keyboard"):  # kept for the sandbox page; Telegram does not return a reply keyboard
            chat.messages[message["message_id"]] = message | {"reply_keyboard": markup["keyboard"]}
        return message

    def _api_sendMessage(self, p: dict) -> dict:
        if not str(p.get("text", "")).strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(p["text"]) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        entities = {"entities": p["entities"]} if p.get("entities") else {}
        return self._bot_message(p, {"text": p["text"], **entities})

    def _upload(self, p: dict, kind: str) -> dict:
        file = {
            "file_id": f"up-{kind}-{len(self.calls)}",
            "file_unique_id": f"u{len(self.calls)}",
            "file_name": p.get(kind),
        }
        if kind in ("photo", "video"):
            file |= {"width": 1, "height": 1}
        if kind in ("video", "audio"):
            file |= {"duration": 1}
        content: dict[str, Any] = {kind: [file] if kind == "photo" else file}
        return self._bot_message(p, content | _caption(p))

    def _api_sendPhoto(self, p: dict) -> dict:
        return self._upload(p, "photo")

    def _api_sendDocument(self, p: dict) -> dict:
        return self._upload(p, "document")

    def _api_sendVideo(self, p: dict) -> dict:
        return self._upload(p, "video")

    def _api_sendAudio(self, p: dict) -> dict:
        return self._upload(p, "audio")

    def _api_getFile(self, p: dict) -> dict:
        return {
            "file_id": p["file_id"],
            "file_unique_id": "f",
            "file_size": len(self.files.get(p["file_id"], b"")),
            "file_path": f"files/{p['file_id']}",
        }

    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].split("/", 1)[-1]
        if request.match_info["token"] != self.token or file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id], content_type="application/octet-stream")

    def _api_copyMessage(self, p: dict) -> dict:
        source = self.chats.get(int(p["from_chat_id"]))
        original = source.messages.get(int(p["message_id"])) if source else None
        if original is None:
            raise ApiError(400, "Bad Request: message to copy not found")
        content = {
            k: v
            for k, v in original.items()
            if k
            in {
                "text",
                "photo",
                "document",
                "voice",
                "video",
                "audio",
                "location",
                "contact",
                "sticker",
                "caption",
                "caption_entities",
            }
        }
        if "caption" in p:  # a new caption for the copy (else the original's is kept)
            content = {k: v for k, v in content.items() if k not in ("caption", "caption_entities")}
            content |= _caption(p)
        return {
            "message_id": self._bot_message(
                p, content | {"copied_from": [source.id, original["message_id"]]}
            )["message_id"]
        }

    def _api_createForumTopic(self, p: dict) -> dict:
        chat = self.chats.get(int(p["chat_id"]))
        if chat is None or not chat.is_forum:
            raise ApiError(400, "Bad Request: the chat is not a forum")
        name = p["name"]
        if not 1 <= len(name) <= 128:
            raise ApiError(400, "Bad Request: invalid topic name")
        self._next_thread += 1
        chat.topics[self._next_thread] = name
        service = self._store(
            chat,
            {
                "from": self.bot_user,
                "message_thread_id": self._next_thread,
                "is_topic_message": True,
                "forum_topic_created": {"name": name, "icon_color": 7322096},
            },
        )
        # Telegram tells the bot (an admin of the forum) about the service message, as about any message
        self.service_updates.append(self._update(message=service))
        return {"message_thread_id": self._next_thread, "name": name, "icon_color": 7322096}

    def _api_editForumTopic(self, p: dict) -> bool:
        chat, thread = self._target(p)
        if thread is None:
            raise ApiError(400, "Bad Request: message thread not found")
        name = p.get("name", chat.topics[thread])
        if not 1 <= len(name) <= 128:
            raise ApiError(400, "Bad Request: invalid topic name")
        if name == chat.topics[thread]:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        chat.topics[thread] = name
        return True

    def _api_deleteForumTopic(self, p: dict) -> bool:
        chat, thread = self._target(p)
        if thread is None:
            raise ApiError(400, "Bad Request: message thread not found")
        self.delete_topic(chat.id, thread)
        return True

    def _api_setMyCommands(self, p: dict) -> bool:
        scope = p.get("scope") or {"type": "default"}
        key = (scope.get("type"), scope.get("chat_id"), p.get("language_code"))
        self.commands[key] = [(c["command"], c["description"]) for c in p["commands"]]
        return True

    def _api_setChatMenuButton(self, p: dict) -> bool:
        """A private chat's menu button (a Mini App), or the default for every chat when no chat is named."""
        button = p.get("menu_button") or {"type": "default"}
        if button.get("type") == "web_app":
            url = (button.get("web_app") or {}).get("url", "")
            if not button.get("text") or not url.startswith(
                ("https://", "http://127.0.0.1", "http://localhost")
            ):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        chat = p.get("chat_id")
        if chat is not None and int(chat) <= 0:
            raise ApiError(400, "Bad Request: chat not found")  # only a private chat has a menu button
        self.menu_buttons[None if chat is None else int(chat)] = button
        return True

    def _api_closeForumTopic(self, p: dict) -> bool:
        chat, thread = self._target(p)
        if thread is None:
            raise ApiError(400, "Bad Request: message thread not found")
        chat.closed_topics.add(thread)
        return True

    def take_service_updates(self) -> list[dict[str, Any]]:
        """Updates Telegram itself made (service messages): the test driver delivers them to the webhook."""
        taken, self.service_updates = self.service_updates, []
        return taken

    def _api_deleteMessage(self, p: dict) -> bool:
        chat, _ = self._target({"chat_id": p["chat_id"]})
        if int(p["message_id"]) not in chat.messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        if chat.type != "private" and not chat.bot_rights.get("can_delete_messages", True):
            raise ApiError(400, "Bad Request: message can't be deleted")
        del chat.messages[int(p["message_id"])]
        return True

    def _api_pinChatMessage(self, p: dict) -> bool:
        chat, _ = self._target({"chat_id": p["chat_id"]})
        if int(p["message_id"]) not in chat.messages:
            raise ApiError(400, "Bad Request: message to pin not found")
        chat.pinned.append(int(p["message_id"]))
        return True

    def _api_editMessageText(self, p: dict) -> dict:
        chat, _ = self._target({"chat_id": p["chat_id"]})
        message = chat.messages.get(int(p["message_id"]))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("text") == p["text"]:
            raise ApiError(400, "Bad Request: message is not modified")
        message["text"] = p["text"]
        return message

    def _api_answerCallbackQuery(self, _p: dict) -> bool:
        return True

    def _api_sendChatAction(self, _p: dict) -> bool:
        return True
