"""The fake Bot API server: an aiohttp app serving `/bot{token}/{method}` and
`/file/bot{token}/{path}`, holding chats, simulated users, pending updates, stats,
faults and rate limits. Usable in-process (tests) or standalone (`__main__`)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import aiohttp
from aiohttp import web

from . import methods
from .errors import ApiError
from .faults import Faults
from .files import FileStore
from .limits import RateLimits
from .spec import ApiSpec, Upload, load_spec
from .transcript import BotMessage, Chat
from .updates import UpdateQueue, WebhookDelivery
from .users import MessageRef, SimGroup, SimUser

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456:TEST-TOKEN-for-the-fake-Bot-API-only"  # of Telegram's form: the bot refuses others
_MAX_UPLOAD = 50 * 1024 * 1024


class FakeBotApi:
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "sammanbot_test_bot",
        rate_limits: bool = False,
        clock: Callable[[], float] = time.monotonic,
        spec: ApiSpec | None = None,
    ):
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Sammanbot Test",
            "username": bot_username,
        }
        self.spec = spec or load_spec()
        self.clock = clock
        self.limits = RateLimits(enabled=rate_limits, clock=clock)
        self.faults = Faults(clock)
        self.files = FileStore()
        self.updates = UpdateQueue()
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, SimUser] = {}
        self.groups: dict[int, SimGroup] = {}
        self.pending_callbacks: set[str] = set()
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}  # (method's field, language code) -> text
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}  # chat id (None: every private chat) -> MenuButton
        self.webhook: WebhookDelivery | None = None
        self.webhook_settings: dict[str, Any] = {}
        self.calls: list[tuple[str, dict[str, Any], float]] = []
        self.rejected: list[tuple[str, str]] = []
        self.count_429 = 0
        self._user_ids = itertools.count(700_000_001)
        self._group_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.host = "127.0.0.1"
        self.port: int | None = None

    # -- lifecycle -----------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL (the value for TELEGRAM_API_URL)."""
        return f"http://{self.host}:{self.port}"

    def make_app(self) -> web.Application:
        from .control import add_control_routes

        app = web.Application(client_max_size=_MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        add_control_routes(app, self)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.host = host
        self.port = site._server.sockets[0].getsockname()[1]  # the real port when 0 was asked

    async def stop(self) -> None:
        self.updates.stop_polling()
        if self.webhook:
            await self.webhook.stop()
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- simulated people ----------------------------------------------------

    def new_user(
        self,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "sv",
    ) -> SimUser:
        user = SimUser(self, next(self._user_ids), first_name, last_name, username, language_code)
        self.users[user.id] = user
        self.chats[user.id] = user.chat
        return user

    def new_group(
        self,
        title: str,
        members: Iterable[SimUser] = (),
        admins: Iterable[SimUser] = (),
        kind: str = "group",
        forum: bool = False,
    ) -> SimGroup:
        """A group; `forum`: a supergroup with topics (is_forum, createForumTopic)."""
        kind = "supergroup" if forum else kind
        n = next(self._group_ids)
        chat_id = -(1_000_000_000_000 + n) if kind == "supergroup" else -(4_000_000_000 + n)
        group = SimGroup(self, chat_id, title, kind)
        if forum:
            group.chat.api["is_forum"] = True
        for user in members:
            group.add_member(user)
        for user in admins:
            group.add_member(user, "administrator")
        self.groups[chat_id] = group
        self.chats[chat_id] = group.chat
        return group

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue any update (assigns update_id if absent; may repeat one, or be malformed)."""
        return self.updates.push(update)

    def now(self) -> int:
        return int(time.time())

    # -- helpers shared with users and methods -------------------------------

    def message_api(self, chat: Chat, message: BotMessage) -> dict[str, Any]:
        return message.to_api(self.bot_user, chat.api)

    def bot_message(self, chat: Chat, ref: MessageRef) -> BotMessage:
        message_id = ref.message_id if isinstance(ref, BotMessage) else ref
        found = chat.find_bot_message(message_id)
        if found is None:
            raise LookupError(f"no bot message {message_id} in chat {chat.id}")
        return found

    def chat_member(self, user: dict[str, Any], status: str) -> dict[str, Any]:
        """A full ChatMember object for a status."""
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "administrator":
            member |= self.spec.required_booleans("ChatMemberAdministrator") | {
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_invite_users": True,
            }
        elif status == "creator":
            member["is_anonymous"] = False
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def my_chat_member(self, chat: Chat, by: SimUser, old: str, new: str) -> dict[str, Any]:
        return {
            "my_chat_member": {
                "chat": chat.api,
                "from": by.api,
                "date": self.now(),
                "old_chat_member": self.chat_member(self.bot_user, old),
                "new_chat_member": self.chat_member(self.bot_user, new),
            }
        }

    # -- stats ---------------------------------------------------------------

    @property
    def unanswered_callbacks(self) -> list[str]:
        return sorted(self.pending_callbacks)

    def calls_per_method(self) -> dict[str, int]:
        return dict(Counter(method for method, _, _ in self.calls))

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params, _ in self.calls if name == method]

    # -- HTTP ----------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params, uploads = await _read_params(request)
        except ApiError as exc:
            return self._error(method, exc)
        except (ConnectionResetError, aiohttp.ClientPayloadError):
            # The client gave up mid-request (e.g. a sender that lost its lease): as at
            # Telegram, a call never fully received never happened.
            return web.Response(status=400, text="request cut off")
        self.calls.append((method, params, time.time()))
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            result = await self._call(self.spec_name(method), params, uploads)
        except ApiError as exc:
            return self._error(method, exc)
        return web.json_response({"ok": True, "result": result})

    def spec_name(self, method: str) -> str:
        """Telegram matches method names case-insensitively."""
        if method in self.spec.methods:
            return method
        return next((m for m in self.spec.methods if m.lower() == method.lower()), method)

    async def _call(self, method: str, raw: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        params = self.spec.validate_call(method, raw, uploads)
        self.calls[-1] = (method, params, self.calls[-1][2])
        hang = self.faults.before_call(method)
        if hang:
            await asyncio.sleep(hang.seconds)
            if not hang.deliver:
                raise ApiError(504, "Gateway Timeout")
        chat = self._target_chat(params)
        methods.check_can_send(self, method, chat)
        retry_after = self.limits.check(method, chat.id if chat else None, bool(chat and chat.is_group))
        if retry_after is not None:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
        return await methods.dispatch(self, method, params, chat)

    def _target_chat(self, params: dict[str, Any]) -> Chat | None:
        chat_id = params.get("chat_id")
        if chat_id is None:
            return None
        if isinstance(chat_id, str):
            chat = next((c for c in self.chats.values() if c.api.get("username") == chat_id.lstrip("@")), None)
        else:
            chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _error(self, method: str, exc: ApiError) -> web.Response:
        if exc.rejects_call:
            self.rejected.append((method, exc.description))
            log.warning("fakebotapi rejected %s: %s", method, exc.description)
        if exc.status == 429:
            self.count_429 += 1
        return web.json_response(exc.body(), status=exc.status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        stored = self.files.by_path(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.data, content_type="application/octet-stream")


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    params: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.content_type == "application/json" and request.can_read_body:
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON body") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: the JSON body must be an object")
        params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                uploads[name] = Upload(value.filename, value.content_type, value.file.read())
            else:
                params[name] = value
    return params, uploads
