"""The webhook endpoint: Telegram POSTs updates here when WEBHOOK_URL is set.

It answers 200 only after the update is committed to the inbox. Requests without
the right X-Telegram-Bot-Api-Secret-Token (compared in constant time) are refused
first (401); then the body is read whole, however many TCP segments it arrives in,
up to MAX_BODY (larger: 413), and anything that is not one JSON update — malformed
or nested deeper than MAX_DEPTH (Telegram's updates are a dozen levels at most) —
gets 400 before the database is touched.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.base.settings import Settings
from bot.telegram.intake import store_updates

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # 1 MiB; Telegram's updates are far smaller, anything this big is not one
MAX_DEPTH = 64  # nesting of arrays and objects
UPDATE_ID_MAX = (1 << 63) - 1  # what the inbox's BIGINT column holds


def webhook_secret(settings: Settings) -> str:
    """The configured secret, or one derived from the token (the same in every process)."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    return hmac.new(token.encode(), b"sammanbot-webhook", hashlib.sha256).hexdigest()[:64]


def webhook_path(settings: Settings) -> str:
    return urlsplit(settings.webhook_url or "").path or "/telegram/webhook"


class TooLarge(Exception):
    """The body is longer than MAX_BODY."""


async def read_body(request: web.Request, limit: int = MAX_BODY) -> bytes:
    """The whole body, read until its end (Content-Length or chunked), at most `limit` bytes."""
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects in `value` nest deeper than `limit` (without recursion)."""
    level: list[tuple[Any, int]] = [(value, 1)]
    while level:
        item, depth = level.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        level.extend((child, depth + 1) for child in children)
    return False


def parse_update(body: bytes) -> dict[str, Any] | None:
    """One Telegram update from a body, or None when it is not one."""
    try:
        update = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # deep nesting: the parser's own limit
        return None
    if not isinstance(update, dict) or too_deep(update):
        return None
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or not 0 <= update_id <= UPDATE_ID_MAX:
        return None
    return update


class WebhookEndpoint:
    def __init__(self, secret: str, sessionmaker: async_sessionmaker, on_new: Callable[[], None]) -> None:
        self._secret = secret.encode()
        self.sessionmaker = sessionmaker
        self.on_new = on_new
        self.last_update_at: float | None = None

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=401, text="wrong secret")
        try:
            body = await read_body(request)
        except TooLarge:
            return web.Response(status=413, text="too large")
        except (ConnectionResetError, aiohttp.ClientPayloadError):
            return web.Response(status=400, text="request cut off")  # Telegram sends it again
        update = parse_update(body)
        if update is None:
            return web.Response(status=400, text="not an update")
        try:
            new = await store_updates(self.sessionmaker, [update])
        except Exception as exc:  # not stored: Telegram will send it again
            log.warning("webhook update not stored (%s)", type(exc).__name__)
            return web.Response(status=503, text="try again")
        self.last_update_at = asyncio.get_running_loop().time()
        if new:
            self.on_new()
        return web.Response(text="ok")
