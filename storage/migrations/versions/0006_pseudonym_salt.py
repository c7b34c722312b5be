"""A random salt per participant, so a pseudonym after erasure is unlinkable.

The pseudonym is made from the salt, so a youth who erased their data and comes back
gets a pseudonym that cannot be linked to the old one.

Rows stored before this revision get salt NULL and keep their key and pseudonym (both
made from the Telegram id alone, as before); `bot/privacy/pseudonym.py` still finds them.

Revision ID: 0006_pseudonym_salt
Revises: 0005_funnel_reach
Create Date: 2026-01-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_pseudonym_salt"
down_revision: str | None = "0005_funnel_reach"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("participants", sa.Column("salt", sa.String(64), nullable=True))


def downgrade() -> None:
    # In place on SQLite (3.35+) too: batch mode would copy the table, and dropping the
    # old copy would cascade to every participant's chats, sessions and answers.
    op.drop_column("participants", "salt")
