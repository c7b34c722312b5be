"""Inbox: incoming Telegram updates, deduplicated on update_id, handled per chat in order."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage._upsert import dialect_insert
from storage.models import Inbox, utcnow

ERROR_MAX = 200


async def add_update(
    s: AsyncSession, update_id: int, chat_key: int, payload: Any, *, now: datetime | None = None
) -> bool:
    """Store an update; False when this update_id was already stored."""
    stmt = (
        dialect_insert(s, Inbox)
        .values(update_id=update_id, chat_key=chat_key, payload=payload, status="pending",
                received_at=now or utcnow())
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(Inbox.id)
    )
    return (await s.execute(stmt)).scalar_one_or_none() is not None


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


async def next_pending(s: AsyncSession, chat_key: int) -> Inbox | None:
    stmt = (
        select(Inbox)
        .where(Inbox.status == "pending", Inbox.chat_key == chat_key)
        .order_by(Inbox.update_id)
        .limit(1)
    )
    return (await s.scalars(stmt)).first()


def _close(row: Inbox, status: str, error: str | None, now: datetime | None) -> None:
    row.status = status
    row.error = error[:ERROR_MAX] if error else None
    row.payload = None  # the raw update holds names and ids
    row.handled_at = now or utcnow()


async def mark_done(s: AsyncSession, row: Inbox, *, now: datetime | None = None) -> None:
    _close(row, "done", None, now)
    await s.flush()


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
    stmt = delete(Inbox).where(
        Inbox.status != "pending", Inbox.received_at < older_than, Inbox.update_id != newest
    )
    return (await s.execute(stmt)).rowcount
