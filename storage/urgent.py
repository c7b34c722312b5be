"""Urgent cards' hand-off: a claim by one staff member (a conditional UPDATE, so two at
once make exactly one owner, on SQLite and PostgreSQL), done with an optional note, and
the once-only marks of a re-alert and an escalation. Never commits."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Submission

LOOK_BACK = timedelta(days=1)  # older unclaimed cards are not re-alerted (a first deploy floods nobody)
NOTE_MAX = 1000


def _open() -> Any:
    return (
        Submission.urgent.is_(True),
        Submission.claimed_by.is_(None),
        Submission.done_at.is_(None),
        Submission.status == "new",
    )


async def _set_if(s: AsyncSession, submission_id: int, condition: Any, **values: Any) -> bool:
    result = cast(
        CursorResult[Any],
        await s.execute(
            update(Submission)
            .where(Submission.id == submission_id, Submission.urgent.is_(True), condition)
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    return bool(result.rowcount)


async def claim(s: AsyncSession, submission_id: int, by: str, now: datetime) -> tuple[bool, str | None]:
    """(True, by) when this claim took the card; (False, the owner) when someone had."""
    won = await _set_if(s, submission_id, Submission.claimed_by.is_(None), claimed_by=by[:64], claimed_at=now)
    owner = await s.scalar(select(Submission.claimed_by).where(Submission.id == submission_id))
    return won, owner


async def done(s: AsyncSession, submission_id: int, by: str, note: str | None, now: datetime) -> bool:
    """Mark a card done (claimed by `by` too if nobody had); a later note replaces the
    note. False for a card that is not urgent."""
    await _set_if(s, submission_id, Submission.claimed_by.is_(None), claimed_by=by[:64], claimed_at=now)
    values: dict[str, Any] = {"done_note": note[:NOTE_MAX]} if note else {}
    if await _set_if(s, submission_id, Submission.done_at.is_(None), done_at=now, **values):
        return True
    return bool(values) and await _set_if(s, submission_id, Submission.done_at.is_not(None), **values)


async def mark_realerted(s: AsyncSession, submission_id: int, now: datetime) -> bool:
    """True once: the first caller re-alerts (still unclaimed)."""
    return await _set_if(
        s, submission_id, Submission.realerted_at.is_(None) & Submission.claimed_by.is_(None), realerted_at=now
    )


async def mark_escalated(s: AsyncSession, submission_id: int, now: datetime) -> bool:
    return await _set_if(
        s, submission_id, Submission.escalated_at.is_(None) & Submission.claimed_by.is_(None), escalated_at=now
    )


async def unclaimed(s: AsyncSession, now: datetime, limit: int = 100) -> list[Submission]:
    """Open urgent cards of the last day not yet both re-alerted and escalated, oldest first."""
    rows = await s.scalars(
        select(Submission)
        .where(*_open(), Submission.created_at >= now - LOOK_BACK)
        .where((Submission.realerted_at.is_(None)) | (Submission.escalated_at.is_(None)))
        .order_by(Submission.created_at, Submission.id)
        .limit(limit)
    )
    return list(rows.all())


async def open_count(s: AsyncSession) -> int:
    return int(await s.scalar(select(func.count(Submission.id)).where(*_open())) or 0)


async def listing(s: AsyncSession, since: datetime, limit: int = 200) -> list[Submission]:
    """Urgent cards since `since`, newest first (the dashboard's Urgent view)."""
    rows = await s.scalars(
        select(Submission)
        .where(Submission.urgent.is_(True), Submission.is_test.is_(False), Submission.created_at >= since)
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .limit(limit)
    )
    return list(rows.all())
