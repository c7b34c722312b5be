"""Migrations: they build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

import storage.staff_models  # noqa: F401 - its tables belong to the same metadata
import storage.translation_models  # noqa: F401 - its tables belong to the same metadata
from storage.db import make_engine
from storage.migrate import alembic_config, ensure_schema, newest_revision, upgrade
from storage.models import Base
from tests.dbfixtures import db, db_url, pg_url  # noqa: F401

TABLES = {"participants", "chats", "sessions", "answers", "submissions", "inbox", "outbox", "flow_versions", "leases"}
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_newest_revision_by_file_name_is_alembics_head():
    # ensure_schema trusts the file names to skip Alembic on an up-to-date database
    assert newest_revision() == HEAD


# PostgreSQL-only, made by migrations and not in the models: the text search's trigram
# index (0003; with the filter columns since 0013, which Alembic can reflect).
MIGRATION_ONLY = {"ix_submissions_answers_trgm"}


def _in_models(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "index" and name in MIGRATION_ONLY)


async def test_upgrade_creates_every_table_matching_the_models(db_url):
    before, after = await ensure_schema(db_url)
    assert before is None and after == HEAD
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True, "include_object": _in_models}),
                    Base.metadata,
                )
            )
    finally:
        await engine.dispose()
    assert TABLES <= names
    assert diff == []


async def test_rerunning_upgrade_is_a_no_op(db):
    assert await ensure_schema(db.url) == (HEAD, HEAD)
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all() == [HEAD]


def test_sync_upgrade_creates_the_sqlite_directory(tmp_path):
    path = tmp_path / "deep" / "er" / "bot.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    assert path.exists()


def _db_upgrade(url: str, cwd) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_db_upgrade_command_on_sqlite(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'x.db'}"
    first = _db_upgrade(url, tmp_path)
    assert first.returncode == 0, first.stderr
    assert f"upgraded from an empty database to revision {HEAD}" in first.stdout
    second = _db_upgrade(url, tmp_path)
    assert second.returncode == 0, second.stderr
    assert f"already at revision {HEAD}" in second.stdout


def test_db_upgrade_command_on_postgresql_masks_the_password(pg_url, tmp_path):
    from sqlalchemy.engine import make_url

    url = make_url(pg_url).set(password="s3cret-pw").render_as_string(hide_password=False)
    result = _db_upgrade(url, tmp_path)  # trust auth: the password is not checked
    assert result.returncode == 0, result.stderr
    assert f"upgraded from an empty database to revision {HEAD}" in result.stdout
    assert "s3cret-pw" not in result.stdout + result.stderr
    assert "***" in result.stdout


def test_db_upgrade_command_reports_failure_without_the_password(tmp_path):
    url = "postgresql+asyncpg://someone:s3cret-pw@127.0.0.1:1/nowhere"
    result = _db_upgrade(url, tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Sammanbot cannot use the database postgresql+asyncpg://someone:***@127.0.0.1:1")
    assert "s3cret-pw" not in result.stdout + result.stderr


async def test_every_revision_downgrades_and_upgrades_again(db):
    from alembic import command

    def down_and_up(conn):
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
        empty = set(inspect(conn).get_table_names()) - {"alembic_version"}
        command.upgrade(cfg, "head")
        return empty, set(inspect(conn).get_table_names())

    async with db.engine.begin() as conn:
        empty, tables = await conn.run_sync(down_and_up)
    assert empty == set()
    assert TABLES <= tables
