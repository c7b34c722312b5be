"""Sessions, answers and submissions repositories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from storage import answers, participants, sessions, submissions
from storage.models import Answer, Session
from tests.dbfixtures import db, db_url  # noqa: F401

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def _participant(s, key="k1"):
    return await participants.create(s, key=key, pseudonym=f"Owl {key}", language="uk", source=None, now=T0)


async def test_save_updates_the_active_session_then_starts_a_new_one(db):
    async with db.sessionmaker.begin() as s:
        p = await _participant(s)
        state = {"flow": "onboarding", "step": "lang", "answers": {}}
        first = await sessions.save(
            s,
            p.id,
            state=state,
            flow_version="v1",
            status="active",
            expires_at=T0 + timedelta(days=1),
            tick_at=T0 + timedelta(hours=1),
            now=T0,
        )
        state["answers"]["lang"] = "uk"  # mutated in place, as the engine may do
        state["step"] = "consent"
        again = await sessions.save(
            s,
            p.id,
            state=state,
            flow_version="v1",
            status="active",
            expires_at=None,
            tick_at=None,
            now=T0 + timedelta(minutes=1),
        )
        assert again.id == first.id
    async with db.sessionmaker.begin() as s:
        row = await s.get(Session, first.id)
        assert row.state == {"flow": "onboarding", "step": "consent", "answers": {"lang": "uk"}}
        assert row.updated_at == T0 + timedelta(minutes=1) and row.started_at == T0
        ended = await sessions.save(
            s,
            p.id,
            state={**row.state, "status": "ended"},
            flow_version="v1",
            status="ended",
            expires_at=None,
            tick_at=T0,
            now=T0,
        )
        assert ended.id == first.id and ended.tick_at is None
        assert await sessions.active_for(s, p.id) is None
        fresh = await sessions.save(
            s, p.id, state={"flow": "ideas"}, flow_version="v2", status="active", expires_at=None, tick_at=None, now=T0
        )
        assert fresh.id != first.id and fresh.flow_id == "ideas"
        assert (await sessions.active_for(s, p.id)).id == fresh.id


async def test_a_session_at_the_menu_can_start_a_new_row(db):
    """A participant with no live row (it ended, or was never written) whose state rests at
    the menu, between flows: the row is written, not refused by the NOT NULL flow id."""
    async with db.sessionmaker.begin() as s:
        p = await _participant(s)
        menu = {"flow": None, "step": None, "status": "menu", "answers": {}}
        row = await sessions.save(
            s, p.id, state=menu, flow_id="", flow_version="", status="active", expires_at=None, tick_at=None, now=T0
        )
        assert row.flow_id == ""
        other = await _participant(s, key="k2")
        assert (
            await sessions.save(
                s, other.id, state=menu, flow_version="", status="active", expires_at=None, tick_at=None, now=T0
            )
        ).flow_id == ""


async def test_the_database_allows_one_active_session_per_participant(db):
    async with db.sessionmaker() as s:
        p = await _participant(s)
        for _ in range(2):
            s.add(Session(participant_id=p.id, flow_id="f", flow_version="v", status="active", state={}))
        with pytest.raises(IntegrityError):
            await s.flush()


async def test_due_ticks_returns_active_sessions_whose_time_has_come(db):
    async with db.sessionmaker.begin() as s:
        due = []
        for i, (status, tick) in enumerate(
            [
                ("active", T0 - timedelta(minutes=1)),
                ("active", T0),
                ("active", T0 + timedelta(seconds=1)),
                ("active", None),
                ("expired", T0 - timedelta(hours=1)),
            ]
        ):
            p = await _participant(s, key=f"k{i}")
            row = await sessions.save(
                s, p.id, state={"flow": "f"}, flow_version="v", status=status, expires_at=None, tick_at=tick, now=T0
            )
            if status == "active" and tick is not None and tick <= T0:
                due.append(row.id)
    async with db.sessionmaker() as s:
        assert [r.id for r in await sessions.due_ticks(s, T0, 10)] == due
        assert len(await sessions.due_ticks(s, T0, 1)) == 1


async def test_purge_raw_blanks_old_answer_values_only(db):
    async with db.sessionmaker.begin() as s:
        p = await _participant(s)
        old = await answers.add(
            s,
            participant_id=p.id,
            session_id=None,
            flow_id="f",
            step_id="a",
            name="a",
            value={"text": "old words"},
            now=T0 - timedelta(days=40),
        )
        new = await answers.add(
            s,
            participant_id=p.id,
            session_id=None,
            flow_id="f",
            step_id="b",
            name="b",
            value="new words",
            skipped=False,
            forward=True,
            now=T0,
        )
    async with db.sessionmaker.begin() as s:
        assert await answers.purge_raw(s, T0 - timedelta(days=30), now=T0) == 1
        assert await answers.purge_raw(s, T0 - timedelta(days=30), now=T0) == 0
    async with db.sessionmaker() as s:
        purged, kept = await s.get(Answer, old.id), await s.get(Answer, new.id)
        assert purged.value is None and purged.purged_at == T0
        assert kept.value == "new words" and kept.purged_at is None and kept.forward


async def test_submission_add_is_idempotent_on_key(db):
    fields = dict(
        participant_pseudonym="Owl k1",
        flow_id="ideas",
        language="so",
        source="school",
        answers={"idea": "a homework café"},
        now=T0,
    )
    async with db.sessionmaker.begin() as s:
        first = await submissions.add(s, key="ideas:1:3", urgent=True, category="housing", **fields)
        assert first is not None and first.status == "new" and first.tags == []
        assert await submissions.add(s, key="ideas:1:3", **fields) is None
        await submissions.add(s, key="ideas:1:4", is_test=True, **fields)
    async with db.sessionmaker.begin() as s:
        rows, total = await submissions.search(s, language="so")
        assert total == 1 and rows[0].id == first.id and rows[0].urgent
        _, with_test = await submissions.search(s, include_test=True)
        assert with_test == 2
        await submissions.set_status(s, rows[0], "shortlisted", by="staff-1", now=T0)
        with pytest.raises(ValueError):
            await submissions.set_status(s, rows[0], "deleted", by=None, now=T0)
    async with db.sessionmaker() as s:
        assert (await submissions.search(s, status="shortlisted"))[1] == 1


async def test_a_participant_comes_with_their_active_session_in_one_look(db):
    def save(s, p, status):
        return sessions.save(
            s, p.id, state={"flow": "ideas"}, flow_version="v1", status=status, expires_at=None, tick_at=None, now=T0
        )

    async with db.sessionmaker.begin() as s:
        p = await _participant(s, "k-now")
        await save(s, p, "ended")  # an ended session is not the active one
        live = await save(s, p, "active")
        without = await _participant(s, "k-none")
    async with db.sessionmaker() as s:
        found, row = await participants.with_active_session(s, "k-now")
        assert found.id == p.id and row.id == live.id and row.status == "active"
        found, row = await participants.with_active_session(s, "k-other", "k-none")  # an older form of the key
        assert found.id == without.id and row is None
        assert await participants.with_active_session(s, "nobody") == (None, None)
