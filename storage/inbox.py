"""Inbox: incoming Telegram updates, deduplicated on update_id, handled per chat in order."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import case, delete, exists, func, select, update
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


def _has_youth() -> Any:
    """Per chat, 1 when an update of the youth's own is pending, 0 when only rows the bot
    queued for itself are (ticks and campaign turns: negative ids). Youth go first."""
    return func.max(case((Inbox.update_id >= 0, 1), else_=0))


async def pending_chats(s: AsyncSession, limit: int) -> list[int]:
    """Chat keys with pending updates: chats where a youth waits first, then the chat
    with the oldest pending update first."""
    stmt = (
        select(Inbox.chat_key)
        .where(Inbox.status == "pending")
        .group_by(Inbox.chat_key)
        .order_by(_has_youth().desc(), func.min(Inbox.update_id))
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


async def oldest_per_chat(s: AsyncSession, chats: int) -> list[tuple[Inbox, int]]:
    """The oldest pending update of each of up to `chats` chats, chats where a youth waits
    first, then the chat waiting longest, with how many the chat has pending (one statement: SQLite's group commit
    takes them in one transaction)."""
    firsts = (
        select(
            func.min(Inbox.update_id).label("first"),
            func.count().label("waiting"),
            _has_youth().label("youth"),
        )
        .where(Inbox.status == "pending")
        .group_by(Inbox.chat_key)
        .order_by(_has_youth().desc(), func.min(Inbox.update_id))
        .limit(chats)
        .subquery()
    )
    stmt = (
        select(Inbox, firsts.c.waiting)
        .join(firsts, Inbox.update_id == firsts.c.first)
        .order_by(firsts.c.youth.desc(), Inbox.update_id)
    )
    return [(row, waiting) for row, waiting in (await s.execute(stmt)).all()]


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


async def mark_all_done(s: AsyncSession, row_ids: list[int], *, now: datetime | None = None) -> None:
    """`mark_done` for many rows in one statement, written now (the rows' objects in `s`
    are not updated: for the end of a transaction that handled them)."""
    if not row_ids:
        return
    stmt = (
        update(Inbox)
        .where(Inbox.id.in_(row_ids))
        .values(status="done", error=None, payload=None, handled_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    await s.execute(stmt)


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
