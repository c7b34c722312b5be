"""The signed HTTP webhook that lets any tool the team uses take in submissions.

The body is JSON with an idempotency key; the header `X-Sammanbot-Signature` is
`sha256=<hex HMAC-SHA256 of the raw body with FORWARD_WEBHOOK_SECRET>`. The secret is
applied when sending, so it is never stored in the database. The post itself is the
process's (bot/app/webhook.py, over aiohttp).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

SIGNATURE_HEADER = "X-Sammanbot-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), signature)


def signed(payload: dict[str, Any], secret: bytes | None) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one webhook post (the key and, with a secret, the signature)."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: payload.get("idempotency_key", "")}
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, body)
    return body, headers
