"""Follow-up questions, the youth's side: a staff member's reply to a card reaches the
youth ("The team asks: …") when they allowed it, and their next text goes back as a
reply to the card, anonymised, ending like the card with `#{submission id}` (so a reply
to it asks again). Neither side learns who the other is. With machine translation
(TRANSLATE_URL) and a youth whose language the team does not read, the question reaches
the youth translated, the team's words under it, and the answer comes back followed by
its translation (queued here, made and sent by bot/app/followup_translations.py).

The staff group's side (which reply is a question, anonymising the staff member's names)
is the adapter's: bot/telegram/staff.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forwarding import topics
from bot.dialogue import outgoing
from bot.dialogue.conversation import Conversation, Sender
from bot.dialogue.services import Services
from bot.dialogue.state import Followup
from bot.forwarding.cards import shorten
from bot.i18n import replies
from bot.privacy.anonymizer import anonymize
from bot.forwarding.translations import provider_code
from storage import participants, sessions, translations
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
    conv = await youth_of(services, s, sub, now)
    if conv is None:
        return "This youth can no longer be reached."
    machine = machine_followup(services, conv.lang)
    if machine:
        await translations.queue_followup(
            s,
            submission_id=sub.id,
            direction="question",
            source="auto",
            target=conv.lang,
            text=question,
            staff_chat=staff_chat,
            card=card_message_id,
            now=now,
        )
    else:
        await ask(conv, replies.TEAM_ASKS, question=question)
    if conv.session is not None:
        conv.front.followup = Followup(sub.id, staff_chat, card_message_id)
        await conv.close()
    if machine:
        return (
            f"Sent for machine translation into {conv.lang}; it reaches the youth with your words under it. "
            "Their answer will come as a reply to the card."
        )
    return "Sent to the youth. Their answer will come as a reply to the card."


async def youth_of(services: Services, s: AsyncSession, sub: Submission, now: datetime) -> Conversation | None:
    """A conversation with the youth of a submission, to send to; None when they cannot be reached."""
    participant = await participants.by_pseudonym(s, sub.participant_pseudonym) if sub.participant_pseudonym else None
    chat_id = await participants.chat_id_of(s, participant.id) if participant else None
    if participant is None or chat_id is None or participant.stopped:
        return None
    row = await sessions.active_for(s, participant.id)
    return Conversation.of_row(services, s, Sender(user_id=0, chat_id=chat_id), now, participant, row)


async def ask(conv: Conversation, msgid: str, **params: str) -> None:
    """The team's question and how to answer it."""
    await conv.send(conv.tr.format(msgid, **params), protect=True)  # the team's words: not forwardable
    await conv.send(conv.tr.gettext(replies.TEAM_ASKS_HINT), protect=True)


def machine_followup(services: Services, lang: str) -> bool:
    """Whether follow-ups with a youth in `lang` go through machine translation: a provider
    is running and knows the language, and it is not one the team reads."""
    settings = services.settings
    worker = services.runtime.translations
    if not settings.translate_url or worker is None or worker.languages is None:
        return False
    if provider_code(lang) in {
        provider_code(t) for t in [*settings.translate_targets, *settings.translate_team_languages]
    }:
        return False
    return provider_code(lang) in worker.languages


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
    for payload in outgoing.send_message(pending.chat, body, protect=True):
        topics.mark(payload, topics.FOLLOWUPS)
        payload["reply_parameters"] = {"message_id": pending.card, "allow_sending_without_reply": True}
        await conv.call(
            "sendMessage", payload, chat_id=pending.chat, priority=Priority.STAFF, ref=f"followup:{pending.submission}"
        )
    if machine_followup(conv.services, conv.lang):
        await translations.queue_followup(
            conv.s,
            submission_id=pending.submission,
            direction="answer",
            source=conv.lang,
            target=conv.services.settings.translate_target,
            text=clean,
            staff_chat=pending.chat,
            card=pending.card,
            now=conv.now,
        )
    await conv.say(replies.FOLLOWUP_SENT)
    return True
