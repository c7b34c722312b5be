"""Campaign questions: a campaign may carry its own one question with choices (and an
optional "why?"), written per language in the dashboard or the command line, instead of
naming a flow file. Stored as JSON with the campaign (NULL: a flow file's campaign).

Revision ID: 0012_campaign_questions
Revises: 0011_forum_topics
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012_campaign_questions"
down_revision: str | None = "0011_forum_topics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of the model's type: a migration must not change when models.py does.
JSONType = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("question", JSONType, nullable=True))


def downgrade() -> None:
    # In place on SQLite (3.35+): batch mode would copy the table and cascade (see 0006).
    op.drop_column("campaigns", "question")
