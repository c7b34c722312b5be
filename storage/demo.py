"""Demo data's rows (`python -m bot demo`), told apart from real ones by a key prefix."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Participant, Submission


async def holds_other_than(s: AsyncSession, prefix: str) -> bool:
    """Whether any participant or submission has a key without `prefix` (stops at the first found)."""
    for key in (Participant.key, Submission.key):
        if await s.scalar(select(exists().where(~key.startswith(prefix)))):
            return True
    return False


async def holds_participants(s: AsyncSession, prefix: str) -> bool:
    """Whether any participant's key has `prefix`."""
    return bool(await s.scalar(select(exists().where(Participant.key.startswith(prefix)))))
