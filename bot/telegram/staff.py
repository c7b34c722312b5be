"""The staff side in Telegram.

- Card buttons in the staff group change a submission's status; the card is redrawn
  showing who changed it (their first name). Only members of the chat may press them:
  Telegram lets anyone who can see a message press its buttons, and in a public group
  that is anyone, so each press is checked with getChatMember, outside any database
  transaction. A button only acts on its own card: a press whose data names another
  submission than the card it was pressed on is refused.
- A staff member's reply to a card is a follow-up question: it reaches the youth
  ("The team asks: …") when they allowed it, and their next text goes back as a
  reply to the card, anonymised, ending like the card with `#{submission id}` (so a
  reply to it asks again). Neither side learns who the other is: the question loses
  the staff member's names, the answer the youth's.
- `/tr <text>` as a reply to a card stores a person's translation (staff_translate.py).
- `/flows` in the staff group lists the flows with their versions; an administrator
  sending a `.yaml` file replaces a flow (flow_upload.py).
- Any other group is told the bot works in private chats only, and left.

The youth's side of a follow-up and their `/mydata` and `/delete` are dialogue's
(bot/dialogue/followup.py, own_data.py).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, Message

from bot.i18n import texts
from bot.forwarding.cards import CLAIM, HAND_OFF, card_buttons, card_text, parse_card_data
from bot.privacy.anonymizer import anonymize
from bot.dialogue.services import Services
from bot.telegram import chat_members, flow_upload, press_answers
from bot.dialogue import hand_off, outgoing
from bot.dialogue.followup import ask_youth
from bot.dialogue.idea_news import tell_author
from bot.dialogue.translations import card_block_of, known_title
from bot.telegram.staff_translate import on_tr
from bot.telegram.press_answers import Answer
from storage import inbox, outbox, submissions
from storage.outbox import Priority
from storage.models import Submission

log = logging.getLogger(__name__)

CARD_ID = re.compile(r"\n#(\d+)\s*$")  # the last line of a card (and of a follow-up answer)
COMMAND = re.compile(r"/(\w+)(?:@\w+)?(?:\s|$)")
ID_MAX = (1 << 63) - 1  # the largest id a BIGINT holds
OUT_OF_DATE = "This card is out of date."
NOT_THIS_CARD = "This button does not belong to this card."
NOT_A_MEMBER = "Only members of the team's group can review submissions."
COULD_NOT_CHECK = "I could not check that you are in this group. Please try again."
PRESS_AGAIN = "Please press the button again."
DONE_NOTED = "Marked done."


class _Later(Enum):
    """LATER's type: an Enum of one member, so the type checker can tell it from a notice."""

    LATER = "later"


LATER = _Later.LATER  # a press answered by its second step


def is_staff_chat(services: Services, chat_id: int) -> bool:
    s = services.settings
    return chat_id in {c for c in (s.staff_chat_id, s.safeguarding_chat_id) if c is not None}


async def _enqueue(s: AsyncSession, chat_id: int, method: str, payload: dict[str, Any], now: datetime) -> None:
    await outbox.enqueue(s, chat_id=chat_id, method=method, payload=payload, priority=Priority.STAFF, now=now)


async def leave_group(services: Services, s: AsyncSession, chat_id: int, now: datetime) -> None:
    text = services.translator(None).gettext(texts.PRIVATE_ONLY)
    for payload in outgoing.send_message(chat_id, text):
        await _enqueue(s, chat_id, "sendMessage", payload, now)
    await _enqueue(s, chat_id, "leaveChat", {"chat_id": chat_id}, now)


# -- card buttons ----------------------------------------------------------------------
async def on_press(services: Services, s: AsyncSession, cq: CallbackQuery, message: Message, now: datetime) -> None:
    """A press on a card in the staff group, in two steps when membership must be asked:
    this transaction only arranges for getChatMember after its commit, and the press is
    stored again with the answer (a negative update id: it is handled next, in order with
    the group's updates) to be applied in a transaction of its own."""
    notice = await _press(services, s, cq, message, now)
    if notice is not LATER:
        press_answers.after_commit(s, cq.id, notice)


async def _press(
    services: Services, s: AsyncSession, cq: CallbackQuery, message: Message, now: datetime
) -> str | _Later | None:
    """None when the press changed the card, else a notice for the presser (or LATER)."""
    data = cq.data or ""
    parsed = parse_card_data(data) if is_staff_chat(services, message.chat.id) else None
    if parsed is None:
        return OUT_OF_DATE
    if not _card_has_button(message, parsed[0], data):
        return NOT_THIS_CARD
    status = chat_members.verdict_of(services.pseudonym_key, cq, message.chat.id)
    if status is None:
        press_answers.then_run(s, functools.partial(_ask_membership, services, cq, message.chat.id))
        return LATER
    if status not in chat_members.MEMBERS:
        return NOT_A_MEMBER
    sub = await _submission(s, parsed[0])
    if sub is None:
        return OUT_OF_DATE
    by = (cq.from_user.first_name or "staff")[:64]  # a label for the card, never the id
    title = await _title(services, s, sub)  # its flow known first (the author's news names it too)
    if parsed[1] in HAND_OFF:
        if parsed[1] == CLAIM:
            notice = await hand_off.take(s, sub.id, by, now, services.metrics)
        else:
            notice = await hand_off.finish(s, sub.id, by, None, now)
        if notice is not None:
            return notice
        await s.refresh(sub)
    else:
        await submissions.set_status(s, sub, parsed[1], by=by, now=now)
        await tell_author(s, services.translator, services.flowset, sub, parsed[1], "", now)
    text = card_text(sub, title, await card_block_of(s, sub.id))
    await _enqueue(
        s,
        message.chat.id,
        "editMessageText",
        outgoing.edit_text(message.chat.id, message.message_id, text, card_buttons(sub)),
        now,
    )
    return None


