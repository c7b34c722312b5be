"""Engine and session factories for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, InvalidRequestError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.turns import WriterTurns, reader
from storage.unusable import DatabaseUnusable as DatabaseUnusable, explain, masked as masked, not_a_database_url

SQLITE_BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT = 10.0  # seconds a first connection may take before the database counts as unreachable
# PostgreSQL connections a process keeps, all of them (SQLAlchemy's default keeps 5 and
# opens up to 10 more per burst, closing each again at once: under load that was a new
# server process and handshake every few transactions). The ceiling stays 15, as before.
POSTGRES_POOL_SIZE = 15


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _ensure_sqlite_dir(url: URL) -> None:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def missing_sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL when it does not exist yet (nothing is created); else None."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    database = parsed.database
    if not _is_sqlite(parsed) or not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database).expanduser()
    return None if path.exists() else path


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
    """An async engine for `url`; creates the SQLite file's directory if needed.

    Raises DatabaseUnusable when `url` is no URL of a database with an async driver here."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise not_a_database_url(url, "it does not parse") from None
    if _is_sqlite(parsed):
        try:
            _ensure_sqlite_dir(parsed)
        except OSError as exc:
            raise DatabaseUnusable(
                url,
                f"the folder of the SQLite file cannot be created ({exc.strerror})",
                "point DATABASE_URL at a folder this user may write to",
            ) from None
        engine = _create(parsed, kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "connect", _no_driver_transactions)
        WriterTurns().listen(engine)  # see storage/turns.py
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", POSTGRES_POOL_SIZE)
    kwargs.setdefault("max_overflow", 0)
    return _create(parsed, kwargs)


def _create(url: URL, kwargs: dict[str, Any]) -> AsyncEngine:
    try:
        return create_async_engine(url, **kwargs)
    except NoSuchModuleError:
        raise not_a_database_url(url, f"unknown kind {url.drivername}") from None
    except (ImportError, InvalidRequestError):  # a driver not installed, or not an async one
        raise not_a_database_url(url, f"no async driver for {url.drivername}") from None


async def reach(engine: AsyncEngine, timeout: float = CONNECT_TIMEOUT) -> None:
    """Connect once (no transaction); DatabaseUnusable, saying why and what to do, if that fails."""
    try:
        async with asyncio.timeout(timeout), engine.connect():
            pass
    except Exception as exc:
        raise explain(exc, engine.url) from exc


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def reading(sessionmaker: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    """Sessions like `sessionmaker`'s, for transactions that only read (see storage/turns.py)."""
    return make_sessionmaker(reader(sessionmaker.kw["bind"]))


def is_postgres(engine_or_session: AsyncEngine | AsyncSession | AsyncConnection) -> bool:
    """True for an AsyncEngine, AsyncSession or AsyncConnection on PostgreSQL."""
    return dialect_name(engine_or_session) == "postgresql"


def dialect_name(engine_or_session: AsyncEngine | AsyncSession | AsyncConnection) -> str:
    if isinstance(engine_or_session, AsyncSession):
        return engine_or_session.get_bind().dialect.name
    return engine_or_session.dialect.name


async def ping(s: AsyncSession) -> None:
    """One round trip to the database (the health check); raises when it is away."""
    await s.execute(text("SELECT 1"))
