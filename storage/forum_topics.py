"""Forum topics remembered per (chat, kind): found, kept (the first one kept wins when
two processes create one at once) and forgotten when Telegram says the topic is gone.
Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage._upsert import dialect_insert
from storage.models import ForumTopic


async def thread_of(s: AsyncSession, chat_id: int, kind: str) -> int | None:
    return await s.scalar(select(ForumTopic.thread_id).where(ForumTopic.chat_id == chat_id, ForumTopic.kind == kind))


async def keep(s: AsyncSession, chat_id: int, kind: str, thread_id: int, now: datetime) -> int:
    """Remember the topic; the thread id in use afterwards (an earlier one stays)."""
    stmt = dialect_insert(s, ForumTopic).values(chat_id=chat_id, kind=kind, thread_id=thread_id, created_at=now)
    await s.execute(stmt.on_conflict_do_nothing(index_elements=["chat_id", "kind"]))
    return await thread_of(s, chat_id, kind) or thread_id


async def forget(s: AsyncSession, chat_id: int, kind: str, thread_id: int) -> None:
    await s.execute(
        delete(ForumTopic).where(
            ForumTopic.chat_id == chat_id, ForumTopic.kind == kind, ForumTopic.thread_id == thread_id
        )
    )
