"""The statistics rollups stay exact through every kind of write, on SQLite and PostgreSQL.

Every check compares the rollup with the live aggregate over the base tables, so the
rollup can never drift unnoticed: inserts (one at a time and many in one statement),
status changes (ORM and bulk), edits of counted columns, erasure, deletes and the
migration's back-fill of rows that existed before it.
"""
from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import delete, func, insert, select, update

from bot.web.stats_queries import KINDS, live_counts_query, reach_query, rollup_counts_query
from bot.web.submission_query import Filters
from storage import answers as answers_repo
from storage import participants as participants_repo
from storage import submissions as submissions_repo
from storage.db import dialect_name
from storage.migrate import alembic_config
from storage.models import Answer, Participant, Submission
from tests.dbfixtures import db, db_url  # noqa: F401
from tests.webfixtures import T0, submission

FILTERS = [
    {}, {"tests": "1"}, {"language": "ar"}, {"flow": "need", "status": "archived"}, {"topic": "school"},
    {"source": "workshop"}, {"date_from": "2025-03-02"}, {"date_to": "2025-03-01", "tests": "1"},
    {"date_from": "2025-03-01", "date_to": "2025-03-02", "language": "en"},
]


def _variety() -> list[Submission]:
    """Submissions over several days, with missing topics, sources and non-object answers."""
    late = T0.replace(hour=23, minute=59, second=59)
    return [
        submission(language="ar", answers={"topic": "housing"}, created_at=late),
        submission(language="ar", created_at=late + timedelta(seconds=1)),
        submission(flow_id="need", status="archived", source="workshop", answers={"idea": "no topic"}),
        submission(is_test=True, answers={"topic": "school"}),
        submission(answers=["not", "an", "object"], created_at=T0 + timedelta(days=2)),
        submission(answers={"topic": None}, source="workshop", language="uk"),
    ]


async def _assert_counts_exact(db) -> None:
    dialect = dialect_name(db.engine)
    async with db.sessionmaker() as s:
        for query in FILTERS:
            filters = Filters.from_query(query)[0]
            for kind in KINDS:
                live = [tuple(r) for r in (await s.execute(live_counts_query(kind, filters, dialect))).all()]
                rollup = [(k, int(n)) for k, n in (await s.execute(rollup_counts_query(kind, filters))).all()]
                assert rollup == live, (query, kind)


async def _live_reach(s, flow_id: str) -> dict[str, int]:
    q = (select(Answer.step_id, func.count(func.distinct(Answer.participant_id)))
         .join(Participant, Participant.id == Answer.participant_id)
         .where(Answer.flow_id == flow_id, Participant.is_test.is_(False)).group_by(Answer.step_id))
    return dict((await s.execute(q)).all())


async def _assert_reach_exact(db, *flow_ids: str) -> None:
    async with db.sessionmaker() as s:
        for flow_id in flow_ids:
            rollup = {k: int(n) for k, n in (await s.execute(reach_query(flow_id))).all() if n}
            assert rollup == await _live_reach(s, flow_id), flow_id


async def test_submission_counts_follow_inserts_updates_and_deletes(db):
    async with db.sessionmaker.begin() as s:
        s.add_all(_variety())
    await _assert_counts_exact(db)
    async with db.sessionmaker.begin() as s:
        await submissions_repo.add(s, key="repo-1", participant_pseudonym="Calm Owl", flow_id="need",
                                   language="ar", source=None, answers={"topic": "school"}, now=T0)
        assert await submissions_repo.add(s, key="repo-1", participant_pseudonym="Calm Owl", flow_id="need",
                                          language="ar", source=None, answers={}, now=T0) is None
    await _assert_counts_exact(db)
    async with db.sessionmaker.begin() as s:
        first = (await s.scalars(select(Submission).order_by(Submission.id))).first()
        await submissions_repo.set_status(s, first, "shortlisted", by="rita", now=T0)
        await s.execute(update(Submission).where(Submission.language == "ar").values(status="reviewed"))
        await s.execute(update(Submission).where(Submission.flow_id == "need")
                        .values(answers={"topic": "work"}, created_at=T0 + timedelta(days=5), source=None))
        await s.execute(update(Submission).values(tags=["seen"], notes="only uncounted columns"))
    await _assert_counts_exact(db)
    async with db.sessionmaker.begin() as s:
        await s.execute(delete(Submission).where(Submission.language == "uk"))
    await _assert_counts_exact(db)


