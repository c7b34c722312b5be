"""The statistics funnel counts the questions youth REACHED, not the answers stored.

Answers given before consent are never stored (the age question comes first), so a
funnel built on `answer_reach` showed "age 0, consent 5" when five youth had answered
both. The truthful source is where each session came to rest: every time a session is
saved on a question, that question was asked.

- `step_visits` (participant, flow, step): each question a participant was asked, once
  however often. Written by triggers on `sessions` from the saved engine state
  (`status` active, `flow`, `step`), so no write site has to remember it; it goes with
  the participant (ON DELETE CASCADE), so erasure leaves nothing behind.
- `step_reach` (flow, step, n): the visits counted, kept exact by triggers on
  `step_visits` (row triggers on SQLite; statement triggers with transition tables on
  PostgreSQL, as in 0003).
- Back-filled from the answers (an answered question was asked) and from the step each
  session rests on now.
- `answer_reach` (0003) is dropped: nothing reads it any more; the downgrade rebuilds it.

Revision ID: 0005_funnel_reach
Revises: 0004_login_lockout
Create Date: 2025-12-08
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0005_funnel_reach"
down_revision: str | None = "0004_login_lockout"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
KEY_MAX = 64  # flow and step ids are String(64) columns everywhere
REACH_KEYS = ("flow_id", "step_id")


def _rollups() -> ModuleType:
    """Migration 0003, for its frozen answer_reach SQL (the downgrade rebuilds it)."""
    spec = importlib.util.spec_from_file_location("sammanbot_0003_rollups", Path(__file__).with_name("0003_rollups.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _resting(row: str, dialect: str) -> tuple[str, str, str]:
    """(flow, step, condition) of a sessions row resting on a question."""
    if dialect == "postgresql":
        flow, step, status = (f"left({row}.state ->> '{k}', {KEY_MAX})" for k in ("flow", "step", "status"))
    else:
        flow, step, status = (f"json_extract({row}.state, '$.{k}')" for k in ("flow", "step", "status"))
    return flow, step, f"{status} = 'active' AND {flow} IS NOT NULL AND {step} IS NOT NULL"


def _reach_upsert(select_sql: str) -> str:
    keys = ", ".join(REACH_KEYS)
    return (
        f"INSERT INTO step_reach ({keys}, n) {select_sql} "
        f"ON CONFLICT ({keys}) DO UPDATE SET n = step_reach.n + excluded.n;"
    )


def _sqlite_triggers() -> list[str]:
    flow, step, resting = _resting("NEW", "sqlite")
    visit = (
        f"INSERT INTO step_visits (participant_id, flow_id, step_id) "
        f"VALUES (NEW.participant_id, {flow}, {step}) ON CONFLICT DO NOTHING;"
    )

    def bump(row: str, delta: int) -> str:
        return _reach_upsert(f"SELECT {row}.flow_id, {row}.step_id, {delta} WHERE true")

    return [
        f"CREATE TRIGGER step_visits_session_insert AFTER INSERT ON sessions WHEN {resting} BEGIN {visit} END",
        f"CREATE TRIGGER step_visits_session_update AFTER UPDATE OF state ON sessions WHEN {resting} BEGIN {visit} END",
        f"CREATE TRIGGER step_reach_insert AFTER INSERT ON step_visits BEGIN {bump('NEW', 1)} END",
        f"CREATE TRIGGER step_reach_delete AFTER DELETE ON step_visits BEGIN {bump('OLD', -1)} END",
        f"CREATE TRIGGER step_reach_update AFTER UPDATE ON step_visits BEGIN {bump('OLD', -1)} {bump('NEW', 1)} END",
    ]


def _pg_visits_function() -> str:
    flow, step, resting = _resting("r", "postgresql")
    # Sorted, so concurrent statements take index locks in one order.
    return f"""
CREATE FUNCTION step_visits_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO step_visits (participant_id, flow_id, step_id)
  SELECT DISTINCT r.participant_id, {flow}, {step} FROM new_rows r WHERE {resting}
  ORDER BY 1, 2, 3 ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$
"""


def _pg_reach_function() -> str:
    def delta(source: str, d: int) -> str:
        return f"SELECT flow_id, step_id, {d} FROM {source}"

    def apply(*parts: str) -> str:
        rows = " UNION ALL ".join(parts)
        return _reach_upsert(
            f"SELECT flow_id, step_id, sum(d) FROM ({rows}) AS x(flow_id, step_id, d) "
            f"GROUP BY flow_id, step_id HAVING sum(d) <> 0 ORDER BY flow_id, step_id"
        )

    return f"""
