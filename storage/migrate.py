"""Schema migrations: Alembic run from code, from sync code or inside a running loop.

The Alembic scripts live next to this module (`storage/migrations`), so they are
found whatever the working directory, and ship with the installed package.

Alembic itself (with Mako, about 10 MB of modules the bot keeps for its whole life) is
imported only when the database is behind: a database already at the newest
revision, as at nearly every start, is recognised with one query.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import DatabaseUnusable, make_engine, masked, reach

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default
# Serialises concurrent upgrades (several processes starting at once on PostgreSQL).
_LOCK_KEY = int.from_bytes(hashlib.blake2b(b"sammanbot:migrate", digest_size=8).digest(), "big", signed=True)


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


_REVISION = re.compile(r"""^revision(?:\s*:\s*str)?\s*=\s*["']([^"']+)["']""", re.M)


def newest_revision() -> str:
    """The head revision, read from the newest file by number (`0005_funnel_reach.py`
    says `revision: str = "0005_funnel_reach"`, `0002_staff.py` "0002") without
    importing Alembic; a test holds this equal to Alembic's head."""
    newest = max((MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"), key=lambda p: p.name)
    found = _REVISION.search(newest.read_text(encoding="utf-8"))
    assert found is not None, f"{newest} has no `revision: str = ...` line"
    return found.group(1)


def _stored_revisions(connection: Connection) -> list[str]:
    if not inspect(connection).has_table(VERSION_TABLE):
        return []
    return list(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _upgrade_on(connection: Connection) -> tuple[str | None, str | None]:
    stored = _stored_revisions(connection)
    if stored == [newest_revision()]:
        return stored[0], stored[0]
    with _quiet_alembic():
        from alembic import command

        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        before = _current(connection)
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
        after = _current(connection)
    if after != before:
        log.info("database schema upgraded from %s to revision %s", before or "empty", after)
    return before, after


@contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Alembic logs a dozen set-up lines per upgrade at INFO; we say the outcome in one
    (its warnings still show)."""
    alembic_log = logging.getLogger("alembic")
    level = alembic_log.level
    alembic_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        alembic_log.setLevel(level)


async def ensure_schema(url_or_engine: str | AsyncEngine) -> tuple[str | None, str | None]:
    """Upgrade the database to the newest revision; returns (revision before, after).

    Raises DatabaseUnusable (what is wrong, how to fix it) when it cannot be reached."""
    if isinstance(url_or_engine, AsyncEngine):
        return await _ensure_on(url_or_engine)
    engine = make_engine(url_or_engine)
    try:
        return await _ensure_on(engine)
    finally:
        await engine.dispose()


async def _ensure_on(engine: AsyncEngine) -> tuple[str | None, str | None]:
    await reach(engine)
    async with engine.begin() as conn:
        return await conn.run_sync(_upgrade_on)


def upgrade(url: str) -> None:
    """`ensure_schema` for sync code (not callable inside a running event loop)."""
    asyncio.run(ensure_schema(url))


def upgrade_command() -> int:
    """`python -m bot db upgrade`: upgrade DATABASE_URL and say what was done."""
    from bot.base.settings import get_settings

    url = get_settings().database_url
    try:
        before, after = asyncio.run(ensure_schema(url))
    except DatabaseUnusable:
        raise  # said by the command line, as for every command
    except Exception as exc:  # noqa: BLE001 - a migration that fails: reported, not raised
        reason = (str(exc).splitlines() or [""])[0][:300]
        print(f"database upgrade failed for {masked(url)}: {type(exc).__name__}: {reason}", file=sys.stderr)
        return 1
    if before == after:
        print(f"{masked(url)}: already at revision {after} (head); nothing to do")
    else:
        print(f"{masked(url)}: upgraded from {before or 'an empty database'} to revision {after} (head)")
    return 0
