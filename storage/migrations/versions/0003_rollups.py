"""Statistics rollups kept exact by triggers; trigram index for free-text search.

- `submission_counts`: submissions per (UTC day, flow, language, topic, status, source,
  test flag). Triggers on `submissions` keep it exact on insert, update and delete, so
  bulk loads, status changes, erasure and retention need no code at each write site.
- `answer_reach`: distinct participants who answered each (flow, step), kept by
  triggers on `answers` (the statistics page's drop-off).
- `ix_participants_is_test`: the few test participants, subtracted from the reach.
- The single-column indexes on submissions' flow, language and status become
  (column, urgent, created_at, id): a filtered list or export walks only matching rows
  in list order, and keyset pages resume where they stopped instead of sorting again.
- PostgreSQL only: a pg_trgm GIN index on lower(answers::text), the expression the
  dashboard's text search filters on; skipped with a warning when the extension
  cannot be created (search then stays a scan).

The trigger SQL is frozen here (a migration must not change when the code does);
`storage/stats_queries.py` reads the same keys: NULL topic and source are stored as ''.

Revision ID: 0003
Revises: 0002
Create Date: 2025-12-01
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)

COUNT_KEYS = ("day", "flow_id", "language", "topic", "status", "source", "is_test")
TOPIC_MAX = 200  # longer topics are cut in the rollup (a key column must stay short)
TRGM_INDEX = "ix_submissions_answers_trgm"
LIST_ORDER = ("urgent", "created_at", "id")
FILTERED = ("flow_id", "language", "status")


def _count_exprs(row: str, dialect: str) -> list[str]:
    """The rollup key of a submissions row (`row` is NEW, OLD or a table alias)."""
    if dialect == "postgresql":
        day = f"to_char(timezone('UTC', {row}.created_at), 'YYYY-MM-DD')"
        topic = f"coalesce(left({row}.answers ->> 'topic', {TOPIC_MAX}), '')"
    else:
        day = f"date({row}.created_at)"
        topic = f"coalesce(substr(CAST(json_extract({row}.answers, '$.\"topic\"') AS VARCHAR), 1, {TOPIC_MAX}), '')"
    return [
        day,
        f"{row}.flow_id",
        f"{row}.language",
        topic,
        f"{row}.status",
        f"coalesce({row}.source, '')",
        f"{row}.is_test",
    ]


def _upsert(table: str, keys: Sequence[str], select_sql: str) -> str:
    cols = ", ".join(keys)
    return f"INSERT INTO {table} ({cols}, n) {select_sql} ON CONFLICT ({cols}) DO UPDATE SET n = {table}.n + excluded.n"


def _sqlite_bump_count(row: str, delta: int) -> str:
    return (
        _upsert("submission_counts", COUNT_KEYS, f"SELECT {', '.join(_count_exprs(row, 'sqlite'))}, {delta} WHERE true")
        + ";"
    )


def _pg_delta_rows(source: str, delta: int) -> str:
    return f"SELECT {', '.join(_count_exprs('r', 'postgresql'))}, {delta} AS d FROM {source} r"


def _pg_apply_counts(*parts: str) -> str:
    keys = ", ".join(COUNT_KEYS)
    delta = " UNION ALL ".join(parts)
    # Sorted, so concurrent statements lock rollup rows in one order (no deadlock).
    select_sql = (
        f"SELECT {keys}, sum(d) FROM ({delta}) AS x({keys}, d) GROUP BY {keys} HAVING sum(d) <> 0 ORDER BY {keys}"
    )
    return _upsert("submission_counts", COUNT_KEYS, select_sql) + ";"


PG_COUNTS_FUNCTION = f"""
CREATE FUNCTION submission_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_pg_apply_counts(_pg_delta_rows("new_rows", 1))}
  ELSIF TG_OP = 'DELETE' THEN
    {_pg_apply_counts(_pg_delta_rows("old_rows", -1))}
  ELSE
    {_pg_apply_counts(_pg_delta_rows("new_rows", 1), _pg_delta_rows("old_rows", -1))}
  END IF;
  RETURN NULL;
