"""The webhook endpoint: Telegram POSTs updates here when WEBHOOK_URL is set.

It answers 200 only after the update is committed to the inbox. Requests without
the right X-Telegram-Bot-Api-Secret-Token (compared in constant time), oversized
bodies and malformed JSON are refused before the database is touched.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.settings import Settings
from bot.telegram.intake import store_updates

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # Telegram's updates are far smaller; anything this big is not one


def webhook_secret(settings: Settings) -> str:
    """The configured secret, or one derived from the token (the same in every process)."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    return hmac.new(token.encode(), b"sammanbot-webhook", hashlib.sha256).hexdigest()[:64]


def webhook_path(settings: Settings) -> str:
    return urlsplit(settings.webhook_url or "").path or "/telegram/webhook"


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
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413, text="too large")
        try:
            body = await request.content.read(MAX_BODY + 1)
        except (ConnectionResetError, aiohttp.ClientPayloadError):
            return web.Response(status=400, text="request cut off")  # Telegram sends it again
        if len(body) > MAX_BODY:
            return web.Response(status=413, text="too large")
        try:
            update = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="malformed JSON")
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
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
