"""storage.db on PostgreSQL: a burst of sessions leaves its connections open for the next
burst instead of a new server process and handshake for each."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from storage.db import POSTGRES_POOL_SIZE, make_engine, make_sessionmaker


async def _burst(sessionmaker, n: int) -> set[int]:
    """`n` sessions at once, each holding its connection until all have one; their server pids."""
    everyone_in = asyncio.Barrier(n)

    async def one() -> int:
        async with sessionmaker() as s:
            pid = await s.scalar(text("SELECT pg_backend_pid()"))
            await everyone_in.wait()
            return int(pid)

    async with asyncio.timeout(20):  # a server short of connections fails here, not at the barrier
        return set(await asyncio.gather(*(one() for _ in range(n))))


async def test_a_burst_of_postgresql_sessions_keeps_its_connections_for_the_next(pg_url):
    engine = make_engine(pg_url)
    try:
        sessionmaker = make_sessionmaker(engine)
        first = await _burst(sessionmaker, POSTGRES_POOL_SIZE)
        again = await _burst(sessionmaker, POSTGRES_POOL_SIZE)
        assert len(first) == POSTGRES_POOL_SIZE
        assert again == first  # the same server processes: none closed after the first burst
    finally:
        await engine.dispose()
