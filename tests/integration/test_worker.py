"""The inbox worker: per-chat order, a failed update rolled back and kept, press answers
sent only after the commit (on SQLite and PostgreSQL); on SQLite, chats' updates
committed in groups, and a failure in a group costing none of the others' work; rows the
bot queued for itself (campaign turns, ticks) giving way to the youth's own updates and to
the intake."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, func, select

from bot.telegram import press_answers
from bot.telegram.worker import InboxWorker
from storage import inbox, outbox
from storage.db import make_sessionmaker
from storage.models import Inbox, Outbox
from storage.turns import first_in_line, first_waits
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


async def _run(
    db, updates: list[tuple[int, dict]], chat_of=lambda update_id: CHAT
) -> tuple[Handler, RecordedAnswers, InboxWorker]:
    async with db.sessionmaker.begin() as s:
        await inbox.add_updates(s, [(update_id, chat_of(update_id), payload) for update_id, payload in updates])
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
    # (on SQLite the group it failed in is rolled back and run again one by one)
    assert handler.seen == ([1, 1, 2] if worker.grouped else [1, 2]) and handler.failed == [1]
    assert answers.ids == ["press-2"]  # the failed update's writes and answer are undone
    assert (worker.handled, worker.failed) == (1, 1)
    async with db.sessionmaker() as s:
        texts = [p["text"] for p in (await s.scalars(select(Outbox.payload).order_by(Outbox.id))).all()]
        assert texts == ["kind answer", "reply 2"]
        failed = await s.scalar(select(Inbox).where(Inbox.update_id == 1))
        assert failed.status == "failed" and failed.payload is None
        assert "ValueError" in failed.error and "cannot understand" not in failed.error


def _chat_of(update_id: int) -> int:
    return CHAT + update_id % 4  # four invented chats, their updates interleaved


async def _replies(db) -> list[tuple[int, str]]:
    async with db.sessionmaker() as s:
        rows = (await s.execute(select(Outbox.chat_id, Outbox.payload).order_by(Outbox.id))).all()
    return [(chat, payload["text"]) for chat, payload in rows]


async def test_several_chats_each_in_order_on_sqlite_in_few_transactions(db):
    writes: list[str] = []
    event.listen(db.engine.sync_engine, "begin", lambda conn: writes.append("begin"))
    handler, answers, worker = await _run(db, [(n, {}) for n in range(1, 13)], _chat_of)
    assert worker.handled == 12 and sorted(handler.seen) == list(range(1, 13))
    replies = await _replies(db)
    assert len(replies) == 12  # each once
    for chat in {_chat_of(n) for n in range(1, 13)}:
        texts = [text for to, text in replies if to == chat]
        assert texts == [f"reply {n}" for n in range(1, 13) if _chat_of(n) == chat]
    assert sorted(answers.ids) == sorted(f"press-{n}" for n in range(1, 13))
    async with db.sessionmaker() as s:
        rows = (await s.execute(select(Inbox.status, Inbox.payload, Inbox.handled_at))).all()
    assert all(status == "done" and payload is None and at is not None for status, payload, at in rows)
    if db.url.startswith("sqlite"):
        # three updates per chat: three groups, not twelve transactions (plus the scans)
        assert worker.grouped and len(writes) < 12
    else:
        assert not worker.grouped


async def test_a_failure_in_a_group_keeps_the_other_chats_work(db):
    updates = [(n, {"fail": True} if n == 6 else {}) for n in range(1, 9)]
    handler, answers, worker = await _run(db, updates, _chat_of)
    assert (worker.handled, worker.failed) == (7, 1)
    assert handler.failed == [6]
    replies = await _replies(db)
    assert sorted(text for _chat, text in replies) == sorted(
        ["kind answer"] + [f"reply {n}" for n in range(1, 9) if n != 6]
    )  # each once: the group's rolled-back work was not kept twice
    assert sorted(answers.ids) == sorted(f"press-{n}" for n in range(1, 9) if n != 6)
    chat = _chat_of(6)
    assert [text for to, text in replies if to == chat] == ["reply 2", "kind answer"]
    async with db.sessionmaker() as s:
        statuses = dict((await s.execute(select(Inbox.update_id, Inbox.status))).all())
    assert statuses == {n: "failed" if n == 6 else "done" for n in range(1, 9)}


def _own(n: int) -> int:
    return -(1 << 62) - n  # the kind of id a campaign turn's or a tick's row has


class Commits(Handler):
    """Also records which updates each commit of the worker's carried (SQLite's groups)."""

    def __init__(self, db) -> None:
        super().__init__()
        self.groups: list[list[int]] = []
        self._current: list[int] = []
        event.listen(db.engine.sync_engine, "commit", self._commit)

    def _commit(self, _conn: Any) -> None:
        if self._current:
            self.groups.append(self._current)
            self._current = []

    async def __call__(self, s: Any, row: Any) -> None:
        await super().__call__(s, row)
        self._current.append(row.update_id)


async def _run_grouped(db, handler: Commits, update_ids: list[int]) -> None:
    if not db.url.startswith("sqlite"):
        pytest.skip("group commit is SQLite's")
    async with db.sessionmaker.begin() as s:  # one chat each
        await inbox.add_updates(s, [(n, CHAT + i, {}) for i, n in enumerate(update_ids)])
    worker = InboxWorker(db.sessionmaker, handler)  # type: ignore[arg-type]
    while await worker._start_chats():
        await worker.drain()


async def test_a_youths_update_is_committed_without_the_bots_own_rows(db):
    handler = Commits(db)
    await _run_grouped(db, handler, [_own(1), 7, _own(2), 8, _own(3)])
    assert sorted(handler.seen) == sorted([_own(1), 7, _own(2), 8, _own(3)])  # each once
    assert handler.groups[0] == [7, 8]  # youth first, and their group holds nothing else
    assert sorted(n for group in handler.groups[1:] for n in group) == sorted([_own(1), _own(2), _own(3)])


async def test_the_bots_own_rows_give_way_when_the_intake_waits(db):
    order: list[str] = []
    intake = make_sessionmaker(first_in_line(db.engine))
    arriving: list[asyncio.Task] = []

    async def store() -> None:
        async with intake.begin() as s:
            await inbox.add_updates(s, [(9, CHAT + 100, {})])
        order.append("stored")

    class Arrives(Commits):
        async def __call__(self, s: Any, row: Any) -> None:
            await super().__call__(s, row)
            order.append(str(row.update_id))
            if not arriving:  # an update arrives while the first of them is handled
                arriving.append(asyncio.create_task(store()))
                async with asyncio.timeout(5):  # until the intake waits for the write lock
                    while not first_waits(db.engine):
                        await asyncio.sleep(0.001)

    handler = Arrives(db)
    own = [_own(1), _own(2), _own(3)]
    await _run_grouped(db, handler, own)
    await arriving[0]
    assert sorted(handler.seen) == sorted([*own, 9])  # each once, the arrival too
    assert len(handler.groups[0]) == 1  # cut short at once
    assert order.index("stored") == 1  # the intake wrote before the next of the bot's rows
