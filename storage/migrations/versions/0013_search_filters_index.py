"""PostgreSQL: the trigram index of the dashboard's text search also holds the equality
filters (language, flow, status), so a search with filters finds its candidates in the
index alone and rechecks only their JSON text, not that of every row holding the words.

The index keeps its name and its first expression (lower(answers::text), as
storage/submission_query.py's text_search writes it): a search without filters uses it
as before. The filter columns need btree_gin (a contrib extension like pg_trgm); without
it the index stays as 0003 made it. SQLite: nothing.

Revision ID: 0013_search_filters_index
Revises: 0012_campaign_questions
Create Date: 2026-12-04
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_search_filters_index"
down_revision: str | None = "0012_campaign_questions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)

TRGM_INDEX = "ix_submissions_answers_trgm"
TEXT = "lower(answers::text) gin_trgm_ops"
FILTERS = "language, flow_id, status"


def _has(bind: sa.Connection, extension: str) -> bool:
    found = bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = :e"), {"e": extension}).first()
    return found is not None


def _create_extension(bind: sa.Connection, extension: str) -> bool:
    try:
        with bind.begin_nested():
            bind.execute(sa.text(f"CREATE EXTENSION IF NOT EXISTS {extension}"))
    except sa.exc.DBAPIError as exc:
        log.warning("%s is not available (%s); the search index holds no filters", extension, type(exc).__name__)
        return False
    return True


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not _has(bind, "pg_trgm") or not _create_extension(bind, "btree_gin"):
        return
    op.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
    op.execute(f"CREATE INDEX {TRGM_INDEX} ON submissions USING gin ({TEXT}, {FILTERS})")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not _has(bind, "pg_trgm"):
        return
    op.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
    op.execute(f"CREATE INDEX {TRGM_INDEX} ON submissions USING gin ({TEXT})")
