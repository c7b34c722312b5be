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

Edits of a youth's message (storage.outbox.EDIT_REF: the old question's keyboard
removed, "→ choice") are cosmetic: they go after every youth's questions, only when the
pacer has spare capacity (Pacer.spare; a toggle redrawn with its buttons is the answer
to a press and is not held back), one at a time per message and only the newest
pending one per message; once it is sent the older ones are set aside.
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

from bot.base.aio import wait_any
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
        self._settled_last = 0

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
        try:
            await self._settle_finished()
        except Exception as exc:  # the rows stay pending and go again: at least once
            log.warning("could not record the last deliveries (%s)", type(exc).__name__)

    async def flush(self, deadline: float) -> int:
        """Send what is due until nothing is left or `deadline` (loop time) passes."""
        loop = asyncio.get_running_loop()
        total = 0
        while loop.time() < deadline and await self._lead():
            self.wake.clear()
            busy = await self.send_due()
            total += self._settled_last
            if not busy and not self._inflight:
                break
            await wait_any(self.wake, timeout=max(0.0, min(0.5, deadline - loop.time())))
        return total

    async def send_due(self) -> int:
        """Settle finished deliveries, then start every due head that is not in flight.

        Deliveries run concurrently (one per chat at most, since only heads are due), and
        their results are written back together in one transaction. A row stays marked
        in flight until that transaction commits, so it is never sent twice meanwhile.
        Returns how much happened (0: nothing to do right now)."""
        settled = await self._settle_finished()
        room = self.batch - len(self._inflight)
        if room <= 0:
            return settled
        async with self.reads() as s:
            now, limit = _now(), self.batch + len(self._inflight)
            rows = await outbox.due_heads(s, now, limit)
            # Looking whether youth wait costs two queries: only when a reminder is due.
            if any(row.priority >= Priority.BACKGROUND for row in rows) and await _youth_waiting(s, now):
                rows = await outbox.due_heads(s, now, limit, hold=(Priority.BACKGROUND, now - REMINDER_HOLD))
        started = 0
        chats: set[int | None] = set()  # chats of rows started now, not yet in the pacer
        for row in rows:
            if row.id in self._inflight:
                continue
            if started >= room:
                break
            if outbox.is_edit(row.ref):
                lane = (row.chat_id, row.ref)
                if (
                    lane in self._edits
                    or row.chat_id in chats
                    or (_cosmetic(row) and not self.pacer.spare(row.chat_id, queued=started))
                ):
                    continue
                self._edits.add(lane)
            chats.add(row.chat_id)
            self._inflight[row.id] = asyncio.create_task(self._deliver(row))
            started += 1
        return settled + started

    async def _deliver(self, row: Any) -> None:
        transport = self.transports.get(row.target)
        if transport is None:
            outcome: Outcome | None = Outcome("transient", 60.0, f"no transport {row.target}")
            result = None
        elif row.target == "telegram":
            async with self.pacer.slot(None if row.method in UNPACED else row.chat_id):
                result, outcome = await _call(transport, row)
        else:
            result, outcome = await _call(transport, row)
        self.on_outcome(row.method, outcome)
        self._finished.append((row, outcome, result))
        self.wake.set()

    async def _settle_finished(self) -> int:
        self._settled_last = 0
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
        for row, _, _ in done:
            self._inflight.pop(row.id, None)
            self._edits.discard((row.chat_id, row.ref))
        self._settled_last = len(done)
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
        self._inflight.clear()
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
