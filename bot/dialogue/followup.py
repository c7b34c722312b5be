"""Follow-up questions, the youth's side: a staff member's reply to a card reaches the
youth ("The team asks: …") when they allowed it, and their next text goes back as a
reply to the card, anonymised, ending like the card with `#{submission id}` (so a reply
to it asks again). Neither side learns who the other is.

The staff group's side (which reply is a question, anonymising the staff member's names)
is the adapter's: bot/telegram/staff.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue import outgoing
from bot.dialogue.conversation import Conversation, Sender
from bot.dialogue.services import Services
from bot.dialogue.state import Followup
from bot.forwarding.cards import shorten
from bot.i18n import replies
from bot.privacy.anonymizer import anonymize
from storage import participants, sessions
from storage.outbox import Priority
from storage.models import Submission

ANSWER_MAX = 3500  # a follow-up answer stays one message, so its last line is always ours


async def ask_youth(
    services: Services,
    s: AsyncSession,
    sub: Submission,
    question: str,
    staff_chat: int,
    card_message_id: int,
    now: datetime,
) -> str:
    """The team's question (already anonymised) to the youth of a submission; the answer
    for the staff member who asked."""
    if not _allowed(sub):
        return "This youth did not allow follow-up questions."
    participant = await participants.by_pseudonym(s, sub.participant_pseudonym) if sub.participant_pseudonym else None
    chat_id = await participants.chat_id_of(s, participant.id) if participant else None
    if participant is None or chat_id is None or participant.stopped:
        return "This youth can no longer be reached."
    row = await sessions.active_for(s, participant.id)
    conv = Conversation.of_row(services, s, Sender(user_id=0, chat_id=chat_id), now, participant, row)
    await conv.say(replies.TEAM_ASKS, question=question)
    await conv.say(replies.TEAM_ASKS_HINT)
    if conv.session is not None:
        conv.front.followup = Followup(sub.id, staff_chat, card_message_id)
        await conv.close()
    return "Sent to the youth. Their answer will come as a reply to the card."


def _allowed(sub: Submission) -> bool:
    answers = sub.answers or {}
    value = answers.get("followup_ok")
    return value in (True, "yes", "ok", "allow")


async def followup_answer(conv: Conversation, text: str) -> bool:
    """If the team asked this youth something, send their text back to the card."""
    pending, conv.front.followup = conv.front.followup, None
    if pending is None:
        return False
    clean = shorten(anonymize(text, names=conv.sender.names), ANSWER_MAX)
    body = f"↩️ {conv.participant.pseudonym}:\n{clean}\n#{pending.submission}"
    for payload in outgoing.send_message(pending.chat, body):
        payload["reply_parameters"] = {"message_id": pending.card, "allow_sending_without_reply": True}
        await conv.call(
            "sendMessage", payload, chat_id=pending.chat, priority=Priority.STAFF, ref=f"followup:{pending.submission}"
        )
    await conv.say(replies.FOLLOWUP_SENT)
    return True
