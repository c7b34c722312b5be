"""Leadership across engines (as across processes) and per-chat locks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text

from storage.db import is_postgres, make_engine, make_sessionmaker
from storage.leases import Leader, chat_lock
from tests.dbfixtures import db, db_url, pg_url  # noqa: F401

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def second_engine(db):
    engine = make_engine(db.url)
    yield engine
    await engine.dispose()


async def test_leadership_is_exclusive_across_engines(db, second_engine):
    a = Leader(db.engine, "sender", holder="proc-a", ttl=30)
    b = Leader(second_engine, "sender", holder="proc-b", ttl=30)
    other = Leader(second_engine, "scheduler", holder="proc-b", ttl=30)
    try:
        assert await a.try_acquire()
        assert await a.try_acquire()  # idempotent for the holder
        assert not await b.try_acquire()
        assert await other.try_acquire()  # another name is another lock
        assert await a.renew()
        assert not await b.renew()
        await a.release()
        assert not a.held
        assert await b.try_acquire()
        assert not await a.try_acquire()
    finally:
        for leader in (a, b, other):
            await leader.release()


async def test_an_expired_sqlite_lease_passes_to_another_holder(tmp_path):
    from storage.migrate import ensure_schema

    url = f"sqlite+aiosqlite:///{tmp_path / 'l.db'}"
    await ensure_schema(url)
    engine = make_engine(url)
    try:
        a = Leader(engine, "sender", holder="proc-a", ttl=30)
        b = Leader(engine, "sender", holder="proc-b", ttl=30)
        assert await a.try_acquire(now=T0)
        assert await a.renew(now=T0 + timedelta(seconds=20))  # now valid until T0+50s
        assert not await b.try_acquire(now=T0 + timedelta(seconds=45))
        assert await b.try_acquire(now=T0 + timedelta(seconds=51))
        assert not await a.renew(now=T0 + timedelta(seconds=52))
    finally:
        await engine.dispose()


async def test_a_sqlite_lease_renewed_again_at_once_is_not_written_again(tmp_path):
    # The campaign step renews its lease several times a second; each write would take
    # SQLite's write lock, which a youth's message waits for.
    from storage.migrate import ensure_schema

    url = f"sqlite+aiosqlite:///{tmp_path / 'l.db'}"
    await ensure_schema(url)
    engine = make_engine(url)
    writes: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "leases" in statement and not statement.lstrip().upper().startswith("SELECT"):
            writes.append(statement)

    try:
        a = Leader(engine, "campaigns", holder="proc-a", ttl=30)
        b = Leader(engine, "campaigns", holder="proc-b", ttl=30)
        assert await a.try_acquire(now=T0)
        event.listen(engine.sync_engine, "before_cursor_execute", count)
        for ms in range(0, 7000, 250):  # within a quarter of its time: kept, not written
            assert await a.renew(now=T0 + timedelta(milliseconds=ms))
        assert writes == []
        assert await a.renew(now=T0 + timedelta(seconds=8))  # then extended: until T0+38s
        assert len(writes) == 1
        assert not await b.try_acquire(now=T0 + timedelta(seconds=37))
        assert await b.try_acquire(now=T0 + timedelta(seconds=39))
        assert not await a.renew(now=T0 + timedelta(seconds=40))
        assert not await a.renew(now=T0 + timedelta(seconds=40, milliseconds=250))  # lost stays lost
    finally:
        await engine.dispose()


async def test_postgres_leadership_is_lost_with_the_connection(pg_url):
    from storage.migrate import ensure_schema

    await ensure_schema(pg_url)
    engine_a, engine_b = make_engine(pg_url), make_engine(pg_url)
    a = Leader(engine_a, "sender", holder="proc-a")
    b = Leader(engine_b, "sender", holder="proc-b")
    try:
        assert await a.try_acquire()
        assert not await b.try_acquire()
        async with engine_b.connect() as admin:  # as if process A died
            # only in this test's own database: other tests may run in parallel
            await admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND pid <> pg_backend_pid()"
                    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            )
        assert await b.try_acquire()
        assert not await a.renew()
    finally:
        await a.release()
        await b.release()
        await engine_a.dispose()
        await engine_b.dispose()


async def test_chat_lock_is_per_chat_and_per_transaction(db):
    second = make_sessionmaker(db.engine)
    async with db.sessionmaker() as s1, second() as s2:
        assert await chat_lock(s1, 5)
        if is_postgres(db.engine):
            assert not await chat_lock(s2, 5)
            assert await chat_lock(s2, 6)
            await s1.commit()  # ends the transaction and with it the lock
            await s2.rollback()
            assert await chat_lock(s2, 5)
        else:
            assert await chat_lock(s2, 5)  # one process: nothing to coordinate
        await s2.rollback()
