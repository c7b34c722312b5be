"""Answers to button presses, sent straight to Telegram once the update has committed.

An answer (answerCallbackQuery) only stops the button's spinner, with an optional
notice: it is not ordered with the chat's messages, Telegram refuses it after about
15 seconds, and a lost one costs nothing, since the press itself was stored and
handled. Through the outbox each would cost a row, a due-heads scan and a settle, for
a third of all Bot API calls in a conversation. If the transaction rolls back, the
update stays pending and its retry answers the press instead.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.telegram.client import Outcome, classify

log = logging.getLogger(__name__)

METHOD = "answerCallbackQuery"
_KEY = "sammanbot.press_answers"


def after_commit(s: AsyncSession, callback_query_id: str, notice: str | None = None) -> None:
    """Answer this press once the transaction `s` is in has committed."""
    s.info.setdefault(_KEY, []).append((callback_query_id, notice[:200] if notice else None))


def take(s: AsyncSession) -> list[tuple[str, str | None]]:
    """The answers kept for after the commit (and forget them)."""
    return s.info.pop(_KEY, [])


class PressAnswers:
    """Sends answers without waiting for them; a failure is counted, never retried."""

    def __init__(self, bot: Any, on_outcome: Callable[[str, Outcome | None], None] = lambda m, o: None) -> None:
        self.bot = bot
        self.on_outcome = on_outcome
        self._tasks: set[asyncio.Task] = set()

    def send(self, answers: list[tuple[str, str | None]]) -> None:
        for query_id, notice in answers:
            task = asyncio.create_task(self._answer(query_id, notice))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _answer(self, query_id: str, notice: str | None) -> None:
        try:
            await self.bot.answer_callback_query(query_id, text=notice)
        except Exception as exc:
            outcome = classify(exc)
            log.debug("a press answer was not sent (%s)", outcome.kind)
            self.on_outcome(METHOD, outcome)
        else:
            self.on_outcome(METHOD, None)

    async def drain(self, timeout: float) -> None:
        """Let answers under way finish, for a while."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)
