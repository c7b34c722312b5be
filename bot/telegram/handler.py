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
from telegram import CallbackQuery, Message, Update

from bot import engine, replies, texts
from bot.engine import events as ev
from bot.engine.inputs import parse_callback
from bot.services import Services
from bot.telegram import outgoing, press_answers, safeguarding, staff
from bot.telegram.conversation import BACKGROUND, THEN, Conversation, Sender
from storage import outbox

log = logging.getLogger(__name__)

MEDIA = ("voice", "audio", "photo", "video", "video_note", "sticker", "document", "animation",
         "location", "contact", "venue", "poll", "dice")
COMMANDS = ("start", "menu", "language", "help", "stop", "delete", "mydata")


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
            await self._membership(s, update, now)
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
                await conv.say(texts.PLEASE_USE_TEXT)  # and nothing of it is kept
            await conv.close()
            return
        if text.startswith("/"):
            await self._command(conv, text)
        else:
            await self._text(conv, text)
        await conv.close()

    async def _command(self, conv: Conversation, text: str) -> None:
        word, _, arg = text[1:].partition(" ")
        name = word.split("@", 1)[0].lower()
        arg = arg.strip()
        if name == "start":
            await self._start(conv, arg)
        elif name == "menu":
            await conv.resume(engine.Command("menu"))
        elif name == "language":
            await conv.resume(engine.Command("language"))
        elif name == "help":
            await conv.say(replies.HELP_INTRO)
            await safeguarding.send_help(conv)
        elif name == "stop":
            conv.participant.stopped = True
            await conv.say(replies.STOPPED)
        elif name == "delete":
            await conv.say(replies.DELETE_CONFIRM, [[
                (conv.tr.gettext(replies.DELETE_YES), "d:y"),
                (conv.tr.gettext(replies.DELETE_NO), "d:n"),
            ]])
        elif name == "mydata":
            await staff.send_mydata(conv)
        elif name in ("back", "skip", "restart") and conv.active:
            await conv.resume(engine.Command(name))
        else:
            await conv.say(texts.UNKNOWN_COMMAND)

    async def _start(self, conv: Conversation, payload: str) -> None:
        fs = self.services.flowset
        trigger = fs.trigger(payload) if payload else None
        if trigger and not conv.participant.source:
            conv.participant.source = trigger[1]
        if trigger and conv.participant.consent:
            await conv.start(trigger[0], trigger[1])
        elif conv.mid_flow and conv.state.get("flow") != fs.onboarding_id and not payload:
            await conv.say(texts.RESUME_OR_RESTART, [[
                (conv.tr.gettext(texts.CONTINUE), "r:c"),
                (conv.tr.gettext(texts.START_OVER), "r:s"),
            ]])
        else:
            await conv.start_default(trigger[1] if trigger else None)
            if trigger and conv.state is not None and conv.state.get("status") == "active":
                conv.state[THEN] = trigger[0]  # after onboarding (and consent), this flow

    async def _text(self, conv: Conversation, text: str) -> None:
        lexicon = self.services.lexicon
        if lexicon is not None and lexicon.is_safe_word(text, self.services.settings.safe_word):
            await safeguarding.send_help(conv)
            return
        match = lexicon.match(text) if lexicon is not None else None
        if match is not None:
            await safeguarding.alert(conv, match)
        if await staff.followup_answer(conv, text):
            return
        await conv.resume(engine.Text(text))

    # -- button presses ---------------------------------------------------------------
    async def _callback(self, s: AsyncSession, cq: CallbackQuery, now: datetime) -> None:
        data = cq.data or ""
        message = cq.message if isinstance(cq.message, Message) else None
        if message is not None and message.chat.type != "private":
            await staff.on_press(self.services, s, cq, message, now)
            return
        conv = await Conversation.open(self.services, s, _sender(cq.from_user, cq.from_user.id), now)
        notice: str | None = None
        if data in ("r:c", "r:s"):
            await self._edit_chosen(conv, message, data)
            if conv.mid_flow:
                await (conv.repeat() if data == "r:c" else conv.resume(engine.Command("restart")))
            else:
                await conv.start_default()
        elif data in ("d:y", "d:n"):
            await self._edit_chosen(conv, message, data)
            press_answers.after_commit(s, cq.id)
            if data == "d:y":
                await staff.erase(conv)
                return
            await conv.say(replies.DELETE_KEPT)
            await conv.close()
            return
        elif data == "h:p":
            await safeguarding.talk_to_person(conv)
            await self._edit_chosen(conv, message, data)
        else:
            press = parse_callback(data)
            if press is None or not conv.active:
                notice = conv.tr.gettext(texts.STALE)
            else:
                await conv.resume(press)
                stale = any(isinstance(e, ev.Stale) for e in conv.events)
                if stale:
                    notice = conv.tr.gettext(texts.STALE)
                else:
                    await self._after_press(conv, message, data)
        press_answers.after_commit(s, cq.id, notice)
        await conv.close()

    async def _after_press(self, conv: Conversation, message: Message | None, data: str) -> None:
        """Show the chosen answer on the question, so no old keyboard stays live."""
        if message is None:
            return
        updated = [e for e in conv.events if isinstance(e, ev.Ask) and e.update]
        if updated:
            # a multiple-choice toggle: redraw the same question's buttons in place
            from bot.render import render

            for out in render(updated, conv.tr):
                await conv.call("editMessageText", outgoing.edit_text(
                    message.chat.id, message.message_id, out.text, out.buttons))
            return
        await self._edit_chosen(conv, message, data)

    async def _edit_chosen(self, conv: Conversation, message: Message | None, data: str) -> None:
        if message is None or not message.text:
            return
        label = _label_of(message, data)
        text = message.text + (f"\n\n→ {label}" if label else "")
        await conv.call("editMessageText", outgoing.edit_text(message.chat.id, message.message_id, text))

    # -- membership and ticks --------------------------------------------------------------
    async def _membership(self, s: AsyncSession, update: Update, now: datetime) -> None:
        change = update.my_chat_member
        chat = change.chat
        status = change.new_chat_member.status
        if chat.type == "private":
            if status in ("kicked", "left"):
                from storage import participants

                await participants.mark_stopped(s, chat.id)
        elif status in ("member", "administrator") and not staff.is_staff_chat(self.services, chat.id):
            await staff.leave_group(self.services, s, chat.id, now)

    async def _tick(self, s: AsyncSession, tick: dict[str, Any], chat_id: int) -> None:
        from storage import participants
        from storage.models import Session

        row = await s.get(Session, tick.get("session"))
        if row is None or row.status != "active":
            return
        p = await participants.get(s, row.participant_id)
        if p is None or p.stopped:
            return
        conv = Conversation(self.services, s, Sender(user_id=0, chat_id=chat_id), _now(), p, dict(row.state),
                            priority=BACKGROUND, row=row)
        abandoned = self.services.settings.forward_abandoned
        await conv.run(lambda fs: engine.tick(fs, conv.state, now=conv.now, forward_abandoned=abandoned))
        await conv.close()


def _label_of(message: Message, data: str) -> str | None:
    markup = message.reply_markup
    for row in (markup.inline_keyboard if markup else ()):
        for button in row:
            if button.callback_data == data:
                return button.text
    return None
