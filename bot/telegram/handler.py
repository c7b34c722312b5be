"""Handling one inbox row: parse the Telegram update and route it.

Private chats are conversations with a youth (commands, text, button presses,
media); the staff group gets card buttons and replies; any other group is told the
bot works in private chats only, and left. Everything is written through the
transaction the worker opened for this row.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, ChatMemberUpdated, Message, Update

from bot import engine
from bot.i18n import texts
from bot.dialogue.services import Services
from bot.dialogue import campaign, outgoing, youth
from bot.telegram import press_answers, staff
from bot.dialogue.conversation import Conversation, Sender
from storage import outbox
from storage.outbox import Priority

log = logging.getLogger(__name__)

MEDIA = (
    "voice",
    "audio",
    "photo",
    "video",
    "video_note",
    "sticker",
    "document",
    "animation",
    "location",
    "contact",
    "venue",
    "poll",
    "dice",
)


def _now() -> datetime:
    return datetime.now(UTC)


def _sender(user: Any, chat_id: int) -> Sender:
    names = tuple(n for n in (user.first_name, user.last_name, user.username) if n)
    return Sender(user_id=user.id, chat_id=chat_id, language_code=user.language_code, names=names)


class UpdateHandler:
    def __init__(self, services: Services, bot: Any = None) -> None:
        self.services = services
        self.bot = bot

    async def __call__(self, s: AsyncSession, row: Any) -> None:
        payload = row.payload or {}
        if "_tick" in payload:
            await self._tick(s, payload["_tick"], row.chat_key)
            return
        if "_campaign" in payload:
            await campaign.take_turn(self.services, s, int(payload["_campaign"]["recipient"]), row.chat_key, _now())
            return
        update = Update.de_json(payload, self.bot)  # raises on what PTB cannot parse
        now = _now()
        kind = "other"
        if update.callback_query is not None:
            kind = "callback"
            await self._callback(s, update.callback_query, now)
        elif update.message is not None:
            kind = "message"
            await self._message(s, update.message, now)
        elif update.my_chat_member is not None:
            kind = "membership"
            await self._membership(s, update.my_chat_member, now)
        # edited messages, channel posts, reactions, …: nothing to do, nothing stored
        self.services.metrics.updates.labels(kind=kind).inc()
        if row.received_at is not None:
            self.services.metrics.latency.observe(max(0.0, (_now() - row.received_at).total_seconds()))

    async def on_failed(self, s: AsyncSession, row: Any) -> None:
        """An update we could not handle (counted): in a private chat, still a kind answer."""
        self.services.metrics.update_errors.inc()
        chat_id = row.chat_key
        if chat_id <= 0 or not isinstance(row.update_id, int) or row.update_id < 0:
            return  # groups, updates without a chat, and our own tick rows get none
        from storage import participants

        p = await participants.by_chat_id(s, chat_id)
        tr = self.services.translator(p.language if p else None)
        for payload in outgoing.send_message(chat_id, tr.gettext(texts.PLEASE_USE_TEXT)):
            await outbox.enqueue(s, chat_id=chat_id, method="sendMessage", payload=payload, now=_now())

    # -- messages -------------------------------------------------------------------
    async def _message(self, s: AsyncSession, msg: Message, now: datetime) -> None:
        chat = msg.chat
        if chat.type != "private":
            if staff.is_staff_chat(self.services, chat.id):
                await staff.on_message(self.services, s, msg, now)
            elif msg.from_user is not None and not msg.from_user.is_bot:
                await staff.leave_group(self.services, s, chat.id, now)
            return
        if msg.from_user is None:
            return
        conv = await Conversation.open(self.services, s, _sender(msg.from_user, chat.id), now)
        text = msg.text
        if text is None:
            if any(getattr(msg, kind, None) for kind in MEDIA) or msg.caption is not None:
                await youth.not_text(conv)
        elif text.startswith("/"):
            await youth.command(conv, text)
        else:
            await youth.text(conv, text)
        await conv.close()

    # -- button presses ---------------------------------------------------------------
    async def _callback(self, s: AsyncSession, cq: CallbackQuery, now: datetime) -> None:
        data = cq.data or ""
        message = cq.message if isinstance(cq.message, Message) else None
        if message is not None and message.chat.type != "private":
            await staff.on_press(self.services, s, cq, message, now)
            return
        conv = await Conversation.open(self.services, s, _sender(cq.from_user, cq.from_user.id), now)
        if data in youth.OWN_BUTTONS:
            await self._edit_chosen(conv, message, data)  # first: the answer, then what it does
        pressed = await youth.press(conv, data)
        if pressed.redrawn and message is not None:
            for out in pressed.redrawn:  # a multiple-choice toggle: the same question, redrawn
                await conv.call(
                    "editMessageText",
                    outgoing.edit_text(message.chat.id, message.message_id, out.text, out.buttons),
                    ref=outbox.edit_ref(message.message_id),
                )
        elif pressed.chosen:
            await self._edit_chosen(conv, message, data)  # so no old keyboard stays live
        press_answers.after_commit(s, cq.id, pressed.notice)
        await conv.close()

    async def _edit_chosen(self, conv: Conversation, message: Message | None, data: str) -> None:
        if message is None or not message.text:
            return
        label = _label_of(message, data)
        text = message.text + (f"\n\n→ {label}" if label else "")
        # an edit of its own lane: after every youth's next question, coalesced per message
        edit = outgoing.edit_text(message.chat.id, message.message_id, text)
        await conv.call("editMessageText", edit, ref=outbox.edit_ref(message.message_id))

    # -- membership and ticks --------------------------------------------------------------
    async def _membership(self, s: AsyncSession, change: ChatMemberUpdated, now: datetime) -> None:
        chat = change.chat
        status = change.new_chat_member.status
        if chat.type == "private":
            if status in ("kicked", "left"):
                from storage import participants

                await participants.mark_stopped(s, chat.id)
        elif status in ("member", "administrator") and not staff.is_staff_chat(self.services, chat.id):
            await staff.leave_group(self.services, s, chat.id, now)

    async def _tick(self, s: AsyncSession, tick: dict[str, Any], chat_id: int) -> None:
        from storage import participants, sessions

        row = await sessions.get(s, tick.get("session"))
        if row is None or row.status != "active":
            return
        p = await participants.get(s, row.participant_id)
        if p is None or p.stopped:
            return
        conv = Conversation.of_row(
            self.services, s, Sender(user_id=0, chat_id=chat_id), _now(), p, row, priority=Priority.BACKGROUND
        )
        session = conv.session or engine.Session()
        abandoned = self.services.settings.forward_abandoned
        await conv.run(lambda fs: engine.tick(fs, session, now=conv.now, forward_abandoned=abandoned))
        await conv.close()


def _label_of(message: Message, data: str) -> str | None:
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if button.callback_data == data:
                return button.text
    return None
