"""Translations of submissions, their durable jobs and the cache of translated texts.

Never commits: the caller owns the transaction. A job is queued in the transaction that
stores its submission, so none is lost; the worker (bot/app/translations.py) takes the
due ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage._upsert import dialect_insert
from storage.models import Outbox, Submission, SubmissionCount
from storage.translation_models import FollowupTranslation, Translation, TranslationCache, TranslationJob

ERROR_MAX = 200


async def queue(s: AsyncSession, submission_id: int, source: str, targets: Iterable[str], now: datetime) -> None:
    """One pending job per target (a target already queued for it is kept as it is)."""
    for target in targets:
        stmt = (
            dialect_insert(s, TranslationJob)
            .values(
                submission_id=submission_id,
                source=source,
                target=target,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                card=False,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["submission_id", "target"])
        )
        await s.execute(stmt)


async def due(s: AsyncSession, now: datetime, limit: int) -> list[TranslationJob]:
    """Jobs to work on now: pending and due, or done with the card still to update."""
    stmt = (
        select(TranslationJob)
        .where(
            ((TranslationJob.status == "pending") & (TranslationJob.next_attempt_at <= now))
            | (TranslationJob.card.is_(True) & (TranslationJob.next_attempt_at <= now))
        )
        .order_by(TranslationJob.next_attempt_at, TranslationJob.id)
        .limit(limit)
    )
    return list((await s.scalars(stmt)).all())


async def next_due_at(s: AsyncSession) -> datetime | None:
    """When the next job (or follow-up) falls due (None: none waits)."""
    stmt = select(func.min(TranslationJob.next_attempt_at)).where(
        (TranslationJob.status == "pending") | TranslationJob.card.is_(True)
    )
    first = await s.scalar(stmt)
    other = await s.scalar(
        select(func.min(FollowupTranslation.next_attempt_at)).where(FollowupTranslation.status == "pending")
    )
    return min((t for t in (first, other) if t is not None), default=None)


async def backlog(s: AsyncSession) -> tuple[int, datetime | None]:
    """Machine translations still to make: (how many, the oldest's creation time)."""
    row = (
        await s.execute(
            select(func.count(TranslationJob.id), func.min(TranslationJob.created_at)).where(
                TranslationJob.status == "pending"
            )
        )
    ).one()
    return int(row[0] or 0), row[1]


async def job(s: AsyncSession, job_id: int) -> TranslationJob | None:
    return await s.get(TranslationJob, job_id)


async def jobs_of(s: AsyncSession, submission_id: int) -> list[TranslationJob]:
    stmt = select(TranslationJob).where(TranslationJob.submission_id == submission_id).order_by(TranslationJob.id)
    return list((await s.scalars(stmt)).all())


async def mark_retry(s: AsyncSession, job: TranslationJob, at: datetime, error: str) -> None:
    job.attempts += 1
    job.next_attempt_at = at
    job.last_error = error[:ERROR_MAX]
    await s.flush()


async def mark_finished(s: AsyncSession, job: TranslationJob, status: str, now: datetime) -> None:
    """Done or unsupported; the staff card is still to show it."""
    job.status, job.card, job.done_at, job.last_error = status, True, now, None
    job.next_attempt_at = now
    await s.flush()


async def card_later(s: AsyncSession, job: TranslationJob, at: datetime) -> None:
    job.next_attempt_at = at
    await s.flush()


async def card_done(s: AsyncSession, job: TranslationJob) -> None:
    job.card = False
    await s.flush()


async def cached(s: AsyncSession, keys: Sequence[str]) -> dict[str, str]:
    if not keys:
        return {}
    rows = await s.execute(
        select(TranslationCache.key, TranslationCache.translated).where(TranslationCache.key.in_(keys))
    )
    return {key: text for key, text in rows.all()}


async def remember(s: AsyncSession, provider: str, translated: dict[str, str], now: datetime) -> None:
    """Keep translated texts by key (a key already kept stays as it was)."""
    for key, text in translated.items():
        stmt = (
            dialect_insert(s, TranslationCache)
            .values(key=key, provider=provider, translated=text, created_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        await s.execute(stmt)


async def forget_cached(s: AsyncSession, submission_ids: Sequence[int]) -> None:
    """Drop the cached machine translations of these submissions' texts, before the
    submissions are erased: an erased youth's words, even anonymised, stay nowhere (a
    later identical text is simply translated again)."""
    if not submission_ids:
        return
    rows = await s.scalars(
        select(Translation.answers).where(Translation.submission_id.in_(submission_ids), Translation.kind == "machine")
    )
    texts = {
        text for answers in rows if isinstance(answers, dict) for text in answers.values() if isinstance(text, str)
    }
    if texts:
        await s.execute(delete(TranslationCache).where(TranslationCache.translated.in_(texts)))


async def add(
    s: AsyncSession,
    *,
    submission_id: int,
    kind: str,
    source: str,
    target: str,
    text: str,
    now: datetime,
    provider: str | None = None,
    answers: dict[str, str] | None = None,
    by: str | None = None,
) -> Translation:
    row = Translation(
        submission_id=submission_id,
        kind=kind,
        provider=provider,
        source=source,
        target=target,
        text=text,
        answers=answers,
        by=by,
        created_at=now,
    )
    s.add(row)
    await s.flush()
    return row


def _shown_first() -> Any:
    """Human translations above machine ones, the newest first within each."""
    return (case((Translation.kind == "human", 0), else_=1), Translation.created_at.desc(), Translation.id.desc())


async def of_submission(s: AsyncSession, submission_id: int) -> list[Translation]:
    stmt = select(Translation).where(Translation.submission_id == submission_id).order_by(*_shown_first())
    return list((await s.scalars(stmt)).all())


async def of_submissions(s: AsyncSession, ids: Sequence[int]) -> dict[int, list[Translation]]:
    out: dict[int, list[Translation]] = {i: [] for i in ids}
    if ids:
        stmt = select(Translation).where(Translation.submission_id.in_(ids)).order_by(*_shown_first())
        for row in (await s.scalars(stmt)).all():
            out[row.submission_id].append(row)
    return out


def untranslated() -> Any:
    """A condition on Submission: it has no translation of any kind yet."""
    return ~exists().where(Translation.submission_id == Submission.id)


async def untranslated_per_language(s: AsyncSession) -> list[tuple[str, int]]:
    """(language, submissions without any translation), most first (test rows left out).

    Shown on every list page, so not counted over every submission: the totals per
    language come from the rollup (exact by triggers, migration 0003) and the translated
    ones from the translations (as long as those are, not as all submissions)."""
    totals = (
        select(SubmissionCount.language, func.sum(SubmissionCount.n))
        .where(SubmissionCount.is_test.is_(False))
        .group_by(SubmissionCount.language)
    )
    # driven by the translations: each translated submission looked up by its key (a join
    # let SQLite walk every submission to probe the translations instead)
    translated = (
        select(Submission.language, func.count())
        .where(Submission.id.in_(select(Translation.submission_id)), Submission.is_test.is_(False))
        .group_by(Submission.language)
    )
    left = {lang: int(n or 0) for lang, n in (await s.execute(totals)).all()}
    for lang, n in (await s.execute(translated)).all():
        left[lang] = left.get(lang, 0) - int(n)
    return sorted(((lang, n) for lang, n in left.items() if n > 0), key=lambda pair: (-pair[1], pair[0]))


async def card_message(s: AsyncSession, submission_id: int) -> tuple[str, int | None, int | None]:
    """Where the submission's staff card is: (state, chat id, message id). state is
    "sent" (with its message id), "pending" (not yet), "failed" or "none" (no card)."""
    row = (
        await s.execute(
            select(Outbox.status, Outbox.chat_id, Outbox.result)
            .where(and_(Outbox.ref == f"submission:{submission_id}", Outbox.method == "sendMessage"))
            .order_by(Outbox.id)
            .limit(1)
        )
    ).one_or_none()
    if row is None:
        return "none", None, None
    status, chat_id, result = row
    message_id = result.get("message_id") if isinstance(result, dict) else None
    if status == "sent" and isinstance(message_id, int):
        return "sent", chat_id, message_id
    return ("pending" if status == "pending" else "failed"), chat_id, None


async def with_translations(
    sessionmaker: Any, rows: AsyncIterator[Submission], batch: int
) -> AsyncIterator[tuple[Submission, list[Translation]]]:
    """Each row with its translations (shown first first), read a batch of rows at a time."""
    pending: list[Submission] = []

    async def flush() -> list[tuple[Submission, list[Translation]]]:
        async with sessionmaker() as s:
            found = await of_submissions(s, [r.id for r in pending])
        return [(r, found[r.id]) for r in pending]

    async for row in rows:
        pending.append(row)
        if len(pending) >= batch:
            for pair in await flush():
                yield pair
            pending = []
    if pending:
        for pair in await flush():
            yield pair


async def queue_followup(s: AsyncSession, *, now: datetime, **message: Any) -> None:
    """A follow-up message to translate, then send: submission_id, direction, source,
    target, text, staff_chat, card (FollowupTranslation's columns)."""
    s.add(FollowupTranslation(status="pending", attempts=0, next_attempt_at=now, created_at=now, **message))
    await s.flush()


async def due_followups(s: AsyncSession, now: datetime, limit: int) -> list[int]:
    stmt = (
        select(FollowupTranslation.id)
        .where(FollowupTranslation.status == "pending", FollowupTranslation.next_attempt_at <= now)
        .order_by(FollowupTranslation.next_attempt_at, FollowupTranslation.id)
        .limit(limit)
    )
    return list((await s.scalars(stmt)).all())


async def followup(s: AsyncSession, followup_id: int) -> FollowupTranslation | None:
    return await s.get(FollowupTranslation, followup_id)


async def followup_finished(s: AsyncSession, row: FollowupTranslation, status: str) -> None:
    """Sent (or given up on): its text is not kept."""
    row.status, row.text = status, None
    await s.flush()


async def followup_retry(s: AsyncSession, row: FollowupTranslation, at: datetime) -> None:
    row.attempts += 1
    row.next_attempt_at = at
    await s.flush()
