"""A youth who presses "I want to talk to someone now" after the crisis answer raises
their urgent card: the submission records it, the card (once sent) is redrawn with a
raised head, and the chat it went to gets a short alert ending `#id` (an edit alone
notifies nobody). Without a recent urgent card, the press makes one (bot.dialogue.crisis)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.forwarding import topics
from bot.dialogue import outgoing
from bot.dialogue.translations import card_block_of, title_of
from bot.forwarding.cards import RAISED, card_buttons, card_text
from storage import submissions, translations
from storage.outbox import Priority

if TYPE_CHECKING:
    from bot.dialogue.conversation import Conversation

RAISE_WITHIN = timedelta(hours=24)  # a crisis card older than this is not raised: a new one is made
ASKED_NOW = "to talk to someone now"


async def raise_recent(conv: Conversation) -> bool:
    """Raise the youth's recent urgent card; False when there is none to raise."""
    sub = await submissions.latest_urgent(conv.s, conv.participant.pseudonym, conv.now - RAISE_WITHIN)
    if sub is None:
        return False
    if await submissions.mark_asked(conv.s, sub, ASKED_NOW, conv.now):
        await _redraw(conv, sub)
    return True


async def _redraw(conv: Conversation, sub: Any) -> None:
    settings = conv.services.settings
    state, chat_id, message_id = await translations.card_message(conv.s, sub.id)
    chat = chat_id if chat_id is not None else settings.safeguarding_chat_id or settings.staff_chat_id
    if chat is None:
        return
    ref = f"raised:{sub.id}"
    if state == "sent" and message_id is not None:
        text = card_text(sub, title_of(conv.services.flowset, sub.flow_id), await card_block_of(conv.s, sub.id))
        edit = outgoing.edit_text(chat, message_id, text, card_buttons(sub))
        await conv.call("editMessageText", edit, chat_id=chat, priority=Priority.STAFF, ref=ref)
    for payload in outgoing.send_message(chat, f"{RAISED}\n#{sub.id}", protect=True):
        topics.mark(payload, topics.URGENT)
        await conv.call("sendMessage", payload, chat_id=chat, priority=Priority.STAFF, ref=ref)
