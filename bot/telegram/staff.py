"""The staff side in Telegram, and the youth's own data commands.

- Card buttons in the staff group change a submission's status; the card is redrawn
  showing who changed it (their first name). Only members of the chat may press them:
  Telegram lets anyone who can see a message press its buttons, and in a public group
  that is anyone, so each press is checked with getChatMember.
- A staff member's reply to a card is a follow-up question: it reaches the youth
  ("The team asks: …") when they allowed it, and their next text goes back as a
  reply to the card, anonymised, ending like the card with `#{submission id}` (so a
  reply to it asks again). Neither side learns who the other is: the question loses
  the staff member's names, the answer the youth's.
- `/flows` in the staff group lists the flows with their versions; an administrator
  sending a `.yaml` file replaces a flow (flow_upload.py).
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
from bot.forwarding.cards import card_buttons, card_text, parse_card_data, shorten
from bot.privacy.anonymizer import anonymize
from bot.services import Services
from bot.telegram import chat_members, flow_upload, outgoing, press_answers
from storage import outbox, participants
from storage.models import Participant, Submission

if TYPE_CHECKING:
    from bot.telegram.conversation import Conversation

CARD_ID = re.compile(r"\n#(\d+)\s*$")  # the last line of a card (and of a follow-up answer)
COMMAND = re.compile(r"/(\w+)(?:@\w+)?(?:\s|$)")
ANSWER_MAX = 3500  # a follow-up answer stays one message, so its last line is always ours
FOLLOWUP_KEY = "followup"


def is_staff_chat(services: Services, chat_id: int) -> bool:
    s = services.settings
    return chat_id in {c for c in (s.staff_chat_id, s.safeguarding_chat_id) if c is not None}


async def _enqueue(s: AsyncSession, chat_id: int, method: str, payload: dict[str, Any], now: datetime) -> None:
    await outbox.enqueue(s, chat_id=chat_id, method=method, payload=payload, priority=1, now=now)


async def leave_group(services: Services, s: AsyncSession, chat_id: int, now: datetime) -> None:
    text = services.translator(None).gettext(texts.PRIVATE_ONLY)
    for payload in outgoing.send_message(chat_id, text):
        await _enqueue(s, chat_id, "sendMessage", payload, now)
    await _enqueue(s, chat_id, "leaveChat", {"chat_id": chat_id}, now)


# -- card buttons ----------------------------------------------------------------------
async def on_press(services: Services, s: AsyncSession, cq: CallbackQuery, message: Message,
                   now: datetime) -> None:
    parsed = parse_card_data(cq.data or "") if is_staff_chat(services, message.chat.id) else None
    sub = await s.get(Submission, parsed[0]) if parsed else None
    if sub is None:
        notice: str | None = "This card is out of date."
    else:
        notice = await _may_review(services, message.chat.id, cq.from_user.id)
    if sub is not None and notice is None:
        sub.status = parsed[1]
        sub.status_by = (cq.from_user.first_name or "staff")[:64]
        sub.updated_at = now
        flow = services.flowset.get(sub.flow_id)
        await _enqueue(s, message.chat.id, "editMessageText", outgoing.edit_text(
            message.chat.id, message.message_id, card_text(sub, flow.title if flow else sub.flow_id),
            card_buttons(sub)), now)
    press_answers.after_commit(s, cq.id, notice)


async def _may_review(services: Services, chat_id: int, user_id: int) -> str | None:
    """None when the presser is a member of the chat, else why they may not."""
    member = await chat_members.is_member(services.extra.get("bot"), chat_id, user_id)
    if member is None:
        return "I could not check that you are in this group. Please try again."
    return None if member else "Only members of the team's group can review submissions."


# -- staff messages: follow-up questions and /flows -------------------------------------
async def on_message(services: Services, s: AsyncSession, msg: Message, now: datetime) -> None:
    text = msg.text or ""
    if flow_upload.is_flow_file(msg):
        await _answer(s, msg, await flow_upload.handle(services, s, msg, now), now)
        return
    if _command(text) == "flows":
        lines = [f"{f.id} — {f.title} — version {f.version}"
                 for f in sorted(services.flowset, key=lambda f: f.id)]
        await _answer(s, msg, "\n".join(lines) or "No flows.", now)
        return
    reply_to = msg.reply_to_message
    if not text or reply_to is None or not _from_this_bot(services, reply_to):
        return
    found = CARD_ID.search(reply_to.text or "")
    sub = await s.get(Submission, int(found.group(1))) if found else None
    if sub is None:
        return
    staff_names = tuple(n for n in (msg.from_user.first_name, msg.from_user.last_name,
                                    msg.from_user.username) if n) if msg.from_user else ()
    question = anonymize(text, names=staff_names)  # the youth does not learn who asks
    answer = await _ask_youth(services, s, sub, question, msg.chat.id, reply_to.message_id, now)
    await _answer(s, msg, answer, now)


async def _answer(s: AsyncSession, msg: Message, text: str, now: datetime) -> None:
    """Reply to a staff member's message in their chat."""
    for payload in outgoing.send_message(msg.chat.id, text):
        payload["reply_parameters"] = {"message_id": msg.message_id, "allow_sending_without_reply": True}
        await _enqueue(s, msg.chat.id, "sendMessage", payload, now)


def _command(text: str) -> str | None:
    """`/flows@SammanBot args` -> "flows"; None when the text is not a command."""
    found = COMMAND.match(text)
    return found.group(1).lower() if found else None


def _from_this_bot(services: Services, message: Message) -> bool:
    sender = message.from_user
    bot = services.extra.get("bot")
    if sender is None or not sender.is_bot:
        return False
    return bot is None or sender.id == bot.id


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
    await conv.say(replies.TEAM_ASKS, question=question)
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
    clean = shorten(anonymize(text, names=conv.sender.names), ANSWER_MAX)
    body = f"↩️ {conv.participant.pseudonym}:\n{clean}\n#{pending['submission']}"
    for payload in outgoing.send_message(pending["chat"], body):
        payload["reply_parameters"] = {"message_id": pending["card"], "allow_sending_without_reply": True}
        await conv.call("sendMessage", payload, chat_id=pending["chat"], priority=1,
                        ref=f"followup:{pending['submission']}")
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
