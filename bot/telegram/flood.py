"""A flood from one chat is stored and handled, but not answered message by message.

Telegram lets the bot send about one message a second to a chat. A youth (or a script
in their account) who sends hundreds of messages a minute would queue more answers
than can be delivered in many minutes. So a private chat *floods* when it sent more
than FLOOD_PER_MIN messages within a minute (by Telegram's own message dates, so a
backlog handled after a restart does not count as one) while FLOOD_BACKLOG or more
answers to it still wait in the outbox; a youth who reads each answer before writing
the next never floods, however fast they are. It floods until it has slowed to half
the rate. Meanwhile:

- every update is still stored and handled in order, as always: answers the flow takes
  are taken, commands work, nothing a youth wrote is lost;
- the first message over the limit gets one kind SLOW_DOWN reply in their language;
- replies are coalesced: what the bot answers to the chat (at interactive priority)
  waits HOLD_SECONDS in the outbox, and the answer to a newer message replaces it (the
  older one is set aside unsent, "superseded"), so the youth gets the answer to their
  newest message once they pause; the first FLOOD_PER_MIN messages (and the notice)
  are answered one by one;
- a message with crisis words, the safe word, `/help`, or a press of "talk to a
  person" is answered in full at once, as outside a flood: its answers are never
  coalesced, and set aside the coalesced ones waiting before them, so helplines come
  right after what was already due.

The counts are kept in memory, per process (a chat's updates are handled by one
process at a time, normally the same one while they keep coming).
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue import crisis, outgoing
from bot.i18n import replies
from storage import outbox, participants
from storage.outbox import Priority
from storage import hooks
from storage.models import Outbox

FLOOD_BACKLOG = 3  # answers waiting in the outbox before a fast chat counts as flooding
WINDOW = 60.0  # seconds
HOLD_SECONDS = 2.0  # a coalesced reply waits this long for a newer one to replace it
PRUNE_EVERY = 1024  # chats first seen between sweeps of the quiet ones

_HELP = re.compile(r"\s*/help(?:@\w+)?(?:\s|$)", re.I)

Handle = Callable[[AsyncSession, Any], Awaitable[None]]


@dataclass(slots=True)
class _Pace:
    """A token bucket of FLOOD_PER_MIN messages a minute, and whether the chat floods."""

    tokens: float
    at: float
    flooding: bool = False
    # the last update counted, and the one that started the flood: an update handled
    # again after a rollback is not counted twice (and still starts its flood)
    counted: int = -1
    started_by: int = -1


class FloodGuard:
    def __init__(self, services: Any) -> None:
        self.services = services
        self.per_min = services.settings.flood_per_min
        self._chats: dict[int, _Pace] = {}
        self._new_since_prune = 0
        self._latest = 0.0

    @classmethod
    def for_handler(cls, handler: Any) -> FloodGuard | None:
        """A guard for the update handler's chats, when it has services to answer with."""
        services = getattr(handler, "services", None)
        if services is None or not getattr(services.settings, "flood_per_min", 0):
            return None
        return cls(services)

    async def handle(self, s: AsyncSession, row: Any, handle: Handle) -> None:
        """Handle one inbox row through `handle`, coalescing replies while its chat floods."""
        payload = row.payload or {}
        chat = row.chat_key
        if chat <= 0 or row.update_id < 0 or "_tick" in payload:
            await handle(s, row)  # groups, updates without a chat, our own ticks
            return
        message = payload.get("message")
        started = False
        if isinstance(message, dict):
            started = await self._count(s, chat, row.update_id, message)
        if not self._flooding(chat):
            await handle(s, row)
            return
        if self._asks_for_help(payload):
            await _supersede(s, chat)
            await handle(s, row)
            return
        if started:
            await self._slow_down(s, chat)
        with hooks.queued_outbox(s) as queued:
            await handle(s, row)
        await _supersede(s, chat)
        await _coalescible(s, chat, queued)

    def _flooding(self, chat: int) -> bool:
        pace = self._chats.get(chat)
        return pace is not None and pace.flooding

    async def _count(self, s: AsyncSession, chat: int, update_id: int, message: dict[str, Any]) -> bool:
        """Count one message (once, should it be handled again); True when it starts a flood."""
        date = message.get("date")
        at = float(date) if isinstance(date, int | float) and date > 0 else time.time()
        pace = self._chats.get(chat)
        if pace is None:
            pace = self._chats[chat] = _Pace(tokens=float(self.per_min), at=at)
            self._new_since_prune += 1
        elif update_id <= pace.counted:
            return update_id == pace.started_by
        pace.counted = update_id
        pace.tokens = min(float(self.per_min), pace.tokens + max(0.0, at - pace.at) * self.per_min / WINDOW)
        pace.at = max(pace.at, at)
        self._latest = max(self._latest, at)
        if pace.flooding and pace.tokens >= self.per_min / 2:
            pace.flooding = False  # slowed down: answered one by one again
        over = pace.tokens < 1.0
        if not over:
            pace.tokens -= 1.0
        started = over and not pace.flooding and await outbox.pending_in_chat(s, chat, FLOOD_BACKLOG) >= FLOOD_BACKLOG
        pace.flooding = pace.flooding or started
        if started:
            pace.started_by = update_id
        self._prune()
        return started

    def _prune(self) -> None:
        """Forget chats quiet for a window (their bucket is full again)."""
        if self._new_since_prune < PRUNE_EVERY:
            return
        self._new_since_prune = 0
        quiet = [chat for chat, pace in self._chats.items() if pace.at < self._latest - WINDOW]
        for chat in quiet:
            del self._chats[chat]

    def _asks_for_help(self, payload: dict[str, Any]) -> bool:
        """Crisis words, the safe word, /help or "talk to a person": never held back."""
        press = payload.get("callback_query")
        if isinstance(press, dict):
            return press.get("data") == crisis.TALK_DATA
        message = payload.get("message")
        text = message.get("text") or message.get("caption") if isinstance(message, dict) else None
        if not isinstance(text, str):
            return False
        if _HELP.match(text):
            return True
        lexicon = self.services.lexicon
        if lexicon is None:
            return False
        return lexicon.is_safe_word(text, self.services.settings.safe_word) or lexicon.match(text) is not None

    async def _slow_down(self, s: AsyncSession, chat: int) -> None:
        p = await participants.by_chat_id(s, chat)
        text = self.services.translator(p.language if p else None).gettext(replies.SLOW_DOWN)
        now = datetime.now(UTC)
        for payload in outgoing.send_message(chat, text):
            await outbox.enqueue(s, chat_id=chat, method="sendMessage", payload=payload, now=now)


async def _supersede(s: AsyncSession, chat: int) -> None:
    await s.flush()
    await outbox.supersede(s, chat, datetime.now(UTC))


async def _coalescible(s: AsyncSession, chat: int, queued: list[Outbox]) -> None:
    """Mark the replies just queued to the youth as ones a later reply may replace."""
    await s.flush()
    ids = [
        row.id
        for row in queued
        if row.chat_id == chat and row.target == "telegram" and row.priority == Priority.INTERACTIVE
    ]
    await outbox.coalesce(s, ids, datetime.now(UTC) + timedelta(seconds=HOLD_SECONDS))
