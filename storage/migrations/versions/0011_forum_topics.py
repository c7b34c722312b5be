"""Forum topics: which topic of a forum group each kind of staff message goes to
(urgent, ideas, needs, follow-ups), created on first use.

Revision ID: 0011_forum_topics
Revises: 0010_urgent_claims
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_forum_topics"
down_revision: str | None = "0010_urgent_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forum_topics",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("forum_topics")
