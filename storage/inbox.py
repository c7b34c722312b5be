"""Inbox: incoming Telegram updates, deduplicated on update_id, handled per chat in order."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import delete, exists, func, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage._upsert import dialect_insert
from storage.models import Inbox, utcnow

ERROR_MAX = 200


async def add_update(
    s: AsyncSession, update_id: int, chat_key: int, payload: Any, *, now: datetime | None = None
) -> bool:
    """Store an update; False when this update_id was already stored."""
    return await add_updates(s, [(update_id, chat_key, payload)], now=now) == 1


async def add_updates(s: AsyncSession, updates: list[tuple[int, int, Any]], *, now: datetime | None = None) -> int:
    """Store (update_id, chat_key, payload) rows in one statement, skipping update_ids
    already stored; returns how many were new."""
    if not updates:
        return 0
    at = now or utcnow()
    stmt = (
        dialect_insert(s, Inbox)
        .values([dict(update_id=u, chat_key=c, payload=p, status="pending", received_at=at) for u, c, p in updates])
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(Inbox.id)
    )
    return len((await s.execute(stmt)).all())


async def pending_chats(s: AsyncSession, limit: int) -> list[int]:
    """Chat keys with pending updates, the chat with the oldest pending update first."""
    stmt = (
        select(Inbox.chat_key)
        .where(Inbox.status == "pending")
        .group_by(Inbox.chat_key)
        .order_by(func.min(Inbox.update_id))
        .limit(limit)
    )
    return list((await s.scalars(stmt)).all())


async def has_pending_updates(s: AsyncSession) -> bool:
    """Whether an update from Telegram waits to be handled (rows the bot queues for itself,
    such as the scheduler's ticks, have negative update ids and do not count)."""
    stmt = select(exists().where(Inbox.status == "pending", Inbox.update_id >= 0))
    return bool(await s.scalar(stmt))


async def get(s: AsyncSession, row_id: int) -> Inbox | None:
    return await s.get(Inbox, row_id)


async def pending_count(s: AsyncSession) -> int:
    """Updates stored but not yet handled (the /metrics backlog)."""
    return await s.scalar(select(func.count()).select_from(Inbox).where(Inbox.status == "pending")) or 0


async def oldest_pending(s: AsyncSession, chat_key: int, limit: int) -> list[Inbox]:
    """A chat's pending updates, oldest first (at most `limit`)."""
    stmt = (
        select(Inbox)
        .where(Inbox.status == "pending", Inbox.chat_key == chat_key)
        .order_by(Inbox.update_id)
        .limit(limit)
    )
    return list((await s.scalars(stmt)).all())


async def next_pending(s: AsyncSession, chat_key: int) -> Inbox | None:
    rows = await oldest_pending(s, chat_key, 1)
    return rows[0] if rows else None


def _close(row: Inbox, status: str, error: str | None, now: datetime | None) -> None:
    row.status = status
    row.error = error[:ERROR_MAX] if error else None
    row.payload = None  # the raw update holds names and ids
    row.handled_at = now or utcnow()


async def mark_done(s: AsyncSession, row: Inbox, *, now: datetime | None = None) -> None:
    _close(row, "done", None, now)  # written at the commit


async def mark_failed(s: AsyncSession, row: Inbox, error: str, *, now: datetime | None = None) -> None:
    """`error` must be short and hold no message content (e.g. an exception class name)."""
    _close(row, "failed", error, now)
    await s.flush()


async def max_update_id(s: AsyncSession) -> int | None:
    return await s.scalar(select(func.max(Inbox.update_id)))


async def purge_handled(s: AsyncSession, older_than: datetime) -> int:
    """Delete handled rows received before `older_than`; keeps the newest one so
    `max_update_id` still knows where polling stopped."""
    newest = select(func.max(Inbox.update_id)).scalar_subquery()
    stmt = delete(Inbox).where(Inbox.status != "pending", Inbox.received_at < older_than, Inbox.update_id != newest)
    return cast(CursorResult[Any], await s.execute(stmt)).rowcount
