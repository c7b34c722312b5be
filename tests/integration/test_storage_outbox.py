"""Outbox: per-chat order, due times, priorities (and heads by class), retries and backlog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage import outbox
from tests.dbfixtures import db, db_url  # noqa: F401

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def _enqueue(s, chat_id, text, *, priority=0, target="telegram", ref=None, now=T0):
    row = await outbox.enqueue(
        s,
        chat_id=chat_id,
        method="sendMessage" if chat_id else "post",
        payload={"text": text},
        priority=priority,
        target=target,
        ref=ref,
        now=now,
    )
    await s.flush()  # its id, for the assertions
    return row


async def test_only_the_oldest_pending_row_of_a_chat_is_a_head(db):
    async with db.sessionmaker.begin() as s:
        a1 = await _enqueue(s, 100, "a1", priority=2)
        b1 = await _enqueue(s, 200, "b1")
        a2 = await _enqueue(s, 100, "a2")
        w1 = await _enqueue(s, None, "w1", priority=1, target="webhook")
        w2 = await _enqueue(s, None, "w2", priority=1, target="webhook")
    async with db.sessionmaker.begin() as s:
        heads = await outbox.due_heads(s, T0, 10)
        # priority first, then id; a2 waits behind a1 whatever its priority
        assert [h.id for h in heads] == [b1.id, w1.id, w2.id, a1.id]
        assert [h.id for h in await outbox.due_heads(s, T0, 2)] == [b1.id, w1.id]
        await outbox.mark_sent(s, [(a1.id, {"message_id": 5})], T0)
        assert a2.id in [h.id for h in await outbox.due_heads(s, T0, 10)]


async def test_heads_by_class_answers_or_reminders_and_campaigns(db):
    async with db.sessionmaker.begin() as s:
        answer = await _enqueue(s, 100, "answer")
        staff = await _enqueue(s, -300, "card", priority=outbox.Priority.STAFF)
        reminder = await _enqueue(s, 200, "reminder", priority=outbox.Priority.BACKGROUND)
        polls = [await _enqueue(s, 400 + n, "poll", priority=outbox.Priority.CAMPAIGN) for n in range(3)]
        behind = await _enqueue(s, 200, "answer behind the reminder")
    async with db.sessionmaker.begin() as s:
        assert [h.id for h in await outbox.due_heads(s, T0, 10, low=False)] == [answer.id, staff.id]
        low = await outbox.due_heads(s, T0, 2, low=True)  # the sender reads only what it has room for
        assert [h.id for h in low] == [reminder.id, polls[0].id]
        everything = await outbox.due_heads(s, T0, 10)
        assert [h.id for h in everything] == [answer.id, staff.id, reminder.id, *(p.id for p in polls)]
        assert behind.id not in {h.id for h in everything}  # not a head: order in its chat
        # rows in flight are left out, and their chats' next rows stay behind them
        in_flight = [reminder.id, polls[0].id]
        low = await outbox.due_heads(s, T0, 2, low=True, skip=in_flight)
        assert [h.id for h in low] == [polls[1].id, polls[2].id]
        assert [h.id for h in await outbox.due_heads(s, T0, 10, low=False, skip=in_flight)] == [answer.id, staff.id]


async def test_a_row_waiting_for_retry_holds_back_its_chat(db):
    async with db.sessionmaker.begin() as s:
        first = await _enqueue(s, 100, "first")
        await _enqueue(s, 100, "second")
        other = await _enqueue(s, 300, "other")
        await outbox.mark_retry(s, first, T0 + timedelta(seconds=30), "429 retry_after=30")
    async with db.sessionmaker.begin() as s:
        assert [h.id for h in await outbox.due_heads(s, T0, 10)] == [other.id]
        later = await outbox.due_heads(s, T0 + timedelta(seconds=30), 10)
        assert [h.id for h in later] == [first.id, other.id]
        assert later[0].attempts == 1 and later[0].last_error.startswith("429")


async def test_held_rows_wait_unless_older_or_something_waits_behind_them(db):
    async with db.sessionmaker.begin() as s:
        old = await _enqueue(s, 100, "old reminder", priority=2, now=T0 - timedelta(minutes=20))
        new = await _enqueue(s, 200, "new reminder", priority=2)
        blocking = await _enqueue(s, 300, "reminder before an answer", priority=2)
        await _enqueue(s, 300, "the answer")
        staff = await _enqueue(s, None, "card", priority=1, target="webhook")
    async with db.sessionmaker() as s:
        held = await outbox.due_heads(s, T0, 10, hold=(2, T0 - timedelta(minutes=10)))
        assert [h.id for h in held] == [staff.id, old.id, blocking.id]
        assert new.id in [h.id for h in await outbox.due_heads(s, T0, 10)]
        assert not await outbox.has_due(s, T0 - timedelta(minutes=1), 0)
        assert await outbox.has_due(s, T0, 0)


async def test_rows_are_not_due_before_their_time(db):
    async with db.sessionmaker.begin() as s:
        await _enqueue(s, 100, "later", now=T0 + timedelta(minutes=5))
    async with db.sessionmaker() as s:
        assert await outbox.due_heads(s, T0, 10) == []
        assert len(await outbox.due_heads(s, T0 + timedelta(minutes=5), 10)) == 1


async def test_failed_rows_are_kept_and_unblock_the_chat(db):
    async with db.sessionmaker.begin() as s:
        first = await _enqueue(s, 100, "first")
        second = await _enqueue(s, 100, "second")
        await outbox.mark_failed(s, first, "403 blocked by user")
    async with db.sessionmaker() as s:
        assert [h.id for h in await outbox.due_heads(s, T0, 10)] == [second.id]
        kept = await s.get(outbox.Outbox, first.id)
        assert kept.status == "failed" and kept.payload == {"text": "first"}


async def test_backlog_and_find_sent(db):
    async with db.sessionmaker.begin() as s:
        assert await outbox.backlog(s) == (0, None)
        card = await _enqueue(s, -1001, "card", priority=1, ref="submission:7", now=T0)
        await _enqueue(s, 100, "b", now=T0 + timedelta(seconds=1))
        assert await outbox.find_sent(s, "submission:7") is None
        assert await outbox.backlog(s) == (2, T0)
        await outbox.mark_sent(s, [(card.id, {"message_id": 42})], T0 + timedelta(seconds=2))
    async with db.sessionmaker() as s:
        found = await outbox.find_sent(s, "submission:7")
        assert found.result == {"message_id": 42} and found.sent_at == T0 + timedelta(seconds=2)
        assert await outbox.backlog(s) == (1, T0 + timedelta(seconds=1))


async def test_purge_sent_deletes_only_old_sent_rows(db):
    async with db.sessionmaker.begin() as s:
        old = await _enqueue(s, 100, "old")
        await outbox.mark_sent(s, [(old.id, {"message_id": 1})], T0)
        recent = await _enqueue(s, 100, "recent")
        await outbox.mark_sent(s, [(recent.id, {"message_id": 2})], T0 + timedelta(days=10))
        failed = await _enqueue(s, 200, "failed")
        await outbox.mark_failed(s, failed, "400 bad request")
    async with db.sessionmaker.begin() as s:
        assert await outbox.purge_sent(s, T0 + timedelta(days=5)) == 1
    async with db.sessionmaker() as s:
        left = await s.scalars(select(outbox.Outbox.id).order_by(outbox.Outbox.id))
        assert left.all() == [recent.id, failed.id]


async def test_edits_go_after_every_chats_questions_newest_per_message_only(db):
    edit_of_7, edit_of_8 = outbox.edit_ref(7), outbox.edit_ref(8)
    async with db.sessionmaker.begin() as s:
        old = await _enqueue(s, 100, "question 7, → yes", ref=edit_of_7)  # queued before the question
        question = await _enqueue(s, 100, "question 8")
        other = await _enqueue(s, 200, "another youth's question")
        newer = await _enqueue(s, 100, "question 7, → no", ref=edit_of_7)
        eight = await _enqueue(s, 100, "question 8, redrawn", ref=edit_of_8)
        card = await _enqueue(s, -1001, "staff card", priority=1)
    async with db.sessionmaker.begin() as s:
        heads = [h.id for h in await outbox.due_heads(s, T0, 10)]
        # the question is not held back by the older edit; edits after every question,
        # newest first, and of message 7 only the newest
        assert heads == [question.id, other.id, eight.id, newer.id, card.id]
        await outbox.mark_sent(s, [(newer.id, {"message_id": 7})], T0)
        await outbox.supersede_edits(s, [(100, edit_of_7, newer.id)])
    async with db.sessionmaker.begin() as s:
        heads = [h.id for h in await outbox.due_heads(s, T0, 10)]
        assert old.id not in heads and eight.id in heads  # the older edit is set aside
        set_aside = await s.get(outbox.Outbox, old.id)
        assert (set_aside.status, set_aside.ref, set_aside.payload) == ("failed", outbox.SUPERSEDED_REF, {})


async def test_an_edit_waiting_for_retry_keeps_the_newer_one_back_until_it_is_due(db):
    ref = outbox.edit_ref(7)
    async with db.sessionmaker.begin() as s:
        first = await _enqueue(s, 100, "→ yes", ref=ref)
        await outbox.mark_retry(s, first, T0 + timedelta(seconds=30), "429 retry_after=30")
        second = await _enqueue(s, 100, "→ no", ref=ref)
    async with db.sessionmaker.begin() as s:
        # the newest pending edit of a message is its head; the older one never goes after it
        assert [h.id for h in await outbox.due_heads(s, T0, 10)] == [second.id]
        await outbox.mark_sent(s, [(second.id, {"message_id": 7})], T0)
        await outbox.supersede_edits(s, [(100, ref, second.id)])
        assert await outbox.due_heads(s, T0 + timedelta(seconds=30), 10) == []
