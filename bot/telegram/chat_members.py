"""Who someone is in a chat (getChatMember), asked live and bounded by a timeout.

The staff group relies on it: only its members may press card buttons, only its
administrators may replace flows. The call must never run inside a database
transaction (a slow Telegram would hold the transaction, and on SQLite every writer
with it): a press that needs it is answered in two steps (see staff.py). When
Telegram cannot answer in time the answer is "unknown" (None) and callers refuse,
asking to try again.

A verdict travels with the press it was asked for, inside the update stored again
for the second step, signed with the deployment's key so that no update from
outside can claim one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from typing import Any

from telegram.error import TelegramError

log = logging.getLogger(__name__)

TIMEOUT = 5.0
ADMINS = frozenset({"creator", "administrator"})
MEMBERS = ADMINS | {"member"}
VERDICT = "sammanbot_member"  # key of the verdict in a stored callback query
FORGED = "forged"  # the status of a verdict whose signature does not match


async def status_of(bot: Any, chat_id: int, user_id: int, timeout: float | None = None) -> str | None:
    """creator / administrator / member / left / kicked, or None when it cannot be known.

    A restricted user counts as "member" while still in the chat, else as "left".
    """
    if bot is None:
        return None
    timeout = timeout or TIMEOUT
    try:
        member = await asyncio.wait_for(bot.get_chat_member(chat_id, user_id, read_timeout=timeout), timeout)
    except (TelegramError, TimeoutError) as exc:
        log.warning("getChatMember failed (%s)", type(exc).__name__)
        return None
    if member.status == "restricted":
        return "member" if getattr(member, "is_member", False) else "left"
    return member.status


async def is_admin(bot: Any, chat_id: int, user_id: int) -> bool | None:
    status = await status_of(bot, chat_id, user_id)
    return None if status is None else status in ADMINS


def _signature(key: bytes, query_id: str, chat_id: int, user_id: int, status: str) -> str:
    message = f"chat-member:{query_id}:{chat_id}:{user_id}:{status}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signed_verdict(key: bytes, query_id: str, chat_id: int, user_id: int, status: str) -> dict[str, str]:
    return {"status": status, "signature": _signature(key, query_id, chat_id, user_id, status)}


def verdict_of(key: bytes, query: Any, chat_id: int) -> str | None:
    """The status carried by a stored press (FORGED when its signature is wrong), or
    None when it carries none and still has to be asked."""
    verdict = (query.api_kwargs or {}).get(VERDICT)
    if verdict is None:
        return None
    status = verdict.get("status") if isinstance(verdict, dict) else None
    given = verdict.get("signature") if isinstance(verdict, dict) else None
    if not isinstance(status, str) or not isinstance(given, str):
        return FORGED
    expected = _signature(key, query.id, chat_id, query.from_user.id, status)
    return status if hmac.compare_digest(given, expected) else FORGED
