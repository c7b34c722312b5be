"""Initial schema: all tables.

Revision ID: 0001
Revises:
Create Date: 2025-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model types: a migration must not change when models.py does.
BigID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def _pk(name: str = "id") -> sa.Column[int]:
    return sa.Column(name, BigID, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "participants",
        _pk(),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("consent_at", TS, nullable=True),
        sa.Column("age_band", sa.String(16), nullable=True),
        sa.Column("source", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("stopped", sa.Boolean(), nullable=False),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_participants"),
        sa.UniqueConstraint("key", name="uq_participants_key"),
        sa.UniqueConstraint("pseudonym", name="uq_participants_pseudonym"),
    )

    op.create_table(
        "chats",
        sa.Column(
            "participant_id",
            BigID,
            sa.ForeignKey("participants.id", name="fk_chats_participant_id_participants", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("participant_id", name="pk_chats"),
        sa.UniqueConstraint("chat_id", name="uq_chats_chat_id"),
    )

    op.create_table(
        "sessions",
        _pk(),
        sa.Column(
            "participant_id",
            BigID,
            sa.ForeignKey("participants.id", name="fk_sessions_participant_id_participants", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("flow_id", sa.String(64), nullable=False),
        sa.Column("flow_version", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("state", JSONType, nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("tick_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.CheckConstraint("status IN ('active', 'ended', 'expired')", name="ck_sessions_status"),
    )
    op.create_index("ix_sessions_participant_id", "sessions", ["participant_id"])
    op.create_index("ix_sessions_tick_at", "sessions", ["tick_at"])
    op.create_index(
        "uq_sessions_active_participant",
        "sessions",
        ["participant_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )

    op.create_table(
        "answers",
        _pk(),
        sa.Column(
            "participant_id",
            BigID,
            sa.ForeignKey("participants.id", name="fk_answers_participant_id_participants", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "session_id",
            BigID,
            sa.ForeignKey("sessions.id", name="fk_answers_session_id_sessions", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("flow_id", sa.String(64), nullable=False),
        sa.Column("step_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", JSONType, nullable=True),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("forward", sa.Boolean(), nullable=False),
        sa.Column("detected_language", sa.String(16), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("purged_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_answers"),
    )
    op.create_index("ix_answers_participant_id", "answers", ["participant_id"])
    op.create_index("ix_answers_session_id", "answers", ["session_id"])
    op.create_index("ix_answers_created_at", "answers", ["created_at"])

    op.create_table(
        "submissions",
        _pk(),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("participant_pseudonym", sa.String(64), nullable=True),
        sa.Column("flow_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("source", sa.String(64), nullable=True),
        sa.Column("answers", JSONType, nullable=False),
        sa.Column("detected_language", sa.String(16), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("tags", JSONType, nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status_by", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
        sa.UniqueConstraint("key", name="uq_submissions_key"),
        sa.CheckConstraint("status IN ('new', 'reviewed', 'shortlisted', 'archived')", name="ck_submissions_status"),
    )
    for column in ("participant_pseudonym", "flow_id", "language", "status", "created_at"):
        op.create_index(f"ix_submissions_{column}", "submissions", [column])

    op.create_table(
        "inbox",
        _pk(),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_key", sa.BigInteger(), nullable=False),
        sa.Column("payload", JSONType, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("handled_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_inbox"),
        sa.UniqueConstraint("update_id", name="uq_inbox_update_id"),
        sa.CheckConstraint("status IN ('pending', 'done', 'failed')", name="ck_inbox_status"),
    )
    op.create_index("ix_inbox_status_chat_key_update_id", "inbox", ["status", "chat_key", "update_id"])

    op.create_table(
        "outbox",
        _pk(),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("method", sa.String(64), nullable=False),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("result", JSONType, nullable=True),
        sa.Column("ref", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="ck_outbox_status"),
        sa.CheckConstraint("target IN ('telegram', 'webhook')", name="ck_outbox_target"),
    )
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_status_chat_id_id", "outbox", ["status", "chat_id", "id"])
    op.create_index("ix_outbox_ref", "outbox", ["ref"])

    op.create_table(
        "flow_versions",
        sa.Column("flow_id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("flow_id", "version", name="pk_flow_versions"),
    )

    op.create_table(
        "leases",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_leases"),
    )


def downgrade() -> None:
    for table in (
        "leases",
        "flow_versions",
        "outbox",
        "inbox",
        "submissions",
        "answers",
        "sessions",
        "chats",
        "participants",
    ):
        op.drop_table(table)
