"""The campaign step of the scheduler's round: due campaigns are expanded into
recipients (the schedule lives in the database), and each queued recipient whose youth
is not mid-flow gets a turn row in the inbox under their chat, handled in order with the
chat's updates like a reminder's tick (bot/dialogue/campaign.py takes the turn).

A small batch of turns per round, rounds close together (bot/telegram/scheduler.py), and
none while AHEAD campaign messages wait for the sender: the inbox takes the oldest
update id first and turn rows have negative ids, so every turn queued goes before the
youth's own updates. A batch of BATCH turns is a tenth of a second or two of handling,
which is what a youth's answer may wait behind; BATCH per round, four rounds a second,
stays above the sender's 30 a second, so the sender never runs dry. A turn row lost, or handled
while the youth was busy, is offered again after `again_after`; the recipient's state,
changed in the turn's transaction, keeps it once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.dialogue.services import Services
from storage import campaigns, inbox, outbox, participants
from storage.db import reading
from storage.outbox import Priority

log = logging.getLogger(__name__)

TURN_BASE = 1 << 62  # turn rows: -(TURN_BASE + recipient id * TURN_ROWS + ms mod TURN_ROWS)
TURN_ROWS = 1 << 20
BATCH = 15  # turns per round
# no new turns while this many campaign messages wait to be sent: the sender's pace (about
# 30 a second) sets the campaign's, and the inbox stays free for youth's own updates
AHEAD = 300


def turn_update_id(recipient_id: int, now: datetime) -> int:
    return -(TURN_BASE + recipient_id * TURN_ROWS + int(now.timestamp() * 1000) % TURN_ROWS)


async def queue_turns(
    services: Services, now: datetime, *, batch: int = BATCH, again_after: timedelta = timedelta(seconds=30)
) -> tuple[int, bool]:
    """One round: expand what is due, queue the next turns, close finished campaigns.
    Returns the turns queued and whether a campaign is going out (come back soon).

    The looks (room in the outbox, who is next, their chats) read outside the write
    transaction: on SQLite it holds the one write lock, and the intake storing a youth's
    message waits for it. The write marks only those still queued and not offered."""
    reads = reading(services.sessionmaker)
    expanded: list[int] = []
    async with reads() as s:
        due = await campaigns.any_due(s, now)
    if due:  # its recipients are listed first, so this round offers them turns
        async with services.sessionmaker() as s, s.begin():
            expanded = await campaigns.expand_due(s, now)
        for campaign_id in expanded:
            log.info("campaign %d: sending", campaign_id)
    async with reads() as s:
        room = AHEAD - await outbox.pending_of(s, Priority.CAMPAIGN, AHEAD)
        candidates = await campaigns.offerable(s, now, min(batch, room), again_after=again_after) if room > 0 else []
        chats = await participants.chat_ids_of(s, [p for _, p in candidates])
    async with services.sessionmaker() as s, s.begin():
        offered = await campaigns.mark_offered(s, [r for r, _ in candidates], now, again_after=again_after)
        turns = [
            (turn_update_id(recipient_id, now), chats[participant_id], {"_campaign": {"recipient": recipient_id}})
            for recipient_id, participant_id in candidates
            if recipient_id in offered and participant_id in chats
        ]
        queued = await inbox.add_updates(s, turns, now=now)
        for campaign_id in await campaigns.finish_done(s, now):
            log.info("campaign %d: done", campaign_id)
    return queued, bool(expanded) or bool(offered) or room <= 0
