"""A campaign's turn with one youth: start its flow, in the youth's language, through the
same Conversation as their own turns (a one-question campaign's flow is built from the
question stored with it: bot/dialogue/campaign_flows.py), so every message is an outbox row (at
`Priority.CAMPAIGN`) written in the transaction of the turn's inbox row.

Nothing is sent to a youth who is not reachable (no consent or contact opt-in, /stop, a
403); a youth in the middle of a flow is left waiting (the campaign step offers the turn
again once that flow has ended or expired); a paused campaign's turn waits too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue.conversation import Conversation, Sender
from bot.dialogue.services import Services
from storage import campaigns, participants, sessions
from storage.outbox import Priority


async def take_turn(services: Services, s: AsyncSession, recipient_id: int, chat_id: int, now: datetime) -> str:
    """What became of the turn: started, skipped, waiting, or gone (nothing to do)."""
    turn = await campaigns.turn(s, recipient_id)
    if turn is None:
        return "gone"
    if turn.campaign_status == "paused":
        return "waiting"
    p = await participants.get(s, turn.participant_id)
    await services.campaign_flows.know(s, [turn.flow_id])  # a one-question campaign's own flow
    unreachable = p is None or p.stopped or not p.consent or not p.contact
    if turn.campaign_status != "sending" or unreachable or services.flowset.get(turn.flow_id) is None:
        await campaigns.settle(s, recipient_id, "skipped", now)
        return "skipped"
    assert p is not None
    row = await sessions.active_for(s, p.id)
    conv = Conversation.of_row(services, s, Sender(user_id=0, chat_id=chat_id), now, p, row, priority=Priority.CAMPAIGN)
    if conv.mid_flow:
        return "waiting"  # never interrupts: offered again once that flow has ended
    if not await campaigns.settle(s, recipient_id, "started", now):
        return "gone"
    await conv.start(turn.flow_id, p.source)
    await conv.close()
    return "started"
