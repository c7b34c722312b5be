"""Inbox: dedupe on update_id, per-chat order, redaction once handled."""

from __future__ import annotations

from sqlalchemy import func, select

from storage import inbox
from storage.models import Inbox
from tests.dbfixtures import db, db_url  # noqa: F401


def _update(update_id: int, chat_id: int, text: str) -> dict:
    return {"update_id": update_id, "message": {"chat": {"id": chat_id}, "text": text}}


async def test_add_update_dedupes_on_update_id(db):
    async with db.sessionmaker.begin() as s:
        assert await inbox.add_update(s, 10, 501, _update(10, 501, "hej"))
        assert not await inbox.add_update(s, 10, 501, _update(10, 501, "hej"))
    async with db.sessionmaker.begin() as s:
        assert not await inbox.add_update(s, 10, 777, {"other": True})
        assert await s.scalar(select(func.count(Inbox.id))) == 1
        row = await inbox.next_pending(s, 501)
        assert row.payload == _update(10, 501, "hej")


async def test_pending_chats_and_next_pending_follow_update_order(db):
    async with db.sessionmaker.begin() as s:
        for update_id, chat in [(5, 2), (3, 1), (4, 2), (7, 1), (6, 0)]:
            await inbox.add_update(s, update_id, chat, _update(update_id, chat, "x"))
    async with db.sessionmaker.begin() as s:
        assert await inbox.pending_chats(s, 10) == [1, 2, 0]
        assert await inbox.pending_chats(s, 2) == [1, 2]
        first = await inbox.next_pending(s, 1)
        assert first.update_id == 3
        await inbox.mark_done(s, first)
        assert (await inbox.next_pending(s, 1)).update_id == 7
        # chat 2's oldest pending (4) is now older than chat 1's (7)
        assert await inbox.pending_chats(s, 10) == [2, 0, 1]
        assert await inbox.max_update_id(s) == 7
        assert await inbox.next_pending(s, 99) is None


async def test_chats_where_a_youth_waits_go_before_the_bots_own_rows(db):
    """Campaign turns and ticks (negative ids) wait while any youth's own update does; in
    a chat, order stays by id."""
    async with db.sessionmaker.begin() as s:
        turns = [(-(1 << 62) - n, 100 + n, {"_campaign": {"recipient": n}}) for n in range(3)]
        await inbox.add_updates(s, turns)
        await inbox.add_updates(s, [(9, 7, _update(9, 7, "hej")), (8, 102, _update(8, 102, "x"))])
    async with db.sessionmaker.begin() as s:
        assert await inbox.pending_chats(s, 10) == [102, 7, 101, 100]
        firsts = await inbox.oldest_per_chat(s, 10)
        assert [(row.chat_key, waiting) for row, waiting in firsts] == [(102, 2), (7, 1), (101, 1), (100, 1)]
        assert firsts[0][0].update_id < 0  # chat 102's turn still before its own update
        assert [(row.chat_key, waiting) for row, waiting in await inbox.oldest_per_chat(s, 2)] == [(102, 2), (7, 1)]


async def test_handled_rows_lose_their_payload(db):
    async with db.sessionmaker.begin() as s:
        await inbox.add_update(s, 1, 9, _update(1, 9, "my name is Testa Person"))
        await inbox.add_update(s, 2, 9, _update(2, 9, "second"))
    async with db.sessionmaker.begin() as s:
        await inbox.mark_done(s, await inbox.next_pending(s, 9))
        await inbox.mark_failed(s, await inbox.next_pending(s, 9), "ValueError" + "!" * 500)
    async with db.sessionmaker() as s:
        rows = (await s.scalars(select(Inbox).order_by(Inbox.update_id))).all()
        assert [r.status for r in rows] == ["done", "failed"]
        assert all(r.payload is None and r.handled_at is not None for r in rows)
        assert len(rows[1].error) == inbox.ERROR_MAX
        # SQL NULL, not JSON 'null'
        assert await s.scalar(select(func.count(Inbox.id)).where(Inbox.payload.is_(None))) == 2
        assert await inbox.pending_chats(s, 10) == []


async def test_max_update_id_on_empty_inbox(db):
    async with db.sessionmaker() as s:
        assert await inbox.max_update_id(s) is None


async def test_purge_handled_keeps_pending_rows_and_the_newest_update_id(db):
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2025, 3, 1, tzinfo=UTC)
    async with db.sessionmaker.begin() as s:
        for update_id in (1, 2, 3):
            await inbox.add_update(s, update_id, 8 if update_id == 2 else 9, {"n": update_id}, now=t0)
        await inbox.mark_done(s, await inbox.next_pending(s, 9))  # 1
        await inbox.mark_done(s, await inbox.next_pending(s, 9))  # 3
    async with db.sessionmaker.begin() as s:
        assert await inbox.purge_handled(s, t0 + timedelta(days=1)) == 1
        assert await inbox.max_update_id(s) == 3
        assert (await inbox.next_pending(s, 8)).update_id == 2