async def _title(services: Services, s: AsyncSession, sub: Submission) -> str:
    return await known_title(s, services.campaign_flows, services.file_flowset, sub.flow_id)


def _card_has_button(message: Message, submission_id: int, data: str) -> bool:
    """The button pressed is one of this message's own, and the message is the card of
    this submission (its last line, `#id`, is ours). Telegram lets a client send any
    data for a press, but the message in the press is Telegram's copy of what we sent."""
    found = CARD_ID.search(message.text or "")
    markup = message.reply_markup
    buttons = {b.callback_data for row in (markup.inline_keyboard if markup else ()) for b in row}
    return found is not None and int(found.group(1)) == submission_id and data in buttons


async def _ask_membership(services: Services, cq: CallbackQuery, chat_id: int, bot: Any) -> Answer | None:
    """After the first step's commit: getChatMember, then the press stored again with the
    signed answer for its second step; or an answer to the press saying why not."""
    status = await chat_members.status_of(bot, chat_id, cq.from_user.id)
    if status is None:
        return cq.id, COULD_NOT_CHECK
    query = {
        **cq.to_dict(),
        chat_members.VERDICT: chat_members.signed_verdict(
            services.pseudonym_key, cq.id, chat_id, cq.from_user.id, status
        ),
    }
    update_id = _second_step_id(cq.id)
    try:
        async with services.sessionmaker() as s, s.begin():
            stored = await inbox.add_update(s, update_id, chat_id, {"update_id": update_id, "callback_query": query})
    except Exception as exc:  # the database is away: the presser is asked to press again
        log.warning("a checked press was not stored (%s)", type(exc).__name__)
        stored = False
    if not stored:
        return cq.id, PRESS_AGAIN
    worker = services.runtime.worker
    if worker is not None:
        worker.poke()
    return None


def _second_step_id(query_id: str) -> int:
    """A negative update id for a press's second step, from -1 to -(2**31 - 1): apart from
    Telegram's (positive) and the scheduler's ticks (-2**32 and below)."""
    digest = hashlib.blake2b(f"press:{query_id}".encode(), digest_size=8).digest()
    return -(1 + int.from_bytes(digest, "big") % (2**31 - 1))


async def _submission(s: AsyncSession, submission_id: int) -> Submission | None:
    """The submission, or None (also for ids no database column can hold)."""
    return await submissions.get(s, submission_id) if 0 < submission_id <= ID_MAX else None


# -- staff messages: follow-up questions and /flows -------------------------------------
async def on_message(services: Services, s: AsyncSession, msg: Message, now: datetime) -> None:
    text = msg.text or ""
    if flow_upload.is_flow_file(msg):
        await _answer(s, msg, await flow_upload.handle(services, s, msg, now), now)
        return
    if _command(text) == "flows":
        lines = [f"{f.id} — {f.title} — version {f.version}" for f in sorted(services.file_flowset, key=lambda f: f.id)]
        await _answer(s, msg, "\n".join(lines) or "No flows.", now)
        return
    reply_to = msg.reply_to_message
    if not text or reply_to is None or not _from_this_bot(services, reply_to):
        return
    found = CARD_ID.search(reply_to.text or "")
    sub = await _submission(s, int(found.group(1))) if found else None
    if sub is None:
        return
    by = (msg.from_user.first_name if msg.from_user else None) or "staff"
    if _command(text) == "tr":
        await _answer(s, msg, await on_tr(services, s, sub, text, by, now), now)
        return
    if _command(text) == "done":  # `/done <optional note>` as a reply to an urgent card
        note = text.split(None, 1)[1].strip() if len(text.split(None, 1)) > 1 else None
        notice = await hand_off.finish(s, sub.id, by[:64], note, now)
        if notice is None:
            await s.refresh(sub)
            await hand_off.redraw(s, sub, await _title(services, s, sub), now)
        await _answer(s, msg, notice or DONE_NOTED, now)
        return
    staff_names = (
        tuple(n for n in (msg.from_user.first_name, msg.from_user.last_name, msg.from_user.username) if n)
        if msg.from_user
        else ()
    )
    question = anonymize(text, names=staff_names)  # the youth does not learn who asks
    answer = await ask_youth(services, s, sub, question, msg.chat.id, reply_to.message_id, now)
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
    bot = services.runtime.bot
    if sender is None or not sender.is_bot:
        return False
    return bot is None or sender.id == bot.id
