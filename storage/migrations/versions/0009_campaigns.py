"""Campaigns: the contact opt-in, campaigns and their recipients.

`participants.contact` (with `contact_at`) is the youth's yes/no to being contacted
later, separate from consent. `campaigns` holds a poll's flow, audience filters, state
and schedule; `campaign_recipients` one row per youth per campaign (unique: nothing is
sent twice).

Revision ID: 0009_campaigns
Revises: 0008_translator_role
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009_campaigns"
down_revision: str | None = "0008_translator_role"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model types: a migration must not change when models.py does.
BigID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def _pk() -> sa.Column[int]:
    return sa.Column("id", BigID, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.add_column("participants", sa.Column("contact", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("participants", sa.Column("contact_at", TS, nullable=True))
    op.create_table(
        "campaigns",
        _pk(),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("flow_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("audience", JSONType, nullable=False),
        sa.Column("scheduled_at", TS, nullable=True),
        sa.Column("expanded_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("results_sent_at", TS, nullable=True),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_campaigns"),
        sa.CheckConstraint(
            "status IN ('draft', 'scheduled', 'sending', 'paused', 'done', 'cancelled')", name="ck_campaigns_status"
        ),
    )
    op.create_index("ix_campaigns_status", "campaigns", ["status"])
    op.create_table(
        "campaign_recipients",
        _pk(),
        sa.Column("campaign_id", BigID, nullable=False),
        sa.Column("participant_id", BigID, nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("offered_at", TS, nullable=True),
        sa.Column("started_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_campaign_recipients"),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name="fk_campaign_recipients_campaign_id_campaigns", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_campaign_recipients_participant_id_participants",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("campaign_id", "participant_id", name="uq_campaign_recipients_campaign_id_participant_id"),
        sa.CheckConstraint("status IN ('queued', 'started', 'skipped')", name="ck_campaign_recipients_status"),
    )
    op.create_index("ix_campaign_recipients_campaign_id_status", "campaign_recipients", ["campaign_id", "status"])
    op.create_index("ix_campaign_recipients_participant_id", "campaign_recipients", ["participant_id"])


def downgrade() -> None:
    op.drop_table("campaign_recipients")
    op.drop_table("campaigns")
    # In place on SQLite (3.35+): batch mode would copy the table and cascade (see 0006).
    op.drop_column("participants", "contact_at")
    op.drop_column("participants", "contact")
