"""The sender: delivers outbox rows, paced, retried, in order per chat, never dropped.

Only one process sends at a time (a lease held in the database), so Telegram's global
limit holds for the whole deployment. For each chat only its oldest pending row is
a candidate, so a message that must wait (429, network error) holds back the ones
behind it and order is kept.

Reminders (background rows) wait while youth are waiting for an answer: while an update
from Telegram is unhandled in the inbox or an interactive row is due in the outbox. The
signal is read from the database, since the inbox may be handled by other processes.
A reminder waits at most REMINDER_HOLD, and never when an answer waits behind it in its
chat (it goes first, to keep the chat's order).

Campaign messages (the lowest priority) are not held so: they fill what the answers
leave of Telegram's rate. Answers still go first, as the pacer lets the most urgent
waiting send go first and each class has its own share of the deliveries under way.

Edits of a youth's message (storage.outbox.EDIT_REF: the old question's keyboard
removed, "→ choice") are cosmetic: they go after every youth's questions, only when the
pacer has spare capacity (Pacer.spare; a toggle redrawn with its buttons is the answer
to a press and is not held back) or when what uses it is a campaign or reminders, which
they go before; one at a time per message and only the newest pending one per message;
once it is sent the older ones are set aside.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from telegram import InputFile

from bot.base.aio import wait_any, where
from bot.telegram.client import Outcome, classify
from bot.telegram.ratelimit import Pacer
from bot.telegram.topics import ForumTopics, thread_gone
from bot.forwarding.topics import TOPIC
from storage import inbox, leases, outbox, participants
from storage.outbox import Priority
from storage.db import reading

log = logging.getLogger(__name__)

Transport = Callable[[Any], Awaitable[Any]]  # outbox row -> result (raises on failure)

# Calls that are not chat messages: they do not count against a chat's message rate.
UNPACED = frozenset({"answerCallbackQuery", "sendChatAction", "leaveChat", "getChatMember"})
RETRIED = ("retry_after", "transient", "fatal")  # outcomes after which a row goes again
LEASE = "sender"
DRAIN_SECONDS = 5.0
# Reminders go a day after a youth went quiet, so a few more minutes under load cost
# nothing; at 30 msg/s ten minutes cover a backlog of some 18,000 answers.
REMINDER_HOLD = timedelta(minutes=10)
ANSWERS_AHEAD = 4  # answers and staff rows under way, in batches (Sender._start_due)
# While only reminders and campaign messages finish, their results are written down
# together at most this often: each write holds SQLite's one write lock, which the intake
# storing a youth's message waits for. An answer's result is written at once.
LOW_SETTLE_EVERY = 0.25


def _now() -> datetime:
    return datetime.now(UTC)


class Sender:
    def __init__(
        self,
        engine: AsyncEngine,
        sessionmaker: async_sessionmaker,
        transports: Mapping[str, Transport],
        pacer: Pacer,
        *,
        batch: int = 64,
        lease_ttl: float = 10.0,
        on_outcome: Callable[[str, Outcome | None], None] | None = None,
    ) -> None:
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.reads = reading(sessionmaker)
        self.transports = transports
        self.pacer = pacer
        self.batch = batch
        # a campaign's deliveries ask for a look when this many of theirs are done (and a
        # look reads this many more rows than there is room for: edits' lanes may be busy)
        self.quarter = max(1, batch // 4)
        self.lease_ttl = lease_ttl
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.wake = asyncio.Event()
        self.is_leader = False
        self.on_outcome = on_outcome or (lambda method, outcome: None)
        self._leader = leases.Leader(engine, LEASE, self.holder, lease_ttl)
        self._renewed = 0.0
        self._inflight: dict[int, asyncio.Task] = {}  # outbox row id -> its delivery
        self._edits: set[tuple[int | None, str | None]] = set()  # (chat, ref) of edits in flight
        self._finished: list[tuple[Any, Outcome | None, Any]] = []
        self._settling: asyncio.Task | None = None  # writing finished deliveries down
        self._settle_now = asyncio.Event()  # an answer's (not a low row's) result waits
        self._last_settle = 0.0  # loop time
        self._settled = 0  # rows written down so far
        self._spared = 0  # cosmetic edits due in the last look, left for spare capacity
        # Written down, still counted in flight until the next look begins: a look that
        # began before the write may still see them pending.
        self._written: list[Any] = []
        self._low: set[int] = set()  # ids in flight of rows of priority BACKGROUND or lower

    def poke(self) -> None:
        self.wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                if not await self._lead():
                    await self._abandon()  # another process may be the sender now; write down what was delivered
                    self.wake.clear()
                    await self._pause(stop, self.lease_ttl / 3)
                    continue
                self.wake.clear()  # before looking, so no poke between look and wait is lost
                try:
                    busy = await self.send_due()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # database gone for a moment: wait, then go on
                    log.warning("sender loop failed (%s); retrying", type(exc).__name__)
                    self.wake.clear()
                    await self._pause(stop, 1.0)
                    continue
                if not busy:
                    await self._pause(stop, 0.5)  # a poke or a finished delivery wakes it
        finally:
            await self._drain(DRAIN_SECONDS)
            await self._resign()

    async def _drain(self, seconds: float) -> None:
        """Let deliveries under way finish (for a while) and write their results down."""
        if self._inflight:
            await asyncio.wait(list(self._inflight.values()), timeout=seconds)
        await self._settled_in_background()
        try:
            await self._settle_finished()
        except Exception as exc:  # the rows stay pending and go again: at least once
            log.warning("could not record the last deliveries (%s)", type(exc).__name__)

    async def flush(self, deadline: float) -> int:
        """Send what is due until nothing is left or `deadline` (loop time) passes."""
        loop = asyncio.get_running_loop()
        before = self._settled
        while loop.time() < deadline and await self._lead():
            self.wake.clear()
            busy = await self.send_due()
            if not busy and not self._inflight and not self._spared:
                break
            await wait_any(self.wake, timeout=max(0.0, min(0.5, deadline - loop.time())))
        return self._settled - before

    async def send_due(self) -> int:
        """Start every due head that is not in flight, then settle finished deliveries.

        Deliveries run concurrently (one per chat at most, since only heads are due), and
        their results are written back together in one transaction. A row stays marked
        in flight until that transaction commits, so it is never sent twice meanwhile,
        but only deliveries still under way count against `batch`: a settle waiting for
        its turn to write (SQLite's one writer, busy with the handlers in a burst) must
        not hold the pipeline back, so it runs beside the sending (`_settle_in_background`).
        Returns how many deliveries started (0: nothing to do right now)."""
        started = await self._start_due()
        self._settle_in_background()
        return started

    def _running(self) -> tuple[int, int]:
        """Deliveries under way: (answers and staff messages, reminders and campaigns)."""
        running = [row_id in self._low for row_id, task in self._inflight.items() if not task.done()]
        return running.count(False), running.count(True)

    def _forget_written(self) -> None:
        written, self._written = self._written, []
        for row in written:
            self._inflight.pop(row.id, None)
            self._low.discard(row.id)
            self._edits.discard((row.chat_id, row.ref))

    async def _start_due(self) -> int:
        self._forget_written()
        # Each class has deliveries of its own: a campaign filling the pipeline leaves
        # room for the next youth's answer (and the pacer lets it go first). Answers get
        # ANSWERS_AHEAD times `batch`: while the handlers keep the process busy (a burst)
        # a look takes up to a second, and a second's worth must be waiting in the pacer.
        urgent, low = self._running()
        room = {False: ANSWERS_AHEAD * self.batch - urgent, True: self.batch - low}
        self._spared = 0
        if room[False] <= 0 and room[True] <= 0:
            return 0
        # Rows in flight are still pending (until written down): the looks leave them out,
        # so a campaign's look reads only the few rows it has room for.
        skip = list(self._inflight)
        async with self.reads() as s:
            now, rows = _now(), []
            if room[False] > 0:
                rows = await outbox.due_heads(s, now, (ANSWERS_AHEAD + 1) * self.batch, low=False, skip=skip)
            if room[True] > 0:
                # Only as many as there is room for (and some, should edits' lanes be busy):
                # a campaign keeps hundreds of rows due, and each row read costs.
                limit = room[True] + self.quarter
                low_rows = await outbox.due_heads(s, now, limit, low=True, skip=skip)
                # Looking whether youth wait costs two queries: only when a reminder is due.
                if any(row.priority == Priority.BACKGROUND for row in low_rows) and await _youth_waiting(s, now):
                    hold = (Priority.BACKGROUND, now - REMINDER_HOLD)
                    low_rows = await outbox.due_heads(s, now, limit, hold=hold, low=True, skip=skip)
                rows += low_rows
        started = 0
        chats: set[int | None] = set()  # chats of rows started now, not yet in the pacer
        for row in rows:
            is_low = row.priority >= Priority.BACKGROUND
            if row.id in self._inflight or room[is_low] <= 0:
                continue
            if outbox.is_edit(row.ref):
                lane = (row.chat_id, row.ref)
                if lane in self._edits or row.chat_id in chats:
                    continue
                # Cosmetic edits wait for spare capacity, but not for a campaign: they go
                # before its messages (and after every youth's question: _pace_priority).
                if _cosmetic(row) and not (self._low_running() or self.pacer.spare(row.chat_id, queued=started)):
                    self._spared += 1
                    continue
                self._edits.add(lane)
            chats.add(row.chat_id)
            self._inflight[row.id] = asyncio.create_task(self._deliver(row))
            if is_low:
                self._low.add(row.id)
            room[is_low] -= 1
            started += 1
        return started

    async def _deliver(self, row: Any) -> None:
        try:
            result, outcome = await self._attempt(row)
        except Exception as exc:
            # Our bug around the call (the call's own errors are outcomes): written down as
            # a transient failure, so the row leaves flight and goes again, backing off
            # (never lost, never stuck until a restart).
            log.error("delivery of outbox row %s failed: %s", row.id, where(exc))
            result, outcome = None, Outcome("transient", 0.0, type(exc).__name__)
        try:
            self.on_outcome(row.method, outcome)
        except Exception as exc:  # counting it is not delivering it: the outcome stands
            log.error("an outcome of %s was not counted: %s", row.method, where(exc))
        self._finished.append((row, outcome, result))
        if row.id not in self._low:
            self._settle_now.set()
        # The chat's next row is a head only once this one is written down, and the write
        # wakes the loop then; a look now would find nothing new, unless this delivery's
        # class had no room left or cosmetic edits wait for the capacity it frees.
        self._settle_in_background()
        if self._spared or self._worth_a_look(row.id in self._low):
            self.wake.set()

    async def _attempt(self, row: Any) -> tuple[Any, Outcome | None]:
        transport = self.transports.get(row.target)
        if transport is None:
            return None, Outcome("transient", 60.0, f"no transport {row.target}")
        if row.target != "telegram":
            return await _call(transport, row)
        async with self.pacer.slot(None if row.method in UNPACED else row.chat_id, _pace_priority(row)):
            return await _call(transport, row)

    def _low_running(self) -> bool:
        """Whether reminders or campaign messages are under way (they yield to edits)."""
        return any(not self._inflight[row_id].done() for row_id in self._low if row_id in self._inflight)

    def _worth_a_look(self, low: bool) -> bool:
        """Whether this delivery's end makes room worth a look: for answers, any room in
        a full class; for reminders and campaigns, a quarter of theirs (its deliveries wait
        in the pacer for a while, and a look per message would cost the loop what the
        youth's answers need)."""
        urgent, running_low = self._running()  # this delivery still counts: it is running
        if low:
            return running_low == self.batch - self.quarter + 1
        return urgent >= ANSWERS_AHEAD * self.batch

    def _settle_in_background(self) -> None:
        """Write finished deliveries down in a task of their own, one write at a time;
        when it is done the loop looks again (their chats' next rows are heads now)."""
        if self._finished and (self._settling is None or self._settling.done()):
            self._settling = asyncio.create_task(self._settle_then_wake())

    async def _settle_then_wake(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            delay = self._last_settle + LOW_SETTLE_EVERY - loop.time()
            if delay > 0 and not self._settle_now.is_set():
                await wait_any(self._settle_now, timeout=delay)  # more low rows meanwhile
            self._settle_now.clear()
            self._last_settle = loop.time()
            await self._settle_finished()
        except Exception as exc:  # kept in self._finished: written down at the next try
            log.warning("could not record %d deliveries yet (%s)", len(self._finished), type(exc).__name__)
            await asyncio.sleep(1.0)
        finally:
            self.wake.set()

    async def _settled_in_background(self) -> None:
        if self._settling is not None:
            await asyncio.gather(self._settling, return_exceptions=True)
            self._settling = None

    async def _settle_finished(self) -> int:
        if not self._finished:
            return 0
        done, self._finished = self._finished, []
        now = _now()
        try:
            async with self.sessionmaker() as s, s.begin():
                await outbox.mark_sent(
                    s,
                    [
                        (row.id, _jsonable(result))
                        for row, outcome, result in done
                        if outcome is None or outcome.kind == "done"
                    ],
                    now,
                )
                for row, outcome, _result in done:
                    if outcome is not None and outcome.kind != "done":
                        await self._settle_failure(s, row, outcome, now)
                await outbox.supersede_edits(
                    s,
                    [
                        (row.chat_id, row.ref, row.id)
                        for row, outcome, _ in done
                        if outbox.is_edit(row.ref) and (outcome is None or outcome.kind not in RETRIED)
                    ],
                )
        except BaseException:
            self._finished = done + self._finished  # delivered: write it down next round
            raise
        self._written.extend(row for row, _, _ in done)
        self._settled += len(done)
        return len(done)

    async def _settle_failure(self, s: Any, row: Any, outcome: Outcome, now: datetime) -> None:
        row = await s.merge(row, load=False)  # ours alone while in flight: no need to re-read
        if outcome.kind in RETRIED:
            delay = outcome.delay or min(2 ** min(row.attempts, 8), 300)
            await outbox.mark_retry(s, row, now + timedelta(seconds=delay), outcome.reason)
        elif outcome.kind == "blocked":
            await outbox.mark_failed(s, row, outcome.reason)
            if row.chat_id is not None and row.chat_id > 0:
                await participants.mark_stopped(s, row.chat_id)
        else:
            log.warning("outbox row %s failed for good: %s %s", row.id, row.method, outcome.reason)
            await outbox.mark_failed(s, row, outcome.reason)

    async def _lead(self) -> bool:
        loop_now = asyncio.get_running_loop().time()
        if self._leader.held and loop_now - self._renewed < self.lease_ttl / 3:
            return True
        try:
            if self._leader.held:
                leader = await self._leader.renew()
            else:
                leader = await self._leader.try_acquire()
            self._renewed = loop_now
        except Exception as exc:
            log.warning("sender lease check failed (%s)", type(exc).__name__)
            leader = False
        if leader != self.is_leader:
            log.info("sender %s", "took the lead" if leader else "is standing by")
            self.is_leader = leader
        return leader

    async def _abandon(self) -> None:
        """Stop deliveries under way: their rows stay pending and are sent again by the
        next leader (at least once, never lost). Deliveries that did reach Telegram but
        are not yet written down are kept and written as soon as the database answers
        (`_record_delivered`), leader or not: a lost lease on a database restart then
        costs no repeats of what was already delivered."""
        for task in self._inflight.values():
            task.cancel()
        await asyncio.gather(*self._inflight.values(), return_exceptions=True)
        await self._settled_in_background()
        self._inflight.clear()
        self._low.clear()
        self._edits.clear()
        await self._record_delivered()

    async def _record_delivered(self) -> None:
        if not self._finished:
            return
        try:
            await self._settle_finished()
        except Exception as exc:  # kept in self._finished: tried again next round
            log.warning("could not record %d deliveries yet (%s)", len(self._finished), type(exc).__name__)

    async def _resign(self) -> None:
        await self._abandon()
        try:
            await self._leader.release()
        except Exception as exc:  # the lease expires by itself
            log.warning("sender lease release failed (%s)", type(exc).__name__)
        self.is_leader = False

    async def _pause(self, stop: asyncio.Event, seconds: float) -> None:
        await wait_any(stop, self.wake, timeout=seconds)


def _pace_priority(row: Any) -> int:
    """A cosmetic edit takes its turn in the pacer after every question and staff message
    waiting, with reminders, before campaign messages."""
    if outbox.is_edit(row.ref) and _cosmetic(row):
        return max(int(row.priority), int(Priority.BACKGROUND))
    return int(row.priority)


def _cosmetic(row: Any) -> bool:
    """An edit that leaves no buttons: nobody waits for it (a toggle redrawn with its
    buttons is the answer to a press, so it is not held back for spare capacity)."""
    return "reply_markup" not in (row.payload or {})


async def _youth_waiting(s: Any, now: datetime) -> bool:
    return await inbox.has_pending_updates(s) or await outbox.has_due(s, now, Priority.INTERACTIVE)


async def _call(transport: Transport, row: Any) -> tuple[Any, Outcome | None]:
    try:
        return await transport(row), None
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        return None, classify(exc)


def _jsonable(result: Any) -> Any:
    if result is None or isinstance(result, (bool, int, float, str, list, dict)):
        return result
    to_dict = getattr(result, "to_dict", None)
    return to_dict() if callable(to_dict) else str(result)


def _as_upload(value: Any) -> Any:
    """A file carried in the payload (storage.outbox.upload) as PTB's InputFile."""
    file = outbox.uploaded(value)
    return InputFile(file[0], filename=file[1]) if file is not None else value


def telegram_transport(bot: Any, topics: ForumTopics | None = None) -> Transport:
    """Outbox rows to the Bot API, as generic calls (bot.telegram.client.configure_ptb
    silences PTB's advice to use its typed methods); a row marked with a forum topic goes
    to that topic when its chat is a forum (bot/telegram/topics.py)."""

    async def send(row: Any) -> Any:
        kwargs = {key: _as_upload(value) for key, value in (row.payload or {}).items()}
        kind = kwargs.pop(TOPIC, None)
        thread = await topics.thread(row.chat_id, kind) if topics and kind and row.chat_id else None
        if thread is not None:
            kwargs["message_thread_id"] = thread
        try:
            result = await bot.do_api_request(row.method, api_kwargs=kwargs)
        except Exception as exc:
            if topics is None or thread is None or not thread_gone(exc):
                raise
            await topics.gone(row.chat_id, kind, thread)  # deleted in Telegram: a new one, once
            kwargs.pop("message_thread_id")
            thread = await topics.thread(row.chat_id, kind)
            if thread is not None:
                kwargs["message_thread_id"] = thread
            result = await bot.do_api_request(row.method, api_kwargs=kwargs)
        # Keep only what we need later (ids), never the echoed text.
        if isinstance(result, dict) and "message_id" in result:
            return {"message_id": result["message_id"]}
        return result if isinstance(result, bool) else None

    return send
