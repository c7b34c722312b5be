"""Staff tables: dashboard accounts, their server-side sessions, the audit log and
failed logins.

Registered on the same `Base` as storage/models.py. Nothing here holds youth data:
audit entries name a staff member, an action and a target (e.g. `submission:42`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigID, utcnow

# admin: everything; reviewer: submissions, statistics, exports; translator: the
# Translations page, for the languages in `languages` only (migration 0008_translator_role)
ROLES = ("admin", "reviewer", "translator")


class StaffUser(Base):
    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint("role IN ('admin', 'reviewer', 'translator')", name="role"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[str | None] = mapped_column(String(200))  # a translator's codes, comma-separated

    @property
    def language_list(self) -> tuple[str, ...]:
        return tuple(code for code in (self.languages or "").split(",") if code)


class StaffSession(Base):
    """A logged-in browser. `id_hash` is the SHA-256 of the cookie value, never the value."""

    __tablename__ = "staff_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(BigID, ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    simulator: Mapped[Any | None]  # the web simulator's state for this browser (test data only)


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at_id", "at", "id"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    staff_name: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[str | None] = mapped_column(String(500))


class LoginFailure(Base):
    """Failed logins in a row of one account or one client address (migration
    0004_login_lockout). `key` is `account:` or `address:` and a SHA-256 of the name or
    address, so neither is kept."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[datetime] = mapped_column(index=True)
