"""Control API (JSON over HTTP under /_control/) and its client `FakeControl`, so a test
or benchmark in another process can drive simulated users of a standalone server.

Routes:
  POST /_control/users                      {first_name, last_name, username, language_code}
  POST /_control/users/{id}/{action}        a SimUser action (USER_ACTIONS) with its kwargs
  POST /_control/groups                     {title, members: [ids], admins: [ids], kind}
  POST /_control/groups/{id}/{action}       set_bot_status {status, by} | add_member {user, status}
                                            | remove_member {user}
  GET  /_control/chats/{id}/messages        what the bot sent there (BotMessage JSON)
  POST /_control/chats/{id}/wait            {timeout}: the next unconsumed send/edit, 408 if none
  POST /_control/updates                    a raw update
  GET  /_control/stats                      calls per method, rejected calls, 429s, ...
  POST /_control/faults                     {action: fail_next|hold_429|timeout_next|block_user|
                                             unblock_user|clear, ...kwargs}
  POST /_control/limits                     {enabled: bool}
  GET  /_control/files/{file_id}            a stored file's bytes
Bytes travel as {"b64": "..."}; a bot message is referred to by its message_id and a
group (the `chat` of a user action) by its id.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from .faults import Faults
from .transcript import BotMessage
from .users import SimUser

if TYPE_CHECKING:
    from .server import FakeBotApi

USER_ACTIONS = frozenset(
    {
        "send_text",
        "send_command",
        "reply_to",
        "send_photo",
        "send_voice",
        "send_sticker",
        "send_location",
        "send_contact",
        "send_document",
        "press",
        "press_on",
        "press_data",
        "block_bot",
        "unblock_bot",
    }
)
FAULT_ACTIONS = frozenset({"fail_next", "hold_429", "timeout_next", "block_user", "unblock_user", "clear"})


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"b64": base64.b64encode(value).decode()}
    if isinstance(value, BotMessage):
        return value.message_id
    if hasattr(value, "id") and not isinstance(value, (int, str, dict)):
        return value.id  # users and groups, local or remote
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"b64"}:
        return base64.b64decode(value["b64"])
    return value


def add_control_routes(app: web.Application, api: FakeBotApi) -> None:
    routes = ControlRoutes(api)
    app.router.add_post("/_control/users", routes.new_user)
    app.router.add_post("/_control/users/{id}/{action}", routes.user_action)
    app.router.add_post("/_control/groups", routes.new_group)
    app.router.add_post("/_control/groups/{id}/{action}", routes.group_action)
    app.router.add_get("/_control/chats/{id}/messages", routes.messages)
    app.router.add_post("/_control/chats/{id}/wait", routes.wait)
    app.router.add_post("/_control/updates", routes.push_update)
    app.router.add_get("/_control/stats", routes.stats)
    app.router.add_post("/_control/faults", routes.faults)
    app.router.add_post("/_control/limits", routes.limits)
    app.router.add_get("/_control/files/{file_id}", routes.file)


class ControlRoutes:
    def __init__(self, api: FakeBotApi):
        self.api = api

    async def _body(self, request: web.Request) -> dict[str, Any]:
        body = await request.json() if request.can_read_body else {}
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="JSON object expected")
        return {key: _decode(value) for key, value in body.items()}

    def _lookup(self, table: dict[int, Any], raw_id: str) -> Any:
        try:
            return table[int(raw_id)]
        except (KeyError, ValueError):
            raise web.HTTPNotFound(text=f"unknown id {raw_id}") from None

    async def new_user(self, request: web.Request) -> web.Response:
        user = self.api.new_user(**await self._body(request))
        return web.json_response(user.api)

    async def user_action(self, request: web.Request) -> web.Response:
        user = self._lookup(self.api.users, request.match_info["id"])
        action = request.match_info["action"]
        if action not in USER_ACTIONS:
            raise web.HTTPNotFound(text=f"unknown user action {action}")
        kwargs = await self._body(request)
        if "chat" in kwargs and kwargs["chat"] is not None:
            kwargs["chat"] = self._lookup(self.api.groups, str(kwargs["chat"]))
        try:
            result = await getattr(user, action)(**kwargs)
        except (LookupError, TypeError) as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None
        return web.json_response({"result": result})

    async def new_group(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        members = [self._lookup(self.api.users, str(i)) for i in body.pop("members", [])]
        admins = [self._lookup(self.api.users, str(i)) for i in body.pop("admins", [])]
        group = self.api.new_group(body.pop("title"), members, admins, **body)
        return web.json_response(group.chat.api)

    async def group_action(self, request: web.Request) -> web.Response:
        group = self._lookup(self.api.groups, request.match_info["id"])
        body = await self._body(request)
        action = request.match_info["action"]
        if action == "set_bot_status":
            await group.set_bot_status(body["status"], self._lookup(self.api.users, str(body["by"])))
        elif action == "add_member":
            group.add_member(self._lookup(self.api.users, str(body["user"])), body.get("status", "member"))
        elif action == "remove_member":
            group.remove_member(self._lookup(self.api.users, str(body["user"])))
        else:
            raise web.HTTPNotFound(text=f"unknown group action {action}")
        return web.json_response({"result": True})

    async def messages(self, request: web.Request) -> web.Response:
        chat = self._lookup(self.api.chats, request.match_info["id"])
        return web.json_response([m.to_json() for m in chat.bot_messages])

    async def wait(self, request: web.Request) -> web.Response:
        chat = self._lookup(self.api.chats, request.match_info["id"])
        body = await self._body(request)
        try:
            reply = await chat.wait_for_reply(float(body.get("timeout", 10)))
        except TimeoutError as exc:
            return web.json_response({"error": str(exc)}, status=408)
        return web.json_response(reply.to_json())

    async def push_update(self, request: web.Request) -> web.Response:
        return web.json_response(self.api.push_update(await self._body(request)))

    async def stats(self, request: web.Request) -> web.Response:
        api = self.api
        return web.json_response(
            {
                "calls": len(api.calls),
                "calls_per_method": api.calls_per_method(),
                "rejected": [list(r) for r in api.rejected],
                "count_429": api.count_429,
                "unanswered_callbacks": api.unanswered_callbacks,
                "pending_updates": api.updates.pending_count,
                "faults_injected": api.faults.injected,
            }
        )

    async def faults(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        action = body.pop("action", None)
        if action not in FAULT_ACTIONS:
            raise web.HTTPBadRequest(text=f"unknown fault action {action}")
        try:
            getattr(self.api.faults, action)(**body)
        except TypeError as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None
        return web.json_response({"result": True})

    async def limits(self, request: web.Request) -> web.Response:
        self.api.limits.enabled = bool((await self._body(request))["enabled"])
        return web.json_response({"result": True})

    async def file(self, request: web.Request) -> web.Response:
        stored = self.api.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.data, content_type="application/octet-stream")


# -- client --------------------------------------------------------------------


class ControlError(Exception):
    """The control API refused a request (unknown id, bad arguments, ...)."""


class FakeControl:
    """Async client of a (standalone) fake server's control API, with the local verbs."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None
        self.faults = RemoteFaults(self)

    async def __aenter__(self) -> FakeControl:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session:
            await self._session.close()
            self._session = None

    async def request(self, method: str, path: str, body: dict[str, Any] | None = None, *, raw: bool = False) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
        payload = {k: _encode(v) for k, v in (body or {}).items()}
        async with self._session.request(
            method, f"{self.base_url}/_control/{path}", json=payload if method == "POST" else None
        ) as response:
            if response.status == 408:
                raise TimeoutError((await response.json())["error"])
            if response.status >= 400:
                raise ControlError(f"{response.status}: {await response.text()}")
            return await response.read() if raw else await response.json()

    async def new_user(
        self,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "sv",
    ) -> RemoteUser:
        api = await self.request(
            "POST",
            "users",
            {"first_name": first_name, "last_name": last_name, "username": username, "language_code": language_code},
        )
        return RemoteUser(self, api)

    async def new_group(
        self, title: str, members: list[Any] = (), admins: list[Any] = (), kind: str = "group"
    ) -> RemoteGroup:
        api = await self.request(
            "POST",
            "groups",
            {
                "title": title,
                "kind": kind,
                "members": [_encode(m) for m in members],
                "admins": [_encode(a) for a in admins],
            },
        )
        return RemoteGroup(self, api["id"])

    async def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        return await self.request("POST", "updates", update)

    async def messages(self, chat_id: int) -> list[BotMessage]:
        return [BotMessage.from_json(m) for m in await self.request("GET", f"chats/{chat_id}/messages")]

    async def wait_for_reply(
        self, chat_id: int, timeout: float = 10.0, predicate: Callable[[BotMessage], bool] | None = None
    ) -> BotMessage:
        """Like Chat.wait_for_reply; the predicate runs here, skipped replies are consumed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = max(0.0, deadline - loop.time())
            reply = BotMessage.from_json(await self.request("POST", f"chats/{chat_id}/wait", {"timeout": remaining}))
            if predicate is None or predicate(reply):
                return reply

    async def stats(self) -> dict[str, Any]:
        return await self.request("GET", "stats")

    async def set_rate_limits(self, enabled: bool) -> None:
        await self.request("POST", "limits", {"enabled": enabled})

    async def file_bytes(self, file_id: str) -> bytes:
        return await self.request("GET", f"files/{file_id}", raw=True)


class RemoteFaults:
    """The verbs of Faults, over the control API (all async)."""

    def __init__(self, control: FakeControl):
        self._control = control

    def __getattr__(self, action: str) -> Callable[..., Any]:
        if action not in FAULT_ACTIONS:
            raise AttributeError(action)

        async def call(*args: Any, **kwargs: Any) -> None:
            kwargs.update(zip(_positional(Faults, action), args, strict=False))  # args may be fewer than names
            await self._control.request("POST", "faults", {"action": action, **kwargs})

        return call


class RemoteUser:
    """A simulated user of a standalone server: the SimUser verbs (USER_ACTIONS), async."""

    def __init__(self, control: FakeControl, api: dict[str, Any]):
        self._control = control
        self.api = api
        self.id: int = api["id"]

    def __getattr__(self, action: str) -> Callable[..., Any]:
        if action not in USER_ACTIONS:
            raise AttributeError(action)

        async def call(*args: Any, **kwargs: Any) -> Any:
            names = _positional(SimUser, action)
            kwargs.update(zip(names, args, strict=False))  # args may be fewer than names
            response = await self._control.request("POST", f"users/{self.id}/{action}", kwargs)
            return response["result"]

        return call

    async def messages(self) -> list[BotMessage]:
        return await self._control.messages(self.id)

    async def last_message(self) -> BotMessage | None:
        messages = await self.messages()
        return messages[-1] if messages else None

    async def wait_for_reply(
        self, timeout: float = 10.0, predicate: Callable[[BotMessage], bool] | None = None
    ) -> BotMessage:
        return await self._control.wait_for_reply(self.id, timeout, predicate)


class RemoteGroup:
    def __init__(self, control: FakeControl, chat_id: int):
        self._control = control
        self.id = chat_id

    async def set_bot_status(self, status: str, by: Any) -> None:
        await self._control.request("POST", f"groups/{self.id}/set_bot_status", {"status": status, "by": by})

    async def add_member(self, user: Any, status: str = "member") -> None:
        await self._control.request("POST", f"groups/{self.id}/add_member", {"user": user, "status": status})

    async def remove_member(self, user: Any) -> None:
        await self._control.request("POST", f"groups/{self.id}/remove_member", {"user": user})

    async def messages(self) -> list[BotMessage]:
        return await self._control.messages(self.id)

    async def wait_for_reply(
        self, timeout: float = 10.0, predicate: Callable[[BotMessage], bool] | None = None
    ) -> BotMessage:
        return await self._control.wait_for_reply(self.id, timeout, predicate)


def _positional(cls: type, action: str) -> list[str]:
    """Parameter names of a local verb, so remote calls take the same arguments."""
    return [name for name in inspect.signature(getattr(cls, action)).parameters if name != "self"]
