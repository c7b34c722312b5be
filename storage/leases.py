"""Leadership (one sender among several processes) and per-chat locks.

PostgreSQL: a session-level advisory lock held on a dedicated connection, so a
process that dies loses leadership when its connection closes. SQLite: a row in
`leases` with an expiry that the holder renews.
"""

from __future__ import annotations

import hashlib
import os
import socket
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from storage._upsert import dialect_insert
from storage.db import is_postgres
from storage.models import Lease, utcnow


def lock_key(namespace: str, value: str | int) -> int:
    """A signed 64-bit advisory-lock key for (namespace, value)."""
    digest = hashlib.blake2b(f"{namespace}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Leader:
    """Leadership named `name`: `try_acquire`, then `renew` regularly, `release` at the end."""

    def __init__(self, engine: AsyncEngine, name: str, holder: str | None = None, ttl: float = 30.0) -> None:
        self.engine = engine
        self.name = name
        self.holder = holder or default_holder()
        self.ttl = timedelta(seconds=ttl)
        self._conn: AsyncConnection | None = None  # PostgreSQL: holds the advisory lock
        self.held = False
        self._extended: datetime | None = None  # SQLite: when the lease was last written

    async def try_acquire(self, *, now: datetime | None = None) -> bool:
        if is_postgres(self.engine):
            self.held = self.held or await self._pg_acquire()
        else:
            self.held = await self._lease_upsert(now or utcnow())
        return self.held

    async def renew(self, *, now: datetime | None = None) -> bool:
        """Keep leadership; False when it has been lost."""
        if not self.held:
            return False
        if is_postgres(self.engine):
            self.held = await self._pg_alive()
            return self.held
        now = now or utcnow()
        # Extended a moment ago, it is still ours for most of its time: a step that renews
        # several times a second (the campaigns') need not take SQLite's write lock each time.
        if self._extended is not None and self._extended <= now < self._extended + self.ttl / 4:
            return True
        self.held = await self._lease_upsert(now)
        return self.held

    async def release(self) -> None:
        if is_postgres(self.engine):
            await self._pg_release()
        elif self.held:
            async with self.engine.begin() as conn:
                await conn.execute(
                    cast(Table, Lease.__table__).delete().where(Lease.name == self.name, Lease.holder == self.holder)
                )
        self.held = False
        self._extended = None

    async def _lease_upsert(self, now: datetime) -> bool:
        """Take or extend the lease if it is free, expired, or already ours."""
        table = Lease.__table__
        async with self.engine.begin() as conn:
            ins = dialect_insert(conn, table).values(name=self.name, holder=self.holder, expires_at=now + self.ttl)
            ins = ins.on_conflict_do_update(
                index_elements=["name"],
                set_={"holder": ins.excluded.holder, "expires_at": ins.excluded.expires_at},
                where=(table.c.holder == self.holder) | (table.c.expires_at < now),
            ).returning(table.c.holder)
            ours = (await conn.execute(ins)).scalar_one_or_none() == self.holder
        self._extended = now if ours else None
        return ours

    async def _pg_acquire(self) -> bool:
        conn = await self.engine.connect()
        try:
            got = await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_key("leader", self.name)})
            await conn.commit()  # a session-level lock outlives the transaction
        except BaseException:
            await conn.invalidate()
            await conn.close()
            raise
        if got:
            self._conn = conn
            return True
        await conn.close()
        return False

    async def _pg_alive(self) -> bool:
        if self._conn is None:
            return False
        try:
            await self._conn.execute(text("SELECT 1"))
            await self._conn.commit()
            return True
        except Exception:  # noqa: BLE001 - a broken connection means the lock is gone
            await self._drop_conn(invalidate=True)
            return False

    async def _pg_release(self) -> None:
        if self._conn is None:
            return
        try:
            await self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key("leader", self.name)})
            await self._conn.commit()
        except Exception:  # noqa: BLE001 - closing the connection below releases it anyway
            await self._drop_conn(invalidate=True)
            return
        await self._drop_conn(invalidate=False)

    async def _drop_conn(self, *, invalidate: bool) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if invalidate:
            # Never return a connection that may still hold the lock to the pool.
            await conn.invalidate()
        await conn.close()


async def chat_lock(s: AsyncSession, chat_key: int) -> bool:
    """Try to lock one chat for the rest of the transaction (PostgreSQL, several processes).

    Returns True when the lock is ours; always True on SQLite (one process).
    """
    if not is_postgres(s):
        return True
    return bool(await s.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": lock_key("chat", chat_key)}))
