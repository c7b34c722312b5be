"""Translations beside the original: translations, translation_jobs, translation_cache,
followup_translations.

Revision ID: 0007_translations
Revises: 0006_pseudonym_salt
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_translations"
down_revision: str | None = "0006_pseudonym_salt"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONType = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "translations",
        sa.Column("id", BigID, primary_key=True, autoincrement=True),
        sa.Column("submission_id", BigID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(64), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answers", JSONType, nullable=True),
        sa.Column("by", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_translations"),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name="fk_translations_submission_id_submissions", ondelete="CASCADE"
        ),
        sa.CheckConstraint("kind IN ('machine', 'human')", name="ck_translations_kind"),
    )
    op.create_index("ix_translations_submission_id", "translations", ["submission_id"])
    op.create_table(
        "translation_jobs",
        sa.Column("id", BigID, primary_key=True, autoincrement=True),
        sa.Column("submission_id", BigID, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("card", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("done_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_translation_jobs"),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name="fk_translation_jobs_submission_id_submissions",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("submission_id", "target", name="uq_translation_jobs_submission_id_target"),
        sa.CheckConstraint("status IN ('pending', 'done', 'unsupported')", name="ck_translation_jobs_status"),
    )
    op.create_index("ix_translation_jobs_status_next_attempt_at", "translation_jobs", ["status", "next_attempt_at"])
    op.create_table(
        "translation_cache",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("translated", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_translation_cache"),
    )

    op.create_table(
        "followup_translations",
        sa.Column("id", BigID, primary_key=True, autoincrement=True),
        sa.Column("submission_id", BigID, nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("staff_chat", sa.BigInteger(), nullable=False),
        sa.Column("card", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_followup_translations"),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name="fk_followup_translations_submission_id_submissions",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("direction IN ('question', 'answer')", name="ck_followup_translations_direction"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="ck_followup_translations_status"),
    )
    op.create_index("ix_followup_translations_submission_id", "followup_translations", ["submission_id"])
    op.create_index(
        "ix_followup_translations_status_next_attempt_at", "followup_translations", ["status", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_followup_translations_status_next_attempt_at", table_name="followup_translations")
    op.drop_index("ix_followup_translations_submission_id", table_name="followup_translations")
    op.drop_table("followup_translations")
    op.drop_table("translation_cache")
    op.drop_index("ix_translation_jobs_status_next_attempt_at", table_name="translation_jobs")
    op.drop_table("translation_jobs")
    op.drop_index("ix_translations_submission_id", table_name="translations")
    op.drop_table("translations")
