"""Answers: what participants said, step by step; raw values purged after retention."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, utcnow


async def add(
    s: AsyncSession,
    *,
    participant_id: int,
    session_id: int | None,
    flow_id: str,
    step_id: str,
    name: str,
    value: Any,
    skipped: bool = False,
    forward: bool = False,
    detected_language: str | None = None,
    now: datetime,
) -> Answer:
    row = Answer(
        participant_id=participant_id,
        session_id=session_id,
        flow_id=flow_id,
        step_id=step_id,
        name=name,
        value=value,
        skipped=skipped,
        forward=forward,
        detected_language=detected_language,
        created_at=now,
    )
    s.add(row)  # written with the transaction's next flush
    return row


async def purge_raw(
    s: AsyncSession,
    older_than: datetime,
    *,
    now: datetime | None = None,
    participant_id: int | None = None,
) -> int:
    """Blank the values of answers given before `older_than` (optionally only one
    participant's); returns how many."""
    stmt = update(Answer).where(Answer.created_at <= older_than, Answer.purged_at.is_(None))
    if participant_id is not None:
        stmt = stmt.where(Answer.participant_id == participant_id)
    stmt = stmt.values(value=None, purged_at=now or utcnow()).execution_options(synchronize_session=False)
    return cast(CursorResult[Any], await s.execute(stmt)).rowcount


async def recent_texts(s: AsyncSession, participant_id: int, limit: int) -> list[tuple[str, str, str]]:
    """(flow id, answer name, text) of the participant's last `limit` written answers
    still kept (not skipped, not purged), oldest first."""
    rows = await s.execute(
        select(Answer.flow_id, Answer.name, Answer.value)
        .where(Answer.participant_id == participant_id, Answer.skipped.is_(False), Answer.purged_at.is_(None))
        .order_by(Answer.created_at.desc(), Answer.id.desc())
        .limit(limit * 3)  # choices (lists, numbers) are read past: only text is shown
    )
    texts = [(flow, name, value) for flow, name, value in rows.all() if isinstance(value, str) and value.strip()]
    return texts[:limit][::-1]
