"""Engine and session factories for SQLite (embedded default) and PostgreSQL."""
from __future__ import annotations

import asyncio
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _ensure_sqlite_dir(url: URL) -> None:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
    cursor.close()


def _no_driver_transactions(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event below open transactions, not the driver.
    dbapi_connection.isolation_level = None


class _WriterTurns:
    """SQLite has one writer at a time: every transaction here begins IMMEDIATE (a
    deferred one that reads and then writes cannot wait for a concurrent writer).

    Waiting for that lock inside SQLite means sleeping and retrying (up to 100 ms a try,
    busy_timeout), so under load a transaction waits far longer than the work ahead of
    it takes. SQLite serves one process (see bot/workers.py), so its transactions take
    turns on an asyncio lock first, which hands the turn on at once and in order; the
    busy timeout still covers other processes (a CLI command, a backup)."""

    _KEY = "sammanbot.writer_turn"

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary())

    def begin(self, conn: Any) -> None:
        loop = asyncio.get_running_loop()  # runs in SQLAlchemy's greenlet, on the loop
        lock = self._locks.setdefault(loop, asyncio.Lock())
        await_only(lock.acquire())
        conn.info[self._KEY] = lock
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.end(conn)
            raise

    def end(self, conn: Any, *_: Any) -> None:
        lock = conn.info.pop(self._KEY, None)
        if lock is not None:
            lock.release()

    def listen(self, engine: AsyncEngine) -> None:
        sync = engine.sync_engine
        event.listen(sync, "begin", self.begin)
        event.listen(sync, "commit", self.end)
        event.listen(sync, "rollback", self.end)
        # A connection invalidated mid-transaction may skip both; the turn ends on checkin.
        event.listen(sync, "checkin", lambda _dbapi, record: self.end(record))


def make_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; creates the SQLite file's directory if needed."""
    parsed = make_url(url)
    if _is_sqlite(parsed):
        _ensure_sqlite_dir(parsed)
        engine = create_async_engine(parsed, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "connect", _no_driver_transactions)
        _WriterTurns().listen(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(parsed, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def is_postgres(engine_or_session: Any) -> bool:
    """True for an AsyncEngine, AsyncSession or AsyncConnection on PostgreSQL."""
    return dialect_name(engine_or_session) == "postgresql"


def dialect_name(engine_or_session: Any) -> str:
    if isinstance(engine_or_session, AsyncSession):
        return engine_or_session.get_bind().dialect.name
    return engine_or_session.dialect.name


def masked(url: str | URL) -> str:
    """The URL with its password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)
