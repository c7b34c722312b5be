"""The statistics rollups stay exact through every kind of write, on SQLite and PostgreSQL.

Every check compares the rollup with the live aggregate over the base tables, so the
rollup can never drift unnoticed: inserts (one at a time and many in one statement),
status changes (ORM and bulk), edits of counted columns, erasure, deletes and the
migrations' back-fill of rows that existed before them. The funnel's reach is checked
against what each youth was asked, as the bot saves their sessions.
"""

from __future__ import annotations

from datetime import timedelta

from alembic import command
import sqlalchemy as sa
from sqlalchemy import delete, func, insert, select, update

from storage.stats_queries import KINDS, live_counts_query, reach_query, rollup_counts_query
from storage.submission_query import Filters
from storage import answers as answers_repo
from storage import participants as participants_repo
from storage import sessions as sessions_repo
from storage import submissions as submissions_repo
from storage.db import dialect_name
from storage.migrate import alembic_config
from storage.models import Answer, Participant, Session, StepVisit, Submission
from tests.dbfixtures import db, db_url  # noqa: F401
from tests.webfixtures import T0, submission

FILTERS = [
    {},
    {"tests": "1"},
    {"language": "ar"},
    {"flow": "need", "status": "archived"},
    {"topic": "school"},
    {"source": "workshop"},
    {"date_from": "2025-03-02"},
    {"date_to": "2025-03-01", "tests": "1"},
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
    q = (
        select(StepVisit.step_id, func.count())
        .join(Participant, Participant.id == StepVisit.participant_id)
        .where(StepVisit.flow_id == flow_id, Participant.is_test.is_(False))
        .group_by(StepVisit.step_id)
    )
    return dict((await s.execute(q)).all())


async def _reach(db, flow_id: str) -> dict[str, int]:
    """The funnel as the statistics page reads it (the rollup less test youth), checked
    against a live count of the visits."""
    async with db.sessionmaker() as s:
        rollup = {k: int(n) for k, n in (await s.execute(reach_query(flow_id))).all() if n}
        assert rollup == await _live_reach(s, flow_id), flow_id
    return rollup


def _resting(flow: str, step: str | None, status: str = "active") -> dict:
    """An engine session dict resting on a question (or at the menu: step None)."""
    return {"flow": flow, "version": "v1", "step": step, "status": status, "lang": "en", "answers": {}}


async def _rest(s, who: Participant, flow: str, step: str | None, status: str = "active"):
    """Save the youth's session as the bot does after each update."""
    await sessions_repo.save(
        s,
        who.id,
        state=_resting(flow, step, status),
        flow_version="v1",
        status="active",
        expires_at=None,
        tick_at=None,
        now=T0,
    )
    await s.flush()


async def test_submission_counts_follow_inserts_updates_and_deletes(db):
    async with db.sessionmaker.begin() as s:
        s.add_all(_variety())
    await _assert_counts_exact(db)
    async with db.sessionmaker.begin() as s:
        await submissions_repo.add(
            s,
            key="repo-1",
            participant_pseudonym="Calm Owl",
            flow_id="need",
            language="ar",
            source=None,
            answers={"topic": "school"},
            now=T0,
        )
        assert (
            await submissions_repo.add(
                s,
                key="repo-1",
                participant_pseudonym="Calm Owl",
                flow_id="need",
                language="ar",
                source=None,
                answers={},
                now=T0,
            )
            is None
        )
    await _assert_counts_exact(db)
    async with db.sessionmaker.begin() as s:
        first = (await s.scalars(select(Submission).order_by(Submission.id))).first()
        await submissions_repo.set_status(s, first, "shortlisted", by="rita", now=T0)
        await s.execute(update(Submission).where(Submission.language == "ar").values(status="reviewed"))
        await s.execute(
            update(Submission)
            .where(Submission.flow_id == "need")
            .values(answers={"topic": "work"}, created_at=T0 + timedelta(days=5), source=None)
        )
        await s.execute(update(Submission).values(tags=["seen"], notes="only uncounted columns"))
    await _assert_counts_exact(db)
    async with db.sessionmaker.begin() as s:
        await s.execute(delete(Submission).where(Submission.language == "uk"))
    await _assert_counts_exact(db)


async def test_many_rows_in_one_statement_are_counted_once_each(db):
    rows = [{c.name: getattr(r, c.name) for c in Submission.__table__.columns if c.name != "id"} for r in _variety()]
    async with db.sessionmaker.begin() as s:
        await s.execute(insert(Submission), rows)
        await s.execute(
            insert(Submission).from_select(
                [c.name for c in Submission.__table__.columns if c.name not in ("id", "key")] + ["key"],
                select(
                    *[c for c in Submission.__table__.columns if c.name not in ("id", "key")], Submission.key + "-copy"
                ),
            )
        )
    await _assert_counts_exact(db)
    async with db.sessionmaker() as s:
        total = await s.scalar(select(func.count()).select_from(Submission))
    assert total == 2 * len(rows)


async def _person(s, n: int, *, is_test: bool = False) -> Participant:
    return await participants_repo.create(
        s, key=f"k{n}", pseudonym=f"Quiet Fox {n}", language="en", source=None, now=T0, is_test=is_test
    )


async def _answer(s, who: Participant, step: str, flow: str = "idea") -> Answer:
    return await answers_repo.add(
        s, participant_id=who.id, session_id=None, flow_id=flow, step_id=step, name=step, value="x", now=T0
    )


async def test_reach_counts_questions_asked_before_consent_once_per_youth(db):
    """The onboarding asks age before consent, and answers before consent are never
    stored: the funnel must count the age question as reached all the same."""
    async with db.sessionmaker.begin() as s:
        youth = [await _person(s, n) for n in range(1, 6)]
        tester = await _person(s, 9, is_test=True)
        for who in [*youth, tester]:
            for step in ("language", "age", "consent"):
                await _rest(s, who, "onboarding", step)
        for who in youth[:3]:  # these agreed: their consent answer is stored, and they reach the menu
            await _answer(s, who, "consent", flow="onboarding")
            await _rest(s, who, "onboarding", None, status="menu")
        await _rest(s, youth[0], "onboarding", "age")  # /back to a question already reached
        await _rest(s, youth[1], "onboarding", "consent", status="expired")
    assert await _reach(db, "onboarding") == {"language": 5, "age": 5, "consent": 5}
    async with db.sessionmaker.begin() as s:
        row = await sessions_repo.active_for(s, youth[3].id)
        row.tick_at = T0 + timedelta(days=1)  # other columns change: nothing is counted again
        await s.execute(update(Session).values(updated_at=T0 + timedelta(hours=1)))
        await _rest(s, youth[3], "share_idea", "area")
        await _rest(s, youth[3], "contact_permission", "ask")  # a sub-flow's question, under the sub-flow
    assert await _reach(db, "onboarding") == {"language": 5, "age": 5, "consent": 5}
    assert await _reach(db, "share_idea") == {"area": 1}
    assert await _reach(db, "contact_permission") == {"ask": 1}


async def test_reach_follows_many_sessions_in_one_statement_and_erasure(db):
    async with db.sessionmaker.begin() as s:
        people = [await _person(s, n) for n in range(1, 5)]
        await s.execute(
            insert(Session),
            [
                dict(
                    participant_id=p.id,
                    flow_id="idea",
                    flow_version="v1",
                    status="ended",
                    state=_resting("idea", step),
                    started_at=T0,
                    updated_at=T0,
                )
                for p in people
                for step in ("topic", "idea")
            ],
        )
        await s.execute(
            update(Session).where(Session.participant_id == people[0].id).values(state=_resting("idea", "who"))
        )
    assert await _reach(db, "idea") == {"topic": 4, "idea": 4, "who": 1}
    async with db.sessionmaker.begin() as s:
        s.add(submission(participant_pseudonym=people[0].pseudonym))
    async with db.sessionmaker.begin() as s:
        assert await participants_repo.erase(s, people[0].id, delete_submissions=True)
        assert await participants_repo.erase(s, people[1].id, delete_submissions=False)
    assert await _reach(db, "idea") == {"topic": 2, "idea": 2}
    async with db.sessionmaker.begin() as s:
        await s.execute(delete(Participant))
    async with db.sessionmaker() as s:
        assert dict((await s.execute(reach_query("idea"))).all()) == {"topic": 0, "idea": 0, "who": 0}


async def _insert_as_of_then(conn, rows: list[Submission]) -> None:
    """Insert submissions into the columns an older schema has (the model has more now)."""
    have = await conn.run_sync(lambda c: {col["name"] for col in sa.inspect(c).get_columns("submissions")})
    table = Submission.__table__
    defaults = {c.name: c.default.arg for c in table.columns if c.default is not None and not callable(c.default.arg)}
    values = []
    for row in rows:
        value = {c.name: getattr(row, c.key) for c in table.columns if c.name in have and c.name != "id"}
        value = {k: defaults.get(k) if v is None and k in defaults else v for k, v in value.items()}
        value["created_at"] = value["created_at"] or T0
        value["updated_at"] = value["updated_at"] or value["created_at"]
        value["tags"] = value["tags"] if value["tags"] is not None else []
        values.append(value)
    await conn.execute(insert(table), values)


def _migrate(revision: str, *, down: bool = False):
    def run(conn):
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)

    return run


