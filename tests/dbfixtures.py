"""Database fixtures: a fresh, isolated database per test, on SQLite and PostgreSQL.

Import the fixtures into a test module (or a conftest):
    from tests.dbfixtures import db, db_url, pg_url  # noqa: F401

- `db_url`: URL of a fresh, empty database; parametrized over "sqlite" (a file in
  tmp_path) and "postgresql" (a uniquely named database, dropped afterwards).
- `db`: a `Db` (url, engine, sessionmaker) on `db_url`, already migrated.
- `pg_url`: URL of a fresh, empty PostgreSQL database (e.g. for subprocess tests).
- `fresh_pg_url()`: the same as an async context manager, for use outside fixtures.

PostgreSQL is reached at TEST_POSTGRES_DSN (default: postgres@127.0.0.1:5432, trust
auth). When it cannot be reached, PostgreSQL tests are skipped, unless
SAMMANBOT_REQUIRE_POSTGRES=1 makes that a failure (CI).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import make_engine, make_sessionmaker
from storage.migrate import ensure_schema

PG_ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class Db:
    url: str
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]


def _pg_database_url(name: str) -> str:
    url = make_url(PG_ADMIN_DSN).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False)


async def _admin_connection() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        if os.environ.get("SAMMANBOT_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(
            f"PostgreSQL not reachable ({type(exc).__name__}); start it with "
            "pg_ctlcluster --skip-systemctl-redirect <version> main start"
        )


@asynccontextmanager
async def fresh_pg_url() -> AsyncIterator[str]:
    """A uniquely named, empty PostgreSQL database for the duration of the block."""
    name = f"sammanbot_test_{uuid.uuid4().hex[:16]}"
    admin = await _admin_connection()
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield _pg_database_url(name)
    finally:
        admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with fresh_pg_url() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'sammanbot.db'}"
        return
    async with fresh_pg_url() as url:
        yield url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Db]:
    await ensure_schema(db_url)
    engine = make_engine(db_url)
    try:
        yield Db(url=db_url, engine=engine, sessionmaker=make_sessionmaker(engine))
    finally:
        await engine.dispose()
