"""Staff dashboard: staff users, their sessions, the audit log; list-order index on submissions.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", BigID, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_users"),
        sa.UniqueConstraint("name", name="uq_staff_users_name"),
        sa.CheckConstraint("role IN ('admin', 'reviewer')", name="ck_staff_users_role"),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("staff_id", BigID, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("simulator", JSONType, nullable=True),
        sa.PrimaryKeyConstraint("id_hash", name="pk_staff_sessions"),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_users.id"], name="fk_staff_sessions_staff_id_staff_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_staff_sessions_staff_id", "staff_sessions", ["staff_id"])
    op.create_index("ix_staff_sessions_expires_at", "staff_sessions", ["expires_at"])
    op.create_table(
        "audit_log",
        sa.Column("id", BigID, primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("staff_name", sa.String(64), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(128), nullable=True),
        sa.Column("detail", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at_id", "audit_log", ["at", "id"])
    # The dashboard lists urgent items first, newest first, and pages by this key.
    op.create_index("ix_submissions_urgent_created_at_id", "submissions", ["urgent", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_submissions_urgent_created_at_id", table_name="submissions")
    op.drop_index("ix_audit_log_at_id", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_staff_sessions_expires_at", table_name="staff_sessions")
    op.drop_index("ix_staff_sessions_staff_id", table_name="staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_table("staff_users")
