"""The `translator` staff role, limited to given languages (issue #20).

`staff_users.languages` lists the catalog codes a translator may review, comma-separated
(e.g. `ti,ar`); NULL for admins (all languages) and reviewers (none). The role's CHECK
constraint gains `translator`.

On SQLite the constraint can only change by copying the table (batch mode); dropping
the old copy ends every dashboard session (staff_sessions cascade), so staff log in
again once after this upgrade. PostgreSQL alters the constraint in place.

Revision ID: 0008_translator_role
Revises: 0007_translations
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008_translator_role"
down_revision: str | None = "0007_translations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE_CHECK = "role IN ('admin', 'reviewer', 'translator')"
OLD_ROLE_CHECK = "role IN ('admin', 'reviewer')"


# 0002 named it "ck_staff_users_role", which the naming convention (storage/models.py)
# prefixed once more; the models' name="role" gives "ck_staff_users_role".
NAME_0002 = "ck_staff_users_ck_staff_users_role"


def _role_check(batch: Any, old_name: str, new_name: str, check: str) -> None:
    batch.drop_constraint(op.f(old_name), type_="check")
    batch.create_check_constraint(op.f(new_name), check)


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("languages", sa.String(200), nullable=True))
        _role_check(batch, NAME_0002, "ck_staff_users_role", ROLE_CHECK)


def downgrade() -> None:
    op.execute("DELETE FROM staff_users WHERE role = 'translator'")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("languages")
        _role_check(batch, "ck_staff_users_role", NAME_0002, OLD_ROLE_CHECK)
