"""Answers to button presses, and other Bot API calls an update needs made once its
transaction has committed, outside any transaction.

An answer (answerCallbackQuery) only stops the button's spinner, with an optional
notice: it is not ordered with the chat's messages, Telegram refuses it after about
15 seconds, and a lost one costs nothing, since the press itself was stored and
handled. Through the outbox each would cost a row, a due-heads scan and a settle, for
a third of all Bot API calls in a conversation. If the transaction rolls back, the
update stays pending and its retry answers the press instead.

A job (`then_run`) is the same idea for a call whose result the update needs (a staff
press's getChatMember): it runs after the commit, and may end in an answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.telegram.client import Outcome, classify

log = logging.getLogger(__name__)

METHOD = "answerCallbackQuery"
_KEY = "sammanbot.press_answers"

Answer = tuple[str, str | None]  # (callback query id, notice)
Job = Callable[[Any], Awaitable[Answer | None]]  # job(bot) -> an answer to send, or None


def after_commit(s: AsyncSession, callback_query_id: str, notice: str | None = None) -> None:
    """Answer this press once the transaction `s` is in has committed."""
    s.info.setdefault(_KEY, []).append((callback_query_id, notice[:200] if notice else None))


def then_run(s: AsyncSession, job: Job) -> None:
    """Run `job(bot)` once the transaction `s` is in has committed (never if it rolls back)."""
    s.info.setdefault(_KEY, []).append(job)


def take(s: AsyncSession) -> list[Answer | Job]:
    """The answers and jobs kept for after the commit (and forget them)."""
    return s.info.pop(_KEY, [])


class PressAnswers:
    """Sends answers and runs jobs without waiting for them; a failure is counted, never retried."""

    def __init__(self, bot: Any, on_outcome: Callable[[str, Outcome | None], None] = lambda m, o: None) -> None:
        self.bot = bot
        self.on_outcome = on_outcome
        self._tasks: set[asyncio.Task] = set()

    def send(self, answers: list[Answer | Job]) -> None:
        for item in answers:
            task = asyncio.create_task(self._run(item) if callable(item) else self._answer(*item))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, job: Job) -> None:
        try:
            answer = await job(self.bot)
        except Exception as exc:
            log.warning("a job after a commit failed (%s)", type(exc).__name__)
            return
        if answer is not None:
            await self._answer(*answer)

    async def _answer(self, query_id: str, notice: str | None) -> None:
        try:
            await self.bot.answer_callback_query(query_id, text=notice[:200] if notice else None)
        except Exception as exc:
            outcome = classify(exc)
            log.debug("a press answer was not sent (%s)", outcome.kind)
            self.on_outcome(METHOD, outcome)
        else:
            self.on_outcome(METHOD, None)

    @property
    def in_flight(self) -> int:
        """Answers and jobs under way."""
        return len(self._tasks)

    async def drain(self, timeout: float) -> None:
        """Let answers and jobs under way finish, for a while."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)
