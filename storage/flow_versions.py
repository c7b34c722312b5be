"""Flow versions: the source of every flow version applied, so any of them can be looked at
or restored later. A version is the flow file's content hash, so storing one twice is a no-op."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage._upsert import dialect_insert
from storage.models import FlowVersion


async def record(s: AsyncSession, *, flow_id: str, version: str, source: str, now: datetime) -> bool:
    """Store one version's source; False when that version was stored before."""
    stmt = (
        dialect_insert(s, FlowVersion)
        .values(flow_id=flow_id, version=version, source=source, created_at=now)
        .on_conflict_do_nothing(index_elements=["flow_id", "version"])
        .returning(FlowVersion.version)
    )
    return (await s.execute(stmt)).scalar_one_or_none() is not None


async def forget(s: AsyncSession, flow_id: str, version: str) -> None:
    """Remove one stored version (one recorded for a change that was then not applied)."""
    await s.execute(delete(FlowVersion).where(FlowVersion.flow_id == flow_id, FlowVersion.version == version))


async def history(s: AsyncSession, flow_id: str) -> list[FlowVersion]:
    """Every stored version of a flow, newest first."""
    stmt = (
        select(FlowVersion)
        .where(FlowVersion.flow_id == flow_id)
        .order_by(FlowVersion.created_at.desc(), FlowVersion.version)
    )
    return list((await s.scalars(stmt)).all())
