"""The inbox worker: per-chat order, a failed update rolled back and kept, press answers
sent only after the commit (on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.telegram import press_answers
from bot.telegram.worker import InboxWorker
from storage import inbox, outbox
from storage.models import Inbox, Outbox
from tests.botfixtures import RecordedAnswers
from tests.dbfixtures import db, db_url  # noqa: F401

CHAT = 4242  # an invented chat


class Handler:
    """Queues one reply per update and answers its press; fails on {"fail": true}."""

    def __init__(self) -> None:
        self.seen: list[int] = []
        self.failed: list[int] = []

    async def __call__(self, s: Any, row: Any) -> None:
        self.seen.append(row.update_id)
        await outbox.enqueue(
            s,
            chat_id=row.chat_key,
            method="sendMessage",
            payload={"chat_id": row.chat_key, "text": f"reply {row.update_id}"},
            now=row.received_at,
        )
        press_answers.after_commit(s, f"press-{row.update_id}")
        if row.payload.get("fail"):
            raise ValueError("an update we cannot understand")

    async def on_failed(self, s: Any, row: Any) -> None:
        self.failed.append(row.update_id)
        await outbox.enqueue(
            s,
            chat_id=row.chat_key,
            method="sendMessage",
            payload={"chat_id": row.chat_key, "text": "kind answer"},
            now=row.received_at,
        )


async def _run(db, updates: list[tuple[int, dict]]) -> tuple[Handler, RecordedAnswers, InboxWorker]:
    async with db.sessionmaker.begin() as s:
        await inbox.add_updates(s, [(update_id, CHAT, payload) for update_id, payload in updates])
    handler, answers = Handler(), RecordedAnswers()
    worker = InboxWorker(db.sessionmaker, handler, answers=answers)  # type: ignore[arg-type]
    while await worker._start_chats():
        await worker.drain()
    return handler, answers, worker


async def test_a_chats_updates_are_handled_in_order(db):
    handler, answers, worker = await _run(db, [(3, {}), (1, {}), (2, {})])
    assert handler.seen == [1, 2, 3]
    assert answers.ids == ["press-1", "press-2", "press-3"]
    assert worker.handled == 3
    async with db.sessionmaker() as s:
        texts = [p["text"] for p in (await s.scalars(select(Outbox.payload).order_by(Outbox.id))).all()]
        assert texts == ["reply 1", "reply 2", "reply 3"]
        assert await s.scalar(select(func.count()).select_from(Inbox).where(Inbox.status == "done")) == 3


async def test_a_failed_update_is_rolled_back_kept_as_failed_and_the_next_goes_on(db):
    handler, answers, worker = await _run(db, [(1, {"fail": True}), (2, {})])
    assert handler.seen == [1, 2] and handler.failed == [1]
    assert answers.ids == ["press-2"]  # the failed update's writes and answer are undone
    assert (worker.handled, worker.failed) == (1, 1)
    async with db.sessionmaker() as s:
        texts = [p["text"] for p in (await s.scalars(select(Outbox.payload).order_by(Outbox.id))).all()]
        assert texts == ["kind answer", "reply 2"]
        failed = await s.scalar(select(Inbox).where(Inbox.update_id == 1))
        assert failed.status == "failed" and failed.payload is None
        assert "ValueError" in failed.error and "cannot understand" not in failed.error