async def test_migration_back_fills_rows_written_before_it(db):
    async with db.engine.begin() as conn:
        await conn.run_sync(_migrate("0002", down=True))
        await _insert_as_of_then(conn, _variety())
    async with db.engine.begin() as conn:
        await conn.run_sync(_migrate("head"))
    await _assert_counts_exact(db)


# participants as they were before migration 0006 (salt) and 0009 (contact)
OLD_PARTICIPANTS = sa.table(
    "participants",
    *(
        sa.column(name, Participant.__table__.c[name].type)
        for name in (
            "id",
            "key",
            "pseudonym",
            "language",
            "consent",
            "created_at",
            "updated_at",
            "last_seen_at",
            "stopped",
            "is_test",
        )
    ),
)


async def _person_before_salt(s, n: int) -> Participant:
    """A participant row as written before migration 0006 added its salt column."""
    row = await s.execute(
        insert(OLD_PARTICIPANTS)
        .values(
            key=f"k{n}",
            pseudonym=f"Quiet Fox {n}",
            language="en",
            consent=False,
            created_at=T0,
            updated_at=T0,
            last_seen_at=T0,
            stopped=False,
            is_test=False,
        )
        .returning(OLD_PARTICIPANTS.c.id)
    )
    return Participant(id=row.scalar_one())


async def test_funnel_migration_back_fills_from_answers_and_resting_sessions(db):
    async with db.engine.begin() as conn:
        await conn.run_sync(_migrate("0003", down=True))
    async with db.sessionmaker.begin() as s:
        amal, bo = await _person_before_salt(s, 1), await _person_before_salt(s, 2)
        for step in ("topic", "topic", "idea"):
            await _answer(s, amal, step)
        await _rest(s, bo, "idea", "idea")  # asked, not answered yet
        await _rest(s, amal, "idea", None, status="menu")
    async with db.engine.begin() as conn:
        await conn.run_sync(_migrate("head"))
    assert await _reach(db, "idea") == {"topic": 1, "idea": 2}
    async with db.sessionmaker.begin() as s:  # and the triggers run from here on
        await _rest(s, amal, "idea", "who")
    assert await _reach(db, "idea") == {"topic": 1, "idea": 2, "who": 1}
