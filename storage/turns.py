"""Turns at SQLite's one write lock, taken in-process before BEGIN IMMEDIATE.

SQLite has one writer at a time, and every transaction here begins IMMEDIATE (a deferred
one that reads and then writes cannot wait for a concurrent writer). Waiting for that
lock inside SQLite means sleeping and retrying (up to 100 ms a try, busy_timeout), so
under load a transaction would wait far longer than the work ahead of it takes. SQLite
serves one process (see bot/app/workers.py), so its transactions take turns here first,
and a turn is handed on at once; the busy timeout still covers other processes (a CLI
command, a backup).

Turns go in order, except that transactions of an engine made by `first_in_line()` go
ahead of the queue: the intake storing what Telegram delivered and the sender writing
down what it sent. A youth waits for those two on every answer, while the queue behind
them is the handlers' (one transaction per update). Transactions of an engine made by
`reader()` only read: they begin DEFERRED and take no turn (WAL lets them read beside
the writer), so frequent looks (what is due, which chats wait) do not hold writers up.

`first_waits(engine)` tells a long transaction (SQLite's group commit) that one of those
two waits for it, so work the bot queued for itself can give way.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

_OPTION = "sammanbot_turn"
_FIRST = "first"
_READ = "read"
_KEY = "sammanbot.turn"
_WIRED: weakref.WeakKeyDictionary[Any, WriterTurns] = weakref.WeakKeyDictionary()  # sync engine -> its turns


def first_in_line(engine: AsyncEngine) -> AsyncEngine:
    """The same engine (same pool), whose transactions go ahead of others waiting for
    SQLite's write lock; on PostgreSQL nothing changes."""
    return engine.execution_options(**{_OPTION: _FIRST})


def reader(engine: AsyncEngine) -> AsyncEngine:
    """The same engine, for transactions that only read: on SQLite they take no turn at
    the write lock (a write in one would fail at once if another writer is busy)."""
    return engine.execution_options(**{_OPTION: _READ})


class TurnQueue:
    """A lock whose waiters are served in order, `first` ones before the rest."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._first_waiting = 0

    @property
    def first_waits(self) -> bool:
        return self._first_waiting > 0

    async def acquire(self, first: bool) -> None:
        if not self._held:
            self._held = True
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (0 if first else 1, next(self._order), turn))
        self._first_waiting += first
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # the turn came just as we gave up: hand it on
            raise
        finally:
            self._first_waiting -= first

    def release(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():  # (a waiter that gave up is skipped)
                turn.set_result(None)
                return
        self._held = False


class WriterTurns:
    """Wires a TurnQueue (one per event loop) into an engine's transactions."""

    def __init__(self) -> None:
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, TurnQueue] = weakref.WeakKeyDictionary()

    def first_waits(self) -> bool:
        queue = self._queues.get(asyncio.get_running_loop())
        return queue is not None and queue.first_waits

    def begin(self, conn: Any) -> None:
        turn = conn.get_execution_options().get(_OPTION)
        if turn == _READ:
            conn.exec_driver_sql("BEGIN")
            return
        loop = asyncio.get_running_loop()  # runs in SQLAlchemy's greenlet, on the loop
        queue = self._queues.setdefault(loop, TurnQueue())
        await_only(queue.acquire(turn == _FIRST))
        conn.info[_KEY] = queue
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.end(conn)
            raise

    def end(self, conn: Any, *_: Any) -> None:
        queue = conn.info.pop(_KEY, None)
        if queue is not None:
            queue.release()

    def listen(self, engine: AsyncEngine) -> None:
        sync = engine.sync_engine
        _WIRED[sync] = self
        event.listen(sync, "begin", self.begin)
        event.listen(sync, "commit", self.end)
        event.listen(sync, "rollback", self.end)
        # A connection invalidated mid-transaction may skip both; the turn ends on checkin.
        event.listen(sync, "checkin", lambda _dbapi, record: self.end(record))


def first_waits(engine: AsyncEngine) -> bool:
    """Whether a first-in-line transaction (the intake's, the sender's) waits for SQLite's
    write lock in this event loop; always False on PostgreSQL."""
    sync = engine.sync_engine
    turns = _WIRED.get(getattr(sync, "_proxied", sync))
    return turns is not None and turns.first_waits()
