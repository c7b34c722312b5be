"""Engine and session factories for SQLite (embedded default) and PostgreSQL."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.turns import WriterTurns, reader

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


def make_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; creates the SQLite file's directory if needed."""
    parsed = make_url(url)
    if _is_sqlite(parsed):
        _ensure_sqlite_dir(parsed)
        engine = create_async_engine(parsed, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "connect", _no_driver_transactions)
        WriterTurns().listen(engine)  # see storage/turns.py
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(parsed, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def reading(sessionmaker: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    """Sessions like `sessionmaker`'s, for transactions that only read (see storage/turns.py)."""
    return make_sessionmaker(reader(sessionmaker.kw["bind"]))


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