END $$
"""
COUNTED_COLUMNS = "created_at, flow_id, language, answers, status, source, is_test"
REACH_KEYS = ("flow_id", "step_id")
REACH_COLUMNS = "participant_id, flow_id, step_id"


def _same_step(row: str, *, other_than: str) -> str:
    """Another answer (not row `other_than`) of this youth to this step exists."""
    cond = " AND ".join(f"a.{c} = {row}.{c}" for c in ("participant_id", "flow_id", "step_id"))
    cond += f" AND a.id <> {other_than}.id"
    return f"EXISTS (SELECT 1 FROM answers a WHERE {cond})"


def _bump_reach(row: str, delta: int, when: str = "true") -> str:
    return _upsert("answer_reach", REACH_KEYS, f"SELECT {row}.flow_id, {row}.step_id, {delta} WHERE {when}") + ";"


def _sqlite_reach_triggers() -> list[str]:
    # SQLite runs each AFTER trigger right after its row, so "another row exists" is exact
    # even when one statement inserts or deletes several answers of the same step.
    def trigger(name: str, event: str, body: list[tuple[str, str, int]]) -> str:
        steps = " ".join(
            _bump_reach(row, delta, f"NOT {_same_step(row, other_than=other)}") for row, other, delta in body
        )
        return f"CREATE TRIGGER {name} AFTER {event} ON answers BEGIN {steps} END"

    return [
        trigger("answer_reach_insert", "INSERT", [("NEW", "NEW", 1)]),
        trigger("answer_reach_delete", "DELETE", [("OLD", "OLD", -1)]),
        trigger("answer_reach_update", f"UPDATE OF {REACH_COLUMNS}", [("OLD", "NEW", -1), ("NEW", "NEW", 1)]),
    ]


def _pg_reach_sql(*sources: tuple[str, int, int]) -> str:
    """Per (participant, flow, step) touched by the statement: present after it (any row
    left) minus present before it (rows now, less those it added, plus those it removed).
    Keys with as many rows added as removed (updates of other columns) cannot change."""
    touched = " UNION ALL ".join(
        f"SELECT participant_id, flow_id, step_id, {added}, {removed} FROM {table}" for table, added, removed in sources
    )
    keys = "participant_id, flow_id, step_id"
    delta = f"""
      WITH touched AS (
        SELECT {keys}, sum(added) AS added, sum(removed) AS removed
        FROM ({touched}) AS t({keys}, added, removed)
        GROUP BY {keys} HAVING sum(added) <> sum(removed)),
      delta AS (
        SELECT t.flow_id, t.step_id, (k.now > 0)::int - (k.now - t.added + t.removed > 0)::int AS d
        FROM touched t CROSS JOIN LATERAL (
          SELECT count(*) AS now FROM answers a
          WHERE a.participant_id = t.participant_id AND a.flow_id = t.flow_id AND a.step_id = t.step_id) k)
      """
    select_sql = (
        "SELECT flow_id, step_id, sum(d) FROM delta GROUP BY flow_id, step_id HAVING sum(d) <> 0 "
        "ORDER BY flow_id, step_id"
    )
    return (delta + _upsert("answer_reach", REACH_KEYS, select_sql)).replace("'", "''")


# Dynamic EXECUTE: planned for each statement, so the per-youth lookup uses the index
# however much the table has grown since the connection first ran the trigger.
PG_REACH_FUNCTION = f"""
CREATE FUNCTION answer_reach_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE '{_pg_reach_sql(("new_rows", 1, 0))}';
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE '{_pg_reach_sql(("old_rows", 0, 1))}';
  ELSE
    EXECUTE '{_pg_reach_sql(("new_rows", 1, 0), ("old_rows", 0, 1))}';
  END IF;
  RETURN NULL;
