"""Who someone is in a chat (getChatMember), asked live and bounded by a timeout.

The staff group relies on it: only its members may press card buttons, only its
administrators may replace flows. The call happens inside the update's transaction,
so it must be short; when Telegram cannot answer in time the answer is "unknown"
(None) and callers refuse, asking to try again.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import TelegramError

log = logging.getLogger(__name__)

TIMEOUT = 5.0
ADMINS = frozenset({"creator", "administrator"})
MEMBERS = ADMINS | {"member"}


async def status_of(bot: Any, chat_id: int, user_id: int, timeout: float = TIMEOUT) -> str | None:
    """creator / administrator / member / left / kicked, or None when it cannot be known.

    A restricted user counts as "member" while still in the chat, else as "left".
    """
    if bot is None:
        return None
    try:
        member = await asyncio.wait_for(bot.get_chat_member(chat_id, user_id), timeout)
    except (TelegramError, TimeoutError) as exc:
        log.warning("getChatMember failed (%s)", type(exc).__name__)
        return None
    if member.status == "restricted":
        return "member" if getattr(member, "is_member", False) else "left"
    return member.status


async def is_member(bot: Any, chat_id: int, user_id: int) -> bool | None:
    status = await status_of(bot, chat_id, user_id)
    return None if status is None else status in MEMBERS


async def is_admin(bot: Any, chat_id: int, user_id: int) -> bool | None:
    status = await status_of(bot, chat_id, user_id)
    return None if status is None else status in ADMINS