CREATE FUNCTION step_reach_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {apply(delta("new_rows", 1))}
  ELSIF TG_OP = 'DELETE' THEN
    {apply(delta("old_rows", -1))}
  ELSE
    {apply(delta("new_rows", 1), delta("old_rows", -1))}
  END IF;
  RETURN NULL;
END $$
"""


# (table, trigger name prefix, function, events): statement triggers with transition tables.
# An UPDATE trigger with a transition table cannot name columns, so sessions' fires on all.
PG_TRIGGERS = (
    ("sessions", "step_visits_session", "step_visits_apply", ("INSERT", "UPDATE")),
    ("step_visits", "step_reach", "step_reach_apply", ("INSERT", "UPDATE", "DELETE")),
)
REFERENCING = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def _backfill(dialect: str) -> None:
    flow, step, resting = _resting("s", dialect)
    op.execute(
        "INSERT INTO step_visits (participant_id, flow_id, step_id) "
        "SELECT participant_id, flow_id, step_id FROM answers "
        f"UNION SELECT s.participant_id, {flow}, {step} FROM sessions s WHERE {resting}"
    )
    op.execute(
        "INSERT INTO step_reach (flow_id, step_id, n) "
        "SELECT flow_id, step_id, count(*) FROM step_visits GROUP BY flow_id, step_id"
    )


def _drop_answer_reach(dialect: str) -> None:
    if dialect == "postgresql":
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER answer_reach_{event} ON answers")
        op.execute("DROP FUNCTION answer_reach_apply()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER answer_reach_{event}")
    op.drop_table("answer_reach")


def _restore_answer_reach(dialect: str) -> None:
    old = _rollups()
    op.create_table(
        "answer_reach",
        sa.Column("flow_id", sa.String(64), nullable=False),
        sa.Column("step_id", sa.String(64), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*old.REACH_KEYS, name="pk_answer_reach"),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO answer_reach (flow_id, step_id, n) SELECT flow_id, step_id, count(*) "
        "FROM (SELECT DISTINCT participant_id, flow_id, step_id FROM answers) AS d "
        "GROUP BY flow_id, step_id"
    )
    if dialect == "postgresql":
        op.execute(old.PG_REACH_FUNCTION)
        for event, referencing in old.TRIGGER_EVENTS.items():
            op.execute(
                f"CREATE TRIGGER answer_reach_{event.lower()} AFTER {event} ON answers "
                f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION answer_reach_apply()"
            )
    else:
        for sql in old._sqlite_reach_triggers():
            op.execute(sql)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # Writers wait until this commits: no visit slips between back-fill and triggers.
        op.execute("LOCK TABLE sessions, answers IN SHARE ROW EXCLUSIVE MODE")
    _drop_answer_reach(dialect)
    op.create_table(
        "step_visits",
        sa.Column(
            "participant_id",
            BigID,
            sa.ForeignKey("participants.id", ondelete="CASCADE", name="fk_step_visits_participant_id_participants"),
            nullable=False,
        ),
        sa.Column("flow_id", sa.String(KEY_MAX), nullable=False),
        sa.Column("step_id", sa.String(KEY_MAX), nullable=False),
        sa.PrimaryKeyConstraint("participant_id", "flow_id", "step_id", name="pk_step_visits"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "step_reach",
        sa.Column("flow_id", sa.String(KEY_MAX), nullable=False),
        sa.Column("step_id", sa.String(KEY_MAX), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*REACH_KEYS, name="pk_step_reach"),
        sqlite_with_rowid=False,
    )
    _backfill(dialect)
    if dialect == "postgresql":
        op.execute(_pg_visits_function())
        op.execute(_pg_reach_function())
        for table, prefix, function, events in PG_TRIGGERS:
            for event in events:
                op.execute(
                    f"CREATE TRIGGER {prefix}_{event.lower()} AFTER {event} ON {table} "
                    f"{REFERENCING[event]} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
                )
    else:
        for sql in _sqlite_triggers():
            op.execute(sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table, prefix, function, events in PG_TRIGGERS:
            for event in events:
                op.execute(f"DROP TRIGGER {prefix}_{event.lower()} ON {table}")
            op.execute(f"DROP FUNCTION {function}()")
    else:
        for name in (
            "step_visits_session_insert",
            "step_visits_session_update",
            "step_reach_insert",
            "step_reach_delete",
            "step_reach_update",
        ):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("step_reach")
    op.drop_table("step_visits")
    _restore_answer_reach(dialect)
