"""The campaign step of the scheduler's round: due campaigns are expanded into
recipients (the schedule lives in the database), and each queued recipient whose youth
is not mid-flow gets a turn row in the inbox under their chat, handled in order with the
chat's updates like a reminder's tick (bot/dialogue/campaign.py takes the turn).

A batch of turns per round, and none while AHEAD campaign messages wait for the sender:
the inbox takes the oldest update id first and turn rows have negative ids, so this
keeps youth's own updates from waiting behind a campaign. A turn row lost, or handled
while the youth was busy, is offered again after `again_after`; the recipient's state,
changed in the turn's transaction, keeps it once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.dialogue.services import Services
from storage import campaigns, inbox, outbox, participants
from storage.outbox import Priority

log = logging.getLogger(__name__)

TURN_BASE = 1 << 62  # turn rows: -(TURN_BASE + recipient id * TURN_ROWS + ms mod TURN_ROWS)
TURN_ROWS = 1 << 20
BATCH = 100  # turns per round
# no new turns while this many campaign messages wait to be sent: the sender's pace (about
# 30 a second) sets the campaign's, and the inbox stays free for youth's own updates
AHEAD = 300


def turn_update_id(recipient_id: int, now: datetime) -> int:
    return -(TURN_BASE + recipient_id * TURN_ROWS + int(now.timestamp() * 1000) % TURN_ROWS)


async def queue_turns(
    services: Services, now: datetime, *, batch: int = BATCH, again_after: timedelta = timedelta(seconds=30)
) -> tuple[int, bool]:
    """One round: expand what is due, queue the next turns, close finished campaigns.
    Returns the turns queued and whether a campaign is going out (come back soon)."""
    async with services.sessionmaker() as s, s.begin():
        for campaign_id in await campaigns.expand_due(s, now):
            log.info("campaign %d: sending", campaign_id)
        turns = []
        room = AHEAD - await outbox.pending_of(s, Priority.CAMPAIGN, AHEAD)
        offered = await campaigns.offer(s, now, min(batch, room), again_after=again_after) if room > 0 else []
        for recipient_id, participant_id in offered:
            chat_id = await participants.chat_id_of(s, participant_id)
            if chat_id is not None:
                turns.append((turn_update_id(recipient_id, now), chat_id, {"_campaign": {"recipient": recipient_id}}))
        queued = await inbox.add_updates(s, turns, now=now)
        for campaign_id in await campaigns.finish_done(s, now):
            log.info("campaign %d: done", campaign_id)
    return queued, bool(offered) or room <= 0
