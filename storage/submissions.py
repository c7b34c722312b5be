"""Submissions: anonymised ideas and needs for the team, idempotent on their key."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage._upsert import dialect_insert
from storage.models import Submission

STATUSES = ("new", "reviewed", "shortlisted", "archived")


async def add(
    s: AsyncSession,
    *,
    key: str,
    participant_pseudonym: str | None,
    flow_id: str,
    language: str,
    source: str | None,
    answers: Any,
    now: datetime,
    detected_language: str | None = None,
    urgent: bool = False,
    category: str | None = None,
    is_test: bool = False,
) -> Submission | None:
    """Store a submission; None when one with this key already exists."""
    stmt = (
        dialect_insert(s, Submission)
        .values(
            key=key,
            participant_pseudonym=participant_pseudonym,
            flow_id=flow_id,
            language=language,
            source=source,
            answers=answers,
            detected_language=detected_language,
            urgent=urgent,
            category=category,
            status="new",
            tags=[],
            is_test=is_test,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Submission.id)
    )
    new_id = (await s.execute(stmt)).scalar_one_or_none()
    return None if new_id is None else await s.get(Submission, new_id)


async def get(s: AsyncSession, submission_id: int) -> Submission | None:
    return await s.get(Submission, submission_id)


def _filtered(
    stmt: Any, *, flow_id: str | None, language: str | None, status: str | None, urgent: bool | None, include_test: bool
) -> Any:
    if flow_id is not None:
        stmt = stmt.where(Submission.flow_id == flow_id)
    if language is not None:
        stmt = stmt.where(Submission.language == language)
    if status is not None:
        stmt = stmt.where(Submission.status == status)
    if urgent is not None:
        stmt = stmt.where(Submission.urgent == urgent)
    if not include_test:
        stmt = stmt.where(Submission.is_test.is_(False))
    return stmt


async def search(
    s: AsyncSession,
    *,
    flow_id: str | None = None,
    language: str | None = None,
    status: str | None = None,
    urgent: bool | None = None,
    include_test: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Submission], int]:
    """Dashboard listing, newest first: (one page of rows, total matching)."""
    filtered = partial(
        _filtered, flow_id=flow_id, language=language, status=status, urgent=urgent, include_test=include_test
    )
    rows = await s.scalars(
        filtered(select(Submission))
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .limit(limit)
        .offset(offset)
    )
    total = await s.scalar(filtered(select(func.count(Submission.id))))
    return list(rows.all()), int(total or 0)


async def of_ids(s: AsyncSession, ids: Sequence[int]) -> list[Submission]:
    """The submissions with these ids (missing ones left out), by id."""
    return list((await s.scalars(select(Submission).where(Submission.id.in_(ids)).order_by(Submission.id))).all())


async def set_status(
    s: AsyncSession, which: Submission | Sequence[int], status: str, *, by: str | None, now: datetime
) -> int:
    """The one way a submission's status changes: of one loaded row (which then shows
    it) or of many by id in one statement (the dashboard's bulk change). Returns how
    many rows changed."""
    if status not in STATUSES:
        raise ValueError(f"unknown submission status: {status}")
    if isinstance(which, Submission):
        which.status, which.status_by, which.updated_at = status, by, now
        await s.flush()
        return 1
    result = cast(
        CursorResult[Any],
        await s.execute(
            update(Submission).where(Submission.id.in_(which)).values(status=status, status_by=by, updated_at=now)
        ),
    )
    return result.rowcount


ASKED = "asked"  # the answers key an urgent submission gets when the youth asks for a person now


async def latest_urgent(s: AsyncSession, participant_pseudonym: str | None, since: datetime) -> Submission | None:
    """The participant's newest urgent submission still new since `since` (None: none)."""
    if participant_pseudonym is None:
        return None
    return cast(
        Submission | None,
        await s.scalar(
            select(Submission)
            .where(
                Submission.urgent.is_(True),
                Submission.participant_pseudonym == participant_pseudonym,
                Submission.status == "new",
                Submission.created_at >= since,
            )
            .order_by(Submission.id.desc())
            .limit(1)
        ),
    )


async def mark_asked(s: AsyncSession, sub: Submission, asked: str, now: datetime) -> bool:
    """Record on an urgent submission that the youth asked for a person now; False when
    it already says so (a second press raises nothing more)."""
    answers = dict(sub.answers or {})
    if answers.get(ASKED):
        return False
    answers[ASKED] = asked
    sub.answers, sub.updated_at = answers, now
    await s.flush()
    return True


async def check_readable(s: AsyncSession) -> None:
    """Raise the database's own error when the submissions table cannot be read."""
    await s.execute(select(Submission.id).limit(1))
