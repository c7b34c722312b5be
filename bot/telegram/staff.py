"""The staff side in Telegram, and the youth's own data commands.

- Card buttons in the staff group change a submission's status; the card is redrawn
  showing who changed it.
- A staff member's reply to a card is a follow-up question: it reaches the youth
  ("The team asks: …") when they allowed it, and their next text goes back as a
  reply to the card, anonymised. Neither side learns who the other is.
- `/flows` in the staff group lists the flows with their versions.
- Any other group is told the bot works in private chats only, and left.
- `/mydata` and `/delete` for the youth.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, Message

from bot import replies, texts
from bot.forwarding.cards import card_buttons, card_text, parse_card_data
from bot.privacy.anonymizer import anonymize
from bot.services import Services
from bot.telegram import outgoing
from storage import outbox, participants
from storage.models import Participant, Submission

if TYPE_CHECKING:
    from bot.telegram.conversation import Conversation

CARD_ID = re.compile(r"#(\d+)\s*$")
FOLLOWUP_KEY = "followup"


def is_staff_chat(services: Services, chat_id: int) -> bool:
    s = services.settings
    return chat_id in {c for c in (s.staff_chat_id, s.safeguarding_chat_id) if c is not None}


async def _enqueue(s: AsyncSession, chat_id: int, method: str, payload: dict[str, Any], now: datetime,
                   priority: int = 1) -> None:
    await outbox.enqueue(s, chat_id=chat_id, method=method, payload=payload, priority=priority, now=now)


async def leave_group(services: Services, s: AsyncSession, chat_id: int, now: datetime) -> None:
    text = services.translator(None).gettext(texts.PRIVATE_ONLY)
    for payload in outgoing.send_message(chat_id, text):
        await _enqueue(s, chat_id, "sendMessage", payload, now)
    await _enqueue(s, chat_id, "leaveChat", {"chat_id": chat_id}, now)


# -- card buttons ----------------------------------------------------------------------
async def on_press(services: Services, s: AsyncSession, cq: CallbackQuery, message: Message,
                   now: datetime) -> None:
    notice = None
    parsed = parse_card_data(cq.data or "") if is_staff_chat(services, message.chat.id) else None
    sub = await s.get(Submission, parsed[0]) if parsed else None
    if sub is None:
        notice = "This card is out of date."
    else:
        sub.status = parsed[1]
        sub.status_by = (cq.from_user.first_name or "staff")[:64]
        sub.updated_at = now
        flow = services.flowset.get(sub.flow_id)
        await _enqueue(s, message.chat.id, "editMessageText", outgoing.edit_text(
            message.chat.id, message.message_id, card_text(sub, flow.title if flow else sub.flow_id),
            card_buttons(sub)), now)
    await _enqueue(s, message.chat.id, "answerCallbackQuery", outgoing.answer_callback(cq.id, notice), now, 0)


# -- staff messages: follow-up questions and /flows -------------------------------------
async def on_message(services: Services, s: AsyncSession, msg: Message, now: datetime) -> None:
    text = msg.text or ""
    if text.startswith("/flows"):
        lines = [f"{f.id} — {f.title} — version {f.version}" for f in services.flowset]
        for payload in outgoing.send_message(msg.chat.id, "\n".join(lines) or "No flows."):
            await _enqueue(s, msg.chat.id, "sendMessage", payload, now)
        return
    reply_to = msg.reply_to_message
    if not text or reply_to is None or not reply_to.from_user or not reply_to.from_user.is_bot:
        return
    found = CARD_ID.search(reply_to.text or "")
    sub = await s.get(Submission, int(found.group(1))) if found else None
    if sub is None:
        return
    answer = await _ask_youth(services, s, sub, text, msg.chat.id, reply_to.message_id, now)
    for payload in outgoing.send_message(msg.chat.id, answer):
        payload["reply_parameters"] = {"message_id": msg.message_id, "allow_sending_without_reply": True}
        await _enqueue(s, msg.chat.id, "sendMessage", payload, now)


async def _ask_youth(services: Services, s: AsyncSession, sub: Submission, question: str,
                     staff_chat: int, card_message_id: int, now: datetime) -> str:
    from bot.telegram.conversation import Conversation, Sender
    from storage import sessions

    if not _allowed(sub):
        return "This youth did not allow follow-up questions."
    participant = await s.scalar(
        select(Participant).where(Participant.pseudonym == sub.participant_pseudonym)
    ) if sub.participant_pseudonym else None
    chat_id = await participants.chat_id_of(s, participant.id) if participant else None
    if participant is None or chat_id is None or participant.stopped:
        return "This youth can no longer be reached."
    row = await sessions.active_for(s, participant.id)
    conv = Conversation(services, s, Sender(user_id=0, chat_id=chat_id), now, participant,
                        dict(row.state) if row else None)
    await conv.say(replies.TEAM_ASKS, question=anonymize(question))
    await conv.say(replies.TEAM_ASKS_HINT)
    if conv.state is not None:
        conv.state[FOLLOWUP_KEY] = {"submission": sub.id, "chat": staff_chat, "card": card_message_id}
        await conv.close()
    return "Sent to the youth. Their answer will come as a reply to the card."


def _allowed(sub: Submission) -> bool:
    answers = sub.answers or {}
    value = answers.get("followup_ok")
    return value in (True, "yes", "ok", "allow")


async def followup_answer(conv: Conversation, text: str) -> bool:
    """If the team asked this youth something, send their text back to the card."""
    pending = (conv.state or {}).pop(FOLLOWUP_KEY, None)
    if not pending:
        return False
    clean = anonymize(text, names=conv.sender.names)
    body = f"↩️ {conv.participant.pseudonym}:\n{clean}"
    for payload in outgoing.send_message(pending["chat"], body):
        payload["reply_parameters"] = {"message_id": pending["card"], "allow_sending_without_reply": True}
        await conv.call("sendMessage", payload, chat_id=pending["chat"], priority=1)
    await conv.say(replies.FOLLOWUP_SENT)
    return True


# -- the youth's own data -----------------------------------------------------------------
async def send_mydata(conv: Conversation) -> None:
    data = await participants.export_data(conv.s, conv.participant.id)
    tr = conv.tr
    p = data.get("participant", {})
    lines = [tr.gettext(replies.MYDATA_HEADER), ""]
    lines.append(tr.format(replies.MYDATA_LANGUAGE, language=p.get("language") or "—"))
    if p.get("age_band"):
        lines.append(tr.format(replies.MYDATA_AGE, age_band=p["age_band"]))
    if p.get("consent_at"):
        lines.append(tr.format(replies.MYDATA_CONSENT, when=p["consent_at"][:10]))
    shown = [a for a in data.get("answers", []) if a.get("value") is not None]
    for a in shown:
        value = a["value"] if not isinstance(a["value"], list) else ", ".join(map(str, a["value"]))
        lines.append(tr.format(replies.MYDATA_ANSWER, question=a.get("name", ""), answer=value))
    if not shown and not p:
        lines = [tr.gettext(replies.MYDATA_NOTHING)]
    lines += ["", tr.gettext(replies.MYDATA_FOOTER)]
    await conv.send("\n".join(lines))


async def erase(conv: Conversation) -> None:
    """Confirmed /delete: say goodbye first (the reply needs the chat id), then erase."""
    await conv.say(replies.DELETED)
    await participants.erase(conv.s, conv.participant.id,
                             delete_submissions=conv.services.settings.erase_submissions)
    conv.state = None
