"""Engine sessions: one active row per participant holding its stored JSON (engine and dialogue keys)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from storage.models import Session


async def get(s: AsyncSession, session_id: Any) -> Session | None:
    return await s.get(Session, session_id)


async def active_for(s: AsyncSession, participant_id: int) -> Session | None:
    stmt = select(Session).where(Session.participant_id == participant_id, Session.status == "active")
    return (await s.scalars(stmt)).first()


async def save(
    s: AsyncSession,
    participant_id: int,
    *,
    state: dict[str, Any],
    flow_version: str,
    status: str,
    expires_at: datetime | None,
    tick_at: datetime | None,
    now: datetime,
    flow_id: str | None = None,
    row: Session | None = None,
) -> Session:
    """Update the participant's active session, or insert one.

    A status other than 'active' closes the row; the next save starts a new one.
    `flow_id` defaults to the engine session's `flow`. `row`: the active row, when the
    caller has already loaded it in this transaction.
    """
    if row is None or row.status != "active":
        row = await active_for(s, participant_id)
    if row is None:
        row = Session(participant_id=participant_id, started_at=now)
        s.add(row)
    # "" is a flow id too: the menu, between flows (the engine's `flow` is then None)
    row.flow_id = flow_id if flow_id is not None else (state.get("flow") or "")
    row.flow_version = flow_version
    row.status = status
    row.state = state
    flag_modified(row, "state")  # the caller may have mutated the same dict in place
    row.expires_at = expires_at
    row.tick_at = tick_at if status == "active" else None
    row.updated_at = now
    if row.id is None:
        await s.flush()  # a new row: its id is known from here on
    return row  # changes to an existing row are written with the next flush


async def due_ticks(s: AsyncSession, now: datetime, limit: int) -> list[Session]:
    """Active sessions whose tick time has come (reminders, expiry), oldest first."""
    stmt = (
        select(Session)
        .where(Session.status == "active", Session.tick_at <= now)
        .order_by(Session.tick_at, Session.id)
        .limit(limit)
    )
    return list((await s.scalars(stmt)).all())


async def active_per_flow_language(s: AsyncSession) -> list[tuple[str, str | None, int]]:
    """(flow id, language, count) of the active sessions (the /metrics gauge)."""
    lang = Session.state["lang"].as_string()
    rows = (
        await s.execute(
            select(Session.flow_id, lang, func.count())
            .where(Session.status == "active")
            .group_by(Session.flow_id, lang)
        )
    ).all()
    return [(flow, language, n) for flow, language, n in rows]
