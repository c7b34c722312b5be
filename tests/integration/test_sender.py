"""bot.telegram.sender: reminders wait while youth wait for answers, and not for ever;
edits after questions; deliveries kept across a lost lease and a slow write; campaign
results written down together, an answer's at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from bot.telegram import sender as sender_module
from bot.telegram.ratelimit import Pacer
from bot.telegram.sender import REMINDER_HOLD, Sender
from sqlalchemy import select

from storage import inbox, outbox
from storage.models import Outbox
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


async def test_cosmetic_edits_go_before_a_campaigns_messages_after_questions(db):
    """A campaign going out keeps the pacer busy, so spare capacity never comes: the old
    question's edit must not wait for the whole campaign, only for the youth's question."""
    polled = list(range(2001, 2041))  # invented recipients of a poll

    async def queue(chat: int, text: str, priority: Priority, ref: str | None = None) -> None:
        async with db.sessionmaker.begin() as s:
            await outbox.enqueue(
                s,
                chat_id=chat,
                method="sendMessage",
                payload={"text": text},
                priority=priority,
                ref=ref,
                now=datetime.now(UTC),
            )

    telegram = Recording()
    pacer = Pacer(global_per_s=20, per_chat_per_s=10, per_chat_burst=10, group_per_min=20)
    sender = Sender(db.engine, db.sessionmaker, {"telegram": telegram}, pacer, batch=4)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    try:
        for chat in polled:
            await queue(chat, "poll", Priority.CAMPAIGN)
        sender.poke()
        await _until(lambda: _sent(telegram, 25), "the campaign has used the overall bucket")
        await queue(YOUTH, "→ yes", Priority.INTERACTIVE, outbox.edit_ref(7))  # the youth answered
        await queue(YOUTH, "next question", Priority.INTERACTIVE)
        sender.poke()
        await _until(lambda: _sent(telegram, 42), "everything sent")
    finally:
        stop.set()
        await running
    texts = [text for _, text in telegram.sent]
    assert sorted(texts) == sorted(["poll"] * 40 + ["→ yes", "next question"])  # each once
    assert texts.index("next question") < texts.index("→ yes") < len(texts) - 5  # not after the campaign


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


async def test_deliveries_go_on_while_writing_down_the_last_ones_waits(db):
    """A settle waiting to write (SQLite's one writer busy with the handlers in a burst,
    or rows locked on PostgreSQL) must not hold back the next deliveries: the pipeline
    counts only deliveries under way, and nothing is sent twice once the write goes."""
    chats = [1001, 1002, 1003, 1004, 1005, 1006]  # invented youth, one answer owed each
    async with db.sessionmaker.begin() as s:
        for chat in chats:
            await _queue(s, chat, Priority.INTERACTIVE)
    telegram = Telegram()
    pacer = Pacer(global_per_s=10_000, per_chat_per_s=1_000, per_chat_burst=1_000, group_per_min=60_000)
    sender = Sender(db.engine, db.sessionmaker, {"telegram": telegram}, pacer, batch=1)
    stop = asyncio.Event()
    assert await sender._lead()
    async with db.sessionmaker.begin() as blocker:
        # SQLite: this transaction holds the write turn; PostgreSQL: the rows are locked
        await blocker.execute(select(Outbox.id).with_for_update())
        running = asyncio.create_task(sender.run(stop))
        for _ in range(200):
            if len(telegram.sent) == len(chats):
                break
            await asyncio.sleep(0.05)
        assert sorted(telegram.sent) == chats  # four at a time (ANSWERS_AHEAD), none waiting for the write
    for _ in range(200):  # the write goes once the blocker is gone
        async with db.sessionmaker() as s:
            if await outbox.backlog(s) == (0, None):
                break
        await asyncio.sleep(0.05)
    stop.set()
    await running
    async with db.sessionmaker() as s:
        assert await outbox.backlog(s) == (0, None)
    assert sorted(telegram.sent) == chats  # nothing sent twice


async def test_a_campaign_message_is_not_held_while_youth_wait_only_paced_after_them(db):
    """Reminders wait while a youth's update is unhandled; campaign messages take what
    the answers leave of the rate instead (the pacer lets answers go first)."""
    async with db.sessionmaker.begin() as s:
        await _youth_writes(s)  # unhandled: youth wait
        await _queue(s, OTHER, Priority.CAMPAIGN)
        await _queue(s, QUIET, Priority.BACKGROUND)
    async with _sending(db) as (sender, telegram):
        await _flush(sender)
        assert telegram.sent == [OTHER]  # the reminder waits, the campaign message went


async def _pending(db) -> set[int]:
    async with db.sessionmaker() as s:
        return set((await s.scalars(select(Outbox.chat_id).where(Outbox.status == "pending"))).all())


async def _until(check, what: str) -> None:
    try:
        async with asyncio.timeout(10):
            while not await check():
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"not within 10 s: {what}") from None


async def test_campaign_results_are_written_down_together_an_answers_at_once(db, monkeypatch):
    """Each write down holds SQLite's one write lock, which a youth's message waits for:
    while only campaign messages finish, their results wait to go together (here for as
    long as a minute); an answer's result is written at once, and theirs with it."""
    monkeypatch.setattr(sender_module, "LOW_SETTLE_EVERY", 60.0)
    async with _sending(db) as (sender, telegram):
        stop = asyncio.Event()
        running = asyncio.create_task(sender.run(stop))
        try:
            async with db.sessionmaker.begin() as s:
                await _queue(s, 1, Priority.CAMPAIGN)
            sender.poke()
            await _until(lambda: _no_pending(db), "the first is written at once")
            async with db.sessionmaker.begin() as s:
                await _queue(s, 2, Priority.CAMPAIGN)
                await _queue(s, 3, Priority.CAMPAIGN)
            sender.poke()
            await _until(lambda: _sent(telegram, 3), "both sent")
            await asyncio.sleep(0.3)
            assert await _pending(db) == {2, 3}  # sent, their results waiting for more
            async with db.sessionmaker.begin() as s:
                await _queue(s, YOUTH, Priority.INTERACTIVE)
            sender.poke()
            await _until(lambda: _no_pending(db), "the answer's result, and theirs with it")
            assert sorted(telegram.sent) == [1, 2, 3, YOUTH]  # each once
        finally:
            stop.set()
            await running


