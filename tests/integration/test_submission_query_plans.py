"""The dashboard's queries can use the indexes meant for them (plans, not timings)."""

from __future__ import annotations

from sqlalchemy import select, text

from storage.submission_query import Filters, count_query, page_query, text_search
from storage.db import make_engine
from storage.migrate import ensure_schema
from storage.models import Submission
from tests.dbfixtures import pg_url  # noqa: F401
from tests.webfixtures import submission


async def _plan(conn, query) -> str:
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
    return "\n".join(str(row[-1]) for row in (await conn.execute(text(explain + sql))).all())


async def test_text_search_is_the_trigram_index_expression_on_postgresql(pg_url):
    await ensure_schema(pg_url)
    engine = make_engine(pg_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                Submission.__table__.insert(),
                [
                    {c.name: getattr(r, c.name) for c in Submission.__table__.columns if c.name != "id"}
                    for r in (submission(), submission(answers={"topic": "school", "idea": "Homework club"}))
                ],
            )
            # Only a trigram bitmap scan is left without a penalty: a mismatched expression
            # would show as a sequential scan.
            await conn.execute(text("SET LOCAL enable_seqscan = off"))
            await conn.execute(text("SET LOCAL enable_indexscan = off"))
            plan = await _plan(
                conn, select(Submission.id).where(text_search(Submission.answers, "Homework club", "postgresql"))
            )
            assert "ix_submissions_answers_trgm" in plan, plan
            plan = await _plan(conn, select(Submission.id).where(text_search(Submission.answers, "سكن", "postgresql")))
            assert "ix_submissions_answers_trgm" in plan, plan
            # With the translations' half of the OR, the text search is still a bitmap
            # scan of the trigram index (a correlated EXISTS made it a scan of every row).
            plan = await _plan(conn, count_query(Filters(q="Homework club"), "postgresql"))
            assert "ix_submissions_answers_trgm" in plan and "BitmapOr" in plan, plan
            # and the index holds the filters too (migration 0013), for a search with them
            definition = await conn.scalar(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_submissions_answers_trgm'")
            )
            assert "gin_trgm_ops, language, flow_id, status" in definition, definition
    finally:
        await engine.dispose()


async def test_a_filtered_page_on_sqlite_walks_its_filter_index_in_list_order(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'plans.db'}"
    await ensure_schema(url)
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            for name, value in (("language", "ar"), ("flow", "need"), ("status", "new")):
                query = page_query(Filters(**{name: value}, q="club"), "sqlite", after=None, limit=10)
                plan = await _plan(conn, query)
                assert "_urgent_created_at_id" in plan and "TEMP B-TREE" not in plan, plan
    finally:
        await engine.dispose()
