"""bot.telegram.sender: reminders wait while youth wait for answers, and not for ever."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from bot.telegram.ratelimit import Pacer
from bot.telegram.sender import REMINDER_HOLD, Sender
from storage import inbox, outbox
from storage.outbox import Priority
from tests.dbfixtures import db, db_url  # noqa: F401

YOUTH, OTHER, QUIET = 100, 200, 300  # invented chat ids


class Telegram:
    """Records which chat each send went to."""

    def __init__(self) -> None:
        self.sent: list[int] = []

    async def __call__(self, row) -> dict:
        self.sent.append(row.chat_id)
        return {"message_id": len(self.sent)}


@asynccontextmanager
async def _sending(db) -> AsyncIterator[tuple[Sender, Telegram]]:
    telegram = Telegram()
    pacer = Pacer(global_per_s=10_000, per_chat_per_s=1_000, per_chat_burst=1_000, group_per_min=60_000)
    sender = Sender(db.engine, db.sessionmaker, {"telegram": telegram}, pacer)
    try:
        yield sender, telegram
    finally:
        stopped = asyncio.Event()
        stopped.set()
        await sender.run(stopped)  # only winds down: lets go of the lease


async def _flush(sender: Sender) -> None:
    await sender.flush(asyncio.get_running_loop().time() + 30)  # returns once nothing is due


async def _queue(s, chat_id: int, priority: Priority, *, age: timedelta = timedelta(0)) -> None:
    await outbox.enqueue(
        s,
        chat_id=chat_id,
        method="sendMessage",
        payload={"chat_id": chat_id, "text": "x"},
        priority=priority,
        now=datetime.now(UTC) - age,
    )


async def _youth_writes(s, update_id: int = 1) -> None:
    await inbox.add_update(s, update_id, YOUTH, {"update_id": update_id})


async def _handled(db) -> None:
    async with db.sessionmaker.begin() as s:
        await inbox.mark_done(s, await inbox.next_pending(s, YOUTH))


async def test_a_reminder_waits_while_an_update_is_unhandled_then_goes(db):
    async with _sending(db) as (sender, telegram):
        async with db.sessionmaker.begin() as s:
            await _youth_writes(s)
            await _queue(s, QUIET, Priority.BACKGROUND)
            await _queue(s, OTHER, Priority.INTERACTIVE)
        await _flush(sender)
        assert telegram.sent == [OTHER]
        await _handled(db)
        await _flush(sender)
        assert telegram.sent == [OTHER, QUIET]


async def test_a_reminder_waits_while_answers_are_due(db):
    async with _sending(db) as (sender, telegram):
        async with db.sessionmaker.begin() as s:
            await _queue(s, QUIET, Priority.BACKGROUND)
            await _queue(s, OTHER, Priority.INTERACTIVE)
        assert await sender.send_due() == 1  # the answer only; the reminder once it is sent
        await _flush(sender)
        assert telegram.sent == [OTHER, QUIET]


async def test_a_reminder_waits_no_longer_than_the_hold(db):
    async with _sending(db) as (sender, telegram):
        async with db.sessionmaker.begin() as s:
            await _youth_writes(s)
            await _queue(s, QUIET, Priority.BACKGROUND, age=REMINDER_HOLD + timedelta(seconds=1))
        await _flush(sender)
        assert telegram.sent == [QUIET]


async def test_an_answer_is_not_held_behind_a_reminder_in_its_chat(db):
    async with _sending(db) as (sender, telegram):
        async with db.sessionmaker.begin() as s:
            await _youth_writes(s, 1)
            await _youth_writes(s, 2)  # still unhandled after the first answer is queued
            await _queue(s, YOUTH, Priority.BACKGROUND)
            await _queue(s, YOUTH, Priority.INTERACTIVE)
            await _queue(s, QUIET, Priority.BACKGROUND)
        await _flush(sender)
        assert telegram.sent == [YOUTH, YOUTH]  # in the chat's order; the other reminder waits


async def test_the_bots_own_ticks_do_not_hold_reminders(db):
    async with _sending(db) as (sender, telegram):
        async with db.sessionmaker.begin() as s:
            await inbox.add_update(s, -5, YOUTH, {"_tick": {"session": 1}})  # the scheduler's
            await _queue(s, QUIET, Priority.BACKGROUND)
        await _flush(sender)
        assert telegram.sent == [QUIET]


class Recording:
    """Records (chat, text) of each send, in the order they reached 'Telegram'."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def __call__(self, row) -> dict:
        self.sent.append((row.chat_id, row.payload["text"]))
        return {"message_id": len(self.sent)}


async def test_every_youths_question_goes_before_cosmetic_edits_and_edits_coalesce(db):
    chats = [1001, 1002, 1003, 1004, 1005]  # invented youth
    async with db.sessionmaker.begin() as s:
        for chat in chats:  # each youth answered: the old question's edit, then the next question
            for text, ref in (("→ yes", outbox.edit_ref(7)), ("next question", None)):
                await outbox.enqueue(
                    s, chat_id=chat, method="sendMessage", payload={"text": text}, ref=ref, now=datetime.now(UTC)
                )
        for text in ("toggled", "toggled twice"):  # the first chat's message 8 redrawn twice
            await outbox.enqueue(
                s,
                chat_id=chats[0],
                method="sendMessage",
                payload={"text": text},
                ref=outbox.edit_ref(8),
                now=datetime.now(UTC),
            )
    telegram = Recording()
    # room for the five questions at once, not for the edits as well
    pacer = Pacer(global_per_s=5, per_chat_per_s=1, per_chat_burst=3, group_per_min=20)
    sender = Sender(db.engine, db.sessionmaker, {"telegram": telegram}, pacer)
    try:
        await _flush(sender)
    finally:
        stopped = asyncio.Event()
        stopped.set()
        await sender.run(stopped)
    texts = [text for _, text in telegram.sent]
    assert texts[:5] == ["next question"] * 5
    assert sorted(texts[5:]) == ["toggled twice"] + ["→ yes"] * 5  # "toggled" was superseded
    async with db.sessionmaker() as s:
        assert await outbox.backlog(s) == (0, None)


async def test_deliveries_made_before_the_lease_is_lost_are_written_down_not_sent_again(db):
    async with db.sessionmaker.begin() as s:
        for chat in (YOUTH, OTHER, QUIET):
            await _queue(s, chat, Priority.INTERACTIVE)
    async with _sending(db) as (sender, telegram):
        assert await sender._lead()
        await sender.send_due()
        await asyncio.gather(*sender._inflight.values())  # delivered, not yet written down
        assert sorted(telegram.sent) == sorted([YOUTH, OTHER, QUIET])
        await sender._abandon()  # the lease is lost (a database restart): the deliveries are kept
        async with db.sessionmaker() as s:
            assert await outbox.due_heads(s, datetime.now(UTC), 10) == []  # written down as sent
        await _flush(sender)
        assert len(telegram.sent) == 3  # nothing sent twice