async def _no_pending(db) -> bool:
    return not await _pending(db)


async def _sent(telegram: Telegram, n: int) -> bool:
    return len(telegram.sent) >= n


def _broken_once(real, what: str):
    """`real`, raising the first time it is called (an invented name in the message, which
    must stay out of the log)."""
    calls: list[int] = []

    def broken(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError(f"{what} for Ayaan Testperson")
        return real(*args, **kwargs)

    return broken


async def _row(db):
    async with db.sessionmaker() as s:
        return (await s.scalars(select(Outbox))).one()


async def test_a_delivery_that_breaks_outside_the_call_goes_again_later(db, caplog):
    # A bug of ours around the call (here: the pacer) must not leave the row in flight
    # until a restart: it is written down as a transient failure and sent again.
    async with _sending(db) as (sender, telegram):
        sender.pacer.slot = _broken_once(sender.pacer.slot, "pacer")  # type: ignore[method-assign]
        async with db.sessionmaker.begin() as s:
            await _queue(s, YOUTH, Priority.INTERACTIVE)
        await _flush(sender)
        assert sender._inflight == {} and telegram.sent == []
        row = await _row(db)
        assert row.status == "pending" and row.attempts == 1 and row.last_error == "RuntimeError"
        assert "RuntimeError at" in caplog.text and "Ayaan" not in caplog.text
        async with db.sessionmaker.begin() as s:  # its backoff over
            (await s.get(Outbox, row.id)).next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
        await _flush(sender)
        assert telegram.sent == [YOUTH] and (await _row(db)).status == "sent"


async def test_a_delivery_whose_outcome_is_not_counted_is_still_written_down_once(db, caplog):
    # Telegram has the message: a failure counting it afterwards must not send it again.
    async with _sending(db) as (sender, telegram):
        sender.on_outcome = _broken_once(sender.on_outcome, "metrics")
        async with db.sessionmaker.begin() as s:
            await _queue(s, YOUTH, Priority.INTERACTIVE)
        await _flush(sender)
        await _flush(sender)
        assert telegram.sent == [YOUTH]  # once
        assert (await _row(db)).status == "sent"
        assert "was not counted: RuntimeError at" in caplog.text and "Ayaan" not in caplog.text