async def test_many_rows_in_one_statement_are_counted_once_each(db):
    rows = [{c.name: getattr(r, c.name) for c in Submission.__table__.columns if c.name != "id"}
            for r in _variety()]
    async with db.sessionmaker.begin() as s:
        await s.execute(insert(Submission), rows)
        await s.execute(insert(Submission).from_select(
            [c.name for c in Submission.__table__.columns if c.name not in ("id", "key")] + ["key"],
            select(*[c for c in Submission.__table__.columns if c.name not in ("id", "key")],
                   Submission.key + "-copy")))
    await _assert_counts_exact(db)
    async with db.sessionmaker() as s:
        total = await s.scalar(select(func.count()).select_from(Submission))
    assert total == 2 * len(rows)


async def _person(s, n: int, *, is_test: bool = False) -> Participant:
    return await participants_repo.create(s, key=f"k{n}", pseudonym=f"Quiet Fox {n}", language="en",
                                          source=None, now=T0, is_test=is_test)


async def _answer(s, who: Participant, step: str, flow: str = "idea") -> Answer:
    return await answers_repo.add(s, participant_id=who.id, session_id=None, flow_id=flow, step_id=step,
                                  name=step, value="x", now=T0)


async def test_answer_reach_counts_distinct_youth_and_follows_erasure(db):
    async with db.sessionmaker.begin() as s:
        amal, bo, tester = await _person(s, 1), await _person(s, 2), await _person(s, 3, is_test=True)
        for who in (amal, bo, tester):
            await _answer(s, who, "topic")
        await _answer(s, amal, "topic")  # went back and answered again
        await _answer(s, amal, "idea")
        await _answer(s, bo, "rating", flow="feedback")
        # several answers of one youth to one step in a single statement
        await s.execute(insert(Answer), [dict(participant_id=bo.id, flow_id="idea", step_id="idea", name="idea",
                                              skipped=False, forward=False, created_at=T0)] * 3)
    await _assert_reach_exact(db, "idea", "feedback")
    async with db.sessionmaker.begin() as s:
        await answers_repo.purge_raw(s, T0 + timedelta(days=1), now=T0)  # retention keeps the rows
        await s.execute(update(Answer).where(Answer.step_id == "rating").values(step_id="stars"))
    await _assert_reach_exact(db, "idea", "feedback")
    async with db.sessionmaker.begin() as s:
        s.add(submission(participant_pseudonym=amal.pseudonym, language="ar"))
        s.add(submission(participant_pseudonym=bo.pseudonym, language="ar"))
    async with db.sessionmaker.begin() as s:
        assert await participants_repo.erase(s, amal.id, delete_submissions=True)
        assert await participants_repo.erase(s, bo.id, delete_submissions=False)
    await _assert_reach_exact(db, "idea", "feedback")
    await _assert_counts_exact(db)
    async with db.sessionmaker() as s:
        assert dict((await s.execute(reach_query("idea"))).all()) == {"topic": 0, "idea": 0}


async def test_migration_back_fills_rows_written_before_it(db):
    def to(revision: str):
        def run(conn):
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            (command.downgrade if revision == "0002" else command.upgrade)(cfg, revision)
        return run

    async with db.engine.begin() as conn:
        await conn.run_sync(to("0002"))
    async with db.sessionmaker.begin() as s:
        s.add_all(_variety())
        who = await _person(s, 1)
        for step in ("topic", "topic", "idea"):
            await _answer(s, who, step)
    async with db.engine.begin() as conn:
        await conn.run_sync(to("head"))
    await _assert_counts_exact(db)
    await _assert_reach_exact(db, "idea")
