"""The signed HTTP webhook that lets any tool the team uses take in submissions.

The body is JSON with an idempotency key; the header `X-Sammanbot-Signature` is
`sha256=<hex HMAC-SHA256 of the raw body with FORWARD_WEBHOOK_SECRET>`. The secret is
applied when sending, so it is never stored in the database.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import aiohttp

SIGNATURE_HEADER = "X-Sammanbot-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), signature)


class WebhookError(Exception):
    """The receiver did not take the submission (network error or non-2xx)."""


def webhook_transport(url: str, secret: bytes | None, session: aiohttp.ClientSession):
    async def post(row: Any) -> dict[str, Any]:
        body = json.dumps(row.payload, ensure_ascii=False, sort_keys=True).encode()
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: row.payload.get("idempotency_key", "")}
        if secret:
            headers[SIGNATURE_HEADER] = sign(secret, body)
        try:
            async with session.post(url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=15)) as resp:
                if resp.status >= 300:
                    raise WebhookError(f"HTTP {resp.status}")
                return {"status": resp.status}
        except aiohttp.ClientError as exc:
            raise WebhookError(type(exc).__name__) from exc

    return post
