"""The sender: delivers outbox rows, paced, retried, in order per chat, never dropped.

Only one process sends at a time (a lease held in the database), so Telegram's global
limit holds for the whole deployment. For each chat only its oldest pending row is
a candidate, so a message that must wait (429, network error) holds back the ones
behind it and order is kept.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import warnings
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from telegram.warnings import PTBUserWarning

from bot.aio import wait_any
from bot.telegram.client import Outcome, classify
from bot.telegram.ratelimit import Pacer
from storage import leases, outbox, participants

log = logging.getLogger(__name__)

Transport = Callable[[Any], Awaitable[Any]]  # outbox row -> result (raises on failure)

# Calls that are not chat messages: they do not count against a chat's message rate.
UNPACED = frozenset({"answerCallbackQuery", "sendChatAction", "leaveChat", "getChatMember"})
LEASE = "sender"


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

    def poke(self) -> None:
        self.wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                if not await self._lead():
                    await self._pause(stop, self.lease_ttl / 3)
                    continue
                try:
                    sent = await self.send_due()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # database gone for a moment: wait, then go on
                    log.warning("sender loop failed (%s); retrying", type(exc).__name__)
                    await self._pause(stop, 1.0)
                    continue
                if not sent:
                    await self._pause(stop, 0.5)
        finally:
            await self._resign()

    async def flush(self, deadline: float) -> int:
        """Send what is due until nothing is left or `deadline` (loop time) passes."""
        loop = asyncio.get_running_loop()
        total = 0
        while loop.time() < deadline and await self._lead():
            sent = await self.send_due()
            if not sent:
                break
            total += sent
        return total

    async def send_due(self) -> int:
        async with self.sessionmaker() as s:
            rows = await outbox.due_heads(s, _now(), self.batch)
        if rows:
            await asyncio.gather(*(self._deliver(row) for row in rows))
        return len(rows)

    async def _deliver(self, row: Any) -> None:
        transport = self.transports.get(row.target)
        if transport is None:
            await self._settle(row, Outcome("transient", 60.0, f"no transport {row.target}"))
            return
        if row.target == "telegram":
            await self.pacer.wait(None if row.method in UNPACED else row.chat_id)
        try:
            result = await transport(row)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._settle(row, classify(exc))
            return
        await self._settle(row, None, result)

    async def _settle(self, row: Any, outcome: Outcome | None, result: Any = None) -> None:
        self.on_outcome(row.method, outcome)
        now = _now()
        async with self.sessionmaker() as s, s.begin():
            fresh = await s.get(type(row), row.id)
            if fresh is None or fresh.status != "pending":
                return
            if outcome is None or outcome.kind == "done":
                if fresh.ref == participants.ERASED:
                    await s.delete(fresh)  # owed to (or about) a youth who erased themselves
                else:
                    await outbox.mark_sent(s, fresh, _jsonable(result), now)
            elif outcome.kind in ("retry_after", "transient", "fatal"):
                delay = outcome.delay or min(2 ** min(fresh.attempts, 8), 300)
                await outbox.mark_retry(s, fresh, now + timedelta(seconds=delay), outcome.reason)
            elif outcome.kind == "blocked":
                await outbox.mark_failed(s, fresh, outcome.reason)
                if fresh.chat_id is not None and fresh.chat_id > 0:
                    await participants.mark_stopped(s, fresh.chat_id)
            else:
                log.warning("outbox row %s failed for good: %s %s", fresh.id, fresh.method, outcome.reason)
                await outbox.mark_failed(s, fresh, outcome.reason)

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

    async def _resign(self) -> None:
        try:
            await self._leader.release()
        except Exception as exc:  # the lease expires by itself
            log.warning("sender lease release failed (%s)", type(exc).__name__)
        self.is_leader = False

    async def _pause(self, stop: asyncio.Event, seconds: float) -> None:
        self.wake.clear()
        await wait_any(stop, self.wake, timeout=seconds)


def _jsonable(result: Any) -> Any:
    if result is None or isinstance(result, (bool, int, float, str, list, dict)):
        return result
    to_dict = getattr(result, "to_dict", None)
    return to_dict() if callable(to_dict) else str(result)


def telegram_transport(bot: Any) -> Transport:
    # Outbox rows are generic (method + JSON payload), so they go through
    # do_api_request, which warns that typed methods exist; that is deliberate here.
    warnings.filterwarnings("ignore", message="Please use 'Bot", category=PTBUserWarning)

    async def send(row: Any) -> Any:
        result = await bot.do_api_request(row.method, api_kwargs=dict(row.payload or {}))
        # Keep only what we need later (ids), never the echoed text.
        if isinstance(result, dict) and "message_id" in result:
            return {"message_id": result["message_id"]}
        return result if isinstance(result, bool) else None

    return send
