""" "What happened to your idea": when staff change a submission's status, its author
hears of it in their language, with the staff member's short note if there is one.

The author is found through the submission's pseudonym only (staff never see who it
is, and are not told whether anyone was written to), and only written to when they said
yes to being contacted, gave consent and have not stopped or blocked the bot. A status
change without a note tells the author only when the idea was shortlisted; with a note,
any change does. The message is an outbox row in the transaction of the change, below
everything youth are waiting for. Both the dashboard and the staff group's buttons call
`tell_author` (they hand it their translator, which knows a one-question campaign's words,
and the flows they have).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue import outgoing
from bot.engine.texts_of import title_context
from bot.i18n import replies
from storage import outbox, participants
from storage.models import Submission
from storage.outbox import Priority

NOTE_MAX = 280  # a short note: one message, read at a glance
TELLS = {"shortlisted": replies.NEWS_SHORTLISTED, "reviewed": replies.NEWS_REVIEWED}


async def tell_author(
    s: AsyncSession,
    translator: Callable[[str], Any],
    flowset: Any,
    sub: Submission,
    status: str,
    note: str,
    now: datetime,
) -> bool:
    """Queue the news for the submission's author; False when nobody is told."""
    note = note.strip()[:NOTE_MAX]
    if not note and status != "shortlisted":
        return False
    p = await participants.by_pseudonym(s, sub.participant_pseudonym) if sub.participant_pseudonym else None
    if p is None or not (p.consent and p.contact) or p.stopped:
        return False
    chat_id = await participants.chat_id_of(s, p.id)
    if chat_id is None:
        return False
    tr = translator(p.language)
    flow = flowset.get(sub.flow_id) if flowset is not None else None
    about = tr.gettext(flow.title, title_context(flow.id)) if flow else sub.flow_id
    lines = [tr.format(TELLS.get(status, replies.NEWS_CHANGED), flow=about)]
    if note:
        lines.append(tr.format(replies.NEWS_NOTE, note=note))
    for payload in outgoing.send_message(chat_id, "\n\n".join(lines)):
        await outbox.enqueue(
            s, chat_id=chat_id, method="sendMessage", payload=payload, priority=Priority.BACKGROUND, now=now
        )
    return True
