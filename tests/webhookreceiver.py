"""The team's webhook receiver in tests: a real aiohttp server on a free port that keeps
every post (body and headers) and answers 200, for the signed webhook (FORWARD_WEBHOOK_URL)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    url: str = ""
    posts: list[Received] = field(default_factory=list)

    def events(self, event: str) -> list[Received]:
        return [p for p in self.posts if p.json.get("event") == event]


@contextlib.asynccontextmanager
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()

    async def take(request: web.Request) -> web.Response:
        receiver.posts.append(Received(await request.read(), dict(request.headers)))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/ideas", take)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    receiver.url = f"http://127.0.0.1:{port}/ideas"
    try:
        yield receiver
    finally:
        await runner.cleanup()
