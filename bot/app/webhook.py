"""Posting the signed webhook (bot.forwarding.webhook builds body and headers): the
sender's transport for outbox rows whose target is "webhook"."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.forwarding.webhook import signed


class WebhookError(Exception):
    """The receiver did not take the submission (network error or non-2xx)."""


def webhook_transport(url: str, secret: bytes | None, session: aiohttp.ClientSession):
    async def post(row: Any) -> dict[str, Any]:
        body, headers = signed(row.payload, secret)
        try:
            async with session.post(url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=15)) as resp:
                if resp.status >= 300:
                    raise WebhookError(f"HTTP {resp.status}")
                return {"status": resp.status}
        except aiohttp.ClientError as exc:
            raise WebhookError(type(exc).__name__) from exc

    return post
