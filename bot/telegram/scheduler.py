"""Time-driven work: reminders and expiry of flows, the daily purge, backlog gauges.

A due session is not ticked here directly: a tick row is put in the inbox under the
session's chat, so it is handled in order with that chat's updates, under the same
per-chat lock, and survives a restart like any update.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.base.aio import wait_any
from bot.dialogue.hand_off import realert_round
from bot.dialogue.services import Services
from bot.telegram.campaigns import queue_turns
from storage import answers, inbox, leases, outbox, participants, sessions

log = logging.getLogger(__name__)

# Tick rows get negative update ids, -(session id * TICK_ROWS + milliseconds mod TICK_ROWS),
# so they never collide with Telegram's and two ticks of one session differ.
TICK_ROWS = 1 << 32
CAMPAIGN_EVERY = 0.25  # seconds between campaign steps while a campaign goes out


def _now() -> datetime:
    return datetime.now(UTC)


def tick_update_id(session_id: int, now: datetime) -> int:
    return -(session_id * TICK_ROWS + int(now.timestamp() * 1000) % TICK_ROWS)


class Scheduler:
    def __init__(self, services: Services, on_new: Callable[[], None], *, every: float = 5.0) -> None:
        self.services = services
        self.on_new = on_new
        self.every = every
        self._last_purge: datetime | None = None
        # campaigns go out from one process of a deployment (bot/telegram/campaigns.py)
        self.campaign_lead = leases.Leader(services.db, "campaigns", ttl=30.0)
        # unclaimed urgent cards are re-alerted from one process (the marks make it once anyway)
        self.urgent_lead = leases.Leader(services.db, "urgent-realerts", ttl=30.0)

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                busy = False
                try:
                    if await self.queue_ticks(_now()):
                        self.on_new()
                    busy = await self.campaign_step(_now())
                    if await self.urgent_step(_now(), self.services.clock()) and self.services.runtime.sender:
                        self.services.runtime.sender.poke()
                    await self.purge_daily(_now())
                    await self.gauge()
                    # a campaign going out gets its steps in between, until the next round
                    next_round = loop.time() + self.every
                    while busy and not stop.is_set() and loop.time() < next_round:
                        await wait_any(stop, timeout=CAMPAIGN_EVERY)
                        busy = await self.campaign_step(_now())
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("scheduler round failed (%s); retrying", type(exc).__name__)
                await wait_any(stop, timeout=CAMPAIGN_EVERY if busy else self.every)
        finally:
            for lead in (self.campaign_lead, self.urgent_lead):
                if lead.held:
                    await lead.release()

    async def campaign_step(self, now: datetime) -> bool:
        """The campaign step, in the process that leads campaigns; True while one goes out."""
        lead = self.campaign_lead
        if not await (lead.renew(now=now) if lead.held else lead.try_acquire(now=now)):
            return False
        queued, going_out = await queue_turns(self.services, now)
        if queued:
            self.on_new()
        return going_out

    async def urgent_step(self, now: datetime, clock_now: datetime) -> int:
        """Re-alerts of unclaimed urgent cards, in the process holding the lease; the
        lease runs on real time, the cards' ages on the services' clock (tests move it)."""
        lead = self.urgent_lead
        if not await (lead.renew(now=now) if lead.held else lead.try_acquire(now=now)):
            return 0
        return await realert_round(self.services, clock_now, queued_at=now)

    async def queue_ticks(self, now: datetime, limit: int = 500) -> int:
        queued = 0
        async with self.services.sessionmaker() as s, s.begin():
            for row in await sessions.due_ticks(s, now, limit):
                chat_id = await participants.chat_id_of(s, row.participant_id)
                row.tick_at = None  # the tick handler sets the next one
                if chat_id is None:
                    continue
                if await inbox.add_update(s, tick_update_id(row.id, now), chat_id, {"_tick": {"session": row.id}}):
                    queued += 1
        return queued

    async def purge_daily(self, now: datetime) -> None:
        if self._last_purge and now - self._last_purge < timedelta(days=1):
            return
        days = self.services.settings.raw_retention_days
        async with self.services.sessionmaker() as s, s.begin():
            purged = await answers.purge_raw(s, now - timedelta(days=days), now=now)
            await inbox.purge_handled(s, now - timedelta(days=1))
            await outbox.purge_sent(s, now - timedelta(days=7))
        self._last_purge = now
        if purged:
            log.info("purged %d raw answers older than %d days", purged, days)

    async def gauge(self) -> None:
        async with self.services.sessionmaker() as s:
            count, oldest = await outbox.backlog(s)
        m = self.services.metrics
        m.outbox_backlog.set(count)
        m.outbox_oldest.set((_now() - oldest).total_seconds() if oldest else 0)
        m.missing_translations.set(self.services.catalogs.missing_count)
