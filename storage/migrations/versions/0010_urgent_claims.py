"""Urgent claims: who took an urgent card and when, when it was done (with an optional
note), and when an unclaimed one was re-alerted to the group and escalated.

`claimed_by` is a staff label (a first name, or a dashboard account's name), never a
Telegram id.

Revision ID: 0010_urgent_claims
Revises: 0009_campaigns
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_urgent_claims"
down_revision: str | None = "0009_campaigns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
COLUMNS = (
    ("claimed_by", sa.String(64)),
    ("claimed_at", TS),
    ("done_at", TS),
    ("done_note", sa.Text()),
    ("realerted_at", TS),
    ("escalated_at", TS),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("submissions", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    # In place on SQLite (3.35+): batch mode would copy the table (see 0006).
    for name, _ in reversed(COLUMNS):
        op.drop_column("submissions", name)
