"""Staff repository: accounts, server-side dashboard sessions, the audit log and
failed logins.

Like the other repositories, functions take an `AsyncSession` and never commit.
Passwords arrive here already hashed; session ids arrive already hashed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, case, delete, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage._upsert import dialect_insert
from storage.staff_models import ROLES, AuditLog, LoginFailure, StaffSession, StaffUser

DETAIL_MAX = 500


class StaffNameTaken(Exception):
    """A staff account with this name exists already."""


async def add_staff(
    s: AsyncSession, *, name: str, role: str, password_hash: str, now: datetime, languages: Sequence[str] = ()
) -> StaffUser:
    """A new account; `languages` are the catalog codes a translator may review."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if await staff_by_name(s, name) is not None:
        raise StaffNameTaken(name)
    user = StaffUser(
        name=name,
        role=role,
        password_hash=password_hash,
        created_at=now,
        disabled=False,
        languages=",".join(languages) or None,
    )
    s.add(user)
    await s.flush()
    return user


async def staff_by_name(s: AsyncSession, name: str) -> StaffUser | None:
    return (await s.execute(select(StaffUser).where(StaffUser.name == name))).scalar_one_or_none()


async def list_staff(s: AsyncSession) -> list[StaffUser]:
    return list((await s.execute(select(StaffUser).order_by(StaffUser.name))).scalars())


async def set_password_hash(s: AsyncSession, staff_id: int, password_hash: str) -> None:
    await s.execute(update(StaffUser).where(StaffUser.id == staff_id).values(password_hash=password_hash))


async def end_sessions(s: AsyncSession, staff_id: int) -> None:
    """Log the account out everywhere."""
    await s.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id))


async def set_disabled(s: AsyncSession, staff_id: int, disabled: bool) -> None:
    await s.execute(update(StaffUser).where(StaffUser.id == staff_id).values(disabled=disabled))
    if disabled:
        await s.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id))


async def create_session(
    s: AsyncSession, *, id_hash: str, staff_id: int, csrf_token: str, now: datetime, expires_at: datetime
) -> StaffSession:
    row = StaffSession(
        id_hash=id_hash,
        staff_id=staff_id,
        csrf_token=csrf_token,
        created_at=now,
        last_seen_at=now,
        expires_at=expires_at,
    )
    s.add(row)
    await s.flush()
    return row


async def live_session(s: AsyncSession, id_hash: str, now: datetime) -> tuple[StaffSession, StaffUser] | None:
    """The session and its (enabled) staff user, unless expired, unknown or disabled."""
    row = (
        await s.execute(
            select(StaffSession, StaffUser)
            .join(StaffUser, StaffUser.id == StaffSession.staff_id)
            .where(StaffSession.id_hash == id_hash, StaffSession.expires_at > now, StaffUser.disabled.is_(False))
        )
    ).first()
    return (row[0], row[1]) if row else None


async def touch_session(s: AsyncSession, id_hash: str, *, now: datetime, expires_at: datetime) -> None:
    await s.execute(
        update(StaffSession).where(StaffSession.id_hash == id_hash).values(last_seen_at=now, expires_at=expires_at)
    )


async def set_simulator_state(s: AsyncSession, id_hash: str, state: Any | None) -> None:
    await s.execute(update(StaffSession).where(StaffSession.id_hash == id_hash).values(simulator=state))


async def delete_session(s: AsyncSession, id_hash: str) -> None:
    await s.execute(delete(StaffSession).where(StaffSession.id_hash == id_hash))


async def delete_expired_sessions(s: AsyncSession, now: datetime) -> int:
    result = await s.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
    return cast(CursorResult[Any], result).rowcount or 0


async def audit(
    s: AsyncSession,
    *,
    staff_name: str | None,
    action: str,
    target: str | None = None,
    detail: str | None = None,
    now: datetime,
) -> None:
    """Record a staff action. `detail` must not contain youth text or personal data."""
    s.add(
        AuditLog(
            at=now, staff_name=staff_name, action=action, target=target, detail=detail[:DETAIL_MAX] if detail else None
        )
    )
    await s.flush()


async def audit_page(s: AsyncSession, *, before_id: int | None, limit: int) -> list[AuditLog]:
    """Newest entries first; pass the last id seen as `before_id` for the next page."""
    q = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if before_id is not None:
        q = q.where(AuditLog.id < before_id)
    return list((await s.execute(q)).scalars())


async def login_failures(s: AsyncSession, keys: list[str]) -> list[LoginFailure]:
    return list((await s.scalars(select(LoginFailure).where(LoginFailure.key.in_(keys)))).all())


async def count_login_failure(s: AsyncSession, key: str, *, now: datetime, forget_before: datetime) -> int:
    """One more failed login for `key`, in one statement (several processes may count at
    once); a row whose last failure is older than `forget_before` starts again. The count."""
    table = LoginFailure.__table__
    insert = dialect_insert(s, table).values(key=key, failures=1, last_at=now)
    insert = insert.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "failures": case((table.c.last_at < forget_before, 1), else_=table.c.failures + 1),
            "last_at": now,
        },
    ).returning(table.c.failures)
    failures: int = (await s.execute(insert)).scalar_one()
    return failures


async def uncount_login_failure(s: AsyncSession, key: str) -> None:
    """Take back one counted attempt (it was a correct password)."""
    table = cast(Table, LoginFailure.__table__)
    await s.execute(update(table).where(table.c.key == key, table.c.failures > 0).values(failures=table.c.failures - 1))


async def clear_login_failures(s: AsyncSession, key: str) -> None:
    await s.execute(delete(LoginFailure).where(LoginFailure.key == key))


async def forget_login_failures(s: AsyncSession, before: datetime) -> None:
    await s.execute(delete(LoginFailure).where(LoginFailure.last_at < before))
