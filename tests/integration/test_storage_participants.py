"""Participants: chats, stopping, data export, and erasure that leaves nothing linking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage import answers, inbox, outbox, participants, sessions, submissions, translations
from storage.models import Answer, Chat, Inbox, Outbox, Participant, Session, Submission
from tests.dbfixtures import db, db_url  # noqa: F401

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
CHAT = 4242001


async def _participant_with_history(s, *, key="k-amina", pseudonym="Blue Heron 12", chat_id=CHAT):
    p = await participants.create(s, key=key, pseudonym=pseudonym, language="ar", source="poster", now=T0)
    await participants.set_chat(s, p.id, chat_id)
    row = await sessions.save(
        s,
        p.id,
        state={"flow": "ideas", "step": "idea"},
        flow_version="abc",
        status="active",
        expires_at=None,
        tick_at=T0,
        now=T0,
    )
    await answers.add(
        s,
        participant_id=p.id,
        session_id=row.id,
        flow_id="ideas",
        step_id="idea",
        name="idea",
        value="more football evenings",
        now=T0,
    )
    await submissions.add(
        s,
        key=f"sub-{key}",
        participant_pseudonym=pseudonym,
        flow_id="ideas",
        language="ar",
        source="poster",
        answers={"idea": "more football evenings"},
        now=T0,
    )
    await inbox.add_update(s, 1 if chat_id == CHAT else 2, chat_id, {"text": "old"})
    await inbox.mark_done(s, await inbox.next_pending(s, chat_id))
    sent = await outbox.enqueue(s, chat_id=chat_id, method="sendMessage", payload={"text": "hi"}, now=T0)
    await s.flush()
    await outbox.mark_sent(s, [(sent.id, {"message_id": 1})], T0)
    return p


async def test_create_and_find_by_key_and_chat(db):
    async with db.sessionmaker.begin() as s:
        p = await participants.create(s, key="k1", pseudonym="Red Fox 1", language="so", source=None, now=T0)
        await participants.set_chat(s, p.id, 555)
        await participants.set_chat(s, p.id, 556)
    async with db.sessionmaker.begin() as s:
        assert (await participants.get_by_key(s, "k1")).id == p.id
        assert await participants.get_by_key(s, "nobody") is None
        assert await participants.chat_id_of(s, p.id) == 556
        assert (await participants.by_chat_id(s, 556)).id == p.id
        assert await participants.by_chat_id(s, 555) is None
        assert await participants.mark_stopped(s, 556)
        assert not await participants.mark_stopped(s, 999)
    async with db.sessionmaker() as s:
        found = await participants.get(s, p.id)
        assert found.stopped and not found.consent and found.created_at == T0


async def test_keys_and_pseudonyms_are_unique(db):
    async with db.sessionmaker() as s:
        await participants.create(s, key="k1", pseudonym="Red Fox 1", language="sv", source=None, now=T0)
        with pytest.raises(IntegrityError):
            await participants.create(s, key="k1", pseudonym="Red Fox 2", language="sv", source=None, now=T0)


@pytest.mark.parametrize("delete_submissions", [False, True])
async def test_erase_leaves_nothing_linking(db, delete_submissions):
    async with db.sessionmaker.begin() as s:
        p = await _participant_with_history(s)
        other = await _participant_with_history(s, key="k-other", pseudonym="Green Owl 3", chat_id=777)
        # a reply still owed (e.g. "your data is deleted") must survive the erasure
        owed = await outbox.enqueue(s, chat_id=CHAT, method="sendMessage", payload={"text": "bye"}, now=T0)
    async with db.sessionmaker.begin() as s:
        assert await participants.erase(s, p.id, delete_submissions=delete_submissions)
        assert not await participants.erase(s, p.id, delete_submissions=delete_submissions)
    async with db.sessionmaker() as s:
        assert await s.get(Participant, p.id) is None
        for model, column in [
            (Chat, Chat.participant_id),
            (Session, Session.participant_id),
            (Answer, Answer.participant_id),
        ]:
            assert await s.scalar(select(func.count()).select_from(model).where(column == p.id)) == 0
        assert (
            await s.scalar(
                select(func.count()).select_from(Submission).where(Submission.participant_pseudonym == "Blue Heron 12")
            )
            == 0
        )
        left = (await s.scalars(select(Submission).where(Submission.key == "sub-k-amina"))).all()
        assert len(left) == (0 if delete_submissions else 1)
        assert await s.scalar(select(func.count()).select_from(Inbox).where(Inbox.chat_key == CHAT)) == 0
        assert (await s.scalars(select(Outbox.id).where(Outbox.chat_id == CHAT))).all() == [owed.id]
        # the other participant is untouched
        assert await participants.chat_id_of(s, other.id) == 777
        assert await s.scalar(select(func.count()).select_from(Answer).where(Answer.participant_id == other.id)) == 1


async def test_erasure_takes_the_translated_cards_and_posts_too(db):
    async with db.sessionmaker.begin() as s:
        p = await _participant_with_history(s)
        sub = (await s.scalars(select(Submission).where(Submission.key == "sub-k-amina"))).one()
        for ref in (f"translation:{sub.id}", f"webhook-translation:{sub.id}", f"translation:{sub.id + 1}"):
            row = await outbox.enqueue(
                s, chat_id=None, method="POST", payload={"pseudonym": "Blue Heron 12"}, ref=ref, now=T0
            )
            await s.flush()
            await outbox.mark_sent(s, [(row.id, None)], T0)
    async with db.sessionmaker.begin() as s:
        assert await participants.erase(s, p.id, delete_submissions=False)
    async with db.sessionmaker() as s:
        left = (await s.scalars(select(Outbox.ref).where(Outbox.ref.like("%translation:%")))).all()
    assert left == [f"translation:{sub.id + 1}"]  # another submission's stays


async def test_erasing_the_submissions_forgets_their_cached_translations(db):
    async with db.sessionmaker.begin() as s:
        p = await _participant_with_history(s)
        sub = (await s.scalars(select(Submission).where(Submission.key == "sub-k-amina"))).one()
        mine, other = "[sv→en] more football evenings", "[sv→en] a homework club"
        await translations.add(
            s,
            submission_id=sub.id,
            kind="machine",
            provider="libretranslate",
            source="sv",
            target="en",
            text=f"idea: {mine}",
            answers={"idea": mine},
            now=T0,
        )
        await translations.remember(s, "libretranslate", {"k-mine": mine, "k-other": other}, T0)
    async with db.sessionmaker.begin() as s:
        assert await participants.erase(s, p.id, delete_submissions=True)
    async with db.sessionmaker() as s:
        assert await translations.cached(s, ["k-mine", "k-other"]) == {"k-other": other}


async def test_export_data_shows_what_is_stored_without_ids(db):
    async with db.sessionmaker.begin() as s:
        p = await _participant_with_history(s)
    async with db.sessionmaker() as s:
        data = await participants.export_data(s, p.id)
    assert data["participant"]["pseudonym"] == "Blue Heron 12"
    assert data["participant"]["created_at"] == T0.isoformat()
    assert [a["value"] for a in data["answers"]] == ["more football evenings"]
    assert [x["flow_id"] for x in data["sessions"]] == ["ideas"]
    assert data["submissions"][0]["answers"] == {"idea": "more football evenings"}
    flat = repr(data)
    assert str(CHAT) not in flat and "k-amina" not in flat
    async with db.sessionmaker() as s:
        assert await participants.export_data(s, p.id + 1000) == {}


async def test_timestamps_come_back_as_aware_utc(db):
    local = datetime(2025, 3, 1, 16, 0, tzinfo=timezone(timedelta(hours=2)))
    async with db.sessionmaker.begin() as s:
        p = await participants.create(s, key="k", pseudonym="P", language="sv", source=None, now=local)
    async with db.sessionmaker() as s:
        row = await s.get(Participant, p.id, populate_existing=True)
        assert row.created_at == local and row.created_at.tzinfo == UTC
        with pytest.raises(Exception, match="naive datetime"):
            await participants.create(s, key="k2", pseudonym="Q", language="sv", source=None, now=datetime(2025, 3, 1))


async def test_found_by_the_current_or_an_older_key_and_the_salt_is_kept(db):
    async with db.sessionmaker.begin() as s:
        new = await participants.create(
            s, key="k-new", pseudonym="Owl-1", salt="ab" * 16, language="sv", source=None, now=T0
        )
        old = await participants.create(s, key="k-legacy", pseudonym="Owl-2", language="sv", source=None, now=T0)
    async with db.sessionmaker() as s:
        assert (await participants.get_by_key(s, "k-new", "k-new-legacy")).salt == "ab" * 16
        found = await participants.get_by_key(s, "k-current", "k-legacy")
        assert (found.id, found.salt) == (old.id, None)
        assert await participants.get_by_key(s, "k-other", "k-other-legacy") is None
        assert new.id != old.id


async def test_erasure_unlinks_replies_set_aside_in_a_flood_without_deleting_them(db):
    # the sender may hold such a row in flight: it is kept (blank, unlinked), never deleted
    async with db.sessionmaker.begin() as s:
        p = await _participant_with_history(s)
        held = await outbox.enqueue(s, chat_id=CHAT, method="sendMessage", payload={"text": "answer"}, now=T0)
        await s.flush()
        await outbox.coalesce(s, [held.id], T0 + timedelta(seconds=2))
        assert await outbox.supersede(s, CHAT, T0) == 1
        assert await participants.erase(s, p.id, delete_submissions=False)
    async with db.sessionmaker() as s:
        kept = await s.get(Outbox, held.id)
        assert (kept.chat_id, kept.payload, kept.status) == (None, {}, "failed")
        assert await s.scalar(select(func.count()).select_from(Outbox).where(Outbox.chat_id == CHAT)) == 0
