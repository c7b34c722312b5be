"""The inbox worker: one chat at a time, oldest update first; chats run concurrently.

Each inbox row is handled in one transaction together with everything it causes
(session state, answers, outbox rows). With several processes on PostgreSQL the
per-chat lock lives in the database (a transaction-scoped advisory lock), so a chat's
updates are never handled by two processes at once. A chat that floods is still
handled update by update, but its replies are coalesced (bot/telegram/flood.py).

On SQLite (one writer, one process) the worker commits in groups: one transaction
takes the oldest pending update of every waiting chat (up to `concurrency` chats, for
at most GROUP_SECONDS of handling), each with its done mark, so one writer turn, BEGIN
and COMMIT serve many updates. Rows the bot queued for itself (campaign turns, reminder
ticks: negative ids) come after the youth's own and give way: a group that handled a
youth's update commits before them, and a group of them alone is cut short as soon as the
intake or the sender waits for the write lock, so a youth's answer waits behind at most
one of them. Should one of them fail, the group rolls back whole and
its updates go again one transaction each, as on PostgreSQL: the failing one is kept
as failed, the others' work stays. Press answers and other after-commit work wait for
the group's commit. (A savepoint per update would cost more than the turn it saves.)
Groups run one after the other in the run loop itself, which knows from each group's
look (every chat's backlog) whether another is due, so no scan comes before a group.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.base.aio import wait_any, where
from bot.telegram import press_answers
from bot.telegram.flood import FloodGuard
from bot.telegram.press_answers import PressAnswers
from storage import inbox, leases
from storage.db import is_postgres, reading
from storage.turns import first_waits

log = logging.getLogger(__name__)

# A group stops taking updates after this much handling: the intake and the sender wait
# for SQLite's write lock meanwhile, and every answer waits for both.
GROUP_SECONDS = 0.05
HOLD_SECONDS = 1.0  # a chat whose update met a database error waits this long (SQLite)

# handle(session, inbox_row) -> None; runs inside the row's transaction.
Handler = Callable[[AsyncSession, Any], Awaitable[None]]


class InboxWorker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker,
        handler: Handler,
        *,
        concurrency: int = 32,
        after_commit: Callable[[], None] = lambda: None,
        answers: PressAnswers | None = None,
        flood: FloodGuard | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.reads = reading(sessionmaker)
        self.handler = handler
        self.after_commit = after_commit
        self.answers = answers
        # by default the limit of the handler's own settings (none for bare handlers)
        self.flood = flood if flood is not None else FloodGuard.for_handler(handler)
        self.wake = asyncio.Event()
        self._busy: set[int] = set()
        self._tasks: set[asyncio.Task] = set()
        self._slots = asyncio.Semaphore(concurrency)
        self.concurrency = concurrency
        self.grouped = not is_postgres(sessionmaker.kw["bind"])  # group commit (SQLite)
        self._held: dict[int, float] = {}  # chat -> loop time until which it is skipped
        bind = sessionmaker.kw["bind"]
        self._first_waits = lambda: first_waits(bind)
        self.handled = 0
        self.failed = 0

    def poke(self) -> None:
        self.wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.wake.clear()
            try:
                started = await self._start_chats()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database gone: wait and retry, nothing is lost
                log.warning("inbox scan failed (%s); retrying", type(exc).__name__)
                started = 0
                await wait_any(stop, self.wake, timeout=1.0)
                continue
            if not started:
                await wait_any(stop, self.wake, timeout=0.5)
        await self.drain()

    async def drain(self) -> None:
        """Let chats in flight finish their current work, and press answers go out."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.answers is not None:
            await self.answers.drain(timeout=5.0)

    async def _start_chats(self) -> int:
        if self.grouped:
            return await self._handle_group()
        async with self.reads() as s:
            chats = await inbox.pending_chats(s, 500)
        started = 0
        for chat_key in chats:
            if chat_key in self._busy:
                continue
            self._busy.add(chat_key)
            task = asyncio.create_task(self._run_chat(chat_key))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started += 1
        return started

    async def _run_chat(self, chat_key: int) -> None:
        try:
            async with self._slots:
                while await self._handle_next(chat_key):
                    pass  # an update that arrives after the last look is found by the next scan
        except Exception as exc:
            log.warning("chat worker stopped (%s); will retry", type(exc).__name__)
            await asyncio.sleep(1.0)
        finally:
            self._busy.discard(chat_key)
            self.wake.set()

    async def _handle_next(self, chat_key: int) -> bool:
        """Handle the oldest pending update of one chat. True when another one waits.

        It looks for two at once, so a chat's last update costs no extra transaction."""
        failure: str | None = None
        async with self.sessionmaker() as s:
            try:
                async with s.begin():
                    if not await leases.chat_lock(s, chat_key):
                        return False  # another process has this chat right now
                    rows = await inbox.oldest_pending(s, chat_key, 2)
                    if not rows:
                        return False
                    row_id, update_id = rows[0].id, rows[0].update_id
                    try:
                        await self._handle(s, rows[0])
                    except (DBAPIError, OSError):
                        raise  # the database, not the update: leave it pending and retry
                    except Exception as exc:
                        failure = where(exc)
                        raise _Undo from exc
                    await inbox.mark_done(s, rows[0])
            except _Undo:
                pass  # everything the handler wrote is rolled back
            answers = press_answers.take(s)
        if failure is not None:
            # Our bug or an update we cannot understand: keep it as failed, say what kind
            # of error (never its content), and go on with the next.
            log.error("update %s failed: %s", update_id, failure)
            await self._fail(chat_key, row_id, failure)
            return True
        self.handled += 1
        self.after_commit()
        if answers and self.answers is not None:
            self.answers.send(answers)
        return len(rows) > 1

    # -- SQLite: group commit ---------------------------------------------------------
    async def _handle_group(self) -> int:
        """Handle the oldest pending update of each waiting chat in one transaction.

        Returns 1 when more is known to wait (a chat's next update, a full group, one cut
        short), else 0: the run loop then waits for a poke, so no empty look follows."""
        loop = asyncio.get_running_loop()
        handled: list[int] = []  # inbox row ids
        chats: list[int] = []  # (a rollback expires the rows)
        more = False
        async with self.sessionmaker() as s:
            try:
                async with s.begin():
                    firsts = await inbox.oldest_per_chat(s, self.concurrency)
                    more = len(firsts) == self.concurrency
                    deadline = loop.time() + GROUP_SECONDS
                    youth = False
                    for row, waiting in self._not_held(firsts, loop.time()):
                        if handled and (loop.time() > deadline or (_own(row) and (youth or self._first_waits()))):
                            more = True  # the rest go in the next group, still oldest first
                            break
                        youth = youth or not _own(row)
                        chats.append(row.chat_key)
                        await self._handle(s, row)
                        handled.append(row.id)
                        more = more or waiting > 1
                    await inbox.mark_all_done(s, handled)  # with everything the updates wrote
            except Exception:
                if not chats:
                    raise  # the database, before any update: retried in a while
                failed = True
            else:
                failed = False
            answers = press_answers.take(s)
        if failed:
            # One update failed (or the database did): all of the group is rolled back,
            # nothing of it was handled. Each goes again in a transaction of its own,
            # where a failing one is kept as failed and the others' work stays.
            await self._one_by_one(chats)
            return 1
        if handled:
            self.handled += len(handled)
            self.after_commit()
            if answers and self.answers is not None:
                self.answers.send(answers)
        return int(more)

    async def _one_by_one(self, chats: list[int]) -> None:
        for chat_key in chats:
            try:
                await self._handle_next(chat_key)
            except (DBAPIError, OSError) as exc:
                # The database, not the update: left pending; its chat waits a moment so it
                # cannot hold up the groups (a broken database fails every group anyway).
                log.warning("a chat's update left pending (%s)", type(exc).__name__)
                self._held[chat_key] = asyncio.get_running_loop().time() + HOLD_SECONDS

    def _not_held(self, firsts: list[tuple[Any, int]], now: float) -> list[tuple[Any, int]]:
        if not self._held:
            return firsts
        self._held = {chat: until for chat, until in self._held.items() if until > now}
        return [(row, waiting) for row, waiting in firsts if row.chat_key not in self._held]

    async def _handle(self, s: AsyncSession, row: Any) -> None:
        if self.flood is None:
            await self.handler(s, row)
        else:
            await self.flood.handle(s, row, self.handler)

    async def _fail(self, chat_key: int, row_id: int, failure: str) -> None:
        """Mark a row failed, and let the handler still answer kindly if it can."""
        async with self.sessionmaker() as s:
            async with s.begin():
                row = await inbox.get(s, row_id) if await leases.chat_lock(s, chat_key) else None
                if row is None or row.status != "pending":
                    return  # another process got to it first
                await inbox.mark_failed(s, row, failure)
                self.failed += 1
                await self._kind_answer(s, row)
        self.after_commit()

    async def _kind_answer(self, s: AsyncSession, row: Any) -> None:
        """Let the handler still answer a failed update kindly, if it can; never fatal."""
        on_failed = getattr(self.handler, "on_failed", None)
        if on_failed is None:
            return
        try:
            async with s.begin_nested():
                await on_failed(s, row)
        except (DBAPIError, OSError):
            raise
        except Exception as exc:
            log.error("no answer for failed update %s: %s", row.update_id, where(exc))


def _own(row: Any) -> bool:
    """A row the bot queued for itself (a tick, a campaign turn), not an update from Telegram."""
    return bool(row.update_id < 0)


class _Undo(Exception):
    """Raised inside a transaction to roll it back on the way out."""