END $$
"""
TRIGGER_EVENTS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def _create_tables() -> None:
    op.create_table(
        "submission_counts",
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("flow_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(TOPIC_MAX), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*COUNT_KEYS, name="pk_submission_counts"),
        sqlite_with_rowid=False,  # the key is the table: one b-tree to update per write
    )
    op.create_table(
        "answer_reach",
        sa.Column("flow_id", sa.String(64), nullable=False),
        sa.Column("step_id", sa.String(64), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*REACH_KEYS, name="pk_answer_reach"),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_participants_is_test",
        "participants",
        ["id"],
        sqlite_where=sa.text("is_test = 1"),
        postgresql_where=sa.text("is_test"),
    )


def _backfill(dialect: str) -> None:
    exprs = ", ".join(_count_exprs("submissions", dialect))
    op.execute(
        f"INSERT INTO submission_counts ({', '.join(COUNT_KEYS)}, n) "
        f"SELECT {exprs}, count(*) FROM submissions GROUP BY {exprs}"
    )
    op.execute(
        "INSERT INTO answer_reach (flow_id, step_id, n) SELECT flow_id, step_id, count(*) "
        "FROM (SELECT DISTINCT participant_id, flow_id, step_id FROM answers) AS d "
        "GROUP BY flow_id, step_id"
    )


PG_ROLLUPS = {"submission_counts": ("submissions", PG_COUNTS_FUNCTION), "answer_reach": ("answers", PG_REACH_FUNCTION)}


def _create_pg_triggers() -> None:
    # Statement triggers with transition tables: a bulk load (COPY) costs one grouped
    # upsert per statement, not one per row.
    for rollup, (table, function) in PG_ROLLUPS.items():
        op.execute(function)
        for event, referencing in TRIGGER_EVENTS.items():
            op.execute(
                f"CREATE TRIGGER {rollup}_{event.lower()} AFTER {event} ON {table} "
                f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {rollup}_apply()"
            )


def _create_sqlite_triggers() -> None:
    op.execute(
        f"CREATE TRIGGER submission_counts_insert AFTER INSERT ON submissions BEGIN {_sqlite_bump_count('NEW', 1)} END"
    )
    op.execute(
        f"CREATE TRIGGER submission_counts_delete AFTER DELETE ON submissions BEGIN {_sqlite_bump_count('OLD', -1)} END"
    )
    op.execute(
        f"CREATE TRIGGER submission_counts_update AFTER UPDATE OF {COUNTED_COLUMNS} ON submissions "
        f"BEGIN {_sqlite_bump_count('OLD', -1)} {_sqlite_bump_count('NEW', 1)} END"
    )
    for sql in _sqlite_reach_triggers():
        op.execute(sql)


def _create_trgm_index() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        log.warning("pg_trgm is not available (%s); text search stays a full scan", type(exc).__name__)
        return
    op.execute(f"CREATE INDEX {TRGM_INDEX} ON submissions USING gin (lower(answers::text) gin_trgm_ops)")


def _swap_filter_indexes(*, ordered: bool) -> None:
    for column in FILTERED:
        single, composite = f"ix_submissions_{column}", f"ix_submissions_{column}_{'_'.join(LIST_ORDER)}"
        op.drop_index(single if ordered else composite, table_name="submissions")
        if ordered:
            op.create_index(composite, "submissions", [column, *LIST_ORDER])
        else:
            op.create_index(single, "submissions", [column])


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # Writers wait until this commits: no row slips between back-fill and triggers.
        op.execute("LOCK TABLE submissions, answers IN SHARE ROW EXCLUSIVE MODE")
    _create_tables()
    _swap_filter_indexes(ordered=True)
    _backfill(dialect)
    if dialect == "postgresql":
        _create_pg_triggers()
        _create_trgm_index()
    else:
        _create_sqlite_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
        for rollup, (table, _function) in PG_ROLLUPS.items():
            for event in TRIGGER_EVENTS:
                op.execute(f"DROP TRIGGER {rollup}_{event.lower()} ON {table}")
            op.execute(f"DROP FUNCTION {rollup}_apply()")
    else:
        for name in (
            "submission_counts_insert",
            "submission_counts_delete",
            "submission_counts_update",
            "answer_reach_insert",
            "answer_reach_delete",
            "answer_reach_update",
        ):
            op.execute(f"DROP TRIGGER {name}")
    _swap_filter_indexes(ordered=False)
    op.drop_index("ix_participants_is_test", table_name="participants")
    op.drop_table("answer_reach")
    op.drop_table("submission_counts")
